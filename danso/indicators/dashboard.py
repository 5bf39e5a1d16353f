"""What a unit's dashboard (bảng điều khiển) shows, gathered from the engine's cached
figures (``cache.figures``) and from the plans' monitoring (``targets.targets_of``, which
the plans provide: ``plans.monitoring``).

**The tree.**  A period is counted in the tree of one day (``tree_day``): the day looked
at when it falls inside the period (the "As of" date of the page), otherwise the
period's last day; a unit that closed during the period is counted on its last day, and a
unit formed after the period on its first day (its figures then combine those of the
units it took over, as the engine does for ``--date``).  The children, the map and the
reader's scope are all taken on that day.

**The targets.**  Those of the plans in force for the period's year that the unit itself
issued, and the cells (giao chỉ tiêu) that plans of the unit above handed to it, each
judged by ``monitor`` under its plan's own tree.  Only issued plans count: a draft binds
nobody.

**The alerts** (cảnh báo) concern the units directly below: a target that the unit's plans
handed to one of them and that is off track or at risk.  A value resting on too few
events never alerts.  The sex ratio at birth alerts only when its whole 95 % interval lies
above the ceiling: the child's own SRB target if it was given one, else the unit's SRB
ceiling, else 109.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from danso.indicators import cache
from danso.indicators import tallies as keys
from danso.indicators.achievement import Actual, Status, judge
from danso.indicators.engine import PYRAMID_GROUPS, UnitFigures, Value
from danso.indicators.periods import Period
from danso.indicators.targets import TargetOnUnit
from danso.population.labels import official_population, register_population
from danso.register.models import Event
from danso.spreadsheets import append_row
from danso.units.codes import Level
from danso.units.models import Unit, UnitGeometry, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.selectors import CODE_ORDER

#: The indicators of the headline cards and of the ranking's columns, in that order.
HEADLINE = (
    "CBR",
    "CDR",
    "TFR",
    "SRB",
    "BIRTH3P",
    "NEWFP",
    "CPR",
    "PRENATAL",
    "NEWBORN",
    "PREMARITAL",
    "ELDERLY",
)
#: What the map can colour the units by (``?map=``); the first is the default.
MAP_INDICATORS = ("CBR", "SRB", "TFR", "BIRTH3P", "CDR", "CPR", "NEWFP")
#: The sex ratio at birth above which a unit without a target of its own is alerted.
SRB_CEILING = 109.0
#: Tally keys drawn month by month (counts of events) and rates drawn beside them.
TREND_COUNTS = (keys.BIRTHS, keys.DEATHS, keys.NEW_ACCEPTORS)
TREND_RATES = ("CBR", "CDR")
#: How many years before the one shown the period picker offers.
YEARS_BACK = 5

_ALERTING = (Status.OFF_TRACK, Status.AT_RISK)


class UnitOutsidePeriod(LookupError):
    """The unit had closed before the period began, so it has no figures for it."""


def tree_day(unit: Unit, period: Period, looked_at: date) -> date:
    """The day whose tree ``period`` is counted in for ``unit`` (see the module docstring).

    Raises ``UnitOutsidePeriod`` when the unit closed before the period began."""
    if unit.valid_to is not None and unit.valid_to < period.start:
        raise UnitOutsidePeriod(
            _("%(unit)s closed on %(day)s, before this period began.")
            % {"unit": str(unit), "day": f"{unit.valid_to:%d/%m/%Y}"}
        )
    day = looked_at if period.contains(looked_at) else period.end
    if unit.valid_to is not None and day > unit.valid_to:
        day = unit.valid_to
    return max(day, unit.valid_from)


def default_period(unit: Unit, looked_at: date) -> Period:
    """The latest full year (before the year looked at) in which the unit's register holds
    events, else the year looked at: a finished year is what officers compare first."""
    paths = set(UnitVersion.objects.filter(unit=unit).values_list("path", flat=True))
    inside = Q()
    for path in paths:
        inside |= Q(path__startswith=path)
    events = Event.objects.filter(inside)
    this_year = looked_at.year
    if not paths or not events.filter(event_date__lt=date(this_year, 1, 1)).exists():
        return Period.year_of(this_year)
    # Probe year by year: each probe stops at its first event, where a maximum over the
    # city's whole register would read every event of it.
    year = this_year - 1
    while not events.filter(event_date__year=year).exists():
        year -= 1
    return Period.year_of(year)


def children_on(version: UnitVersion, day: date, scope: UnitScope) -> list[UnitVersion]:
    """The units directly below ``version`` on ``day`` that the reader may see."""
    return list(
        UnitVersion.objects.filter(valid_on(day), parent_id=version.unit_id)
        .filter(scope.q(Action.VIEW))
        .select_related("unit")
        .order_by(*CODE_ORDER)
    )


def ranking(version: UnitVersion, period: Period, day: date, scope: UnitScope) -> UnitFigures:
    """The unit's figures with one ``UnitFigures`` per visible child, each saying what it
    rests on (its coverage): the ranking table, its workbook and the map read these."""
    return cache.figures(
        version,
        period,
        tree_date=day,
        children=children_on(version, day, scope),
        coverage=True,
    )


# ----------------------------------------------------------------------------- targets


# ----------------------------------------------------------------------------- alerts


@dataclass(frozen=True)
class Alert:
    """A unit below that is off track or at risk (see the module docstring)."""

    version: UnitVersion
    code: str
    value: Value
    status: Status
    target: float
    kind: str
    reason: str  # in plain Vietnamese, from ``achievement.judge``
    plan: Any  # the plan whose target it is; None: the default SRB ceiling


def _alerts_from_targets(below: Iterable[TargetOnUnit]) -> list[Alert]:
    found = []
    for item in below:
        value = item.row.value
        if value is None or value.value is None or value.small_numbers:
            continue
        if item.status not in _ALERTING:
            continue
        if item.code == "SRB" and item.status is not Status.OFF_TRACK:
            continue  # the sex ratio alerts only when its whole interval is above
        # a change target is shown as the level it implies, which is what was missed
        expected = item.row.judgement.expected
        target = (
            expected if item.kind == "change" and expected is not None else item.row.target_value
        )
        assert target is not None
        found.append(
            Alert(
                item.row.version,
                item.code,
                value,
                item.status,
                target,
                item.kind,
                item.row.judgement.reason,
                item.plan,
            )
        )
    return found


def _srb_ceiling(own: Iterable[TargetOnUnit]) -> tuple[float, Any]:
    """The unit's own SRB ceiling from an issued plan, else the national 109."""
    for item in own:
        if item.code == "SRB" and item.kind == "ceiling" and item.row.target_value is not None:
            return item.row.target_value, item.plan
    return SRB_CEILING, None


