"""The dashboards (bảng điều khiển): one page per unit and period, its ranking as .xlsx,
and the boundaries its map draws.  What they show comes from ``dashboard``; here the
request is turned into a unit, a period and the day whose tree counts them, and the
figures into text as officers write it (416.950; 12,99 ‰; 11,60–14,49).

The reader's scope is taken on that day (``unit_scope``, the one scope function), so a
ward officer reaches their ward's dashboard and no other, in the page as in the workbook.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.accounts.scope import unit_scope
from danso.indicators import cache, dashboard, pages, tasks
from danso.indicators.achievement import STATUS_VI, Status
from danso.indicators.catalogue import Unit as MeasureUnit
from danso.indicators.coverage import THRESHOLD, coverage_text, percent
from danso.indicators.defined import definitions
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.models import Indicator
from danso.indicators.periods import Period, PeriodError, PeriodKind
from danso.indicators.targets import TargetOnUnit, targets_of
from danso.population.labels import official_population, register_population
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.vietnamese import format_number

#: The hover text of a status: the rule of the target's kind (``achievement``'s docstring).
RULES = {
    "count_min": gettext_lazy(
        "A count is compared with the target's share for the months elapsed: on track from "
        "that share, at risk from 90% of it, achieved at the whole target."
    ),
    "level_min": gettext_lazy(
        "The value is compared with the target: at risk when it falls short but its 95% "
        "interval still reaches the target, off track when the whole interval is below it."
    ),
    "ceiling": gettext_lazy(
        "The value is compared with the ceiling: at risk when it is above but its 95% "
        "interval still reaches the ceiling, off track only when the whole interval lies "
        "above it."
    ),
    "change": gettext_lazy(
        "A change against a baseline year is judged on the level it implies (baseline + "
        "change), as a level to reach or a ceiling."
    ),
    "near": gettext_lazy(
        "Met inside the band; at risk when only the 95% interval reaches it; off track otherwise."
    ),
    "all_children": gettext_lazy(
        "Judged on the statuses of the units below: off track when any of them is."
    ),
}
SMALL_RULE = gettext_lazy("A value resting on too few events is never judged.")
STATUS_EN = {
    Status.ACHIEVED: "Achieved",
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.OFF_TRACK: "Off track",
    Status.CANNOT_JUDGE: "Cannot judge",
}
SOURCES = {
    "register": gettext_lazy("register"),
    "entered": gettext_lazy("entered figures"),
    "register+entered": gettext_lazy("register and entered figures"),
}
UNIT_SYMBOLS = {MeasureUnit.PERCENT: "%", MeasureUnit.PERMILLE: "‰"}
#: Stands in for a child's id in the URL the map and the table link to.
ANY_UNIT = 123456789

View = TypeVar("View", bound=Callable[..., Any])
#: What the pages below show besides the figures, by model: the unit tree, the reader's
#: roles, the catalogue's names, the plans' targets (``targets_of``) and the reports
#: received (the ``completeness_panels`` tag).
DASHBOARD_RESTS_ON = (
    "units.Unit",
    "units.UnitVersion",
    "units.UnitSuccession",
    "units.UnitGeometry",
    "accounts.RoleAssignment",
    "indicators.Indicator",
    "plans.Plan",
    "plans.Target",
    "plans.Allocation",
    "plans.CarriedAllocation",
    "reports.ReportType",
    "reports.Report",
    "reports.ReportWaiver",
    "reports.CalendarDay",
)
BOUNDARIES_REST_ON = (
    "units.Unit",
    "units.UnitVersion",
    "units.UnitGeometry",
    "accounts.RoleAssignment",
)


def revalidated(*labels: str) -> Callable[[View], View]:
    """Mark a view whose page is a function of the figures, the reader and the rows of
    the models ``labels`` (``app.Model``) alone: the web shell then gives it an ``ETag``
    and answers ``304`` to a browser holding the same page (``danso.web.conditional``,
    whose ``MARK`` this attribute is; this app may not import the shell)."""

    def mark(view: View) -> View:
        view.__dict__["danso_revalidate"] = labels
        return view

    return mark


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _number(value: float | None, decimals: int) -> str:
    """``format_number`` without trailing zeros (109; 2,1), "—" for nothing."""
    if value is None or math.isnan(value) or math.isinf(value):
        return "—"
    text = format_number(value, decimals)
    return text.rstrip("0").rstrip(",") if "," in text else text


def period_label(period: Period, english: bool) -> str:
    if not english:
        return period.label_vi
    month = f"{period.last_month:02d}/{period.year}"
    return {
        PeriodKind.YEAR: f"Year {period.year}",
        PeriodKind.QUARTER: f"Quarter {period.last_month // 3}/{period.year}",
        PeriodKind.MONTH: f"Month {month}",
        PeriodKind.YEAR_TO_DATE: f"January to {month}",
    }[period.kind]


def period_choices(period: Period, english: bool) -> list[tuple[str, list[tuple[str, str]]]]:
    """The picker's options: recent years, and the quarters, months and years to date of
    the year shown."""
    year = period.year
    this_year = max(year, timezone.localdate().year)
    years = [Period.year_of(y) for y in range(this_year, year - dashboard.YEARS_BACK - 1, -1)]
    parts = [
        (_("Years"), years),
        (_("Quarters"), [Period.parse(f"{year}Q{q}") for q in range(1, 5)]),
        (_("Months"), [Period.month_of(year, m) for m in range(1, 13)]),
        (_("Year to date"), [Period.parse(f"{year}-YTD-{m:02d}") for m in range(1, 12)]),
    ]
    return [(label, [(str(p), period_label(p, english)) for p in items]) for label, items in parts]


# ----------------------------------------------------------------------------- the unit


@dataclass(frozen=True)
class Frame:
    """A dashboard's unit, period, the day whose tree counts it, and the reader's scope
    on that day."""

    version: UnitVersion
    period: Period
    day: date
    scope: UnitScope


def _error(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(request, "web/error.html", {"title": title, "message": message}, status=status)


class _Refused(Exception):
    """The unit did not exist in the period asked: answered with a page that says when it
    did (``response``)."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def _period_text(request: HttpRequest) -> str:
    return request.GET.get("period", "").strip()


