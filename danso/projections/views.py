"""Screens for projections: the list, the form, a projection's results with its scenarios
side by side, the comparison of scenarios of one unit, the .xlsx export, life tables."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, working_date
from danso.accounts.scope import unit_scope
from danso.params import id_param
from danso.projections import selectors, services
from danso.projections.exports import projection_workbook
from danso.projections.forms import (
    LifeTableForm,
    ProjectionForm,
    ScenarioForm,
    scenario_label,
)
from danso.projections.lifetables import entered_table
from danso.projections.method import ProjectionResult
from danso.projections.models import LifeTable, Projection, Scenario
from danso.units import selectors as units
from danso.units.models import UnitVersion
from danso.units.scope import Action

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _projection(request: HttpRequest, projection_id: int, action: Action) -> Projection:
    try:
        return selectors.projection_for(request.user, projection_id, action)
    except Projection.DoesNotExist as error:
        raise Http404(_("No such projection.")) from error
    except selectors.ProjectionOutOfScope as error:
        raise PermissionDenied(_("This is outside the units you may see.")) from error


def projection_list(request: HttpRequest) -> HttpResponse:
    rows = (
        selectors.projections_visible(request.user)
        .select_related("created_by")
        .prefetch_related("scenarios")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "projections/list.html",
        {
            "nav": "projections",
            "page": page,
            "can_create": request_scope(request).allows_anywhere(Action.EDIT_PLANS),
        },
    )


def _unit_choices(request: HttpRequest) -> list[tuple[int, str]]:
    """The units of the form (``selectors.units_to_project``), with the unit of
    ``?unit=`` added when it is in scope (a village, or a unit deeper down)."""
    scope = request_scope(request)
    versions = selectors.units_to_project(scope)
    wanted = id_param(request.GET.get("unit") or request.POST.get("unit"))
    if wanted is not None and all(v.unit_id != wanted for v in versions):
        with suppress(units.UnitNotFound, units.UnitOutOfScope):
            versions.append(units.unit_on(wanted, scope, Action.EDIT_PLANS))
    top = min((v.path.count(".") for v in versions), default=0)
    return [
        (v.unit_id, "\u2003" * (v.path.count(".") - top) + f"{v.name} ({v.display_code})")
        for v in versions
    ]


def projection_new(request: HttpRequest) -> HttpResponse:
    """Make a projection of a unit in one's scope. The unit is taken as it stood on the
    base date, and the scope too: someone who may not plan for it then gets 403."""
    on = working_date(request)
    base = date(on.year, 1, 1)
    initial = {
        "base_date": base,
        "to_year": 2030 if base.year < 2030 else base.year + 10,
        "unit": request.GET.get("unit"),
    }
    form = ProjectionForm(request.POST or None, initial=initial, units=_unit_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = units.unit_on(
                data["unit"], unit_scope(request.user, data["base_date"]), Action.EDIT_PLANS
            )
        except units.UnitOutOfScope as error:
            raise PermissionDenied(str(error)) from error
        except units.UnitNotFound as error:
            form.add_error("base_date", str(error))
        else:
            try:
                projection = services.projection_create(
                    version=version,
                    base_date=data["base_date"],
                    to_year=data["to_year"],
                    scenarios=form.specs(),
                    mortality=data["mortality"],
                    life_table=data["life_table"],
                    user=request.user,
                )
            except services.ProjectionError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The projection was made."))
                return redirect("projections:detail", projection.pk)
    return render(
        request,
        "projections/new.html",
        {"nav": "projections", "form": form, "life_tables": LifeTable.objects.exists()},
    )


def _series(scenarios: Sequence[Scenario]) -> dict[str, Any]:
    """What the charts draw (one entry per scenario), as JSON for ``json_script``."""
    series = []
    for scenario in scenarios:
        result = ProjectionResult.from_dict(scenario.results)
        day = scenario.projection.base_date
        series.append(
            {
                "id": scenario.pk,
                "label": f"{scenario_label(scenario.name)} · {day:%d/%m/%Y}",
                "years": [y.year for y in result.years],
                "total": [round(y.total, 1) for y in result.years],
                "births": [y.births for y in result.years],
                "deaths": [y.deaths for y in result.years],
                "women_15_49": [y.women_15_49 for y in result.years],
                "aged_60_plus": [y.aged_60_plus for y in result.years],
                "female": [y.female for y in result.years],
                "male": [y.male for y in result.years],
            }
        )
    groups = ProjectionResult.from_dict(scenarios[0].results).age_groups if scenarios else []
    return {"groups": groups, "series": series}


def _rows(scenarios: Sequence[Scenario]) -> list[dict[str, Any]]:
    """One row per year with each scenario's figures, for the comparison table."""
    results = [ProjectionResult.from_dict(s.results) for s in scenarios]
    years = sorted({y.year for r in results for y in r.years})
    rows = []
    for year in years:
        cells = []
        for result in results:
            found = [y for y in result.years if y.year == year]
            cells.append(found[0] if found else None)
        rows.append({"year": year, "cells": cells})
    return rows


