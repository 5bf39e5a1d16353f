"""Successions inferred from the snapshots of 7/5/2023 and 4/1/2025, offered to an
administrator: the pure rules, the proposals the reference load stores, and the
decisions (service, screen, command line)."""

import csv
import json
from collections.abc import Callable
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.units import selectors, services
from danso.units.codes import Level
from danso.units.inferred import (
    inference_days,
    inferred_confirm,
    inferred_propose,
    inferred_reject,
)
from danso.units.models import (
    InferredSuccession,
    UnitChange,
    UnitSuccession,
    UnitVersion,
    valid_on,
)
from danso.units.reference import (
    EntityKey,
    InferenceRule,
    RefEntity,
    ReferencePlan,
    RefVersion,
    build_plan,
    infer_successions,
    read_manifest,
)
from danso.units.scope import UnitScope

LAST_DAY = date(2024, 12, 31)
REFORM = date(2025, 1, 1)
HANOI_TABLE = settings.REFERENCE_MANIFEST.parent / "hanoi_commune_conversion_2025-01-01.csv"


@pytest.fixture(scope="module")
def plan() -> ReferencePlan:
    return build_plan(read_manifest(settings.REFERENCE_MANIFEST))


def commune(code: str) -> EntityKey:
    return ("pre2025", Level.COMMUNE, code)


# ------------------------------------------------------------------ the rules (no database)


def test_a_renamed_commune_that_adds_the_closed_ones_name(plan: ReferencePlan) -> None:
    links = {link.predecessor: link for link in infer_successions(plan.entities, last_day=LAST_DAY)}
    quoc_tu_giam = links[commune("184")]
    assert quoc_tu_giam.successor == commune("181")
    assert quoc_tu_giam.rule is InferenceRule.NAME_CONTAINS
    assert quoc_tu_giam.evidence == (
        "Phường Văn Miếu → Phường Văn Miếu - Quốc Tử Giám (Quận Đống Đa)"
    )
    assert (quoc_tu_giam.effective, quoc_tu_giam.partial) == (REFORM, False)


def test_a_commune_that_took_the_closed_ones_name(plan: ReferencePlan) -> None:
    links = {link.predecessor: link for link in infer_successions(plan.entities, last_day=LAST_DAY)}
    thinh_quang = links[commune("223")]
    assert (thinh_quang.successor, thinh_quang.rule) == (commune("235"), InferenceRule.TOOK_NAME)


def test_where_the_rules_do_not_decide_nothing_is_offered(plan: ReferencePlan) -> None:
    # Sơn Tây: Ngô Quyền and Quang Trung closed, Lê Lợi was renamed Ngô Quyền; Quang Trung
    # also went there, but no rule can tell; Sài Đồng was split: no rule fires at all
    links = {link.predecessor for link in infer_successions(plan.entities, last_day=LAST_DAY)}
    assert commune("9580") in links
    assert commune("9583") not in links
    assert commune("142") not in links


def test_every_link_offered_in_hanoi_is_a_row_of_the_compiled_table(plan: ReferencePlan) -> None:
    with HANOI_TABLE.open(encoding="utf-8") as handle:
        table = {(r["old_commune_code"], r["new_commune_code"]) for r in csv.DictReader(handle)}
    hanoi = {
        key
        for key, entity in plan.entities.items()
        if entity.level is Level.COMMUNE and key[2] in {old for old, _new in table}
    }
    offered = [
        (link.predecessor[2], link.successor[2])
        for link in infer_successions(plan.entities, last_day=LAST_DAY)
        if link.predecessor in hanoi
    ]
    assert len(offered) == 11
    assert set(offered) <= table


def test_communes_already_succeeded_are_skipped(plan: ReferencePlan) -> None:
    links = infer_successions(plan.entities, last_day=LAST_DAY, succeeded={commune("184")})
    assert commune("184") not in {link.predecessor for link in links}


def _toy(names: dict[str, tuple[str, str | None]]) -> dict[EntityKey, RefEntity]:
    """A district of communes: code -> (name until 31/12/2024, name from 1/1/2025 or None
    when it closes)."""
    district: EntityKey = ("pre2025", Level.DISTRICT, "999")
    entities = {
        district: RefEntity(
            district, [RefVersion(date(2023, 5, 7), None, "999", "Huyện Thử", "huyện", None)]
        )
    }
    for code, (old, new) in names.items():
        key = commune(code)
        versions = [RefVersion(date(2023, 5, 7), LAST_DAY, code, old, "xã", district)]
        if new is not None:
            versions.append(RefVersion(REFORM, None, code, new, "xã", district))
        entities[key] = RefEntity(key, versions)
    return entities