def alerts(
    own: list[TargetOnUnit], below: list[TargetOnUnit], children: Iterable[UnitFigures]
) -> list[Alert]:
    """Off track first, then at risk; by unit name within each."""
    found = _alerts_from_targets(below)
    judged_srb = {item.row.version.unit_id for item in below if item.code == "SRB"}
    ceiling, plan = _srb_ceiling(own)
    for child in children:
        if child.version.unit_id in judged_srb:
            continue
        value = child.value("SRB")
        if value.value is None or value.small_numbers:
            continue
        actual = Actual(value.value, value.interval.low, value.interval.high, value.small_numbers)
        judgement = judge("ceiling", ceiling, actual)
        if judgement.status is Status.OFF_TRACK:
            found.append(
                Alert(
                    child.version,
                    "SRB",
                    value,
                    Status.OFF_TRACK,
                    ceiling,
                    "ceiling",
                    judgement.reason,
                    plan,
                )
            )
    order = {status: i for i, status in enumerate(_ALERTING)}
    return sorted(found, key=lambda a: (order[a.status], a.version.name, a.code))


# ----------------------------------------------------------------------------- charts


def trend(unit: Unit, year: int, looked_at: date, today: date) -> dict[str, Any]:
    """Month by month in ``year``: the counts of ``TREND_COUNTS`` and the rates of
    ``TREND_RATES`` (annualised ‰), each month counted in its own tree (``tree_day``).
    The months after a unit closed are counted in its last day's tree, as the engine
    counts its whole last year (Long Biên's villages carry its 2025 to December); months
    not yet begun are None (a gap in the line)."""
    versions = list(UnitVersion.objects.filter(unit=unit).select_related("unit"))
    series: dict[str, list[float | None]] = {key: [] for key in (*TREND_COUNTS, *TREND_RATES)}
    for month in range(1, 13):
        period = Period.month_of(year, month)
        figures = None
        if period.start <= today:
            try:
                day: date | None = tree_day(unit, period, looked_at)
            except UnitOutsidePeriod:
                day = unit.valid_to if unit.valid_to and unit.valid_to.year == year else None
            version = next((v for v in versions if day and v.covers(day)), None)
            if version is not None:
                figures = cache.figures(version, period, tree_date=day)
        for key in TREND_COUNTS:
            series[key].append(None if figures is None else figures.tally.get(key, 0))
        for code in TREND_RATES:
            series[code].append(None if figures is None else figures.value(code).value)
    return {"months": [f"{month:02d}/{year}" for month in range(1, 13)], **series}


def pyramid(figures: UnitFigures) -> dict[str, Any]:
    """Persons registered on the period's reference date by sex and five-year group."""
    tally = figures.tally
    return {
        "groups": list(PYRAMID_GROUPS),
        "male": [tally.get(keys.pyramid("M", group), 0) for group in PYRAMID_GROUPS],
        "female": [tally.get(keys.pyramid("F", group), 0) for group in PYRAMID_GROUPS],
    }


