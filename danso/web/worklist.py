"""The officer's home as a work list (issue 17): what waits for the reader in their units
on the day looked at, each item a link to the page where the work is done.

Every function takes the reader's scope (``accounts.context.request_scope``: the one
scope function, on the day looked at) and, where another app decides per person, the
user; every read goes through that scope.  Nothing here computes a rule of its own:

- **reports** (``reports.inbox``): the reader's own units' reports due within
  ``DUE_WITHIN`` days or late (``own_reports``: the last period ended before the day and
  every report still being written or returned, with their due dates from
  ``reports.selectors.due_date``), and the reports the units below sent and that wait for
  the reader's decision (``incoming``: the inbox's lists of the last period of each type
  the unit receives, as ``completeness_panels`` reads them) — only where the unit receives
  reports and the reader may decide, as the review's buttons are;
- **targets and alerts** (``indicators.dashboard`` and the plans' ``targets_of``): the
  targets of the reader's own units that are off track or at risk, with the written
  reason of ``indicators.achievement``, and the dashboard's alerts about the units below,
  for the year to date (``work_period``: what is due by now of this year's plans), each
  linking to the dashboard of that period.  Read from the cached figures only
  (``cache.page_counting``): when a year is not counted yet, the list says so and links to
  the dashboard, which asks the worker to count it;
- **monthly forms** (``register.Collection``): the villages that have not handed in the
  month before the day looked at, and the months handed in and not accepted yet; listed
  village by village for whoever accepts them (the commune), counted by commune above;
- **data quality** (``register.Flag``): the open rule flags, counted by commune, with a
  link to the commune's data-quality screen.

The register's two lists are for the readers of records (``Action.VIEW_RECORDS``); a
leader who only reads figures (the viewer) sees the reports (without review), the
targets and the alerts.  Queries are bounded: a few per own unit (at most ``ROOTS``),
and one or two grouped queries for the register's lists whatever the number of units
below (a city officer reaches some 600 units and thousands of villages).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Generic, TypeVar

from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import get_language

from danso.accounts.scope import unit_scope
from danso.indicators import cache, dashboard
from danso.indicators.achievement import STATUS_VI, Status
from danso.indicators.models import Indicator
from danso.indicators.periods import Period
from danso.indicators.targets import targets_of
from danso.indicators.views import STATUS_EN, period_label
from danso.register.models import Collection, Flag
from danso.register.services import month_start
from danso.reports import inbox, selectors
from danso.reports.models import Report
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action, UnitScope

#: The reader's own units the work list looks at (a person holds one or two roles).
ROOTS = 3
#: Rows each list shows; the count says how many there are in all.
SHOWN = 8
#: Reports due within this many days are listed as due.
DUE_WITHIN = 30

_ALERTING = (Status.OFF_TRACK, Status.AT_RISK)
T = TypeVar("T")


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def work_roots(scope: UnitScope) -> list[UnitVersion]:
    """The units of the reader's roles on the scope's day (at most ``ROOTS``), without the
    country: an administrator's whole-country reach is no one's work list."""
    return [r for r in units.scope_roots(scope) if r.unit.level != Level.COUNTRY][:ROOTS]


@dataclass
class Listed(Generic[T]):
    """A list as the page shows it: its first ``SHOWN`` rows and how many there are."""

    rows: list[T] = field(default_factory=list)
    total: int = 0

    @classmethod
    def of(cls, items: list[T]) -> Listed[T]:
        return cls(items[:SHOWN], len(items))

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


# ----------------------------------------------------------------------------- reports


@dataclass(frozen=True)
class ReportItem:
    """A report to write, send or review."""

    unit: str
    type_code: str
    type_name: str
    period_label: str
    due: date
    days: int  # days left before the due date; negative: days late
    state: str  # the inbox's word for its state
    url: str

    @property
    def days_late(self) -> int:
        return -self.days


@dataclass
class ReportWork:
    due: Listed[ReportItem]
    late: Listed[ReportItem]
    to_review: Listed[ReportItem]
    #: whether the reader decides on reports anywhere (else the review list is not shown)
    reviews: bool
    inbox_url: str


def _needs_work(row: inbox.OwnRow) -> bool:
    """Not waived, and not started, being written or sent back."""
    if row.waived and not row.sent:
        return False
    return row.report is None or row.report.status in (
        Report.Status.DRAFT,
        Report.Status.RETURNED,
    )


def report_work(scope: UnitScope, user: Any) -> ReportWork:
    """The reports of the reader's own units due within ``DUE_WITHIN`` days of the day and
    those late, and the reports sent to those units that wait for the reader's decision.

    ``own_reports`` and the inbox's ``incoming`` decide which periods and due dates count;
    the review list keeps only what the reader may decide (``APPROVE_REPORTS`` on the
    receiving unit), as the review page's buttons do."""
    on = scope.on
    due: list[ReportItem] = []
    late: list[ReportItem] = []
    review: list[ReportItem] = []
    roots = work_roots(scope)
    reviews = False
    scopes: dict[date, UnitScope] = {}
    for root in roots:
        own_types, received = inbox.report_types_for(root, on)
        for row in inbox.own_reports(root.unit, own_types, on):
            if not _needs_work(row) or row.days_left > DUE_WITHIN:
                continue
            url = (
                reverse("reports:detail", args=[row.report.pk])
                if row.report is not None
                else f"{reverse('reports:inbox')}?unit={root.unit_id}"
            )
            item = ReportItem(
                root.name,
                row.report_type.code,
                row.type_name,
                row.period_label,
                row.due,
                row.days_left,
                row.state_label,
                url,
            )
            (late if row.days_left < 0 else due).append(item)
        if not received or not scope.allows(inbox.DECIDE, root):
            continue  # a commune may decide, but nothing is sent to it
        reviews = True
        # the inbox's lists, as ``completeness_panels`` makes them from the types found above
        for report_type in received:
            period = inbox.last_ended(report_type.period_kind, on)
            if root.unit.valid_from > period.end or (
                root.unit.valid_to is not None and root.unit.valid_to < period.start
            ):
                continue  # the unit did not stand then: nothing was owed to it
            parent = selectors.version_for(root.unit, period)
            # as the inbox: the reader's scope on the report's tree day
            day = selectors.tree_day(parent.unit, period)
            if day not in scopes:
                scopes[day] = scope if day == on else unit_scope(user, day)
            if not scopes[day].allows(Action.VIEW, parent):
                continue
            panel = inbox.incoming(report_type, parent, period)
            for sent in panel.rows:
                if sent.report is None or sent.report.status != Report.Status.SUBMITTED:
                    continue
                review.append(
                    ReportItem(
                        sent.version.name,
                        report_type.code,
                        panel.type_name,
                        panel.period_label,
                        sent.due,
                        (sent.due - on).days,
                        sent.state_label,
                        reverse("reports:review", args=[sent.report.pk]),
                    )
                )
    late.sort(key=lambda i: (i.due, i.unit))
    due.sort(key=lambda i: (i.due, i.unit))
    review.sort(key=lambda i: (i.due, i.unit))
    inbox_url = reverse("reports:inbox")
    if roots:
        inbox_url += f"?unit={roots[0].unit_id}"
    return ReportWork(Listed.of(due), Listed.of(late), Listed.of(review), reviews, inbox_url)


