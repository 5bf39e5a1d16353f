"""Writes of a report type's rows by the province (sửa mẫu báo cáo): add an indicator, a
count or a free-text section, change a row's labels and position, remove a row.

Every function takes its ``actor`` (a user, or ``accounts.scope.SYSTEM``), who must be
allowed to edit the indicators somewhere (a province officer, the administrator, the
system): otherwise ``PermissionDenied``.  Bad input raises ``ValidationError`` with a
message for the officer and writes nothing.  The history records who changed what.

Positions stay 1, 2, … n with no gap: an added row goes last, a removed row's followers
move up.  A row that a report already holds a figure or a text for is never removed (the
report would lose it); its labels and position may still change.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from danso.accounts.scope import actor_scope
from danso.audit import account_of, acting_as
from danso.indicators import tallies
from danso.indicators.entered import KEYS as ENTERED_KEYS
from danso.indicators.models import Indicator
from danso.reports.catalogue import RowKind, count_label
from danso.reports.models import ReportFigure, ReportRow, ReportText, ReportType
from danso.units.scope import Action

#: The kinds of row an officer adds (``target`` rows come from a plan only).
ADDABLE = (RowKind.INDICATOR, RowKind.COUNT, RowKind.SECTION)
_LABEL_MAX = ReportRow._meta.get_field("label_vi").max_length or 200


def count_keys() -> tuple[str, ...]:
    """Every count a row may ask for: the engine's tallies (``indicators.tallies``, not
    its source and warning marks) and the entered figures (``indicators.entered``)."""
    tallied = {
        value
        for name, value in vars(tallies).items()
        if name.isupper() and isinstance(value, str) and not value.startswith(tallies.MARKS)
    }
    return tuple(sorted(tallied | ENTERED_KEYS))


def _allowed(actor: Any) -> None:
    if not actor_scope(actor, timezone.localdate()).allows_anywhere(Action.EDIT_INDICATORS):
        raise PermissionDenied(_("Only a province officer may change the report types."))


def _label(value: str, *, english: bool) -> str:
    value = " ".join(value.split())
    if not value:
        raise ValidationError(
            _("The English label is missing.") if english else _("The Vietnamese label is missing.")
        )
    if len(value) > _LABEL_MAX:
        raise ValidationError(
            (
                _("The English label is longer than %(max)d characters.")
                if english
                else _("The Vietnamese label is longer than %(max)d characters.")
            )
            % {"max": _LABEL_MAX}
        )
    return value


def _labels(label_vi: str, label_en: str, default: tuple[str, str] | None) -> tuple[str, str]:
    """The row's labels: those given, else the default (the indicator's or count's name);
    an English label left empty takes the Vietnamese one."""
    label_vi, label_en = label_vi.strip(), label_en.strip()
    if default is not None:
        label_vi, label_en = label_vi or default[0], label_en or default[1]
    vi = _label(label_vi, english=False)
    return vi, _label(label_en or vi, english=True)


@transaction.atomic
def report_row_add(
    *,
    report_type: ReportType,
    kind: str,
    key: str = "",
    label_vi: str = "",
    label_en: str = "",
    actor: Any,
) -> ReportRow:
    """Add a row after the last one of ``report_type``.

    ``kind`` "indicator": ``key`` is the code of an indicator of the catalogue (one
    defined by expressions too); "count": ``key`` is a count of ``count_keys``; the
    labels default to the indicator's or the count's name.  "section": free text whose
    Vietnamese label is required; its key is made (``section-<n>``).  The same indicator
    or count twice in one type is refused."""
    _allowed(actor)
    key = key.strip()
    default: tuple[str, str] | None = None
    if kind == RowKind.INDICATOR:
        indicator = Indicator.objects.filter(code=key).first() if key else None
        if indicator is None:
            raise ValidationError(
                _("There is no indicator with the code %(code)s.") % {"code": key or "—"}
            )
        default = (indicator.name_vi, indicator.name_en)
    elif kind == RowKind.COUNT:
        if key not in count_keys():
            raise ValidationError(_("There is no count %(key)s.") % {"key": key or "—"})
        default = count_label(key)
    elif kind == RowKind.SECTION:
        taken = set(report_type.rows.filter(kind=kind).values_list("key", flat=True))
        number = 1
        while f"section-{number}" in taken:
            number += 1
        key = f"section-{number}"
    else:
        raise ValidationError(_("A row is an indicator, a count or a free-text section."))
    vi, en = _labels(label_vi, label_en, default)
    if report_type.rows.filter(kind=kind, key=key).exists():
        raise ValidationError(
            _("The report type %(type)s already has a row for %(key)s.")
            % {"type": report_type.code, "key": key}
        )
    last = report_type.rows.aggregate(last=Max("position"))["last"] or 0
    with acting_as(account_of(actor)):
        return ReportRow.objects.create(
            report_type=report_type, position=last + 1, kind=kind, key=key, label_vi=vi, label_en=en
        )


@transaction.atomic
def report_row_change(
    *, row: ReportRow, label_vi: str, label_en: str, position: int, actor: Any
) -> ReportRow:
    """Give ``row`` new labels and move it to ``position`` (1 is the first row; the rows
    between its old and new place shift by one)."""
    _allowed(actor)
    vi, en = _labels(label_vi, label_en, None)
    rows = list(ReportRow.objects.select_for_update().filter(report_type_id=row.report_type_id))
    if not 1 <= position <= len(rows):
        raise ValidationError(
            _("The position must be between 1 and %(count)d.") % {"count": len(rows)}
        )
    row = next(r for r in rows if r.pk == row.pk)
    with acting_as(account_of(actor)):
        if (row.label_vi, row.label_en) != (vi, en):
            row.label_vi, row.label_en = vi, en
            row.save(update_fields=["label_vi", "label_en"])
        order = [r for r in rows if r.pk != row.pk]
        order.insert(position - 1, row)
        _renumber(order)
    return row


@transaction.atomic
def report_row_remove(*, row: ReportRow, actor: Any) -> None:
    """Remove ``row`` unless a report already holds a figure or a text for it
    (``ValidationError`` naming how many reports); the rows after it move up."""
    _allowed(actor)
    reports = set(ReportFigure.objects.filter(row=row).values_list("report_id", flat=True))
    reports |= set(ReportText.objects.filter(row=row).values_list("report_id", flat=True))
    if reports:
        raise ValidationError(
            ngettext(
                "The row “%(label)s” cannot be removed: %(count)d report already holds a "
                "figure or a text for it. Change its label or its position instead.",
                "The row “%(label)s” cannot be removed: %(count)d reports already hold a "
                "figure or a text for it. Change its label or its position instead.",
                len(reports),
            )
            % {"label": row.label_vi, "count": len(reports)}
        )
    with acting_as(account_of(actor)):
        report_type_id = row.report_type_id
        row.delete()
        _renumber(list(ReportRow.objects.filter(report_type_id=report_type_id)))


def _renumber(order: list[ReportRow]) -> None:
    """Number ``order`` 1, 2, …, saving only the rows that move.  The moving rows first
    step aside past the highest position, so that no two rows ever share one (the unique
    constraint is checked at each update)."""
    moving = [(number, r) for number, r in enumerate(order, start=1) if r.position != number]
    if not moving:
        return
    # a step aside the history need not keep: only the final position is recorded
    ReportRow.objects.filter(pk__in=[r.pk for _n, r in moving]).update(
        position=F("position") + max(r.position for r in order)
    )
    for number, r in moving:
        r.position = number
        r.save(update_fields=["position"])
