"""The data-quality screen (issue 14, point 4): the doubtful entries of a commune or a
district, the months far from the same month of earlier years (DHIS2's outlier test),
the follow-up mark and note, the count per collaborator; who sees what."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register import quality, services
from danso.register.models import Event, Flag, Household, Person
from danso.register.outliers import Score, judge, month_judgements
from danso.register.vocabulary import EventType
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from tests.conftest import BEFORE, unit_at

TODAY = date(2026, 11, 23)
SINCE = date(2021, 1, 1)
ON = date(2025, 6, 30)  # Ngọc Thụy's last day
NGOC_THUY = "118"

# ---------------------------------------------------------------- the outlier test (pure)


def test_too_few_earlier_years_give_no_judgement() -> None:
    found = judge(40, [3, 4])
    assert not found.judged
    assert not found.outlier
    assert found.score is None
    assert judge(40, []).score is None


def test_values_that_never_varied_give_no_judgement_and_no_division_by_zero() -> None:
    for score in Score:
        found = judge(9, [0, 0, 0, 0], score=score)
        assert (found.score, found.outlier, found.expected) == (None, False, 0.0)


def test_the_modified_z_score_is_dhis2s() -> None:
    found = judge(20, [10, 12, 11, 13])
    # median 11.5, MAD 1.0: M = 0.6745 × 8.5 / 1.0
    assert found.expected == 11.5
    assert found.score == pytest.approx(0.6745 * 8.5)
    assert found.outlier
    assert (found.low, found.high) == pytest.approx((11.5 - 3.5 / 0.6745, 11.5 + 3.5 / 0.6745))
    assert not judge(14, [10, 12, 11, 13]).outlier
    assert judge(0, [10, 12, 11, 13]).score == pytest.approx(-0.6745 * 11.5)


def test_a_mad_of_zero_falls_back_on_the_mean_absolute_deviation() -> None:
    found = judge(12, [5, 5, 5, 9])  # MAD 0, mean absolute deviation 1.0
    assert found.score == pytest.approx(7 / 1.253314)
    assert found.outlier


def test_the_plain_z_score() -> None:
    found = judge(20, [10, 12, 11, 13], score=Score.Z)
    sd = math.sqrt(((1.5**2) * 2 + (0.5**2) * 2) / 3)
    assert found.expected == 11.5
    assert found.score == pytest.approx(8.5 / sd)
    assert found.outlier
    assert found.low == pytest.approx(11.5 - 3 * sd)


def test_months_are_judged_against_the_same_month_of_the_covered_years() -> None:
    counts = {(2021, 3): 2, (2022, 3): 3, (2023, 3): 2, (2024, 3): 3, (2025, 3): 15}
    counts |= {(2021, 1): 500}  # before the book began: not counted
    found = month_judgements(counts, year=2025, months=[1, 3], since=(2021, 3))
    assert found[3].outlier
    assert found[3].earlier == (2, 3, 2, 3)
    assert found[1].earlier == (0, 0, 0)  # 2022–2024 only; 0 when nothing happened
    assert not found[1].outlier


@given(
    value=st.integers(min_value=0, max_value=10_000),
    earlier=st.lists(st.integers(min_value=0, max_value=10_000), max_size=8),
    score=st.sampled_from(list(Score)),
)
def test_a_judgement_never_fails_and_agrees_with_its_range(
    value: int, earlier: list[int], score: Score
) -> None:
    found = judge(value, earlier, score=score)
    if found.score is None:
        assert not found.outlier
        return
    assert found.low is not None
    assert found.high is not None
    assert math.isfinite(found.score)
    assert 0 <= found.low <= found.high
    if abs(abs(found.score) - (3.5 if score is Score.MODIFIED_Z else 3.0)) > 1e-6:
        assert found.outlier == (not found.low <= value <= found.high) or (
            found.low == 0 and value < found.expected  # type: ignore[operator]
        )


# ---------------------------------------------------------------- the register


pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def village() -> Unit:
    return units.village_create(
        commune=unit_at(Level.COMMUNE, NGOC_THUY, BEFORE),
        code="00118-T1",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=date(2023, 5, 7),
    )


@pytest.fixture
def home(village: Unit) -> Household:
    return services.household_create(unit=village, since=date(2023, 6, 1), number="1")


@pytest.fixture
def ctv(make_user: Callable[..., User], village: Unit) -> User:
    return make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", BEFORE)


def member(home: Household, name: str, sex: str, born: date, id_number: str = "") -> Person:
    return services.person_add(
        household=home,
        registered_on=date(2023, 6, 1),
        data=services.PersonInput(name, sex, born, id_number=id_number),
        today=TODAY,
    )


def record(who: Person, kind: EventType, day: date, user: Any = None, **data: Any) -> Event:
    return services.event_record(
        person=who, data=services.EventInput(kind, day, **data), today=TODAY, user=user
    )


@pytest.fixture
def doubtful(home: Household, ctv: User) -> dict[str, Any]:
    """The demo's kinds of doubtful entries in one household of Ngọc Thụy."""
    girl = member(home, "Lê Thị Nhỏ", "F", date(2008, 1, 10))
    marriage = record(girl, EventType.MARRIAGE, date(2025, 4, 12), user=ctv)
    woman = member(home, "Trần Thị Hòa", "F", date(1992, 7, 9), id_number="0011920O2345")
    stop = record(woman, EventType.CONTRACEPTION_STOP, date(2025, 5, 3), ctv, method="implant")
    first = member(home, "Nguyễn Văn An", "M", date(1980, 3, 12), id_number="001080012345")
    second = member(home, "Nguyễn Văn Ân", "M", date(1981, 3, 12), id_number="001080012345")
    return {
        "girl": girl,
        "marriage": marriage,
        "woman": woman,
        "stop": stop,
        "first": first,
        "second": second,
    }