# ----------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class TargetItem:
    """A target off track or at risk: the unit's own, or a unit below's (an alert)."""

    unit: str
    indicator: str
    status: str  # ``achievement.Status`` value, for the page's colours
    label: str
    reason: str  # in plain Vietnamese, from ``achievement.judge``
    url: str
    #: the plan that set it (its number, else its title): a district's own plan and the
    #: city's plan may both set the same indicator, each its own target
    plan: str = ""


@dataclass(frozen=True)
class Pending:
    """A unit whose figures for ``year`` are not counted yet: its dashboard says so."""

    unit: str
    year: int
    url: str


@dataclass
class TargetWork:
    off_track: Listed[TargetItem]
    alerts: Listed[TargetItem]
    pending: list[Pending]
    #: the periods looked at ("2025"), one per own unit judged
    periods: list[str]
    #: whether any issued plan gives the reader's units a target in those periods
    has_targets: bool


def work_period(on: date) -> Period:
    """The period targets are followed over on ``on``: the year to date up to the last
    month ended before it (a count target then asks its share of the months gone,
    ``achievement``), the year before in January.  The figures' warming counts these
    periods with the others of a year (``indicators.cache.periods_of``)."""
    if on.month == 1:
        return Period.year_of(on.year - 1)
    return Period.parse(f"{on.year}-YTD-{on.month - 1:02d}")


