"""Screens of a book's export: asked for on a page (a POST, so that opening the page
writes nothing), written in the background (``register.exports``), then downloaded by
whoever asked, and by no one else."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from danso.accounts.context import working_date
from danso.register.exports import export_file, export_progress, export_start
from danso.register.importing import KIND_LABELS
from danso.register.models import ExportJob
from danso.register.views import _unit
from danso.units.scope import Action


def export_request(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The book of a unit's subtree in the exchange format (a .zip of the four CSV files),
    asked for here and written in the background.  An export of personal data: it is
    logged with who, when and what."""
    version = _unit(request, unit_id, Action.VIEW_PERSONS)
    on = working_date(request)
    if request.method == "POST":
        job = export_start(
            unit=version.unit,
            on=on,
            user=request.user,
            file_name=f"so-ho-{version.display_code}-{on:%Y%m%d}.zip",
            path=request.get_full_path(),
        )
        return redirect("register:export_job", job.pk)
    return render(
        request, "register/export.html", {"nav": "register", "version": version, "on": on}
    )


def export_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """An export under way: the page polls this view (htmx) until the file is ready."""
    job = export_progress(get_object_or_404(ExportJob, pk=job_id, user=request.user))
    template = "register/_export_job.html" if request.headers.get("HX-Request") else None
    rows = job.report.get("rows", {}) if isinstance(job.report, dict) else {}
    written = [(str(label), rows[kind]) for kind, label in KIND_LABELS.items() if kind in rows]
    return render(
        request,
        template or "register/export_job.html",
        {"nav": "register", "job": job, "written": written},
    )


def export_download(request: HttpRequest, job_id: str) -> FileResponse:
    """The exported .zip, for whoever asked for it, while it is kept."""
    job = get_object_or_404(ExportJob, pk=job_id, user=request.user, status=ExportJob.Status.DONE)
    path = export_file(job)
    if not path.exists():
        raise Http404(_("This export is no longer kept; export the book again."))
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.file_name)