def ngoc_thuy(on: date = ON) -> UnitVersion:
    return UnitVersion.objects.filter(
        valid_on(on), unit=unit_at(Level.COMMUNE, NGOC_THUY, on)
    ).get()


def test_the_flags_under_a_commune_and_their_filters(doubtful: dict[str, Any]) -> None:
    version = ngoc_thuy()
    rules = sorted(quality.flags_under(version, ON).values_list("rule", flat=True))
    assert rules == [
        "child_marriage",
        "id_number_shape",
        "id_number_used",
        "id_number_used",
        "stop_without_start",
    ]
    narrowed = quality.flags_under(version, ON, quality.Filters(rule="child_marriage"))
    assert [f.event_id for f in narrowed] == [doubtful["marriage"].pk]
    in_may = quality.flags_under(version, ON, quality.Filters(year=2025, month=5))
    assert [f.event_id for f in in_may] == [doubtful["stop"].pk]
    assert not quality.flags_under(version, ON, quality.Filters(status=Flag.Status.CONFIRMED))
    # another commune: none of them
    other = UnitVersion.objects.filter(
        valid_on(ON), unit=unit_at(Level.COMMUNE, "115", BEFORE)
    ).get()
    assert not quality.flags_under(other, ON).exists()
    # the district sees them too
    district = UnitVersion.objects.get(unit_id=version.parent_id or 0, valid_to__gte=ON)
    assert quality.flags_under(district, ON).count() == 5


def test_the_village_keeps_its_flags_after_the_reform(doubtful: dict[str, Any]) -> None:
    """On 1/7/2025 the village moves to Phường Bồ Đề: its flags follow it."""
    village = doubtful["marriage"].unit
    new_ward = unit_at(Level.COMMUNE, NGOC_THUY, date(2025, 8, 1))
    units.unit_move(unit=village, parent=new_ward, effective=date(2025, 7, 1), decision="thử")
    after = UnitVersion.objects.filter(valid_on(date(2025, 8, 1)), unit=new_ward).get()
    assert quality.flags_under(after, date(2025, 8, 1)).count() == 5
    assert quality.flags_under(ngoc_thuy(), ON).count() == 5


def test_the_count_per_collaborator_and_per_rule(doubtful: dict[str, Any], ctv: User) -> None:
    version = ngoc_thuy()
    counted = {
        (c.user.username if c.user else None): (c.open, c.total)
        for c in quality.by_collaborator(version, ON)
    }
    assert counted == {"ctv": (2, 2), None: (3, 3)}
    assert quality.by_rule(version, ON)["id_number_used"] == (2, 2)
    flag = Flag.objects.get(event=doubtful["marriage"])
    quality.flag_follow(flag=flag, status=Flag.Status.CONFIRMED, note="Đã xác minh", user=ctv)
    counted = {
        (c.user.username if c.user else None): (c.open, c.total)
        for c in quality.by_collaborator(version, ON)
    }
    assert counted["ctv"] == (1, 2)