def target_work(scope: UnitScope, user: Any) -> TargetWork:
    """For each own unit, the year to date (``work_period``), judged as its dashboard
    judges it: its own targets off track or at risk, and the alerts
    about the units below (``dashboard.alerts``).  From cached figures only: a unit whose
    year is not counted yet is listed in ``pending`` instead."""
    english = _english()
    labels = STATUS_EN if english else STATUS_VI
    off_track: list[TargetItem] = []
    alerts: list[TargetItem] = []
    pending: list[Pending] = []
    periods: list[str] = []
    has_targets = False
    names = _indicator_names(english)
    for root in work_roots(scope):
        period = work_period(scope.on)
        try:
            day = dashboard.tree_day(root.unit, period, scope.on)
        except dashboard.UnitOutsidePeriod:
            continue
        day_scope = scope if day == scope.on else unit_scope(user, day)
        try:
            version = units.unit_on(root.unit_id, day_scope, Action.VIEW)
        except (units.UnitNotFound, units.UnitOutOfScope):
            continue
        url = f"{reverse('indicators:unit', args=[root.unit_id])}?period={period}"
        try:
            with cache.page_counting():
                figures = dashboard.ranking(version, period, day, day_scope)
                own, below = targets_of(version, period, user)
        except cache.NotReady as not_ready:
            pending.append(Pending(root.name, not_ready.year, url))
            continue
        periods.append(period_label(period, english))
        has_targets = has_targets or bool(own or below)
        for item in own:
            if item.status in _ALERTING:
                off_track.append(
                    TargetItem(
                        root.name,
                        names.get(item.code, item.code),
                        str(item.status),
                        labels[item.status],
                        item.row.judgement.reason,
                        url,
                        _plan_name(item.plan),
                    )
                )
        for alert in dashboard.alerts(own, below, figures.children):
            alerts.append(
                TargetItem(
                    alert.version.name,
                    names.get(alert.code, alert.code),
                    str(alert.status),
                    labels[alert.status],
                    alert.reason,
                    f"{reverse('indicators:unit', args=[alert.version.unit_id])}?period={period}",
                )
            )
    order = {status.value: i for i, status in enumerate(_ALERTING)}
    off_track.sort(key=lambda t: (order[t.status], t.unit, t.indicator))
    return TargetWork(
        Listed.of(off_track), Listed.of(alerts), pending, list(dict.fromkeys(periods)), has_targets
    )


def _plan_name(plan: Any) -> str:
    number = str(getattr(plan, "number", "") or "")
    return number or str(getattr(plan, "title", ""))[:80]


def _indicator_names(english: bool) -> dict[str, str]:
    field_name = "name_en" if english else "name_vi"
    return dict(Indicator.objects.values_list("code", field_name))


# ----------------------------------------------------------------------------- register


def _record_places(scope: UnitScope) -> Any:
    """The communes and villages whose records the reader may read on the day (a query)."""
    return UnitVersion.objects.filter(
        valid_on(scope.on), unit__level__in=[Level.COMMUNE, Level.VILLAGE]
    ).filter(scope.q(Action.VIEW_RECORDS))


@dataclass(frozen=True)
class VillageItem:
    """A village whose monthly form waits: not handed in, or handed in, not accepted."""

    name: str
    commune: str
    handed_in: bool
    url: str  # the commune's review of the month; "" when the reader does not accept


@dataclass(frozen=True)
class CommuneCount:
    """A commune's villages for the month: how many, how many not handed in, how many
    waiting to be accepted."""

    name: str
    villages: int
    missing: int
    waiting: int
    url: str


@dataclass
class CollectionWork:
    month: date  # the first day of the month asked for
    missing: Listed[VillageItem]
    waiting: Listed[VillageItem]
    communes: Listed[CommuneCount]
    villages: int  # villages in the reader's units
    #: whether the reader accepts the months (a commune officer): then village by village
    accepts: bool

    @property
    def missing_total(self) -> int:
        return self.missing.total

    @property
    def waiting_total(self) -> int:
        return self.waiting.total


