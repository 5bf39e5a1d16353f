"""Activities that are work, not text (issue 18, point 5): added and changed by hand with
the plan's permission, recurring, with results per occurrence, a derived status, budget
by source, counts written as data values, and the steering committee."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.audit import SYSTEM_USERNAME
from danso.datasets.models import DataElement, DataSet, DataValue
from danso.plans import activities as work
from danso.plans.models import (
    Activity,
    ActivityBudget,
    ActivityOccurrence,
    CommitteeMeeting,
    CommitteeMember,
    Plan,
)
from danso.plans.recurrence import Repeat, State, windows
from danso.plans.services import plan_create
from danso.units.codes import Level
from tests.conftest import BEFORE, unit_at
from tests.plans.conftest import HANOI_2025, LONG_BIEN_2024, issue

pytestmark = pytest.mark.django_db

THUONG_THANH = "115"  # a ward of Long Biên until 30/06/2025
NGOC_LAM = "133"


@pytest.fixture
def district(make_user: Callable[..., User]) -> User:
    return make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")


@pytest.fixture
def ward(make_user: Callable[..., User]) -> User:
    return make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, THUONG_THANH)


@pytest.fixture
def ward_plan() -> Plan:
    return plan_create(
        unit=unit_at(Level.COMMUNE, THUONG_THANH, BEFORE),
        title="Kế hoạch công tác dân số năm 2024",
        period_start=2024,
        user=SYSTEM,
    )


def _monthly(plan: Plan, actor: object, **extra: object) -> Activity:
    fields: dict[str, object] = {
        "name": "Sinh hoạt câu lạc bộ tiền hôn nhân",
        "kind": Activity.Kind.CLUB,
        "repeats": Repeat.MONTHLY,
        **extra,
    }
    return work.activity_save(plan=plan, actor=actor, **fields)  # type: ignore[arg-type]


# ------------------------------------------------------------------ on screen


def test_an_officer_adds_and_edits_an_activity_on_screen(
    seed_plan: Callable[[str], Plan], district: User, client_for: Callable[[User], Client]
) -> None:
    # given the district's 2024 plan and its officer
    plan = seed_plan(LONG_BIEN_2024)
    client = client_for(district)
    detail = client.get(reverse("plans:detail", args=[plan.pk])).content.decode()
    assert reverse("plans:activities", args=[plan.pk]) in detail
    # when they add a monthly campaign with its budget
    response = client.post(
        reverse("plans:activity_create", args=[plan.pk]),
        {
            "name": "Truyền thông lưu động về MCBGTKS",
            "kind": "campaign",
            "repeats": "monthly",
            "start": "",
            "end": "",
            "planned_local": "15.000.000",
            "planned_social": "2.500.000",
        },
    )
    # then it is stored, with its twelve months and its budget, in the trail as theirs
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(plan=plan, name="Truyền thông lưu động về MCBGTKS")
    assert activity.kind == Activity.Kind.CAMPAIGN
    assert activity.occurrences.count() == 12
    assert {line.source: line.planned for line in activity.budget_lines.all()} == {
        "local": Decimal(15_000_000),
        "social": Decimal(2_500_000),
    }
    assert activity.history.get().history_user == district
    # when they change it: from March to October, money spent
    response = client.post(
        reverse("plans:activity_change", args=[plan.pk, activity.pk]),
        {
            "name": "Truyền thông lưu động về MCBGTKS tại cộng đồng",
            "kind": "campaign",
            "repeats": "monthly",
            "start": "01/03/2024",
            "end": "31/10/2024",
            "planned_local": "15.000.000",
            "spent_local": "4.000.000",
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.name.endswith("tại cộng đồng")
    assert activity.occurrences.count() == 8
    assert not activity.budget_lines.filter(source="social").exists()
    assert activity.budget_lines.get(source="local").spent == Decimal(4_000_000)
    assert activity.history.count() == 2
    listing = client.get(reverse("plans:activities", args=[plan.pk])).content.decode()
    assert "15.000.000" in listing
    assert "tại cộng đồng" in listing


def test_a_commune_officer_cannot_change_the_province_plan(
    seed_plan: Callable[[str], Plan], ward: User, client_for: Callable[[User], Client]
) -> None:
    # given the city's plan, issued (so a ward sees its headline and its own rows)
    plan = issue(seed_plan(HANOI_2025))
    activity = Activity.objects.create(plan=plan, name="Hoạt động của Thành phố")
    client = client_for(ward)
    # then the ward's officer neither reads nor changes its activities
    assert client.get(reverse("plans:activities", args=[plan.pk])).status_code == 403
    assert client.get(reverse("plans:activity_create", args=[plan.pk])).status_code == 403
    response = client.post(
        reverse("plans:activity_change", args=[plan.pk, activity.pk]),
        {"name": "Đổi tên", "kind": "ordinary"},
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        work.activity_save(plan=plan, actor=ward, name="Thêm trái phép")
    with pytest.raises(PermissionDenied):
        work.activity_save(plan=plan, actor=None, name="Không ai")
    activity.refresh_from_db()
    assert activity.name == "Hoạt động của Thành phố"
    assert not plan.activities.filter(name="Thêm trái phép").exists()


def test_a_commune_officer_works_on_their_own_plan(
    ward_plan: Plan, ward: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(ward)
    response = client.post(
        reverse("plans:activity_create", args=[ward_plan.pk]),
        {"name": "Tập huấn cộng tác viên", "kind": "training", "repeats": "once"},
    )
    assert response.status_code == 302
    assert ward_plan.activities.get().occurrences.count() == 1


# ------------------------------------------------------------------ recurrence


def test_a_monthly_activity_has_twelve_occurrences(ward_plan: Plan) -> None:
    activity = _monthly(ward_plan, SYSTEM)
    months = list(activity.occurrences.order_by("start"))
    assert len(months) == 12
    assert (months[0].start, months[0].end) == (date(2024, 1, 1), date(2024, 1, 31))
    assert (months[1].start, months[1].end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert months[-1].end == date(2024, 12, 31)


def test_the_other_recurrences() -> None:
    year = (date(2024, 1, 1), date(2024, 12, 31))
    assert len(windows(Repeat.QUARTERLY, *year)) == 4
    days = windows(Repeat.COMMUNICATION_DAYS, *year)
    assert [w.key for w in days] == [
        "05-08",
        "06-06",
        "07-11",
        "09-26",
        "10-01",
        "10-11",
        "12",
        "12-26",
    ]
    chosen = windows(Repeat.COMMUNICATION_DAYS, *year, ["07-11", "12-26"])
    assert [(w.start, w.end) for w in chosen] == [
        (date(2024, 7, 11), date(2024, 7, 11)),
        (date(2024, 12, 26), date(2024, 12, 26)),
    ]
    assert windows(Repeat.ONCE, date(2024, 3, 1), date(2024, 10, 31))[0].due == date(2024, 10, 31)
    assert len(windows(Repeat.MONTHLY, date(2024, 3, 15), date(2024, 10, 31))) == 8


def test_a_recorded_occurrence_outlives_a_change_of_schedule(ward_plan: Plan) -> None:
    activity = _monthly(ward_plan, SYSTEM)
    january = activity.occurrences.order_by("start").first()
    assert january is not None
    work.occurrence_record(
        occurrence=january,
        actor=SYSTEM,
        held=True,
        held_on=date(2024, 1, 20),
        counts={"sessions": 1, "youth": 25},
    )
    work.activity_save(
        plan=ward_plan,
        actor=SYSTEM,
        activity=activity,
        name=activity.name,
        kind=activity.kind,
        repeats=Repeat.QUARTERLY,
    )
    assert activity.occurrences.count() == 5  # four quarters and the January recorded


def test_days_outside_the_plan_are_refused(ward_plan: Plan) -> None:
    with pytest.raises(ValidationError):
        _monthly(ward_plan, SYSTEM, start=date(2025, 1, 1))
    with pytest.raises(ValidationError):
        work.activity_save(plan=ward_plan, actor=SYSTEM, name="  ")


# ------------------------------------------------------------------ results and status


def test_results_are_recorded_on_the_phone_form(
    ward_plan: Plan, ward: User, client_for: Callable[[User], Client]
) -> None:
    # given a monthly club and its January
    activity = _monthly(ward_plan, ward)
    january = activity.occurrences.order_by("start").first()
    assert january is not None
    client = client_for(ward)
    url = reverse("plans:occurrence_record", args=[ward_plan.pk, activity.pk, january.pk])
    page = client.get(url).content.decode()
    assert 'inputmode="numeric"' in page
    assert 'name="clubs_running"' in page
    assert 'name="trainees"' not in page  # a club, not a training
    # when its results are entered the Vietnamese way
    response = client.post(
        url,
        {
            "held": "yes",
            "held_on": "20/01/2024",
            "sessions": "2",
            "women": "1.250",
            "youth": "40",
            "couples": "12",
            "materials": "300",
            "clubs_running": "3",
            "members": "75",
            "note": "Sinh hoạt tại nhà văn hóa tổ 5",
        },
    )
    # then they are stored, recorded by the officer, in the trail
    assert response.status_code == 302, response.content.decode()[:3000]
    january.refresh_from_db()
    assert january.held is True
    assert january.held_on == date(2024, 1, 20)
    assert january.participants == 1250 + 40 + 12
    assert (january.clubs_running, january.members, january.materials) == (3, 75, 300)
    assert january.recorded_by == ward
    assert january.history.first().history_user == ward
    results = client.get(reverse("plans:activity_results", args=[ward_plan.pk, activity.pk]))
    assert "1.302" in results.content.decode()


def test_a_held_occurrence_needs_its_day_and_a_session(ward_plan: Plan) -> None:
    activity = _monthly(ward_plan, SYSTEM)
    january = activity.occurrences.order_by("start").first()
    assert january is not None
    with pytest.raises(ValidationError):
        work.occurrence_record(
            occurrence=january, actor=SYSTEM, held=True, held_on=None, counts={"sessions": 1}
        )
    with pytest.raises(ValidationError):
        work.occurrence_record(
            occurrence=january, actor=SYSTEM, held=False, held_on=None, counts={"youth": 3}
        )
    with pytest.raises(ValidationError):
        work.occurrence_record(
            occurrence=january,
            actor=SYSTEM,
            held=True,
            held_on=date(2024, 3, 1),
            counts={"sessions": 1},
            today=date(2024, 2, 1),
        )


def test_the_status_derives_from_the_occurrences(ward_plan: Plan) -> None:
    activity = _monthly(ward_plan, SYSTEM, start=date(2024, 1, 1), end=date(2024, 3, 31))
    imported = Activity.objects.create(plan=ward_plan, name="Như văn bản", status="done")
    january, february, march = activity.occurrences.order_by("start")
    mid_march = date(2024, 3, 15)

    def state() -> State | None:
        return work.progress_by_activity([activity], mid_march)[activity.pk].state

    assert state() is State.OVERDUE  # January and February are past, unrecorded
    for month in (january, february):
        work.occurrence_record(
            occurrence=month,
            actor=SYSTEM,
            held=True,
            held_on=month.end,
            counts={"sessions": 1, "women": 10},
        )
    assert state() is State.IN_PROGRESS  # March is still to come
    progress = work.progress_by_activity([activity], mid_march)[activity.pk]
    assert (progress.held, progress.total, progress.next_due) == (2, 3, date(2024, 3, 31))
    work.occurrence_record(
        occurrence=march, actor=SYSTEM, held=False, held_on=None, counts={}, today=mid_march
    )
    assert state() is State.DONE
    # an activity as imported keeps its own status
    assert work.progress_by_activity([imported], mid_march)[imported.pk].state is None


# ------------------------------------------------------------------ budget


def test_budget_totals_by_source(ward_plan: Plan) -> None:
    work.activity_save(
        plan=ward_plan,
        actor=SYSTEM,
        name="Chiến dịch truyền thông lồng ghép",
        kind=Activity.Kind.CAMPAIGN,
        budget={
            "central": (Decimal(10_000_000), Decimal(9_500_000)),
            "integrated": (Decimal(3_000_000), Decimal(0)),
        },
    )
    work.activity_save(
        plan=ward_plan,
        actor=SYSTEM,
        name="Tập huấn cộng tác viên",
        kind=Activity.Kind.TRAINING,
        budget={
            "central": (Decimal(2_000_000), Decimal(2_000_000)),
            "social": (Decimal(1_000_000), Decimal(500_000)),
        },
    )
    totals = work.budget_totals(ward_plan)
    assert {s: (m.planned, m.spent) for s, m in totals.by_source.items()} == {
        "central": (Decimal(12_000_000), Decimal(11_500_000)),
        "integrated": (Decimal(3_000_000), Decimal(0)),
        "social": (Decimal(1_000_000), Decimal(500_000)),
    }
    assert (totals.total.planned, totals.total.spent) == (Decimal(16_000_000), Decimal(12_000_000))
    assert next(label for label, _money in totals.rows()) == str(
        ActivityBudget.Source.CENTRAL.label
    )
    with pytest.raises(ValidationError):
        work.activity_save(
            plan=ward_plan, actor=SYSTEM, name="Âm", budget={"local": (Decimal(-1), Decimal(0))}
        )


# ------------------------------------------------------------------ counts as data values


def test_the_counts_are_written_as_data_values(
    ward_plan: Plan, ward: User, client_for: Callable[[User], Client]
) -> None:
    # given a monthly club and a training, with results in March
    club = _monthly(ward_plan, ward)
    training = work.activity_save(
        plan=ward_plan,
        actor=ward,
        name="Tập huấn cộng tác viên dân số",
        kind=Activity.Kind.TRAINING,
        repeats=Repeat.ONCE,
        start=date(2024, 3, 1),
        end=date(2024, 3, 31),
    )
    march = club.occurrences.get(start=date(2024, 3, 1))
    work.occurrence_record(
        occurrence=march,
        actor=ward,
        held=True,
        held_on=date(2024, 3, 10),
        counts={"sessions": 2, "youth": 30, "clubs_running": 3, "members": 60},
    )
    work.occurrence_record(
        occurrence=training.occurrences.get(),
        actor=ward,
        held=True,
        held_on=date(2024, 3, 22),
        counts={"sessions": 1, "others": 18, "trainees": 18},
    )
    # when the ward's officer writes the year's counts
    written = work.activity_counts_write(
        plan=ward_plan, year=2024, actor=ward, today=date(2025, 1, 5)
    )
    # then the data set is defined (by the system: a ward may not define) and filled
    assert len(written.months) == 12
    assert written.saved == 48
    data_set = DataSet.objects.get(code="ACTIVITY_RESULTS")
    assert data_set.level == "commune"
    assert DataElement.objects.get(code="ACT_SESSIONS").history.get().history_user.username == (
        SYSTEM_USERNAME
    )
    values = {
        (v.element.code, v.period): v.number
        for v in DataValue.objects.filter(unit=ward_plan.unit).select_related("element")
    }
    assert values[("ACT_SESSIONS", "2024-03")] == 3
    assert values[("ACT_PARTICIPANTS", "2024-03")] == 48
    assert values[("CLUBS_RUNNING", "2024-03")] == 3
    assert values[("TRAINEES", "2024-03")] == 18
    assert values[("ACT_SESSIONS", "2024-04")] == 0
    assert DataValue.objects.filter(unit=ward_plan.unit).first().entered_by == ward  # type: ignore[union-attr]
    # and again through the screen: nothing changed
    client = client_for(ward)
    response = client.post(reverse("plans:activity_counts", args=[ward_plan.pk]), {"year": "2024"})
    assert response.status_code == 302
    assert DataValue.objects.filter(unit=ward_plan.unit).count() == 48


def test_counts_need_the_right_to_report(ward_plan: Plan, make_user: Callable[..., User]) -> None:
    other = make_user("nl", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_LAM)
    with pytest.raises(PermissionDenied):
        work.activity_counts_write(plan=ward_plan, year=2024, actor=other)
    assert not DataValue.objects.exists()


# ------------------------------------------------------------------ the steering committee


def test_the_steering_committee(
    ward: User, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    unit = unit_at(Level.COMMUNE, THUONG_THANH, BEFORE)
    client = client_for(ward)
    url = f"{reverse('plans:committee')}?unit={unit.pk}&year=2024&date=2024-06-30"
    assert client.get(url).status_code == 200
    # members are added
    response = client.post(
        url,
        {
            "action": "member",
            "member-name": "Nguyễn Văn An",
            "member-position": "Phó Chủ tịch UBND phường",
            "member-agency": "UBND phường Thượng Thanh",
            "member-role": "head",
            "member-order": "1",
            "member-active": "on",
        },
    )
    assert response.status_code == 302
    member = CommitteeMember.objects.get()
    assert (member.unit, member.year, member.role) == (unit, 2024, "head")
    assert member.history.get().history_user == ward
    # a meeting is recorded
    response = client.post(
        url,
        {
            "action": "meeting",
            "meeting-held_on": "15/03/2024",
            "meeting-chair": "Nguyễn Văn An",
            "meeting-present": "9",
            "meeting-absent": "2",
            "meeting-decisions": "Giao chỉ tiêu cho 12 tổ dân phố.",
        },
    )
    assert response.status_code == 302
    meeting = CommitteeMeeting.objects.get()
    assert (meeting.held_on, meeting.present, meeting.absent) == (date(2024, 3, 15), 9, 2)
    page = client.get(url).content.decode()
    assert "Nguyễn Văn An" in page
    assert "Giao chỉ tiêu cho 12 tổ dân phố." in page
    # corrected on its own page
    edit = f"{reverse('plans:committee_meeting', args=[meeting.pk])}?date=2024-06-30"
    response = client.post(
        edit, {"held_on": "15/03/2024", "chair": "Nguyễn Văn An", "present": "10", "absent": "1"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.present == 10
    # a meeting still to come is not recorded
    with pytest.raises(ValidationError):
        work.committee_meeting_save(
            unit=unit, actor=ward, held_on=date(2024, 4, 1), chair="A", today=date(2024, 3, 20)
        )
    # another ward's officer sees nothing of it
    other = client_for(make_user("nl", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_LAM))
    assert other.get(url).status_code == 403
    assert other.post(url, {"action": "member", "member-name": "X"}).status_code == 403
    member_url = f"{reverse('plans:committee_member', args=[member.pk])}?date=2024-06-30"
    assert other.get(member_url).status_code == 403
    with pytest.raises(PermissionDenied):
        work.committee_member_save(
            unit=unit,
            year=2024,
            on=BEFORE,
            actor=make_user("viewer", Role.VIEWER, Level.COMMUNE, THUONG_THANH),
            name="Người xem",
        )
    assert CommitteeMember.objects.count() == 1
    assert ActivityOccurrence.objects.count() == 0