def test_a_follow_up_names_who_when_and_keeps_the_history(
    doubtful: dict[str, Any], make_user: Callable[..., User]
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    flag = Flag.objects.get(event=doubtful["marriage"])
    quality.flag_follow(
        flag=flag, status=Flag.Status.CONFIRMED, note="  Đúng: kết hôn khi 17 tuổi  ", user=officer
    )
    flag.refresh_from_db()
    assert (flag.status, flag.note, flag.followed_by) == (
        "confirmed",
        "Đúng: kết hôn khi 17 tuổi",
        officer,
    )
    assert flag.followed_at is not None
    last = flag.history.order_by("-history_date").first()
    assert last is not None
    assert last.history_user == officer
    assert last.status == "confirmed"
    with pytest.raises(ValueError, match="named person"):
        quality.flag_follow(flag=flag, status="open", note="", user=None)
    with pytest.raises(ValidationError, match="maybe"):
        quality.flag_follow(flag=flag, status="maybe", note="", user=officer)
    with pytest.raises(ValidationError, match="1000"):
        quality.flag_follow(flag=flag, status="open", note="x" * 1001, user=officer)


def _checkups(village: Unit, elder: Person, per_year: dict[int, int]) -> None:
    path = UnitVersion.objects.filter(unit=village).order_by("valid_from").first().path  # type: ignore[union-attr]
    rows = [
        Event(
            source_id=f"T-{year}-{n}",
            event_type=EventType.ELDERLY_CHECKUP,
            event_date=date(year, 3, 1 + n),
            person=elder,
            unit=village,
            path=path,
        )
        for year, count in per_year.items()
        for n in range(count)
    ]
    Event.objects.bulk_create(rows)


def test_a_month_far_from_earlier_years_is_an_outlier_and_can_be_marked(
    home: Household, village: Unit, make_user: Callable[..., User]
) -> None:
    elder = member(home, "Lê Văn Cụ", "M", date(1940, 1, 1))
    _checkups(village, elder, {2021: 2, 2022: 3, 2023: 2, 2024: 3, 2025: 15})
    version = ngoc_thuy()
    found = quality.outliers(version, ON, year=2025)
    assert [(r.tally, r.month, r.judgement.value) for r in found] == [
        ("elderly_checkup", date(2025, 3, 1), 15)
    ]
    assert quality.outliers(version, date(2025, 3, 20), year=2025) == []  # March still running
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    flag = quality.outlier_follow(
        version=version,
        tally="elderly_checkup",
        month=date(2025, 3, 1),
        status=Flag.Status.CONFIRMED,
        note="Đợt khám sức khỏe người cao tuổi tháng 3",
        user=officer,
        judgement=found[0].judgement,
    )
    assert (flag.kind, flag.unit_id, flag.day, flag.params["count"]) == (
        "outlier",
        version.unit_id,
        date(2025, 3, 1),
        15,
    )
    again = quality.outliers(version, ON, year=2025)[0]
    assert again.flag == flag
    assert again.flag.status == "confirmed"
    quality.outlier_follow(
        version=version,
        tally="elderly_checkup",
        month=date(2025, 3, 1),
        status=Flag.Status.CORRECTED,
        note="",
        user=officer,
    )
    assert Flag.objects.filter(kind=Flag.Kind.OUTLIER).count() == 1
    assert quality.latest_year(quality.units_under(version, ON), ON) == 2025
    assert quality.latest_year(quality.units_under(version, ON), date(2024, 12, 31)) == 2024


# ---------------------------------------------------------------- the screen


def url(version: UnitVersion, **query: str) -> str:
    params = "&".join(f"{k}={v}" for k, v in {"date": ON.isoformat(), **query}.items())
    return f"/register/units/{version.unit_id}/quality/?{params}"


def test_the_commune_officer_sees_the_entries_with_names_in_vietnamese(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    page = client_for(officer).get(url(ngoc_thuy()))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Chất lượng số liệu" in text or "chất lượng số liệu" in text
    assert "Kết hôn dưới tuổi luật định" in text
    assert "Lê Thị Nhỏ" in text  # the keeper of the book sees names
    assert "0011920O2345" in text
    assert "12/04/2025" in text
    assert f"/register/events/{doubtful['marriage'].pk}/" in text
    assert 'name="status"' in text  # may follow up
    assert "5 mục đáng ngờ" in text


def test_the_district_sees_no_name_and_a_cut_id_number(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    officer = make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "4", BEFORE)
    district = UnitVersion.objects.get(unit_id=ngoc_thuy().parent_id or 0, valid_to__gte=ON)
    page = client_for(officer).get(url(district))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Kết hôn dưới tuổi luật định" in text
    for secret in ("Lê Thị Nhỏ", "Trần Thị Hòa", "0011920O2345"):
        assert secret not in text
    assert "0011****2345" in text


@pytest.mark.parametrize(
    ("role", "level", "code", "status"),
    [
        (Role.COLLABORATOR, Level.VILLAGE, "00118-T1", 403),
        (Role.VIEWER, Level.COMMUNE, NGOC_THUY, 403),
        (Role.COMMUNE_OFFICER, Level.COMMUNE, "115", 403),
    ],
)
def test_who_may_not_see_the_screen(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    role: Role,
    level: Level,
    code: str,
    status: int,
) -> None:
    user = make_user("someone", role, level, code, BEFORE)
    assert client_for(user).get(url(ngoc_thuy())).status_code == status


def test_a_village_has_no_data_quality_screen(
    village: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    village_version = UnitVersion.objects.get(unit=village)
    assert client_for(officer).get(url(village_version)).status_code == 404


def test_the_list_is_paged_with_its_total_said(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(quality, "PAGE", 2)
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    text = client_for(officer).get(url(ngoc_thuy())).content.decode()
    assert text.count('class="flag card"') == 2
    assert "5 mục đáng ngờ" in text
    assert "Trang 1/3" in text or "Trang 1 / 3" in text or "1 của 3" in text or "(5" in text
    last = client_for(officer).get(url(ngoc_thuy(), page="3")).content.decode()
    assert last.count('class="flag card"') == 1


def test_bad_filters_are_said_in_vietnamese_not_a_traceback(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    page = client_for(officer).get(
        url(ngoc_thuy(), rule="nope", year="hai", month="13", place="99")
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "nope" in text
    assert "5 mục đáng ngờ" in text


def test_the_follow_up_is_set_inline_by_an_officer(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    flag = Flag.objects.get(event=doubtful["marriage"])
    answer = client_for(officer).post(
        f"/register/flags/{flag.pk}/follow/?date={ON.isoformat()}",
        {"status": "confirmed", "note": "Đã gặp gia đình"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    assert text.lstrip().startswith('<li class="flag card"')
    assert "Đã gặp gia đình" in text
    flag.refresh_from_db()
    assert (flag.status, flag.followed_by) == ("confirmed", officer)
    # without htmx: back to the screen
    answer = client_for(officer).post(
        f"/register/flags/{flag.pk}/follow/?date={ON.isoformat()}",
        {"status": "corrected", "note": "", "next": url(ngoc_thuy())},
    )
    assert answer.status_code == 302
    assert answer["Location"] == url(ngoc_thuy())
    # a bad mark: said, nothing changed
    answer = client_for(officer).post(
        f"/register/flags/{flag.pk}/follow/?date={ON.isoformat()}",
        {"status": "maybe"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "notice error" in answer.content.decode()
    flag.refresh_from_db()
    assert flag.status == "corrected"
    assert client_for(officer).get(f"/register/flags/{flag.pk}/follow/").status_code == 404


def test_the_follow_up_is_refused_outside_ones_units_or_rights(
    doubtful: dict[str, Any],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    flag = Flag.objects.get(event=doubtful["marriage"])
    path = f"/register/flags/{flag.pk}/follow/?date={ON.isoformat()}"
    stranger = make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115", BEFORE)
    assert client_for(stranger).post(path, {"status": "confirmed"}).status_code == 404
    city = make_user("hanoi", Role.PROVINCE_OFFICER, Level.PROVINCE, "1", BEFORE)
    assert client_for(city).post(path, {"status": "confirmed"}).status_code == 403
    flag.refresh_from_db()
    assert flag.status == "open"


def test_an_outlier_is_marked_from_the_screen(
    home: Household,
    village: Unit,
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    elder = member(home, "Lê Văn Cụ", "M", date(1940, 1, 1))
    _checkups(village, elder, {2021: 2, 2022: 3, 2023: 2, 2024: 3, 2025: 15})
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, NGOC_THUY, BEFORE)
    version = ngoc_thuy()
    text = client_for(officer).get(url(version)).content.decode()
    assert 'id="outlier-elderly_checkup-2025-03"' in text
    answer = client_for(officer).post(
        f"/register/units/{version.unit_id}/quality/outliers/?date={ON.isoformat()}",
        {"tally": "elderly_checkup", "month": "2025-03", "status": "confirmed", "note": "Đợt khám"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "Đợt khám" in answer.content.decode()
    assert Flag.objects.get(kind=Flag.Kind.OUTLIER).status == "confirmed"
    # a month that is not an outlier: refused with a message, nothing created
    answer = client_for(officer).post(
        f"/register/units/{version.unit_id}/quality/outliers/?date={ON.isoformat()}",
        {"tally": "birth", "month": "2025-02", "status": "confirmed"},
    )
    assert answer.status_code == 302
    assert Flag.objects.filter(kind=Flag.Kind.OUTLIER).count() == 1
