"""The workflow's rules across levels: who submits and who decides, waivers (miễn báo
cáo), a district's 01-DSH waiting for its wards' reports, and waived units left out of
completeness."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import ROLE_ACTIONS, Role
from danso.accounts.scope import SYSTEM, System
from danso.reports import selectors
from danso.reports.models import Report, ReportType, ReportWaiver
from danso.reports.services import (
    report_approve,
    report_open,
    report_return,
    report_submit,
    report_unlock,
    report_waive,
    report_waiver_remove,
)
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action
from tests.conftest import unit_at
from tests.reports.conftest import EARLY_2025, filled

pytestmark = pytest.mark.django_db

#: Long Biên's thirteen wards in 2025Q1, Giang Biên (121) first.
GIANG_BIEN, NGOC_THUY, PHUC_DONG = "121", "118", "115"


def ward_at(code: str) -> Unit:
    return unit_at(Level.COMMUNE, code, EARLY_2025)


def sent(report_type: ReportType, code: str, actor: User | System = SYSTEM) -> Report:
    """The ward's report for 2025Q1, filled and submitted."""
    report = report_open(report_type=report_type, unit=ward_at(code), period="2025Q1", actor=actor)
    return report_submit(report=filled(report, actor), actor=actor)


def district_sent(types: dict[str, ReportType], people: dict[str, User]) -> Report:
    report = report_open(
        report_type=types["district-quarterly"],
        unit=unit_at(Level.DISTRICT, "4", EARLY_2025),
        period="2025Q1",
        actor=people["district"],
    )
    return report_submit(report=filled(report, people["district"]), actor=people["district"])


def waive_all_but(
    types: dict[str, ReportType], people: dict[str, User], *keep: str
) -> list[ReportWaiver]:
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    wards = UnitVersion.objects.filter(valid_on(EARLY_2025), parent=long_bien).exclude(
        code__in=keep
    )
    return [
        report_waive(
            report_type=types["commune-quarterly"],
            unit=version.unit,
            period="2025Q1",
            reason="Chưa triển khai phần mềm",
            actor=people["district"],
        )
        for version in wards
    ]


# ----------------------------------------------------------------------------- roles


@pytest.mark.parametrize(
    ("role", "submits", "approves"),
    [
        (Role.PROVINCE_OFFICER, True, True),
        (Role.DISTRICT_OFFICER, True, True),
        (Role.COMMUNE_OFFICER, True, True),
        (Role.COLLABORATOR, False, False),
        (Role.VIEWER, False, False),
        (Role.ADMIN, True, True),
    ],
)
def test_the_report_actions_of_each_role(role: Role, submits: bool, approves: bool) -> None:
    assert (Action.SUBMIT_REPORTS in ROLE_ACTIONS[role]) is submits
    assert (Action.APPROVE_REPORTS in ROLE_ACTIONS[role]) is approves