def collection_work(scope: UnitScope) -> CollectionWork | None:
    """The monthly forms (P0/CTV) of the month before the day looked at, for the villages
    under the reader's units on the day: those not handed in (no form, or a form still
    being filled in) and those handed in and not accepted.  None for a reader who may not
    read records.  One grouped query for the villages and their forms, one for the
    communes' names."""
    if not scope.allows_anywhere(Action.VIEW_RECORDS):
        return None
    month = month_start(month_start(scope.on) - timedelta(days=1))
    status = Collection.objects.filter(unit_id=OuterRef("unit_id"), month=month).values("status")
    villages = list(
        _record_places(scope)
        .filter(unit__level=Level.VILLAGE)
        .annotate(form=Subquery(status[:1]))
        .order_by("parent_id", "code")
        .values_list("unit_id", "parent_id", "name", "form")
    )
    parents = {p for _u, p, _n, _f in villages if p is not None}
    communes = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(valid_on(scope.on), unit_id__in=parents).order_by()
    }
    missing: list[VillageItem] = []
    waiting: list[VillageItem] = []
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for _unit_id, parent_id, name, form in villages:
        commune = communes.get(parent_id) if parent_id is not None else None
        if commune is None:
            continue
        url = ""
        if scope.allows(Action.ACCEPT_COLLECTION, commune):
            url = f"{reverse('register:review', args=[commune.unit_id])}?month={month:%Y-%m}"
        counts[commune.unit_id][0] += 1
        if form in (None, Collection.Status.OPEN):
            missing.append(VillageItem(name, commune.name, False, url))
            counts[commune.unit_id][1] += 1
        elif form == Collection.Status.HANDED_IN:
            waiting.append(VillageItem(name, commune.name, True, url))
            counts[commune.unit_id][2] += 1
    accepts = any(scope.allows(Action.ACCEPT_COLLECTION, c) for c in communes.values())
    by_commune = sorted(
        (
            CommuneCount(
                communes[i].name,
                n,
                n_missing,
                n_waiting,
                f"{reverse('register:review', args=[i])}?month={month:%Y-%m}"
                if scope.allows(Action.ACCEPT_COLLECTION, communes[i])
                else "",
            )
            for i, (n, n_missing, n_waiting) in counts.items()
            if n_missing or n_waiting
        ),
        key=lambda c: (-c.missing - c.waiting, c.name),
    )
    return CollectionWork(
        month,
        Listed.of(missing),
        Listed.of(waiting),
        Listed.of(by_commune),
        len(villages),
        accepts,
    )


@dataclass(frozen=True)
class FlagCount:
    """A commune's open data-quality flags (those of its villages included)."""

    name: str
    open: int
    latest: date
    url: str


@dataclass
class QualityWork:
    communes: Listed[FlagCount]
    open: int  # open flags in all


def quality_work(scope: UnitScope) -> QualityWork | None:
    """The open rule flags (``Flag`` to check) of the communes and villages whose records
    the reader may read on the day, counted by commune (a village's go to its commune),
    most first, each with a link to the commune's data-quality screen listing the open
    ones.  None for a reader who may not read records.  Three queries."""
    if not scope.allows_anywhere(Action.VIEW_RECORDS):
        return None
    rows = list(
        Flag.objects.filter(
            status=Flag.Status.OPEN,
            kind=Flag.Kind.RULE,
            unit_id__in=_record_places(scope).values("unit_id"),
        )
        .values("unit_id")
        .annotate(n=Count("pk"), latest=Max("day"))
        .order_by()
    )
    places = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(
            valid_on(scope.on), unit_id__in=[r["unit_id"] for r in rows]
        ).select_related("unit")
    }
    totals: dict[int, list[Any]] = {}
    for row in rows:
        place = places.get(row["unit_id"])
        if place is None:
            continue
        commune_id = place.unit_id if place.unit.level == Level.COMMUNE else place.parent_id
        if commune_id is None:
            continue
        found = totals.setdefault(commune_id, [0, row["latest"]])
        found[0] += row["n"]
        found[1] = max(found[1], row["latest"])
    communes = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(valid_on(scope.on), unit_id__in=list(totals)).order_by()
    }
    counted = sorted(
        (
            FlagCount(
                communes[i].name,
                n,
                latest,
                f"{reverse('register:quality', args=[i])}?status={Flag.Status.OPEN}"
                if scope.allows(Action.VIEW_RECORDS, communes[i])
                else "",
            )
            for i, (n, latest) in totals.items()
            if i in communes
        ),
        key=lambda c: (-c.open, c.name),
    )
    return QualityWork(Listed.of(counted), sum(c.open for c in counted))


# ----------------------------------------------------------------------------- the page


@dataclass
class WorkList:
    reports: ReportWork
    targets: TargetWork
    collections: CollectionWork | None
    quality: QualityWork | None


def work_list(scope: UnitScope, user: Any) -> WorkList:
    """Everything the home page lists for the reader on the scope's day."""
    return WorkList(
        report_work(scope, user),
        target_work(scope, user),
        collection_work(scope),
        quality_work(scope),
    )