def test_the_only_closed_and_the_only_renamed_commune_of_a_district() -> None:
    entities = _toy(
        {"1": ("Xã Đông", None), "2": ("Xã Tây", "Xã Hòa Bình"), "3": ("Xã Nam", "Xã Nam")}
    )
    [link] = infer_successions(entities, last_day=LAST_DAY)
    assert (link.predecessor, link.successor, link.rule) == (
        commune("1"),
        commune("2"),
        InferenceRule.ONLY_PAIR,
    )
    assert link.evidence == "Xã Tây → Xã Hòa Bình (Huyện Thử)"


def test_rules_that_disagree_offer_nothing() -> None:
    # Đông closes; Tây took its name, Bắc's new name contains it: two candidates
    entities = _toy(
        {"1": ("Xã Đông", None), "2": ("Xã Tây", "Xã Đông"), "3": ("Xã Bắc", "Xã Bắc Đông")}
    )
    assert infer_successions(entities, last_day=LAST_DAY) == []


def test_tone_marks_and_the_type_word_do_not_count_as_a_rename() -> None:
    entities = _toy({"1": ("Xã Đông", None), "2": ("Xã Tân Hòa", "Xã Tân Hoà")})
    assert infer_successions(entities, last_day=LAST_DAY) == []


def test_the_day_to_infer_is_the_gap_without_a_table() -> None:
    assert inference_days(read_manifest(settings.REFERENCE_MANIFEST)) == [LAST_DAY]


# ------------------------------------------------------------------ proposals stored


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user("quantri", Role.ADMIN)


def an_open_proposal(province_code: str | None = None) -> selectors.InferredRow:
    rows = selectors.inferred_successions(
        UnitScope.system(REFORM), province=province_code, status="proposed"
    )
    return rows[0]


@pytest.mark.django_db
def test_the_reference_load_offers_links_outside_hanoi_only() -> None:
    rows = selectors.inferred_successions(UnitScope.system(REFORM))
    assert len(rows) == 95
    assert all(r.proposal.status == InferredSuccession.Status.PROPOSED for r in rows)
    assert all(r.province is not None and r.province.code != "1" for r in rows)
    # none for a commune that has a recorded succession
    linked = set(UnitSuccession.objects.values_list("predecessor_id", flat=True))
    assert not {r.proposal.predecessor_id for r in rows} & linked
    # and nothing uses them: the closed communes still have no successor
    assert all(selectors.successors(r.proposal.predecessor) == [] for r in rows)
    # offering again adds nothing
    assert inferred_propose(settings.REFERENCE_MANIFEST) == 0


@pytest.mark.django_db
def test_only_an_administrator_lists_them() -> None:
    with pytest.raises(selectors.UnitOutOfScope):
        selectors.inferred_successions(UnitScope(REFORM, ()))


@pytest.mark.django_db
def test_confirming_records_the_succession_and_who_decided(admin: User) -> None:
    # given a proposal and a village that closed with its commune
    row = an_open_proposal()
    village = services.village_create(
        commune=row.proposal.predecessor,
        code="INF-01",
        name="Thôn Thử",
        type="thôn",
        valid_from=date(2024, 1, 1),
    )
    assert village.valid_to == LAST_DAY
    # when the administrator confirms it
    link = inferred_confirm(proposal=row.proposal, user=admin)
    # then the succession exists, recorded with the person, and the village followed
    assert (link.predecessor_id, link.successor_id, link.effective, link.partial) == (
        row.proposal.predecessor_id,
        row.proposal.successor_id,
        REFORM,
        False,
    )
    assert link.change.kind == UnitChange.Kind.SUCCESSION
    assert link.change.created_by == admin
    proposal = InferredSuccession.objects.get(pk=row.proposal.pk)
    assert proposal.status == InferredSuccession.Status.CONFIRMED
    assert (proposal.decided_by, proposal.succession) == (admin, link)
    assert proposal.decided_at is not None
    after = UnitVersion.objects.filter(valid_on(REFORM), unit=village).get()
    assert after.parent_id == row.proposal.successor_id
    assert services.check_tree() == []
    with pytest.raises(ValidationError):
        inferred_confirm(proposal=proposal, user=admin)


@pytest.mark.django_db
def test_rejecting_needs_a_reason_and_a_person(admin: User) -> None:
    row = an_open_proposal()
    with pytest.raises(ValidationError):
        inferred_reject(proposal=row.proposal, user=admin, reason="  ")
    with pytest.raises(ValidationError):
        inferred_reject(proposal=row.proposal, user=None, reason="sai")
    rejected = inferred_reject(proposal=row.proposal, user=admin, reason="Không cùng địa bàn")
    assert (rejected.status, rejected.decided_by, rejected.reason) == (
        InferredSuccession.Status.REJECTED,
        admin,
        "Không cùng địa bàn",
    )
    assert not UnitSuccession.objects.filter(predecessor=row.proposal.predecessor).exists()
    # a rejection may be reconsidered
    inferred_confirm(proposal=rejected, user=admin)
    assert UnitSuccession.objects.filter(predecessor=row.proposal.predecessor).exists()


