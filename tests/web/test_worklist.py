"""The officer's home as a work list (issue 17, point 3): reports due, late and to review,
targets off track and alerts, villages that have not handed in last month's form, open
data-quality flags — each for a commune officer, a district officer and a viewer, and
never anything of a sibling commune."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.plans.document import TargetKind, TargetSpec
from danso.plans.models import Plan
from danso.plans.services import allocation_set, target_save
from danso.register.models import Collection, Flag, Person
from danso.reports.models import Report, ReportType
from danso.reports.services import report_open, report_submit
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.web import worklist
from tests.conftest import unit_at
from tests.indicators.conftest import book  # noqa: F401 - a fixture
from tests.plans.conftest import LONG_BIEN_2024, seed_plan  # noqa: F401 - a fixture
from tests.reports.conftest import filled, people, types, ward  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
MakeUser = Callable[..., User]
ClientFor = Callable[[User], Client]

#: Long Biên's wards on these days: Ngọc Thụy (118), its sibling Thượng Thanh (115), and
#: Giang Biên (121), whose commune-quarterly report of 2025Q1 is due on 08/04/2025.
NGOC_THUY, THUONG_THANH, GIANG_BIEN = "118", "115", "121"
MAY_2024 = date(2024, 6, 15)  # the form asked for: May 2024
LATE = date(2025, 4, 20)  # 2025Q1 twelve days past its due date
DUE_SOON = date(2025, 4, 1)  # 2025Q1 due in seven days
TARGETS_ON = date(2024, 12, 31)


def scope_of(user: User, on: date) -> Any:
    return unit_scope(user, on)


def village(commune_code: str, code: str, name: str) -> Unit:
    return units.village_create(
        commune=unit_at(Level.COMMUNE, commune_code, MAY_2024),
        code=code,
        name=name,
        type="tổ dân phố",
        valid_from=date(2024, 1, 1),
    )


def flag(unit: Unit, status: str = Flag.Status.OPEN) -> Flag:
    path = UnitVersion.objects.get(valid_on(MAY_2024), unit=unit).path
    return Flag.objects.create(
        kind=Flag.Kind.RULE, rule="W-AGE", unit=unit, path=path, day=date(2024, 5, 3), status=status
    )


@pytest.fixture
def officers(make_user: MakeUser) -> dict[str, User]:
    """Officers of Ngọc Thụy and of Long Biên, and a viewer of Long Biên."""
    return {
        "ward": make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, MAY_2024),
        "sibling": make_user("pd", Role.COMMUNE_OFFICER, Level.COMMUNE, THUONG_THANH, MAY_2024),
        "district": make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", MAY_2024),
        "viewer": make_user("xem", Role.VIEWER, Level.DISTRICT, "4", MAY_2024),
    }


@pytest.fixture
def villages() -> dict[str, Unit]:
    """Two groups of Ngọc Thụy — one handed in May 2024, one not — and one of Thượng Thanh
    that did not hand in either."""
    found = {
        "handed": village(NGOC_THUY, "NT-1", "Tổ dân phố Một"),
        "silent": village(NGOC_THUY, "NT-2", "Tổ dân phố Hai"),
        "sibling": village(THUONG_THANH, "PD-1", "Tổ dân phố Bên"),
    }
    Collection.objects.create(
        unit=found["handed"], month=date(2024, 5, 1), status=Collection.Status.HANDED_IN
    )
    Collection.objects.create(
        unit=found["sibling"], month=date(2024, 5, 1), status=Collection.Status.OPEN
    )
    return found


# ---------------------------------------------------------------- monthly forms


def test_a_commune_officer_sees_each_village_that_did_not_hand_in_last_month(
    officers: dict[str, User], villages: dict[str, Unit]
) -> None:
    # given two groups of Ngọc Thụy, one of which handed in May, and a group of Thượng Thanh
    # when the ward's officer looks at mid-June
    found = worklist.collection_work(scope_of(officers["ward"], MAY_2024))

    # then the silent group is to chase, the other to accept, both on the month's review
    assert found is not None
    assert found.month == date(2024, 5, 1)
    assert found.accepts
    review = reverse("register:review", args=[unit_at(Level.COMMUNE, NGOC_THUY, MAY_2024).pk])
    assert [(v.name, v.url) for v in found.missing.rows] == [
        ("Tổ dân phố Hai", f"{review}?month=2024-05")
    ]
    assert [v.name for v in found.waiting.rows] == ["Tổ dân phố Một"]
    # and nothing of the sibling ward
    assert "Tổ dân phố Bên" not in {v.name for v in found.missing.rows + found.waiting.rows}


def test_a_district_officer_sees_the_counts_by_commune_without_the_communes_button(
    officers: dict[str, User], villages: dict[str, Unit]
) -> None:
    found = worklist.collection_work(scope_of(officers["district"], MAY_2024))

    assert found is not None
    assert not found.accepts
    counts = {c.name: (c.missing, c.waiting, c.url) for c in found.communes.rows}
    assert counts == {"Phường Ngọc Thụy": (1, 1, ""), "Phường Thượng Thanh": (1, 0, "")}
    assert (found.missing_total, found.waiting_total, found.villages) == (2, 1, 3)


def test_a_viewer_has_no_register_lists(
    officers: dict[str, User], villages: dict[str, Unit]
) -> None:
    flag(villages["silent"])
    scope = scope_of(officers["viewer"], MAY_2024)

    assert worklist.collection_work(scope) is None
    assert worklist.quality_work(scope) is None


# ---------------------------------------------------------------- data quality


def test_open_flags_are_counted_by_commune_in_the_readers_units_only(
    officers: dict[str, User], villages: dict[str, Unit]
) -> None:
    # given two open flags in Ngọc Thụy (one checked already) and one in Thượng Thanh
    flag(villages["silent"])
    flag(villages["handed"])
    flag(villages["handed"], status=Flag.Status.CONFIRMED)
    flag(villages["sibling"])
    ngoc_thuy = unit_at(Level.COMMUNE, NGOC_THUY, MAY_2024)

    ward_list = worklist.quality_work(scope_of(officers["ward"], MAY_2024))
    district_list = worklist.quality_work(scope_of(officers["district"], MAY_2024))

    assert ward_list is not None
    assert district_list is not None
    quality = reverse("register:quality", args=[ngoc_thuy.pk])
    assert [(c.name, c.open, c.latest, c.url) for c in ward_list.communes.rows] == [
        ("Phường Ngọc Thụy", 2, date(2024, 5, 3), f"{quality}?status=open")
    ]
    assert ward_list.open == 2
    assert {c.name: c.open for c in district_list.communes.rows} == {
        "Phường Ngọc Thụy": 2,
        "Phường Thượng Thanh": 1,
    }


def test_no_open_flag_is_said_in_words(
    officers: dict[str, User], client_for: ClientFor, villages: dict[str, Unit]
) -> None:
    html = client_for(officers["ward"]).get("/", {"date": "2024-06-15"}).content.decode()

    assert "Không có mục nghi vấn nào đang chờ kiểm tra." in html


# ---------------------------------------------------------------- reports


@pytest.fixture
def giang_bien(make_user: MakeUser) -> User:
    return make_user("gb", Role.COMMUNE_OFFICER, Level.COMMUNE, GIANG_BIEN, LATE)


def test_a_report_not_sent_after_its_due_date_is_late(
    types: dict[str, ReportType],  # noqa: F811
    giang_bien: User,
    make_user: MakeUser,
) -> None:
    # given the report types in use and Giang Biên, which has sent nothing for 2025Q1
    sibling = make_user("pd2", Role.COMMUNE_OFFICER, Level.COMMUNE, THUONG_THANH, LATE)

    found = worklist.report_work(scope_of(giang_bien, LATE), giang_bien)
    other = worklist.report_work(scope_of(sibling, LATE), sibling)

    late = [i for i in found.late.rows if i.type_code == "commune-quarterly"]
    assert late, found.late.rows
    assert late[0].unit == "Phường Giang Biên"
    assert late[0].due == date(2025, 4, 8)
    assert late[0].days_late == 12
    assert late[0].url.startswith(reverse("reports:inbox"))
    assert not found.reviews  # a ward decides on nobody's reports
    assert all(i.unit != "Phường Giang Biên" for i in other.late.rows + other.due.rows)


def test_a_report_due_within_thirty_days_is_due(
    types: dict[str, ReportType],  # noqa: F811
    giang_bien: User,
) -> None:
    found = worklist.report_work(scope_of(giang_bien, DUE_SOON), giang_bien)

    due = [i for i in found.due.rows if i.type_code == "commune-quarterly"]
    assert [(i.unit, i.days, i.due) for i in due] == [("Phường Giang Biên", 7, date(2025, 4, 8))]
    assert not [i for i in found.late.rows if i.type_code == "commune-quarterly"]


def test_a_report_sent_by_a_ward_waits_for_the_districts_review(
    types: dict[str, ReportType],  # noqa: F811
    ward: Unit,  # noqa: F811
    people: dict[str, User],  # noqa: F811
    make_user: MakeUser,
    client_for: ClientFor,
) -> None:
    # given Giang Biên's 2025Q1 report, sent
    report = report_open(
        report_type=types["commune-quarterly"], unit=ward, period="2025Q1", actor=people["ward"]
    )
    report_submit(report=filled(report, people["ward"]), actor=people["ward"])
    viewer = make_user("xem", Role.VIEWER, Level.DISTRICT, "4", LATE)

    # when the district, the ward and a viewer of the district look
    district = worklist.report_work(scope_of(people["district"], LATE), people["district"])
    own = worklist.report_work(scope_of(people["ward"], LATE), people["ward"])
    seen = worklist.report_work(scope_of(viewer, LATE), viewer)

    # then the district has it to review, linked to the review
    review = reverse("reports:review", args=[report.pk])
    assert [(i.unit, i.url) for i in district.to_review.rows] == [("Phường Giang Biên", review)]
    # the ward has sent it: neither due nor late any more
    assert all(i.type_code != "commune-quarterly" for i in own.late.rows + own.due.rows)
    # the viewer decides nothing: no review list, and no link to a review on the page
    assert not seen.reviews
    html = client_for(viewer).get("/", {"date": LATE.isoformat()}).content.decode()
    assert review not in html
    assert Report.objects.get(pk=report.pk).status == Report.Status.SUBMITTED


# ---------------------------------------------------------------- targets and alerts


@pytest.fixture
def district_plan(seed_plan: Callable[[str], Plan]) -> Plan:  # noqa: F811
    """Long Biên's issued 2024 plan with four new acceptors (two handed to each of two
    wards), which the hand-counted book does not reach: off track."""
    plan = seed_plan(LONG_BIEN_2024)
    newfp = target_save(
        plan=plan,
        spec=TargetSpec(
            indicator="NEWFP", kind=TargetKind.COUNT_MIN, value=Decimal(4), unit="persons"
        ),
        order=9,
    )
    for code in (NGOC_THUY, THUONG_THANH):
        allocation_set(
            target=newfp, unit=unit_at(Level.COMMUNE, code, date(2024, 3, 5)), value=Decimal(2)
        )
    return plan


def test_a_target_off_track_is_listed_with_its_reason(
    book: dict[str, Person],  # noqa: F811
    district_plan: Plan,
    make_user: MakeUser,
) -> None:
    district = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", TARGETS_ON)
    viewer = make_user("xem", Role.VIEWER, Level.DISTRICT, "4", TARGETS_ON)
    ward_officer = make_user("nt", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, TARGETS_ON)

    found = worklist.target_work(scope_of(district, TARGETS_ON), district)
    seen = worklist.target_work(scope_of(viewer, TARGETS_ON), viewer)
    own = worklist.target_work(scope_of(ward_officer, TARGETS_ON), ward_officer)

    newfp = [t for t in found.off_track.rows if t.unit == "Quận Long Biên"]
    assert [t.status for t in newfp] == ["off_track"]
    assert newfp[0].reason  # the written rule's reason
    # which plan set it: the district's own plan and the city's may both target NEWFP
    assert newfp[0].plan == (district_plan.number or district_plan.title[:80])
    assert newfp[0].url.startswith(reverse("indicators:unit", args=[district_plan.unit_id]))
    assert found.periods == ["Từ đầu năm đến hết tháng 11/2024"]
    assert not found.pending
    # the viewer reads the same targets; the ward, achieving its share, has none off track
    assert [t.unit for t in seen.off_track.rows] == [t.unit for t in found.off_track.rows]
    assert all(t.unit != "Quận Long Biên" for t in own.off_track.rows)
    # Thượng Thanh's 0 of 2 rests on too few events: no alert
    assert found.alerts.rows == []


def test_figures_not_counted_yet_are_said_with_a_link_rather_than_counted(
    book: dict[str, Person],  # noqa: F811
    district_plan: Plan,
    make_user: MakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from danso.indicators import cache

    district = make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", TARGETS_ON)
    monkeypatch.setattr(cache, "PAGE_HOUSEHOLDS", 0)  # the book is "too large" to count

    found = worklist.target_work(scope_of(district, TARGETS_ON), district)

    assert [(p.unit, p.year) for p in found.pending] == [("Quận Long Biên", 2024)]
    assert found.off_track.rows == []


# ---------------------------------------------------------------- the page


def test_the_home_page_puts_the_work_list_first_with_words_for_empty_lists(
    officers: dict[str, User], villages: dict[str, Unit], client_for: ClientFor
) -> None:
    flag(villages["silent"])

    html = client_for(officers["ward"]).get("/", {"date": "2024-06-15"}).content.decode()

    assert html.index('id="worklist"') < html.index('id="your-units"')
    assert "Tổ dân phố Hai" in html
    assert "Tổ dân phố Bên" not in html
    assert (
        reverse("register:quality", args=[unit_at(Level.COMMUNE, NGOC_THUY, MAY_2024).pk]) in html
    )
    assert "Không có báo cáo nào quá hạn." in html


def test_a_city_officer_home_reads_in_a_bounded_number_of_queries(
    make_user: MakeUser, client_for: ClientFor, villages: dict[str, Unit]
) -> None:
    # Hà Nội's 30 districts and 579 communes: nothing is read unit by unit
    client = client_for(make_user("hn", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", MAY_2024))
    flag(villages["silent"])

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/", {"date": "2024-06-15"})

    assert page.status_code == 200
    assert "Phường Ngọc Thụy" in page.content.decode()
    assert len(queries) <= 60, len(queries)
