"""The demo's periodic reports: Long Biên's first quarter of 2025, gone up to the city.

What ``danso setup --demo`` leaves after the register is generated, so that every level
has something in its inbox:

- each of Long Biên's wards opened its ``commune-quarterly`` report for 2025Q1 from the
  register and sent it; most by the due date, 08/04/2025 (Hùng Kings' day, 7/4, is a
  holiday), two of them late;
- the district returned Ngọc Thụy's report (its third births did not match the book);
  the ward added the birth written in late to its births and third births, with a
  reason, and sent it again;
- the district approved every ward's report, then made and sent its own form 01-DSH on
  14/04/2025, a day before its due date, 15/04/2025;
- the city sees, for 01-DSH 2025Q1, one district of its thirty on time and the others
  missing.

The services do the work, as the people named would (``ngocthuy`` for Ngọc Thụy,
``longbien`` for the district; the system for wards without a demo account), so that
every step is in the history.  The services stamp each step with the time it runs; the
demo then sets the days the story gives (``submitted_at``, ``decided_at``), since
timeliness is judged on them.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from danso.accounts.models import User
from danso.accounts.scope import SYSTEM, System
from danso.reports import selectors, services
from danso.reports.catalogue import RowKind
from danso.reports.models import Report, ReportType
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on

PERIOD = "2025Q1"
LONG_BIEN = "4"
NGOC_THUY = "118"
#: The wards that sent late, by position in code order, and the day they sent.
LATE = {3: date(2025, 4, 10), 9: date(2025, 4, 11)}
RETURN_COMMENT = (
    "Số sinh con thứ ba trở lên chưa khớp với sổ A0 của tổ dân phố 5; đề nghị kiểm tra lại."
)
CORRECTION_REASON = "Bổ sung 1 trường hợp sinh con thứ ba ở tổ dân phố 5 ghi sổ muộn."


def _at(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _fill_blanks(report: Report, actor: User | System) -> None:
    """Counts the register cannot give (consanguineous marriages, say) entered as the
    officer would from the ward's other books: none in the demo."""
    for figure in report.figures.filter(row__kind=RowKind.COUNT, value__isnull=True):
        services.report_figure_set(figure=figure, value=Decimal(0), actor=actor)


@transaction.atomic
def load_demo_reports() -> list[str]:
    """Walk Long Biên's 2025Q1 reports up to the city once; returns what was done (empty
    when the reports are there already or the demo has no register)."""
    ward_type = ReportType.objects.get(code="commune-quarterly")
    district_type = ReportType.objects.get(code="district-quarterly")
    period = selectors.period_of(ward_type, PERIOD)
    district = (
        UnitVersion.objects.filter(valid_on(period.end), unit__level=Level.DISTRICT, code=LONG_BIEN)
        .select_related("unit")
        .get()
    )
    if Report.objects.filter(report_type=district_type, unit=district.unit).exists():
        return []
    wards = selectors.expected_units(ward_type, district, period.end)
    officer = _user("longbien")
    ward_officer = _user("ngocthuy")
    due = selectors.due_date(ward_type, period)
    done: list[str] = []
    returned: Report | None = None
    for position, ward in enumerate(wards):
        actor: User | System = ward_officer if ward.code == NGOC_THUY else SYSTEM
        report = services.report_open(
            report_type=ward_type, unit=ward.unit, period=PERIOD, actor=actor
        )
        _fill_blanks(report, actor)
        services.report_submit(report=report, actor=actor)
        sent = LATE.get(position, date(2025, 4, 1 + position % 7))
        Report.objects.filter(pk=report.pk).update(submitted_at=_at(sent))
        done.append(
            f"{ward.name}: {PERIOD} gửi ngày {sent:%d/%m/%Y}" + (" (muộn)" if sent > due else "")
        )
        if actor is not SYSTEM:
            returned = report
    if returned is not None:
        returned.refresh_from_db()
        services.report_return(report=returned, comment=RETURN_COMMENT, actor=officer)
        # a third birth written in the book late (a girl): the births, the girls and the
        # third births go up, so that the report still adds up
        for key in ("births", "births.F", "births.order3p"):
            figure = returned.figures.get(row__key=key, column=None)
            services.report_figure_set(
                figure=figure,
                value=(figure.value or Decimal(0)) + 1,
                reason=CORRECTION_REASON,
                actor=ward_officer,
            )
        services.report_submit(report=returned, actor=ward_officer)
        Report.objects.filter(pk=returned.pk).update(decided_at=_at(date(2025, 4, 9), 14))
        done.append(f"{returned.unit}: trả lại, sửa và gửi lại")
    for report in Report.objects.filter(
        report_type=ward_type, period=PERIOD, unit__in=[w.unit for w in wards]
    ):
        services.report_approve(report=report, actor=officer)
    Report.objects.filter(report_type=ward_type, period=PERIOD).update(
        decided_at=_at(date(2025, 4, 14), 8)
    )
    own = services.report_open(
        report_type=district_type, unit=district.unit, period=PERIOD, actor=officer
    )
    _fill_blanks(own, officer)
    services.report_submit(report=own, actor=officer)
    Report.objects.filter(pk=own.pk).update(submitted_at=_at(date(2025, 4, 14), 15))
    done.append(f"{district.name}: 01-DSH {PERIOD} gửi ngày 14/04/2025")
    return done
