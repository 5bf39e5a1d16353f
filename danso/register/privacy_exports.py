"""Workbooks of personal data that ``register.privacy`` logs: one person's data, given to
them (right of access, Nghị định 13/2023/NĐ-CP), and the access log itself.

Both are written in Vietnamese whatever the reader's language (call them with Vietnamese
active): they are records handed to a citizen or kept by the data-protection officer.
Text is written as text: a name that begins with ``=`` never becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from danso.register.models import (
    EVENT_LABELS,
    MARITAL_LABELS,
    METHOD_LABELS,
    RELATION_LABELS,
    RESIDENCE_LABELS,
    SEX_LABELS,
    AccessLog,
    Event,
    Membership,
    Person,
)
from danso.spreadsheets import append_row


def _sheet(book: Workbook, title: str, headers: Sequence[str], first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    assert sheet is not None
    sheet.title = title
    append_row(sheet, list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    return sheet


def _rows(sheet: Worksheet, rows: Iterable[Sequence[object]]) -> None:
    """Append ``rows``; text stays text (a name beginning with ``=`` is no formula)."""
    for row in rows:
        append_row(sheet, row)


def _label(labels: Mapping[Any, object], key: str) -> str:
    for k, v in labels.items():
        if str(k) == key:
            return str(v)
    return key


def _when(at: datetime) -> str:
    return f"{timezone.localtime(at):%d/%m/%Y %H:%M}"


def person_workbook(
    person: Person,
    stays: Iterable[Membership],
    events: Iterable[Event],
    accesses: Iterable[AccessLog],
) -> bytes:
    """Everything danso holds on ``person``: identity, households, events, and who read
    or exported their data from outside their commune."""
    book = Workbook()
    identity = _sheet(book, "Thông tin cá nhân", ["Mục", "Nội dung"], first=True)
    _rows(
        identity,
        [
            ["Họ và tên", person.full_name],
            ["Giới tính", _label(SEX_LABELS, person.sex)],
            ["Ngày sinh", person.birth_display],
            ["Dân tộc", person.ethnicity],
            ["Số định danh", person.id_number],
            ["Tình trạng hôn nhân", _label(MARITAL_LABELS, person.marital_status)],
            ["Tình trạng cư trú", _label(RESIDENCE_LABELS, person.residence_status)],
            ["Đăng ký vào sổ ngày", f"{person.registered_on:%d/%m/%Y}"],
            ["Mã trong sổ", person.source_id],
            ["Ngày trích xuất", _when(timezone.now())],
        ],
    )
    identity.column_dimensions["A"].width = 24
    identity.column_dimensions["B"].width = 40
    households = _sheet(book, "Hộ gia đình", ["Hộ", "Quan hệ với chủ hộ", "Từ ngày", "Đến ngày"])
    _rows(
        households,
        [
            [
                str(stay.household),
                _label(RELATION_LABELS, stay.relation),
                f"{stay.valid_from:%d/%m/%Y}",
                f"{stay.valid_to:%d/%m/%Y}" if stay.valid_to else "",
            ]
            for stay in stays
        ],
    )
    changes = _sheet(book, "Biến động", ["Ngày", "Sự kiện", "Biện pháp", "Con thứ", "Ghi chú"])
    _rows(
        changes,
        [
            [
                f"{event.event_date:%d/%m/%Y}",
                _label(EVENT_LABELS, event.event_type),
                _label(METHOD_LABELS, event.method) if event.method else "",
                event.birth_order or "",
                event.note,
            ]
            for event in events
        ],
    )
    log = _sheet(book, "Ai đã đọc, xuất", ["Lúc", "Người", "Việc", "Ở đâu", "Lý do"])
    _rows(log, [_log_row(entry)[:5] for entry in accesses])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _log_row(entry: AccessLog) -> list[object]:
    user = entry.user
    who = (
        f"{getattr(user, 'display_name', user)} ({getattr(user, 'username', '')})"
        if user
        else "dòng lệnh"
    )
    return [
        _when(entry.at),
        who,
        entry.get_kind_display(),
        entry.get_where_display(),
        entry.reason,
        entry.count,
        entry.description,
        entry.path,
    ]


def access_log_workbook(entries: Iterable[AccessLog]) -> bytes:
    """The access log, one entry a row, as the administrator filtered it."""
    book = Workbook()
    sheet = _sheet(
        book,
        "Nhật ký truy cập",
        ["Lúc", "Người", "Việc", "Ở đâu", "Lý do", "Số người hoặc dòng", "Nội dung", "Địa chỉ"],
        first=True,
    )
    _rows(sheet, (_log_row(entry) for entry in entries))
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