def _period_error(text: str) -> str:
    return _(
        "“%(text)s” is not a period. Write a year (2024), a quarter (2024Q2), a month "
        "(2024-03) or a year to date (2024-YTD-06)."
    ) % {"text": text}


def frame(request: HttpRequest, unit_id: int, period: Period | None) -> Frame:
    """The dashboard's frame for ``unit_id`` (``period`` None: the default one).

    Raises ``Http404`` for no such unit, ``PermissionDenied`` outside the reader's units,
    ``_Refused`` for a unit that did not exist in the period."""
    unit = Unit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    looked_at = working_date(request)
    period = period or dashboard.default_period(unit, looked_at)
    try:
        day = dashboard.tree_day(unit, period, looked_at)
    except dashboard.UnitOutsidePeriod as error:
        raise _Refused(_error(request, _("No figures"), str(error), 404)) from error
    scope = unit_scope(request.user, day)
    try:
        version = units.unit_on(unit_id, scope, Action.VIEW)
    except units.UnitOutOfScope as error:
        raise PermissionDenied(str(error)) from error
    except units.UnitNotFound as error:
        raise _Refused(_error(request, _("No figures"), str(error), 404)) from error
    return Frame(version, period, day, scope)


def _breadcrumb(frame: Frame) -> list[tuple[UnitVersion, bool]]:
    """The units above (without the country), each with whether the reader may open it."""
    ids = frame.version.ancestor_ids()
    found = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(valid_on(frame.day), unit_id__in=ids)
        .exclude(unit__level=Level.COUNTRY)
        .select_related("unit")
    }
    return [(found[i], frame.scope.allows(Action.VIEW, found[i])) for i in ids if i in found]


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the reader's own top unit on the day looked at."""
    roots = units.scope_roots(request_scope(request))
    if not roots:
        raise PermissionDenied(_("You hold no role at any unit on this date."))
    return redirect("indicators:unit", unit_id=roots[0].unit_id)


# ----------------------------------------------------------------------------- the page


@dataclass
class Card:
    """A headline indicator as the page writes it."""

    code: str
    name: str
    symbol: str
    value: str
    interval: str = ""
    fraction: str = ""
    small: bool = False
    source: str = ""
    targets: list[dict[str, Any]] = field(default_factory=list)


def _target_text(item: TargetOnUnit, decimals: int) -> str:
    target = item.row.target
    value = item.row.target_value
    assert value is not None
    n = _number(value, max(decimals, 2))
    if item.kind == "count_min":
        return f"≥ {n}"
    if item.kind == "level_min":
        return f"≥ {n}"
    if item.kind == "ceiling":
        return f"≤ {n}"
    if item.kind == "change":
        sign = "+" if value > 0 else ""
        return _("%(change)s against %(year)s") % {
            "change": f"{sign}{n}",
            "year": target.baseline_year or "?",
        }
    if item.kind == "near":
        band = _number(float(target.tolerance or 0), max(decimals, 2))
        return f"{n} ± {band}"
    return _("every unit below")


