"""Screens of the dated tree: browser, search, unit page, and the change forms.

Every view reads through ``request_scope`` (the one scope function) and the selectors;
every change goes through ``danso.units.services``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danso.accounts.context import request_scope, working_date
from danso.accounts.scope import unit_scope
from danso.population.labels import official_heading, official_population
from danso.population.models import PopulationFigure
from danso.population.selectors import figures_of
from danso.units import forms, imports, inferred, selectors, services
from danso.units.codes import ALLOWED_PARENT_LEVELS, Level, normalize_code
from danso.units.models import (
    InferredSuccession,
    ReferenceDataset,
    Unit,
    UnitVersion,
    valid_on,
)
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
            "to_place": (
                len(selectors.villages_to_place(commune_ids=[unit.pk], scope=_scope_on(request)))
                if level is Level.COMMUNE
                else 0
            ),
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
    """What reference data is loaded, and what the loader noticed in the source files
    (worded in the reader's language: ``imports.note_text``)."""
    return render(
        request,
        "units/reference.html",
        {
            "nav": "units",
            "datasets": [
                (dataset, [imports.note_text(note) for note in dataset.problems])
                for dataset in ReferenceDataset.objects.all()
            ],
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


# ------------------------------------------------------------------ villages after a reform


def _scope_on(request: HttpRequest) -> selectors.ScopeOn:
    """The reader's scope on any day, asked once per day."""
    known: dict[date, UnitScope] = {}

    def on(day: date) -> UnitScope:
        if day not in known:
            known[day] = unit_scope(request.user, day)
        return known[day]

    return on


@dataclass
class _Placing:
    """One village to place, as the reader sees it: where they may put it, and how."""

    item: selectors.VillageToPlace
    choices: list[tuple[int, str]]
    form: forms.PlaceForm | None
    village_link: bool


def _placing(
    request: HttpRequest,
    item: selectors.VillageToPlace,
    scope_on: selectors.ScopeOn,
    form: forms.PlaceForm | None = None,
) -> _Placing:
    """A successor is offered to whoever may change the villages of that commune on its
    first day as successor (an officer of it or above, or the administrator)."""
    choices = [
        (
            option.version.unit_id,
            f"{option.version.name} ({option.version.display_code})"
            + (f" · {_('part of it')}" if option.partial else ""),
        )
        for option in item.successors
        if scope_on(option.effective).allows(Action.EDIT_VILLAGES, option.version)
    ]
    if form is None and choices:
        form = forms.PlaceForm(
            successors=choices,
            prefix=f"v{item.village.unit_id}",
            initial={"effective": item.effective, "successor": choices[0][0]},
        )
    return _Placing(
        item,
        choices,
        form if choices else None,
        scope_on(item.last_day).allows(Action.VIEW, item.village),
    )


def _to_place_page(
    request: HttpRequest,
    placings: list[_Placing],
    version: UnitVersion | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "units/to_place.html",
        {
            "nav": "units",
            "placings": placings,
            "version": version,
            "ancestors": selectors.ancestors(version) if version else [],
        },
        status=status,
    )


@require_GET
def to_place(request: HttpRequest) -> HttpResponse:
    """The villages still to place after a reform, over the reader's units: those the
    reader saw on their last day, or whose new communes the reader sees."""
    scope_on = _scope_on(request)
    items = selectors.villages_to_place(scope=scope_on)
    return _to_place_page(request, [_placing(request, item, scope_on) for item in items])


@require_GET
@_guarded
def to_place_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The villages still to place that closed with this commune, or that may come to it
    (it took over part of their commune)."""
    version = _version(request, unit_id)
    if version.unit.level != Level.COMMUNE:
        raise Http404
    scope_on = _scope_on(request)
    items = selectors.villages_to_place(commune_ids=[unit_id], scope=scope_on)
    return _to_place_page(
        request, [_placing(request, item, scope_on) for item in items], version=version
    )


def village_place(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Place a village that closed with its commune under one of the commune's successors
    (``services.unit_move`` reopens it there, with its history).  POST only."""
    if request.method != "POST":
        raise Http404
    scope_on = _scope_on(request)
    found = selectors.villages_to_place(village_ids=[unit_id], scope=scope_on)
    if not found:
        raise Http404(_("This village or residential group is not waiting to be placed."))
    item = found[0]
    placing = _placing(request, item, scope_on)
    if not placing.choices:
        raise PermissionDenied(_("You may not change the villages of its new communes."))
    form = forms.PlaceForm(request.POST, successors=placing.choices, prefix=f"v{unit_id}")
    placing.form = form
    if form.is_valid():
        data = form.cleaned_data
        parent = selectors.versions_on(data["effective"]).filter(unit_id=data["successor"]).first()
        if parent is None or not scope_on(data["effective"]).allows(Action.EDIT_VILLAGES, parent):
            form.add_error(
                "effective",
                _("You may not change the villages of this commune on %(day)s.")
                % {"day": f"{data['effective']:%d/%m/%Y}"},
            )
        else:

            def act() -> HttpResponse:
                services.unit_move(
                    unit=item.village.unit,
                    parent=parent.unit,
                    effective=data["effective"],
                    user=request.user,
                    decision=data["decision"],
                )
                messages.success(
                    request,
                    _("%(name)s stands again under %(parent)s from %(day)s.")
                    % {
                        "name": item.village.name,
                        "parent": parent.name,
                        "day": f"{data['effective']:%d/%m/%Y}",
                    },
                )
                target = request.POST.get("next", "")
                if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    return redirect(target)
                return _back(unit_id, data["effective"])

            if (response := _run(request, form, act)) is not None:
                return response
    return _to_place_page(request, [placing])


# ------------------------------------------------------------------ inferred successions


def _administrator(request: HttpRequest) -> UnitScope:
    scope = request_scope(request)
    if not scope.is_everything(Action.IMPORT_REFERENCE):
        raise PermissionDenied(_("Only a system administrator decides on inferred successions."))
    return scope


@require_GET
def inferred_list(request: HttpRequest) -> HttpResponse:
    """The successions the snapshots suggest for communes closed without one, to confirm
    or reject (administrator)."""
    scope = _administrator(request)
    status = request.GET.get("status") or InferredSuccession.Status.PROPOSED
    if status not in InferredSuccession.Status.values and status != "all":
        status = InferredSuccession.Status.PROPOSED
    every = selectors.inferred_successions(scope, status=None if status == "all" else status)
    provinces: dict[str, tuple[str, int]] = {}
    for row in every:
        if row.province is not None:
            name, count = provinces.get(row.province.display_code, (row.province.name, 0))
            provinces[row.province.display_code] = (name, count + 1)
    province = request.GET.get("province") or ""
    rows = [
        r
        for r in every
        if not province or (r.province is not None and r.province.display_code == province)
    ]
    open_rows = [r for r in rows if r.proposal.status == InferredSuccession.Status.PROPOSED]
    return render(
        request,
        "units/inferred.html",
        {
            "nav": "units",
            "rows": rows,
            "provinces": sorted(provinces.items()),
            "province": province,
            "province_name": provinces.get(province, ("", 0))[0],
            "status": status,
            "statuses": InferredSuccession.Status.choices,
            "open_count": len(open_rows),
        },
    )


def inferred_decide(request: HttpRequest) -> HttpResponse:
    """Confirm one proposal (``confirm`` with ``id``), reject one (``reject`` with ``id``
    and ``reason``) or confirm every open proposal of a province (``confirm_province``
    with ``province``).  POST only; administrator only; recorded with the person."""
    if request.method != "POST":
        raise Http404
    scope = _administrator(request)
    action = request.POST.get("action", "")
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    try:
        if action == "confirm":
            proposals = list(InferredSuccession.objects.filter(pk__in=ids))
            done = inferred.inferred_confirm_many(proposals=proposals, user=request.user)
            messages.success(request, _("%(n)s successions confirmed.") % {"n": len(done)})
        elif action == "reject":
            form = forms.RejectForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why the proposal is rejected."))
            for proposal in InferredSuccession.objects.filter(pk__in=ids):
                inferred.inferred_reject(
                    proposal=proposal, user=request.user, reason=form.cleaned_data["reason"]
                )
            messages.success(request, _("Proposal rejected."))
        elif action == "confirm_province":
            province = request.POST.get("province", "")
            rows = selectors.inferred_successions(
                scope, province=province, status=InferredSuccession.Status.PROPOSED
            )
            done = inferred.inferred_confirm_many(
                proposals=[r.proposal for r in rows], user=request.user
            )
            messages.success(request, _("%(n)s successions confirmed.") % {"n": len(done)})
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except UnitNotFound as error:
        messages.error(request, str(error))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect(reverse("units:inferred"))
