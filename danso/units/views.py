"""Screens of the dated tree: browser, search, unit page, and the change forms.

Every view reads through ``request_scope`` (the one scope function) and the selectors;
every change goes through ``danso.units.services``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danso.accounts.context import request_scope, working_date
from danso.accounts.scope import unit_scope
from danso.population.labels import official_heading, official_population
from danso.population.models import PopulationFigure
from danso.population.selectors import figures_of
from danso.units import forms, imports, selectors, services
from danso.units.codes import ALLOWED_PARENT_LEVELS, Level, normalize_code
from danso.units.models import ReferenceDataset, Unit, UnitVersion, valid_on
from danso.units.scope import Action, UnitScope
from danso.units.selectors import UnitNotFound, UnitOutOfScope
from danso.uploads import Kind, within_limit

ONE_DAY = services.ONE_DAY


def _version(
    request: HttpRequest, unit_id: int, action: Action = Action.VIEW, on: date | None = None
) -> UnitVersion:
    """The unit as it was on the day looked at (or ``on``), if the reader may ``action``.

    A unit that did not exist that day gets a page saying when it did (only for a reader
    who may see it then); one outside the reader's units gets 403."""
    scope = request_scope(request) if on is None else unit_scope(request.user, on)
    try:
        return selectors.unit_on(unit_id, scope, action)
    except UnitOutOfScope as error:
        raise PermissionDenied(str(error)) from error
    except UnitNotFound as error:
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise Http404(str(error)) from error
        last_day = unit.valid_to or unit.valid_from
        if not unit_scope(request.user, last_day).allows(
            Action.VIEW, UnitVersion.objects.filter(unit=unit).filter(valid_on(last_day)).get()
        ):
            raise PermissionDenied(_("This is outside the units you may see.")) from error
        raise _Elsewhen(unit) from error


class _Elsewhen(Exception):
    def __init__(self, unit: Unit) -> None:
        self.unit = unit


def _elsewhen_page(request: HttpRequest, unit: Unit) -> HttpResponse:
    return render(
        request,
        "units/elsewhen.html",
        {
            "nav": "units",
            "unit": unit,
            "versions": selectors.unit_versions(unit),
            "on": working_date(request),
        },
        status=404,
    )


def _guarded(view: Any) -> Any:
    """Turn "the unit does not exist on that day" into its explanatory page."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response: HttpResponse = view(request, *args, **kwargs)
            return response
        except _Elsewhen as missing:
            return _elsewhen_page(request, missing.unit)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


# ------------------------------------------------------------------ browsing


def tree(request: HttpRequest) -> HttpResponse:
    """The tree browser: the reader's top units on the day looked at, one level open."""
    scope = request_scope(request)
    roots = [selectors.subtree(root, scope, depth=1) for root in selectors.scope_roots(scope)]
    return render(request, "units/tree.html", {"nav": "units", "roots": roots})