def _status(status: Status, english: bool) -> str:
    return STATUS_EN[status] if english else STATUS_VI[status]


def _hover(reason: str, kind: str) -> str:
    rule = RULES.get(kind, "")
    return f"{reason} {rule} {SMALL_RULE}".strip()


def _target_rows(
    items: list[TargetOnUnit], indicator: Indicator | None, english: bool
) -> list[dict[str, Any]]:
    decimals = indicator.decimals if indicator else 2
    rows = []
    for item in items:
        expected = item.row.judgement.expected
        # what the target asks by now: the pro-rated share of a count, the level a change
        # implies
        shown = (item.kind == "count_min" and expected != item.row.target_value) or (
            item.kind == "change"
        )
        rows.append(
            {
                "text": _target_text(item, decimals),
                "expected": _number(expected, max(decimals, 2))
                if shown and expected is not None
                else "",
                "expected_label": _("level to reach") if item.kind == "change" else _("due by now"),
                "status": str(item.status),
                "label": _status(item.status, english),
                "hover": _hover(item.row.judgement.reason, item.kind),
                "plan": item.plan,
                "handed_down": item.handed_down,
            }
        )
    return rows


def _card(
    code: str,
    value: Value | None,
    indicator: Indicator | None,
    targets: list[TargetOnUnit],
    english: bool,
    has_data: bool = True,
) -> Card:
    decimals = indicator.decimals if indicator else 2
    name = (indicator.name_en if english else indicator.name_vi) if indicator else code
    symbol = UNIT_SYMBOLS.get(MeasureUnit(indicator.unit), "") if indicator else ""
    card = Card(code, name, symbol, "—", targets=_target_rows(targets, indicator, english))
    if value is None:
        return card
    if not has_data:  # "không có số liệu", never 0
        card.value = _("no data")
        return card
    card.value = _number(value.value, decimals)
    if value.value is not None:
        card.interval = (
            f"{_number(value.interval.low, decimals)}–{_number(value.interval.high, decimals)}"
        )
    if value.denominator is not None:
        card.fraction = f"{_number(value.numerator, 0)} / {_number(value.denominator, 0)}"
    card.small = value.small_numbers
    card.source = str(SOURCES.get(value.source, value.source))
    if value.estimated:
        card.source += " · " + _("estimated")
    return card


def _defined_shown(figures: UnitFigures) -> list[str]:
    """The indicators defined by expressions (``defined``) that have a figure for the unit
    or one of the units below it: shown in the cards and the ranking after the headline."""
    shown = []
    for definition in definitions():
        if definition.code in dashboard.HEADLINE:
            continue
        if any(
            v.indicator == definition.code and v.value is not None and unit.shows(v)
            for unit in [figures, *figures.children]
            for v in unit.values
        ):
            shown.append(definition.code)
    return shown


def _cards(
    figures: UnitFigures,
    own: list[TargetOnUnit],
    indicators: dict[str, Indicator],
    english: bool,
    defined: list[str] = [],  # noqa: B006 - read only
) -> list[Card]:
    values = {v.indicator: v for v in figures.values}
    codes = list(dashboard.HEADLINE)
    codes += [c for c in dict.fromkeys(item.code for item in own) if c not in codes]
    codes += [c for c in defined if c not in codes]
    return [
        _card(
            code,
            values.get(code),
            indicators.get(code),
            [item for item in own if item.code == code],
            english,
            figures.shows(values.get(code)),
        )
        for code in codes
    ]


def _coverage_cell(figures: UnitFigures) -> dict[str, str]:
    """The share of a unit's population its figures rest on, as the ranking shows it."""
    coverage = figures.coverage
    if coverage is None:
        return {"text": "", "sort": "", "title": ""}
    official = coverage.official
    title = (
        f"{official_population(official.year, official.source)}: {format_number(official.total, 0)}"
        if official
        else _("No official population figure: the share is unknown.")
    )
    if coverage.without_data:
        title += " · " + _("No data: %(units)s.") % {
            "units": ", ".join(name for _code, name in coverage.without_data)
        }
    if coverage.share is None:
        return {"text": "?", "sort": "", "title": title}
    return {"text": percent(coverage.share), "sort": repr(coverage.share), "title": title}