def test_a_commune_officer_submits_but_decides_nothing(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    # given the ward's report sent by its officer, who holds APPROVE_REPORTS on the ward
    report = sent(types["commune-quarterly"], GIANG_BIEN, people["ward"])

    # then deciding needs the receiving unit, the district, in scope
    with pytest.raises(PermissionDenied):
        report_approve(report=report, actor=people["ward"])
    with pytest.raises(PermissionDenied):
        report_return(report=report, comment="x", actor=people["ward"])
    with pytest.raises(PermissionDenied):
        report_waive(
            report_type=types["commune-quarterly"],
            unit=ward_at(NGOC_THUY),
            period="2025Q1",
            reason="x",
            actor=people["ward"],
        )


# ----------------------------------------------------------------------------- waivers


def test_the_district_waives_a_wards_report_with_a_reason(
    types: dict[str, ReportType], people: dict[str, User]
) -> None:
    quarterly = types["commune-quarterly"]
    with pytest.raises(ValidationError, match="Say why"):
        report_waive(
            report_type=quarterly,
            unit=ward_at(NGOC_THUY),
            period="2025Q1",
            reason="  ",
            actor=people["district"],
        )

    waiver = report_waive(
        report_type=quarterly,
        unit=ward_at(NGOC_THUY),
        period="2025Q1",
        reason="Ngập lụt, mất sổ",
        actor=people["district"],
    )

    assert (waiver.period, waiver.reason, waiver.waived_by) == (
        "2025Q1",
        "Ngập lụt, mất sổ",
        people["district"],
    )
    assert waiver.history.first().history_user == people["district"]
    with pytest.raises(ValidationError, match="already waived"):
        report_waive(
            report_type=quarterly,
            unit=ward_at(NGOC_THUY),
            period="2025Q1",
            reason="again",
            actor=people["district"],
        )


def test_a_sent_report_cannot_be_waived_and_a_waived_one_cannot_be_sent(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    quarterly = types["commune-quarterly"]
    sent(quarterly, GIANG_BIEN, people["ward"])
    with pytest.raises(ValidationError, match="has been sent"):
        report_waive(
            report_type=quarterly,
            unit=ward,
            period="2025Q1",
            reason="x",
            actor=people["district"],
        )

    # a ward whose draft is waived cannot send it until the waiver is withdrawn
    draft = filled(
        report_open(actor=SYSTEM, report_type=quarterly, unit=ward_at(NGOC_THUY), period="2025Q1")
    )
    waiver = report_waive(
        report_type=quarterly,
        unit=ward_at(NGOC_THUY),
        period="2025Q1",
        reason="Sáp nhập",
        actor=people["district"],
    )
    with pytest.raises(ValidationError, match="waived this report"):
        report_submit(actor=SYSTEM, report=draft)
    waiver_id = waiver.pk
    report_waiver_remove(waiver=waiver, actor=people["district"])
    report_submit(actor=SYSTEM, report=draft)

    assert draft.status == "submitted"
    # the withdrawn waiver stays in the history, against who withdrew it
    withdrawn = ReportWaiver.history.filter(id=waiver_id).first()
    assert (withdrawn.history_type, withdrawn.history_user) == ("-", people["district"])


def test_a_waiver_is_only_for_a_unit_that_sends_the_report(
    types: dict[str, ReportType], people: dict[str, User]
) -> None:
    with pytest.raises(ValidationError, match="reported by units of level"):
        report_waive(
            report_type=types["commune-quarterly"],
            unit=unit_at(Level.DISTRICT, "4", EARLY_2025),
            period="2025Q1",
            reason="x",
            actor=people["city"],
        )
    with pytest.raises(ValidationError, match="per quarter"):
        report_waive(
            report_type=types["commune-quarterly"],
            unit=ward_at(NGOC_THUY),
            period="2025-01",
            reason="x",
            actor=people["district"],
        )


# ----------------------------------------------------------------------------- approval


def test_the_01_dsh_waits_for_every_ward(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    # given Giang Biên's report sent, Ngọc Thụy's approved, Phúc Đồng waived, ten missing
    quarterly = types["commune-quarterly"]
    sent(quarterly, GIANG_BIEN, people["ward"])
    report_approve(report=sent(quarterly, NGOC_THUY), actor=people["district"])
    report_waive(
        report_type=quarterly,
        unit=ward_at(PHUC_DONG),
        period="2025Q1",
        reason="Sáp nhập",
        actor=people["district"],
    )
    district = district_sent(types, people)

    # when the city tries to approve the 01-DSH
    with pytest.raises(ValidationError) as refused:
        report_approve(report=district, actor=people["city"])

    # then it is told which wards hold it back, and why
    message = refused.value.messages[0]
    assert "district-quarterly cannot be approved" in message
    assert "not sent: 00124, 00127, 00130" in message
    assert "sent, not approved: 00121" in message
    assert "00118" not in message
    assert "00115" not in message
    district.refresh_from_db()
    assert district.status == "submitted"


def test_the_refusal_is_in_vietnamese(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    sent(types["commune-quarterly"], GIANG_BIEN, people["ward"])
    waive_all_but(types, people, GIANG_BIEN)
    district = district_sent(types, people)

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        report_approve(report=district, actor=people["city"])

    message = refused.value.messages[0]
    assert message.startswith("Chưa thể duyệt báo cáo district-quarterly")
    assert "đã gửi, chưa duyệt: 00121" in message


def test_approved_once_every_ward_is_approved_or_waived(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    # given Giang Biên approved and the twelve others waived
    giang_bien = sent(types["commune-quarterly"], GIANG_BIEN, people["ward"])
    report_approve(report=giang_bien, actor=people["district"])
    waivers = waive_all_but(types, people, GIANG_BIEN)
    district = district_sent(types, people)

    # when the city approves the 01-DSH
    report_approve(report=district, actor=people["city"])

    # then Giang Biên's report is locked, and a waiver it rests on stays until the 01-DSH
    # is unlocked
    giang_bien.refresh_from_db()
    assert giang_bien.status == "locked"
    with pytest.raises(ValidationError, match="unlock it"):
        report_waiver_remove(waiver=waivers[0], actor=people["district"])
    report_unlock(report=district, reason="Sai số hộ", actor=people["city"])
    report_waiver_remove(waiver=waivers[0], actor=people["district"])
    assert not ReportWaiver.objects.filter(pk=waivers[0].pk).exists()


def test_the_children_side_by_side(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    quarterly = types["commune-quarterly"]
    giang_bien = sent(quarterly, GIANG_BIEN, people["ward"])
    waiver = report_waive(
        report_type=quarterly,
        unit=ward_at(PHUC_DONG),
        period="2025Q1",
        reason="Sáp nhập",
        actor=people["district"],
    )
    district = district_sent(types, people)

    rows = {v.display_code: (r, w) for v, r, w in selectors.children_status(district)}

    assert len(rows) == 13
    assert rows["00121"] == (giang_bien, None)
    assert rows["00115"] == (None, waiver)
    assert rows["00118"] == (None, None)
    assert selectors.children_status(giang_bien) == []


def test_a_ward_the_district_cannot_see_is_not_its_to_waive(
    types: dict[str, ReportType], make_user: Callable[..., User]
) -> None:
    other = make_user("gia-lam", Role.DISTRICT_OFFICER, Level.DISTRICT, "18", EARLY_2025)

    with pytest.raises(PermissionDenied):
        report_waive(
            report_type=types["commune-quarterly"],
            unit=ward_at(NGOC_THUY),
            period="2025Q1",
            reason="x",
            actor=other,
        )


# ----------------------------------------------------------------------------- completeness


def test_a_waived_ward_is_not_expected(
    types: dict[str, ReportType],
    ward: Unit,
    people: dict[str, User],
    run_cli: Callable[..., Any],
) -> None:
    # given Giang Biên's report sent and Phúc Đồng and Ngọc Thụy waived
    quarterly = types["commune-quarterly"]
    sent(quarterly, GIANG_BIEN, people["ward"])
    for code in (PHUC_DONG, NGOC_THUY):
        report_waive(
            report_type=quarterly,
            unit=ward_at(code),
            period="2025Q1",
            reason="Sáp nhập",
            actor=people["district"],
        )

    # when the district asks who reported
    status = run_cli(
        "reports", "status", "--type", "commune-quarterly", "--period", "2025Q1",
        "--unit", "004", "--level", "district",
    )  # fmt: skip

    # then eleven wards were expected, one sent, and the two waived are listed apart
    assert (status["expected"], status["received"], status["completeness"]) == (11, 1, 9.1)
    assert status["waived"] == ["00115", "00118"]
    assert "00118" not in status["missing"]
    assert len(status["missing"]) == 10