def _results_context(scenarios: Sequence[Scenario]) -> dict[str, Any]:
    return {
        "scenarios": scenarios,
        "columns": [(s, scenario_label(s.name)) for s in scenarios],
        "chart": _series(scenarios),
        "rows": _rows(scenarios),
        "details": [
            (s, scenario_label(s.name), ProjectionResult.from_dict(s.results)) for s in scenarios
        ],
    }


def projection_detail(request: HttpRequest, projection_id: int) -> HttpResponse:
    """A projection: where its inputs came from and its scenarios side by side; POST adds
    a scenario of one's own."""
    projection = _projection(request, projection_id, Action.VIEW)
    can_edit = selectors.projection_allows(request.user, projection, Action.EDIT_PLANS)
    form = ScenarioForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("You may not add scenarios to this projection."))
        if form.is_valid():
            try:
                scenario = services.scenario_add(projection=projection, spec=form.spec())
            except (ValidationError, services.ProjectionError) as error:
                form.add_error(
                    None, error.messages if isinstance(error, ValidationError) else str(error)
                )
            else:
                messages.success(
                    request, _("Scenario %(name)s was added.") % {"name": scenario.name}
                )
                return redirect("projections:detail", projection.pk)
    scenarios = list(projection.scenarios.select_related("projection"))
    others = [
        s
        for p in selectors.projections_visible(request.user)
        .filter(unit_id=projection.unit_id)
        .exclude(pk=projection.pk)
        .prefetch_related("scenarios")[:20]
        for s in p.scenarios.all()
    ]
    return render(
        request,
        "projections/detail.html",
        {
            "nav": "projections",
            "projection": projection,
            "version": selectors.unit_version(projection),
            "sources": projection.sources,
            "inputs": projection.inputs,
            "can_edit": can_edit,
            "form": form,
            "others": others,
            "export_url": reverse("projections:export", args=[projection.pk]),
            **_results_context(scenarios),
        },
    )


def _asked_scenarios(request: HttpRequest) -> list[Scenario]:
    ids = [i for i in (id_param(text) for text in request.GET.getlist("s")) if i is not None]
    try:
        return selectors.scenarios_to_compare(request.user, ids)
    except selectors.ProjectionOutOfScope as error:
        raise PermissionDenied(_("This is outside the units you may see.")) from error
    except ValueError as error:
        raise Http404(_("Choose scenarios of one unit to compare.")) from error


def compare(request: HttpRequest) -> HttpResponse:
    """Scenarios of one unit from one or several projections (``?s=1&s=2``)."""
    scenarios = _asked_scenarios(request)
    version = selectors.unit_version(scenarios[0].projection)
    query = "&".join(f"s={s.pk}" for s in scenarios)
    return render(
        request,
        "projections/compare.html",
        {
            "nav": "projections",
            "version": version,
            "export_url": reverse("projections:compare_export") + "?" + query,
            **_results_context(scenarios),
        },
    )


def _xlsx(version: UnitVersion, scenarios: Sequence[Scenario], stem: str) -> HttpResponse:
    response = HttpResponse(projection_workbook(version.name, scenarios), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="danso-du-bao-{stem}.xlsx"'
    return response


def projection_export(request: HttpRequest, projection_id: int) -> HttpResponse:
    projection = _projection(request, projection_id, Action.VIEW)
    scenarios = list(projection.scenarios.select_related("projection"))
    return _xlsx(selectors.unit_version(projection), scenarios, str(projection.pk))


def compare_export(request: HttpRequest) -> HttpResponse:
    scenarios = _asked_scenarios(request)
    version = selectors.unit_version(scenarios[0].projection)
    return _xlsx(version, scenarios, f"{version.display_code}-so-sanh")


def lifetable_list(request: HttpRequest) -> HttpResponse:
    """Entered life tables with the life expectancy at birth they give."""
    rows = []
    for table in LifeTable.objects.select_related("created_by"):
        e0: tuple[float | None, float | None]
        try:
            e0 = (
                entered_table(table.kind, table.male, table.open_age, "male").e0,
                entered_table(table.kind, table.female, table.open_age, "female").e0,
            )
        except ValueError:
            e0 = (None, None)
        rows.append((table, e0[0], e0[1]))
    return render(
        request,
        "projections/lifetables.html",
        {
            "nav": "projections",
            "rows": rows,
            "can_create": request_scope(request).allows_anywhere(Action.EDIT_PLANS),
        },
    )


def lifetable_new(request: HttpRequest) -> HttpResponse:
    if not request_scope(request).allows_anywhere(Action.EDIT_PLANS):
        raise PermissionDenied(_("You may not enter life tables."))
    form = LifeTableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            table = services.lifetable_save(
                name=data["name"],
                kind=data["kind"],
                open_age=data["open_age"],
                male=data["male"],
                female=data["female"],
                source=data["source"],
                note=data["note"],
                user=request.user,
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request, _("The life table %(name)s was saved.") % {"name": table.name}
            )
            return redirect("projections:lifetables")
    return render(request, "projections/lifetable_new.html", {"nav": "projections", "form": form})