def _ranking_rows(
    figures: UnitFigures,
    indicators: dict[str, Indicator],
    period: Period,
    columns: tuple[str, ...] = dashboard.HEADLINE,
) -> list[dict[str, Any]]:
    rows = []
    no_data = _("no data")
    for child in figures.children:
        values = {v.indicator: v for v in child.values}
        cells = []
        for code in columns:
            value = values[code]
            decimals = indicators[code].decimals if code in indicators else 2
            if not child.shows(value):  # "không có số liệu", never 0
                cells.append({"text": no_data, "sort": "", "small": False, "none": True})
                continue
            cells.append(
                {
                    "text": _number(value.value, decimals),
                    "sort": "" if value.value is None else repr(float(value.value)),
                    "small": value.small_numbers,
                }
            )
        rows.append(
            {
                "version": child.version,
                "url": f"{reverse('indicators:unit', args=[child.version.unit_id])}"
                f"?period={period}",
                "no_data": not child.has_data,
                "population": child.tally.get("P", 0) if child.has_data else None,
                "births": child.tally.get("births", 0) if child.has_data else None,
                "coverage": _coverage_cell(child),
                "cells": cells,
            }
        )
    return rows


def _alert_rows(
    found: list[dashboard.Alert], indicators: dict[str, Indicator], period: Period, english: bool
) -> list[dict[str, Any]]:
    rows = []
    for alert in found:
        indicator = indicators.get(alert.code)
        decimals = indicator.decimals if indicator else 2
        name = (indicator.name_en if english else indicator.name_vi) if indicator else alert.code
        rows.append(
            {
                "alert": alert,
                "name": name,
                "value": _number(alert.value.value, decimals),
                "interval": f"{_number(alert.value.interval.low, decimals)}–"
                f"{_number(alert.value.interval.high, decimals)}",
                "target": _number(alert.target, max(decimals, 2)),
                "label": _status(alert.status, english),
                "hover": _hover(alert.reason, alert.kind),
                "url": f"{reverse('indicators:unit', args=[alert.version.unit_id])}"
                f"?period={period}",
            }
        )
    return rows


def _populations(figures: UnitFigures) -> dict[str, Any]:
    """The two populations of the page, each named (``population.labels``), and what the
    figures rest on."""
    coverage = figures.coverage
    official = coverage.official if coverage else None
    return {
        "has_data": figures.has_data,
        "register_label": register_population(figures.period.reference),
        "official_label": official_population(official.year, official.source) if official else "",
        "official_total": official.total if official else None,
        "coverage": coverage,
        "coverage_text": coverage_text(coverage, figures.period.reference) if coverage else "",
        "coverage_share": percent(coverage.share)
        if coverage and coverage.share is not None
        else "",
        "coverage_low": coverage is not None
        and coverage.share is not None
        and coverage.share < THRESHOLD,
        "threshold": percent(THRESHOLD),
    }


def _indicators(codes: list[str]) -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.filter(code__in=codes)}