# ------------------------------------------------------------------ the screen


@pytest.mark.django_db
def test_the_administrator_confirms_and_rejects_on_the_screen(
    admin: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(admin)
    first, second = selectors.inferred_successions(UnitScope.system(REFORM), status="proposed")[:2]
    province = first.province
    assert province is not None
    page = client.get(reverse("units:inferred"), {"province": province.display_code})
    html = page.content.decode()
    assert page.status_code == 200
    assert first.predecessor.name in html
    assert first.successor.name in html
    # one click confirms one
    done = client.post(
        reverse("units:inferred_decide"), {"action": "confirm", "id": [first.proposal.pk]}
    )
    assert done.status_code == 302
    assert InferredSuccession.objects.get(pk=first.proposal.pk).decided_by == admin
    # a rejection says why
    client.post(
        reverse("units:inferred_decide"),
        {"action": "reject", "id": [second.proposal.pk], "reason": "Sai địa bàn"},
    )
    rejected = InferredSuccession.objects.get(pk=second.proposal.pk)
    assert (rejected.status, rejected.reason) == ("rejected", "Sai địa bàn")


@pytest.mark.django_db
def test_a_province_is_confirmed_in_one_go(
    admin: User, client_for: Callable[[User], Client]
) -> None:
    code = an_open_proposal().province.display_code  # type: ignore[union-attr]
    open_rows = selectors.inferred_successions(
        UnitScope.system(REFORM), province=code, status="proposed"
    )
    response = client_for(admin).post(
        reverse("units:inferred_decide"), {"action": "confirm_province", "province": code}
    )
    assert response.status_code == 302
    for row in open_rows:
        assert InferredSuccession.objects.get(pk=row.proposal.pk).status == "confirmed"
        assert UnitSuccession.objects.filter(predecessor=row.proposal.predecessor).exists()
    others = selectors.inferred_successions(UnitScope.system(REFORM), status="proposed")
    assert others
    assert all(r.province and r.province.display_code != code for r in others)


@pytest.mark.django_db
def test_nobody_else_decides(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    row = an_open_proposal()
    client = client_for(make_user("tinh", Role.PROVINCE_OFFICER, Level.PROVINCE, "1"))
    assert client.get(reverse("units:inferred")).status_code == 403
    response = client.post(
        reverse("units:inferred_decide"), {"action": "confirm", "id": [row.proposal.pk]}
    )
    assert response.status_code == 403
    assert InferredSuccession.objects.get(pk=row.proposal.pk).status == "proposed"


# ------------------------------------------------------------------ the command line


@pytest.mark.django_db
def test_the_command_lists_confirms_and_rejects(admin: User, run_cli: Callable[..., Any]) -> None:
    row = an_open_proposal()
    code = row.province.display_code  # type: ignore[union-attr]
    listed = run_cli("units", "inferred", "--province", code)["inferred"]
    assert listed
    assert {r["province"] for r in listed} == {code}
    assert set(listed[0]) >= {"id", "status", "rule", "evidence", "predecessor", "successor"}
    done = run_cli("units", "inferred", "confirm", str(row.proposal.pk), "--user", "quantri")
    assert [(r["id"], r["status"], r["decided_by"]) for r in done["inferred"]] == [
        (row.proposal.pk, "confirmed", "quantri")
    ]
    other = an_open_proposal()
    out = run_cli(
        "units", "inferred", "reject", str(other.proposal.pk), "--user", "quantri",
        "--reason", "Không phải",
    )  # fmt: skip
    assert out["inferred"][0]["status"] == "rejected"
    assert out["inferred"][0]["reason"] == "Không phải"


@pytest.mark.django_db
def test_the_command_wants_an_administrator_by_name(
    make_user: Callable[..., User], admin: User
) -> None:
    row = an_open_proposal()
    make_user("tinh", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")
    with pytest.raises(CommandError, match="--user"):
        call_command("units", "inferred", "confirm", str(row.proposal.pk), stdout=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "units", "inferred", "confirm", str(row.proposal.pk), "--user", "tinh",
            stdout=StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError):
        call_command(
            "units", "inferred", "reject", str(row.proposal.pk), "--user", "quantri",
            stdout=StringIO(),
        )  # fmt: skip
    assert InferredSuccession.objects.get(pk=row.proposal.pk).status == "proposed"
    text = StringIO()
    call_command("units", "inferred", "--status", "all", stdout=text)
    assert str(row.proposal.pk) in text.getvalue()
    assert json.loads(_json("units", "inferred", "--province", "01", "--status", "all")) == {
        "inferred": []
    }


def _json(*args: str) -> str:
    out = StringIO()
    call_command(*args, "--format", "json", stdout=out)
    return out.getvalue()
