"""The limits on what people send, as the site applies them (issue 12).

Each kind of file a person can upload or a command can read has a size limit, a setting
(``DANSO_UPLOAD_MAX_MB_<KIND>``, in MB, see ``danso/settings/base.py``), and the limits
on its content of ``danso.spreadsheets`` (``BOOK``, ``TABLE``, ``PLAN``): what it may
unpack to, its entries, rows, columns and cells.  ``limits(kind)`` puts them together;
``max_mb`` (the commands' ``--max-mb``) raises them for one run by an operator, the
content limits in proportion.

A screen checks an upload's size before reading it (``within_limit`` for a form,
``check_upload`` and ``read_upload`` otherwise; the file is then on disk or in memory, as
Django's upload handlers left it, and is not read); a command checks a file's size with
``read_path`` before reading it.  Both
raise ``LimitError``; ``limit_message`` gives its message in the reader's language, which
names the file and the limit.

``RequestSizeHandler``, the first of ``FILE_UPLOAD_HANDLERS``, refuses a request larger
than the largest of these limits before Django reads it, so that no upload fills the
disk; a front server (nginx's ``client_max_body_size``) should refuse it even earlier.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.core.management.base import CommandError
from django.utils.translation import get_language, gettext

from danso.spreadsheets import BOOK, MB, PLAN, TABLE, FileError, LimitError, Limits, check_size
from danso.vietnamese import format_number


class Kind(StrEnum):
    """The kinds of file people send, each with its setting ``DANSO_UPLOAD_MAX_MB_<KIND>``."""

    REGISTER = "register"  # a register book: .zip of CSV files or .xlsx
    PLAN = "plan"  # a plan document: .txt, .docx, .xlsx
    POPULATION = "population"  # population figures: .csv or .xlsx
    ENTERED = "entered"  # figures entered for units without a register
    CONVERSION = "conversion"  # a commune conversion table (.csv)
    LIFE_TABLE = "life_table"  # a life table (.csv or .xlsx)


#: What each kind may hold besides its size.
CONTENT: dict[Kind, Limits] = {
    Kind.REGISTER: BOOK,
    Kind.PLAN: PLAN,
    Kind.POPULATION: TABLE,
    Kind.ENTERED: TABLE,
    Kind.CONVERSION: TABLE,
    Kind.LIFE_TABLE: TABLE,
}

#: The help of the commands' ``--max-mb``.
MAX_MB_HELP = (
    "accept a file of up to this many MB (and, in proportion, what it unpacks to and "
    "its rows); the default is the site's limit for this kind of file"
)


def setting_mb(kind: Kind) -> float:
    """The size limit of ``kind``, in MB (the setting)."""
    return float(getattr(settings, f"DANSO_UPLOAD_MAX_MB_{kind.name}"))


def limits(kind: Kind, *, max_mb: float | None = None) -> Limits:
    """The limits on a file of ``kind``: its size from the settings (or ``max_mb``, when
    an operator raises it), its content from ``CONTENT``, scaled with the size when it
    is raised above the usual."""
    content = CONTENT[kind]
    size = int((setting_mb(kind) if max_mb is None else max_mb) * MB)
    return replace(content.scaled(size / content.file_bytes), file_bytes=size)


def limit_message(error: FileError) -> str:
    """The message of ``error`` (a limit broken, a row that cannot be read) in the
    active language, its counts written as the language writes them."""
    if (get_language() or "vi").startswith("vi"):
        return error.message(gettext, format_number)
    return error.message(gettext, "{:,}".format)


def check_upload(upload: UploadedFile[Any], kind: Kind) -> None:
    """Raise ``LimitError`` if ``upload`` is larger than files of ``kind`` may be."""
    check_size(upload.name or kind.value, upload.size or 0, limits(kind))


def within_limit(form: forms.Form, kind: Kind, field: str = "file") -> bool:
    """Whether the file of a valid ``form`` is within the limit of ``kind``; if it is not,
    the form says so under the field (and is no longer valid)."""
    upload = form.cleaned_data.get(field)
    if not isinstance(upload, UploadedFile):
        return True
    try:
        check_upload(upload, kind)
    except LimitError as error:
        form.add_error(field, limit_message(error))
        return False
    return True


def read_upload(upload: UploadedFile[Any], kind: Kind) -> bytes:
    """The content of ``upload``, once its size is known to be within the limit of
    ``kind``; raises ``LimitError`` (before reading) when it is not."""
    check_upload(upload, kind)
    content: bytes = upload.read()
    return content


def read_path(path: Path, kind: Kind, *, max_mb: float | None = None) -> bytes:
    """The content of the file at ``path`` for a command, once its size is known to be
    within the limit (``max_mb`` raises it); ``CommandError`` with the message if not."""
    size = path.stat().st_size
    try:
        check_size(path.name, size, limits(kind, max_mb=max_mb))
    except LimitError as error:
        hint = gettext("An operator may accept it with --max-mb %(mb)s.") % {"mb": -(-size // MB)}
        raise CommandError(f"{limit_message(error)} {hint}") from error
    return path.read_bytes()


def request_max_bytes() -> int:
    """The largest request body accepted: the largest upload limit and room for the
    rest of the form."""
    return int(max(setting_mb(kind) for kind in Kind) * MB) + MB


class RequestSizeHandler(FileUploadHandler):
    """Refuses a multipart request larger than ``request_max_bytes`` before any of it is
    read (Django answers 400), whatever its files claim to be."""

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        if content_length > request_max_bytes():
            raise RequestDataTooBig("The upload is larger than any file danso accepts.")

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