@revalidated(*DASHBOARD_RESTS_ON)
def unit_dashboard(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The dashboard of a unit for a period (``?period=2024``; ``?map=SRB`` colours the
    map by another indicator)."""
    english = _english()
    text = _period_text(request)
    problem = ""
    try:
        period = Period.parse(text) if text else None
    except PeriodError:
        period, problem = None, _period_error(text)
    try:
        current = frame(request, unit_id, period)
    except _Refused as refused:
        return refused.response
    context: dict[str, Any] = {
        "nav": "dashboard",
        "version": current.version,
        "period": current.period,
        "period_label": period_label(current.period, english),
        "choices": period_choices(current.period, english),
        "day": current.day,
        "breadcrumb": _breadcrumb(current),
        "period_error": problem,
    }
    if problem:
        return render(request, "indicators/dashboard.html", context, status=400)
    asked = request.GET.get("pending", "")
    if request.headers.get("HX-Request") and asked.isdigit() and len(asked) == 4:
        return _pending_poll(request, context, int(asked))
    map_code = request.GET.get("map", "")
    # the catalogue's mapped indicators, and those a province defined (``defined``)
    if map_code not in (*dashboard.MAP_INDICATORS, *(d.code for d in definitions())):
        map_code = dashboard.MAP_INDICATORS[0]
    context["map_code"] = map_code
    try:
        with cache.page_counting():
            context["section"] = pages.shared_section(
                request,
                DASHBOARD_RESTS_ON,
                lambda: _figures_section(request, current, dict(context), english),
            )
    except cache.NotReady as pending:
        return _not_ready(request, context, pending.year)
    return render(request, "indicators/dashboard.html", context)


def _figures_section(
    request: HttpRequest, current: Frame, context: dict[str, Any], english: bool
) -> str:
    """The dashboard's figures: cards, ranking, map, alerts and charts
    (``indicators/_figures.html``, filled without the request: ``pages``)."""
    figures = dashboard.ranking(current.version, current.period, current.day, current.scope)
    own, below = targets_of(current.version, current.period, request.user)
    defined = _defined_shown(figures)
    indicators = _indicators(
        [*dashboard.HEADLINE, *dashboard.TREND_RATES, "NEWFP", *(i.code for i in own), *defined]
    )
    columns = (*dashboard.HEADLINE, *defined)
    map_code = context["map_code"]
    trend = dashboard.trend(
        current.version.unit, current.period.year, working_date(request), timezone.localdate()
    )

    def name(code: str) -> str:
        indicator = indicators.get(code)
        if indicator is None:
            return code
        return indicator.name_en if english else indicator.name_vi

    trend["labels"] = {
        "births": _("Births"),
        "deaths": _("Deaths"),
        "newfp": name("NEWFP"),
        **{code: name(code) for code in dashboard.TREND_RATES},
    }
    pyramid = dashboard.pyramid(figures)
    pyramid["labels"] = {"male": _("Male"), "female": _("Female")}
    context.update(
        {
            "figures": figures,
            "source": SOURCES.get(figures.source, figures.source),
            "cards": _cards(figures, own, indicators, english, defined),
            "rows": _ranking_rows(figures, indicators, current.period, columns),
            "columns": [(code, name(code)) for code in columns],
            "alerts": _alert_rows(
                dashboard.alerts(own, below, figures.children),
                indicators,
                current.period,
                english,
            ),
            "has_targets": bool(own or below),
            "map": dashboard.map_view(figures, current.day, current.scope, map_code),
            "map_name": name(map_code),
            "map_decimals": indicators[map_code].decimals if map_code in indicators else 2,
            "map_choices": [(code, name(code)) for code in (*dashboard.MAP_INDICATORS, *defined)],
            "any_unit": ANY_UNIT,
            "trend": trend,
            "pyramid": pyramid,
            "population": figures.tally.get("P", 0),
            **_populations(figures),
        }
    )
    return render_to_string("indicators/_figures.html", context)


def _not_ready(request: HttpRequest, context: dict[str, Any], year: int) -> HttpResponse:
    """The dashboard without figures: those of ``year`` are being counted by the worker
    (asked for here if nobody has yet), with how far it got; the page asks again every
    few seconds and reloads once they are ready.  Never kept by the browser."""
    tasks.warm_year_soon(year)
    done, total = cache.readiness(year)
    context["pending"] = {"year": year, "done": done, "total": total}
    response = render(request, "indicators/dashboard.html", context)
    response["Cache-Control"] = "no-store"
    return response


def _pending_poll(request: HttpRequest, context: dict[str, Any], year: int) -> HttpResponse:
    """The notice's question: how far the counting of ``year`` got; once every leaf is
    counted, htmx reloads the page (``HX-Refresh``)."""
    done, total = cache.readiness(year)
    if done >= total:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
    else:
        context["pending"] = {"year": year, "done": done, "total": total}
        response = render(request, "indicators/_pending.html", context)
    response["Cache-Control"] = "no-store"
    return response


# ----------------------------------------------------------------------------- exports


def ranking_xlsx(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The ranking of the units below as .xlsx, in the reader's scope."""
    text = _period_text(request)
    try:
        period = Period.parse(text) if text else None
    except PeriodError:
        return _error(request, _("Not a period"), _period_error(text), 400)
    try:
        current = frame(request, unit_id, period)
    except _Refused as refused:
        return refused.response
    figures = dashboard.ranking(current.version, current.period, current.day, current.scope)
    english = _english()
    names = {
        code: f"{code} · {indicator.name_en if english else indicator.name_vi}"
        for code, indicator in _indicators(list(dashboard.HEADLINE)).items()
    }
    names = {code: names.get(code, code) for code in dashboard.HEADLINE}
    response = HttpResponse(
        dashboard.ranking_workbook(figures, current.day, names),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    filename = f"danso-xep-hang-{current.version.display_code}-{current.period}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@revalidated(*BOUNDARIES_REST_ON)
def children_geojson(request: HttpRequest, unit_id: int) -> HttpResponseBase:
    """Boundaries of the children of a unit as they stood on ``?day=YYYY-MM-DD`` (the
    dashboard's tree), read in the reader's scope of that day.  Unlike the units' own
    endpoint, it leaves the session's working date alone."""
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return JsonResponse({"error": _("Give the day as YYYY-MM-DD.")}, status=400)
    scope = unit_scope(request.user, day)
    version = unit_in_scope(unit_id, scope, Action.VIEW)
    return JsonResponse(units.geometries_of_children(version, scope))
