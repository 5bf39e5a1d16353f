"""Screens for population figures: list, form, import, export, one figure."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope, unit_in_scope, working_date
from danso.accounts.scope import unit_scope
from danso.bounds import YEARS
from danso.params import whole, year_param
from danso.population.agegroups import DEFAULT_OPEN_AGE
from danso.population.exports import figures_workbook
from danso.population.forms import FigureForm, ImportForm
from danso.population.models import PopulationFigure
from danso.population.selectors import figures_of, figures_visible
from danso.population.services import FigureInput, figure_save, figures_import
from danso.units import selectors as units
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.scope import Action
from danso.uploads import Kind, within_limit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_KEY = "danso_population_upload"


def figure_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    figures = figures_visible(scope)
    years = sorted(set(figures.values_list("year", flat=True)), reverse=True)
    year = year_param(request.GET.get("year")) or (
        years[0] if years else working_date(request).year
    )
    level = request.GET.get("level") or ""
    rows = figures.filter(year=year)
    if level:
        rows = rows.filter(unit__level=level)
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(
            valid_on(scope.on), unit_id__in=rows.values("unit_id")
        ).select_related("unit")
    }
    page = Paginator(rows.order_by("unit__level", "unit_id"), 200).get_page(request.GET.get("page"))
    return render(
        request,
        "population/list.html",
        {
            "nav": "population",
            "page": page,
            "versions": versions,
            "years": years,
            "year": year,
            "level": level,
            "levels": [
                (lvl.value, lvl)
                for lvl in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE, Level.VILLAGE)
            ],
            "can_edit": scope.allows_anywhere(Action.EDIT_POPULATION),
        },
    )


def figure_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Enter or correct the figures of one unit and year (with the age groups)."""
    scope = request_scope(request)
    version = unit_in_scope(unit_id, scope, Action.EDIT_POPULATION)
    year = year_param(request.POST.get("year") or request.GET.get("year")) or scope.on.year
    existing = PopulationFigure.objects.filter(unit_id=unit_id, year=year).first()
    open_age = whole(request.POST.get("open_age"), 0, YEARS[1]) or (
        existing.open_age if existing else DEFAULT_OPEN_AGE
    )
    initial: dict[str, object] = {"year": year, "open_age": open_age}
    if existing:
        initial.update(
            total=existing.total,
            male=existing.male,
            female=existing.female,
            source=existing.source,
            note=existing.note,
        )
        for sex, values in (("m", existing.male_by_age), ("f", existing.female_by_age)):
            for index, value in enumerate(values or []):
                initial[f"{sex}_{index}"] = value
    form = FigureForm(request.POST or None, initial=initial, open_age=open_age)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            figure = figure_save(
                unit=version.unit,
                user=request.user,
                figure=FigureInput(
                    year=data["year"],
                    total=data["total"],
                    male=data["male"],
                    female=data["female"],
                    open_age=data["open_age"],
                    male_by_age=form.ages("m"),
                    female_by_age=form.ages("f"),
                    source=data["source"],
                    note=data["note"],
                ),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The figures of %(name)s for %(year)s were saved.")
                % {"name": version.name, "year": figure.year},
            )
            return redirect("population:detail", figure.pk)
    return render(
        request,
        "population/edit.html",
        {
            "nav": "population",
            "version": version,
            "form": form,
            "existing": existing,
            "ancestors": units.ancestors(version),
            "years": figures_of(version, scope).values_list("year", flat=True),
        },
    )


def figure_detail(request: HttpRequest, figure_id: int) -> HttpResponse:
    figure = get_object_or_404(PopulationFigure.objects.select_related("unit"), pk=figure_id)
    scope = request_scope(request)
    version = (
        UnitVersion.objects.filter(unit=figure.unit).filter(valid_on(scope.on)).first()
        or UnitVersion.objects.filter(unit=figure.unit).order_by("-valid_from").first()
    )
    assert version is not None
    if not request_scope(request).allows(Action.VIEW, version) and not _visible_in_year(
        request, figure
    ):
        raise PermissionDenied(_("This is outside the units you may see."))
    history = figure.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "population/detail.html",
        {
            "nav": "population",
            "figure": figure,
            "version": version,
            "ancestors": units.ancestors(version),
            "history": history,
            "pyramid": {
                "labels": [label for label, _m, _f in figure.age_rows()],
                "male": [m or 0 for _l, m, _f in figure.age_rows()],
                "female": [f or 0 for _l, _m, f in figure.age_rows()],
            },
            "has_ages": bool(figure.male_by_age or figure.female_by_age),
            "can_edit": scope.allows(Action.EDIT_POPULATION, version),
        },
    )


def _visible_in_year(request: HttpRequest, figure: PopulationFigure) -> bool:
    """A figure of a closed unit is visible to whoever sees the unit in its year."""
    mid_year = UnitVersion.objects.filter(unit=figure.unit).order_by("-valid_from").first()
    if mid_year is None:
        return False
    day = mid_year.valid_to or mid_year.valid_from
    return unit_scope(request.user, day).allows(Action.VIEW, mid_year)


def figure_import(request: HttpRequest) -> HttpResponse:
    """Upload a table: first a check that writes nothing, then the import itself."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.EDIT_POPULATION):
        raise PermissionDenied(_("You may not enter population figures."))
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    pending = request.session.get(UPLOAD_KEY)
    if request.method == "POST" and request.POST.get("confirm") and pending:
        path = _upload_dir() / pending["token"]
        report = figures_import(path.read_bytes(), file_name=pending["name"], user=request.user)
        path.unlink(missing_ok=True)
        del request.session[UPLOAD_KEY]
        if not report.errors:
            messages.success(request, _("The figures were imported."))
            return redirect(reverse("population:list"))
    elif request.method == "POST" and form.is_valid() and within_limit(form, Kind.POPULATION):
        upload = form.cleaned_data["file"]
        content = upload.read()
        report = figures_import(
            content,
            file_name=upload.name,
            user=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        if report.dry_run and not report.errors:
            token = uuid.uuid4().hex
            (_upload_dir() / token).write_bytes(content)
            request.session[UPLOAD_KEY] = {"token": token, "name": upload.name}
        elif not report.errors:
            messages.success(request, _("The figures were imported."))
            return redirect(reverse("population:list"))
    return render(
        request,
        "population/import.html",
        {
            "nav": "population",
            "form": form,
            "report": report,
            "pending": request.session.get(UPLOAD_KEY),
        },
    )


def _upload_dir() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def figure_export(request: HttpRequest) -> HttpResponse:
    """The figures of one year for the units of a level in the reader's scope (.xlsx);
    units without figures get empty rows, so the file doubles as a template to fill."""
    scope = request_scope(request)
    year = year_param(request.GET.get("year")) or scope.on.year
    level = request.GET.get("level") or Level.COMMUNE.value
    versions = list(
        units.visible_versions(scope).filter(unit__level=level).order_by("path")[:20000]
    )
    figures = {
        f.unit_id: f
        for f in PopulationFigure.objects.filter(
            year=year, unit_id__in=[v.unit_id for v in versions]
        )
    }
    content = figures_workbook((v, figures.get(v.unit_id)) for v in versions)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="danso-dan-so-{year}-{level}.xlsx"'
    return response