@_guarded
def children(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The children of a unit, as a fragment for the tree browser (htmx)."""
    version = _version(request, unit_id)
    rows = selectors.children_on(version, request_scope(request))
    child_counts = _child_counts(rows, request_scope(request))
    return render(request, "units/_children.html", {"rows": rows, "child_counts": child_counts})


def _child_counts(rows: Any, scope: UnitScope) -> dict[int, int]:
    ids = [v.unit_id for v in rows]
    counts: dict[int, int] = {}
    for parent_id in (
        selectors.visible_versions(scope)
        .filter(parent_id__in=ids)
        .values_list("parent_id", flat=True)
    ):
        counts[parent_id] = counts.get(parent_id, 0) + 1
    return counts


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Units whose name contains the words typed, diacritics ignored ("ung hoa")."""
    scope = request_scope(request)
    query = request.GET.get("q", "").strip()
    level = request.GET.get("level") or None
    found = (
        selectors.search_units(query, scope, level=Level(level) if level else None, limit=30)
        if len(query) >= 2
        else []
    )
    context = {
        "query": query,
        "results": found,
        "places": selectors.ancestor_names(found, scope.on),
        "nav": "units",
    }
    if request.GET.get("picker"):
        return render(request, "units/_picker.html", context)
    return render(request, "units/search.html", context)


@_guarded
def detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit page: what it was on the day looked at, its children, map, history,
    predecessors and successors, population figures and the changes one may make."""
    scope = request_scope(request)
    version = _version(request, unit_id)
    unit = version.unit
    rows = list(selectors.children_on(version, scope))
    year = scope.on.year
    child_figures = _latest_figures([v.unit_id for v in rows], year)
    child_totals = {unit: figure.total for unit, figure in child_figures.items()}
    figures = list(figures_of(version, scope)[:12])
    shown = next((f for f in figures if f.year <= year), figures[-1] if figures else None)
    geo = selectors.geometries_of_children(version, scope)
    level = Level(unit.level)
    structural = Action.EDIT_VILLAGES if level is Level.VILLAGE else Action.EDIT_STRUCTURE
    return render(
        request,
        "units/detail.html",
        {
            "nav": "units",
            "version": version,
            "unit": unit,
            "ancestors": selectors.ancestors(version),
            "children": rows,
            "child_counts": _child_counts(rows, scope),
            "child_totals": child_totals,
            "child_levels": sorted({v.unit.get_level_display() for v in rows}),
            "has_map": bool(geo["features"]),
            "map_values": {str(k): v for k, v in child_totals.items()},
            "successors": selectors.successors(unit),
            "predecessors": selectors.predecessors(unit),
            "versions": selectors.unit_versions(unit),
            "figures": figures,
            # every population shown says which one it is (population.labels)
            "official_label": official_population(shown.year, shown.source) if shown else "",
            "official_total": shown.total if shown else None,
            "official_heading": official_heading(),
            "child_labels": {
                unit: official_population(figure.year, figure.source)
                for unit, figure in child_figures.items()
            },
            "can_add_village": level is Level.COMMUNE
            and scope.allows(Action.EDIT_VILLAGES, version),
            "can_change": level is not Level.COUNTRY and scope.allows(structural, version),
            "can_edit_population": scope.allows(Action.EDIT_POPULATION, version),
            "closed_later": unit.valid_to is not None,
        },
    )


def _latest_figures(unit_ids: list[int], year: int) -> dict[int, PopulationFigure]:
    """The most recent official population figure at or before ``year`` of each unit."""
    found: dict[int, PopulationFigure] = {}
    rows = (
        PopulationFigure.objects.filter(unit_id__in=unit_ids, year__lte=year)
        .order_by("unit_id", "-year")
        .only("unit_id", "year", "total", "source")
    )
    for figure in rows:
        found.setdefault(figure.unit_id, figure)
    return found


@_guarded
def children_geojson(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Boundaries of the children of a unit on the day looked at (GeoJSON)."""
    version = _version(request, unit_id)
    return JsonResponse(selectors.geometries_of_children(version, request_scope(request)))


# ------------------------------------------------------------------ changes


def _run(request: HttpRequest, form: Any, action: Any) -> HttpResponse | None:
    """Call a service; on a ValidationError put its messages on the form."""
    try:
        return action()  # type: ignore[no-any-return]
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


def _back(unit_id: int, on: date) -> HttpResponse:
    return redirect(f"{reverse('units:detail', args=[unit_id])}?date={on.isoformat()}")


def _structural_action(version: UnitVersion) -> Action:
    return Action.EDIT_VILLAGES if version.unit.level == Level.VILLAGE else Action.EDIT_STRUCTURE


@_guarded
def village_create(request: HttpRequest, unit_id: int) -> HttpResponse:
    commune = _version(request, unit_id, Action.EDIT_VILLAGES)
    if commune.unit.level != Level.COMMUNE:
        raise Http404
    form = forms.VillageForm(
        request.POST or None,
        initial={
            "valid_from": working_date(request),
            "type": "thôn",
            "code": f"{commune.display_code}-",
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def act() -> HttpResponse:
            village = services.village_create(
                commune=commune.unit,
                code=data["code"],
                name=data["name"],
                type=data["type"],
                valid_from=data["valid_from"],
                user=request.user,
                decision=data["decision"],
            )
            messages.success(request, _("%(name)s was created.") % {"name": data["name"]})
            return _back(village.pk, data["valid_from"])

        if (response := _run(request, form, act)) is not None:
            return response
    return _form_page(request, commune, form, _("New village or residential group"))


def _form_page(
    request: HttpRequest,
    version: UnitVersion,
    form: Any,
    title: str,
    template: str = "units/change.html",
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            "nav": "units",
            "version": version,
            "form": form,
            "title": title,
            "ancestors": selectors.ancestors(version),
            **extra,
        },
    )


@_guarded
def rename(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _version(request, unit_id)
    version = _version(request, unit_id, _structural_action(version))
    form = forms.RenameForm(
        request.POST or None,
        initial={
            "name": version.name,
            "type": version.type,
            "code": version.display_code,
            "effective": working_date(request),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        code = (
            data["code"]
            if data["code"] and normalize_code(version.unit.level, data["code"]) != version.code
            else None
        )

        def act() -> HttpResponse:
            services.unit_rename(
                unit=version.unit,
                effective=data["effective"],
                name=data["name"],
                type=data["type"],
                code=code,
                user=request.user,
                decision=data["decision"],
            )
            messages.success(
                request, _("Renamed from %(day)s.") % {"day": f"{data['effective']:%d/%m/%Y}"}
            )
            return _back(unit_id, data["effective"])

        if (response := _run(request, form, act)) is not None:
            return response
    return _form_page(request, version, form, _("Rename"))


def _effective_from_query(request: HttpRequest, version: UnitVersion) -> date:
    raw = request.GET.get("effective") or request.POST.get("effective")
    for parse in (date.fromisoformat, _parse_vn):
        try:
            return parse(raw or "")
        except ValueError:
            continue
    if version.unit.valid_to is not None:
        return version.unit.valid_to + ONE_DAY
    return working_date(request)


def _parse_vn(text: str) -> date:
    day, month, year = (int(part) for part in text.split("/"))
    return date(year, month, day)


@_guarded
def move(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Move a unit under another parent from a date; the candidates are the units the
    reader may change on that date (a village closed with its commune reopens)."""
    version = _version(request, unit_id)
    action = _structural_action(version)
    version = _version(request, unit_id, action)
    effective = _effective_from_query(request, version)
    target_scope = unit_scope(request.user, effective)
    parent_levels = [lvl.value for lvl in ALLOWED_PARENT_LEVELS[version.level]]
    parents = (
        selectors.visible_versions(target_scope, action)
        .filter(unit__level__in=parent_levels)
        .exclude(path__startswith=version.path)
        .order_by("name")
    )
    if version.valid_to is None and version.parent_id is not None:
        parents = parents.exclude(unit_id=version.parent_id)  # already there
    form = forms.MoveForm(request.POST or None, parents=parents, initial={"effective": effective})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def act() -> HttpResponse:
            services.unit_move(
                unit=version.unit,
                parent=data["parent"].unit,
                effective=data["effective"],
                user=request.user,
                decision=data["decision"],
            )
            messages.success(
                request,
                _("Moved to %(parent)s from %(day)s.")
                % {"parent": data["parent"].name, "day": f"{data['effective']:%d/%m/%Y}"},
            )
            return _back(unit_id, data["effective"])

        if (response := _run(request, form, act)) is not None:
            return response
    return _form_page(
        request,
        version,
        form,
        _("Move to another parent"),
        template="units/move.html",
        effective=effective,
    )


@_guarded
def merge(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _version(request, unit_id, Action.EDIT_STRUCTURE)
    scope = request_scope(request)
    siblings = (
        selectors.visible_versions(scope, Action.EDIT_STRUCTURE)
        .filter(parent_id=version.parent_id, unit__level=version.unit.level)
        .exclude(unit_id=version.unit_id)
        .order_by("name")
    )
    form = forms.MergeForm(
        request.POST or None,
        siblings=siblings,
        initial={"type": version.type, "new_type": version.type},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        units = [version.unit] + [v.unit for v in data["others"]]

        def act() -> HttpResponse:
            if data["mode"] == forms.MergeForm.INTO_NEW:
                target = services.units_merge(
                    units=units,
                    effective=data["effective"],
                    user=request.user,
                    decision=data["decision"],
                    new=services.NewUnit(
                        data["new_code"], data["new_name"], data["new_type"] or version.type
                    ),
                )
            else:
                target = services.units_merge(
                    units=units,
                    effective=data["effective"],
                    into=version.unit,
                    user=request.user,
                    decision=data["decision"],
                )
            messages.success(
                request, _("Merged from %(day)s.") % {"day": f"{data['effective']:%d/%m/%Y}"}
            )
            return _back(target.pk, data["effective"])

        if (response := _run(request, form, act)) is not None:
            return response
    return _form_page(request, version, form, _("Merge"))


@_guarded
def split(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _version(request, unit_id, Action.EDIT_STRUCTURE)
    kids = list(selectors.children_on(version, request_scope(request)))
    form = forms.SplitForm(
        request.POST or None, children=kids, initial={"effective": working_date(request)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parts = [
            services.NewUnit(code, name, unit_type or version.type)
            for code, name, unit_type in data["parts"]
        ]
        destinations = {
            child: (index - 1 if index else services.KEEP)
            for child, index in form.child_destinations().items()
        }

        def act() -> HttpResponse:
            created = services.unit_split(
                unit=version.unit,
                effective=data["effective"],
                parts=parts,
                children=destinations,
                keep_original=data["keep_original"],
                user=request.user,
                decision=data["decision"],
            )
            messages.success(
                request,
                _("Split into %(n)s units from %(day)s.")
                % {"n": len(created), "day": f"{data['effective']:%d/%m/%Y}"},
            )
            return _back(created[0].pk, data["effective"])

        if (response := _run(request, form, act)) is not None:
            return response
    return _form_page(request, version, form, _("Split"))


@_guarded
def close(request: HttpRequest, unit_id: int) -> HttpResponse:
    version = _version(request, unit_id)
    version = _version(request, unit_id, _structural_action(version))
    form = forms.CloseForm(request.POST or None, initial={"effective": working_date(request)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        successors: list[tuple[Unit, bool]] = []
        after = unit_scope(request.user, data["effective"])
        for line in data["successors"].splitlines():
            code, _sep, flag = line.strip().partition(" ")
            if not code:
                continue
            try:
                other = selectors.resolve_code(version.unit.level, code, after)
            except (UnitNotFound, UnitOutOfScope) as error:
                form.add_error("successors", str(error))
                continue
            successors.append((other.unit, flag.strip().lower() in ("partial", "một phần")))

        def act() -> HttpResponse:
            services.unit_close(
                unit=version.unit,
                effective=data["effective"],
                successors=successors,
                user=request.user,
                decision=data["decision"],
            )
            messages.success(
                request,
                _("Closed; it last existed on %(day)s.")
                % {"day": f"{data['effective'] - ONE_DAY:%d/%m/%Y}"},
            )
            return _back(unit_id, data["effective"] - ONE_DAY)

        if not form.errors and (response := _run(request, form, act)) is not None:
            return response
    return _form_page(request, version, form, _("Close"))


# ------------------------------------------------------------------ reference data


def reference(request: HttpRequest) -> HttpResponse:
    """What reference data is loaded, and what the loader noticed in the source files."""
    return render(
        request,
        "units/reference.html",
        {
            "nav": "units",
            "datasets": ReferenceDataset.objects.all(),
            "can_import": request_scope(request).is_everything(Action.IMPORT_REFERENCE),
        },
    )


def conversion_import(request: HttpRequest) -> HttpResponse:
    if not request_scope(request).is_everything(Action.IMPORT_REFERENCE):
        raise PermissionDenied(_("Only a system administrator imports conversion tables."))
    form = forms.ConversionForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid() and within_limit(form, Kind.CONVERSION):
        upload = form.cleaned_data["file"]
        report = imports.conversion_import(
            upload.read(),
            file_name=upload.name,
            effective=form.cleaned_data["effective"],
            user=request.user,
            decision=form.cleaned_data["decision"],
            dry_run=form.cleaned_data["dry_run"],
        )
        if not report.errors and not report.dry_run:
            messages.success(request, _("The conversion table was applied."))
    return render(
        request,
        "units/conversion.html",
        {
            "nav": "units",
            "form": form,
            "report": report,
            "columns": ", ".join(imports.CONVERSION_COLUMNS),
        },
    )
