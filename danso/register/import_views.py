"""Screens of an import: a book uploaded in the exchange format, checked or imported in
the background, and the page that follows its progress.

Only a reader who may change the register somewhere uploads; a job's page is shown only
to whoever started it.  The import itself runs in ``register.jobs``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from danso.accounts.context import request_scope
from danso.register.jobs import import_start, job_progress
from danso.register.models import ImportJob
from danso.spreadsheets import LimitError
from danso.units.scope import Action
from danso.uploads import Kind, check_upload, limit_message


def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a book in the exchange format (.xlsx, or a .zip of the CSV files); it is
    checked (dry run) or imported in the background while the page shows the progress."""
    scope = request_scope(request)
    if not scope.allows_anywhere(Action.EDIT_REGISTER):
        raise PermissionDenied(_("You may not import into the register."))
    upload = request.FILES.get("file") if request.method == "POST" else None
    if isinstance(upload, UploadedFile):
        try:
            check_upload(upload, Kind.REGISTER)  # before anything is copied or started
        except LimitError as error:
            messages.error(request, limit_message(error))
            return render(request, "register/import.html", {"nav": "register"}, status=413)
        job = import_start(
            file_name=upload.name or "register",
            user=request.user,
            chunks=upload.chunks(),
            dry_run=bool(request.POST.get("dry_run")),
            partial=bool(request.POST.get("partial")),
        )
        return redirect("register:import_job", job.pk)
    return render(request, "register/import.html", {"nav": "register"})


def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    """A running import: the page polls this view (htmx) until the job is done."""
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    progress = job_progress(job)
    template = "register/_job.html" if request.headers.get("HX-Request") else ("register/job.html")
    return render(request, template, {"nav": "register", "job": job, "progress": progress})
