"""Villages that closed with a commune split by a reform, and how they are placed again:
the selector, the command line (``units move`` on the reform's date) and the screens."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import CommandError
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import unit_scope
from danso.units import selectors, services
from danso.units.codes import Level
from danso.units.imports import conversion_import
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from tests.conftest import unit_at

pytestmark = pytest.mark.django_db

LAST_DAY = date(2024, 12, 31)
REFORM = date(2025, 1, 1)
HEADER = (
    "old_commune_code,old_district_code,old_province_code,old_partly_merged,"
    "new_commune_code,new_province_code\n"
)


@pytest.fixture
def group() -> Unit:
    """A residential group of Phường Sài Đồng (00142), which was split on 1/1/2025
    between Phúc Lợi (00136) and Phúc Đồng (00151)."""
    return services.village_create(
        commune=unit_at(Level.COMMUNE, "142", LAST_DAY),
        code="00142-TDP01",
        name="Tổ dân phố số 1",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )


def parent_on(unit: Unit, day: date) -> int | None:
    return UnitVersion.objects.filter(valid_on(day), unit=unit).get().parent_id


def move_to(code: str, user: str | None = None) -> list[str]:
    args = [
        "units", "move", "00142-TDP01", "--level", "village", "--parent", code,
        "--parent-level", "commune", "--date", "2025-01-01",
    ]  # fmt: skip
    return [*args, "--user", user] if user else args


# ------------------------------------------------------------------ the selector


def test_a_group_closes_with_its_split_commune(group: Unit) -> None:
    assert group.valid_to == LAST_DAY


def test_the_selector_says_where_a_group_may_go(group: Unit) -> None:
    sai_dong = unit_at(Level.COMMUNE, "142", LAST_DAY)
    [item] = selectors.villages_to_place(commune_ids=[sai_dong.pk])
    assert (item.village.unit_id, item.village.valid_to) == (group.pk, LAST_DAY)
    assert item.commune.name == "Phường Sài Đồng"
    assert [(o.version.name, o.partial, o.effective) for o in item.successors] == [
        ("Phường Phúc Lợi", True, REFORM),
        ("Phường Phúc Đồng", True, REFORM),
    ]
    assert item.effective == REFORM
    assert item.commands == [
        "danso units move 00142-TDP01 --level village --parent 00136 --parent-level commune "
        "--date 2025-01-01",
        "danso units move 00142-TDP01 --level village --parent 00151 --parent-level commune "
        "--date 2025-01-01",
    ]
    # asked from a successor, or by the group itself, it is the same group
    phuc_loi = unit_at(Level.COMMUNE, "136", REFORM)
    assert [i.village.unit_id for i in selectors.villages_to_place(commune_ids=[phuc_loi.pk])] == [
        group.pk
    ]
    assert len(selectors.villages_to_place(village_ids=[group.pk])) == 1
    assert item.as_dict()["successors"][0]["command"] == item.commands[0]


def test_the_selector_keeps_to_the_readers_units(
    group: Unit, make_user: Callable[..., User]
) -> None:
    def seen_by(user: User) -> list[int]:
        found = selectors.villages_to_place(scope=lambda day: unit_scope(user, day))
        return [item.village.unit_id for item in found]

    # the new ward that took part of it, and the district it lay in, see it
    assert group.pk in seen_by(make_user("pl", Role.COMMUNE_OFFICER, Level.COMMUNE, "136"))
    assert group.pk in seen_by(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    # a ward of the same district that took nothing of it does not
    assert group.pk not in seen_by(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))


def test_a_group_of_a_commune_merged_whole_follows_it(group: Unit) -> None:
    # Quốc Tử Giám went wholly to Văn Miếu - Quốc Tử Giám: its group follows by itself
    village = services.village_create(
        commune=unit_at(Level.COMMUNE, "184", LAST_DAY),
        code="00184-01",
        name="Tổ dân phố 1",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    assert parent_on(village, REFORM) == unit_at(Level.COMMUNE, "181", REFORM).pk
    # (it waits only for the next reform: Văn Miếu - Quốc Tử Giám was split on 1/7/2025)
    [later] = selectors.villages_to_place(village_ids=[village.pk])
    assert later.last_day == date(2025, 6, 30)


def test_a_succession_recorded_later_takes_the_groups_along() -> None:
    # given a group that closed with Quốc Tử Giám before its succession was recorded
    quoc_tu_giam = unit_at(Level.COMMUNE, "184", LAST_DAY)
    UnitSuccession.objects.filter(predecessor=quoc_tu_giam).delete()
    village = services.village_create(
        commune=quoc_tu_giam,
        code="00184-02",
        name="Tổ dân phố 2",
        type="tổ dân phố",
        valid_from=date(2023, 6, 1),
    )
    assert village.valid_to == LAST_DAY
    # when a table gives the commune its whole successor
    report = conversion_import(
        (HEADER + "00184,,01,0,00181,01\n").encode(), file_name="t.csv", effective=REFORM
    )
    # then the group stands under it from the next day
    assert report.errors == []
    assert report.created["villages_followed"] == 1
    assert parent_on(village, REFORM) == unit_at(Level.COMMUNE, "181", REFORM).pk
    assert services.check_tree() == []


# ------------------------------------------------------------------ the command line


def test_the_cli_moves_a_group_whose_commune_closed_the_day_before(
    group: Unit, run_cli: Callable[..., Any]
) -> None:
    # when the group is moved to Phúc Lợi on the day of the reform
    out = run_cli(*move_to("136"))
    # then it stands again under Phúc Lợi from that day, with one history
    assert out["unit"]["name"] == "Tổ dân phố số 1"
    after = UnitVersion.objects.filter(valid_on(REFORM), unit=group).get()
    assert after.parent_id == unit_at(Level.COMMUNE, "136", REFORM).pk
    assert UnitVersion.objects.filter(valid_on(LAST_DAY), unit=group).exists()
    # it waits again only after Phúc Lợi's own split on 1/7/2025
    [later] = selectors.villages_to_place(village_ids=[group.pk])
    assert (later.commune.name, later.effective) == ("Phường Phúc Lợi", date(2025, 7, 1))


def test_the_new_wards_officer_places_the_group_in_their_ward(
    group: Unit, make_user: Callable[..., User], run_cli: Callable[..., Any]
) -> None:
    make_user("phucloi", Role.COMMUNE_OFFICER, Level.COMMUNE, "136")
    run_cli(*move_to("136", "phucloi"))
    assert parent_on(group, REFORM) == unit_at(Level.COMMUNE, "136", REFORM).pk


def test_the_new_wards_officer_cannot_place_it_in_another_ward(
    group: Unit, make_user: Callable[..., User], run_cli: Callable[..., Any]
) -> None:
    make_user("phucloi", Role.COMMUNE_OFFICER, Level.COMMUNE, "136")
    with pytest.raises(CommandError):
        run_cli(*move_to("151", "phucloi"))  # not theirs on 1/1/2025
    assert group.versions.count() == 1


def test_an_unrelated_ward_cannot_take_the_group(
    group: Unit, make_user: Callable[..., User], run_cli: Callable[..., Any]
) -> None:
    make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")
    with pytest.raises(CommandError):
        run_cli(*move_to("115", "thuongthanh"))  # not a successor, the group not theirs
    assert group.versions.count() == 1


def test_the_district_places_it_in_any_of_its_wards(
    group: Unit, make_user: Callable[..., User], run_cli: Callable[..., Any]
) -> None:
    # the district could change the group on its last day, and the ward on the date
    make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    run_cli(*move_to("115", "longbien"))
    assert parent_on(group, REFORM) == unit_at(Level.COMMUNE, "115", REFORM).pk


def test_the_cli_lists_the_groups_to_place(group: Unit, run_cli: Callable[..., Any]) -> None:
    out = run_cli("units", "to-place", "--commune", "136", "--date", "2025-01-01")
    [item] = out["villages"]
    assert item["village"]["code"] == "00142-TDP01"
    assert [s["code"] for s in item["successors"]] == ["00136", "00151"]


# ------------------------------------------------------------------ the screens


def test_the_commune_pages_count_the_groups_to_place(
    group: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("lb", Role.DISTRICT_OFFICER, Level.DISTRICT, "4"))
    for code, day in (("142", LAST_DAY), ("136", REFORM)):
        unit = unit_at(Level.COMMUNE, code, day)
        response = client.get(reverse("units:detail", args=[unit.pk]), {"date": day.isoformat()})
        html = response.content.decode()
        assert reverse("units:to_place_unit", args=[unit.pk]) in html
        assert "Tổ dân phố/thôn chờ chuyển về đơn vị mới: 1" in html


def test_the_new_ward_places_a_group_from_its_page(
    group: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # given the officer of Phúc Lợi, which took part of Sài Đồng
    client = client_for(make_user("phucloi", Role.COMMUNE_OFFICER, Level.COMMUNE, "136"))
    phuc_loi = unit_at(Level.COMMUNE, "136", REFORM)
    page = client.get(
        reverse("units:to_place_unit", args=[phuc_loi.pk]), {"date": REFORM.isoformat()}
    )
    html = page.content.decode()
    # then the group is listed, with Phúc Lợi offered (and not Phúc Đồng, not theirs)
    assert page.status_code == 200
    assert "Tổ dân phố số 1" in html
    assert f'<option value="{phuc_loi.pk}" selected>' in html
    phuc_dong = unit_at(Level.COMMUNE, "151", REFORM)
    assert f'<option value="{phuc_dong.pk}"' not in html
    assert 'value="01/01/2025"' in html
    # when the form is sent
    response = client.post(
        reverse("units:village_place", args=[group.pk]),
        {
            f"v{group.pk}-successor": phuc_loi.pk,
            f"v{group.pk}-effective": "01/01/2025",
            f"v{group.pk}-decision": "NQ 1286/NQ-UBTVQH15",
        },
    )
    # then the group stands under Phúc Lợi, moved by the officer
    assert response.status_code == 302
    after = UnitVersion.objects.filter(valid_on(REFORM), unit=group).select_related("change").get()
    assert after.parent_id == phuc_loi.pk
    assert after.change is not None
    assert after.change.created_by is not None
    assert after.change.created_by.username == "phucloi"


def test_a_ward_that_took_nothing_cannot_place_it(
    group: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("tt", Role.COMMUNE_OFFICER, Level.COMMUNE, "115"))
    thuong_thanh = unit_at(Level.COMMUNE, "115", REFORM)
    listed = client.get(reverse("units:to_place"), {"date": REFORM.isoformat()}).content.decode()
    assert "Tổ dân phố số 1" not in listed
    response = client.post(
        reverse("units:village_place", args=[group.pk]),
        {f"v{group.pk}-successor": thuong_thanh.pk, f"v{group.pk}-effective": "01/01/2025"},
    )
    assert response.status_code == 404
    assert group.versions.count() == 1


def test_a_reader_sees_the_group_but_gets_no_form(
    group: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("xem", Role.VIEWER, Level.DISTRICT, "4"))
    html = client.get(reverse("units:to_place"), {"date": REFORM.isoformat()}).content.decode()
    assert "Tổ dân phố số 1" in html
    assert reverse("units:village_place", args=[group.pk]) not in html
    response = client.post(
        reverse("units:village_place", args=[group.pk]),
        {f"v{group.pk}-successor": unit_at(Level.COMMUNE, "136", REFORM).pk},
    )
    assert response.status_code == 403
    assert group.versions.count() == 1


def test_a_wrong_date_is_said_on_the_form(
    group: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("phucloi", Role.COMMUNE_OFFICER, Level.COMMUNE, "136"))
    response = client.post(
        reverse("units:village_place", args=[group.pk]),
        {
            f"v{group.pk}-successor": unit_at(Level.COMMUNE, "136", REFORM).pk,
            f"v{group.pk}-effective": "01/12/2024",
        },
    )
    assert response.status_code == 200
    assert group.versions.count() == 1
    assert 'class="errorlist' in response.content.decode()