# ----------------------------------------------------------------------------- map


@dataclass(frozen=True)
class MapView:
    """A choropleth of ``parent``'s children.  When the unit's own children have no
    boundaries, the map is that of the nearest unit above whose children do, with the
    branch holding the unit (``highlight``) outlined: where it lies among its peers."""

    parent: UnitVersion
    values: dict[str, float | None]  # unit id (as text, for JSON) → the indicator's value
    highlight: int | None


def _has_boundaries(units: Iterable[UnitVersion]) -> bool:
    return UnitGeometry.objects.filter(unit_id__in=[v.unit_id for v in units]).exists()


def _values(children: Iterable[UnitFigures], code: str) -> dict[str, float | None]:
    """Each child's value; None (no colour, "không có số liệu") for one without data."""
    return {
        str(child.version.unit_id): child.value(code).value
        if child.shows(child.value(code))
        else None
        for child in children
    }


def map_view(figures: UnitFigures, day: date, scope: UnitScope, code: str) -> MapView | None:
    """The map of the dashboard of ``figures`` (None when no unit on the way up has
    children with boundaries that the reader may see)."""
    version = figures.version
    if figures.children and _has_boundaries(c.version for c in figures.children):
        return MapView(version, _values(figures.children, code), None)
    above = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(
            valid_on(day), unit_id__in=version.ancestor_ids()
        ).select_related("unit")
    }
    path_ids = [*version.ancestor_ids(), version.unit_id]
    for depth in range(len(path_ids) - 2, -1, -1):
        parent = above.get(path_ids[depth])
        # Not the country: a province among all the others says little, and costs the
        # whole country's figures.
        if parent is None or parent.level is Level.COUNTRY:
            break
        if not scope.allows(Action.VIEW, parent):
            break
        children = children_on(parent, day, scope)
        if _has_boundaries(children):
            peers = cache.figures(
                parent, figures.period, tree_date=day, children=children, coverage=True
            )
            return MapView(parent, _values(peers.children, code), path_ids[depth + 1])
    return None


# ----------------------------------------------------------------------------- workbook


def ranking_workbook(figures: UnitFigures, day: date, names: dict[str, str]) -> bytes:
    """The ranking as an .xlsx workbook: a sheet with one row per child unit and one
    column per headline indicator (``names``: code → the indicator's name in the
    reader's language), and a sheet with every value's numerator, denominator, 95 %
    interval, small-numbers flag and source, for whoever checks the figures."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Ranking")[:31]
    append_row(sheet, [f"{figures.version.name} · {figures.period}"])
    append_row(sheet, [_("Units as on %(day)s") % {"day": f"{day:%d/%m/%Y}"}])
    append_row(
        sheet,
        [
            _("Code"),
            _("Name"),
            register_population(figures.period.reference),
            _("Official population (year, source)"),
            _("Share of the population with data"),
            _("Births"),
            *(names[c] for c in HEADLINE),
        ],
    )
    append_row(sheet, ["", "", keys.POPULATION, "official", "coverage", keys.BIRTHS, *HEADLINE])
    for row in (3, 4):
        for cell in sheet[row]:
            cell.font = Font(bold=True)
    no_data = _("no data")
    for child in figures.children:
        values = {v.indicator: v.value for v in child.values}
        coverage = child.coverage
        official = coverage.official if coverage else None
        append_row(
            sheet,
            [
                child.version.display_code,
                child.version.name,
                child.tally.get(keys.POPULATION, 0) if child.has_data else no_data,
                official_population(official.year, official.source) + f": {official.total}"
                if official
                else "",
                coverage.share if coverage and coverage.share is not None else "",
                child.tally.get(keys.BIRTHS, 0) if child.has_data else no_data,
                # no figure, not 0: the population and births say it, the values are empty
                *(values.get(code) if child.has_data else None for code in HEADLINE),
            ],
        )
    sheet.freeze_panes = "C5"
    sheet.column_dimensions["B"].width = 32
    detail = book.create_sheet(_("Details")[:31])
    append_row(
        detail,
        [
            _("Code"),
            _("Name"),
            _("Indicator"),
            _("Value"),
            _("Numerator"),
            _("Denominator"),
            _("95% interval: low"),
            _("95% interval: high"),
            _("Too few events"),
            _("Source"),
        ],
    )
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for unit_figures in [figures, *figures.children]:
        for value in unit_figures.values:
            if value.indicator not in HEADLINE:
                continue
            data = value.as_dict()
            append_row(
                detail,
                [
                    unit_figures.version.display_code,
                    unit_figures.version.name,
                    value.indicator,
                    data["value"],
                    value.numerator,
                    value.denominator,
                    data["ci_low"],
                    data["ci_high"],
                    value.small_numbers,
                    value.source,
                ],
            )
    detail.freeze_panes = "D2"
    detail.column_dimensions["B"].width = 32
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
