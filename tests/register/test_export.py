"""``register_export``: exporting a register and importing the files into an empty
register gives the same register; every export of personal data is logged."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.register.exporting import register_export
from danso.register.importing import register_import
from danso.register.models import (
    AccessLog,
    Event,
    Household,
    HouseholdPlacement,
    Membership,
    Person,
)
from danso.units.codes import Level
from danso.units.models import UnitVersion
from tests.conftest import BEFORE, unit_at
from tests.register.conftest import HANDMADE, TABLES, read_table

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    """Leaves a savepoint, undoing what was written in it."""


@contextmanager
def undone() -> Iterator[None]:
    """Run the block in a savepoint, then undo what it wrote (nothing is deleted: the
    register is as empty as before)."""
    with suppress(Rollback), transaction.atomic():
        yield
        raise Rollback


def snapshot() -> dict[str, list[Any]]:
    """The register as data that does not depend on row ids: units by their codes."""
    code = dict(UnitVersion.objects.order_by("valid_from").values_list("unit_id", "code"))

    def path(text: str) -> str:
        return ".".join(code[int(part)] for part in text.split(".") if part)

    return {
        "households": sorted(
            (h.source_id, h.number, h.address, h.household_type, code[h.unit_id], h.extra)
            for h in Household.objects.all()
        ),
        "placements": sorted(
            (p.household.source_id, code[p.unit_id], p.valid_from, p.valid_to)
            for p in HouseholdPlacement.objects.select_related("household")
        ),
        "persons": sorted(
            tuple(v for k, v in row.items() if k not in ("id", "created_at", "updated_at"))
            for row in Person.objects.values()
        ),
        "memberships": sorted(
            Membership.objects.values_list(
                "person__source_id", "household__source_id", "relation", "valid_from", "valid_to"
            )
        ),
        "events": sorted(
            (
                e.source_id,
                e.event_type,
                e.event_date,
                e.person.source_id,
                code[e.unit_id],
                path(e.path),
                e.child.source_id if e.child else None,
                e.child_sex,
                e.birth_order,
                e.method,
                e.supply,
                e.new_acceptor,
                e.spouse.source_id if e.spouse else None,
                sorted(e.extra.items()),
                e.note,
            )
            for e in Event.objects.select_related("person", "child", "spouse")
        ),
    }


def test_export_then_import_gives_the_same_register(tmp_path: Path) -> None:
    ngoc_thuy = unit_at(Level.COMMUNE, "118", BEFORE)
    with undone():
        assert not register_import(HANDMADE).errors
        imported = snapshot()
        written = register_export(ngoc_thuy, BEFORE, tmp_path / "one", user=SYSTEM)
    assert not Person.objects.exists()  # an empty register again
    # format 1.1: and a placement of each household (the handmade book, 1.0, has none)
    assert written["rows"] == {t: len(read_table(HANDMADE, t)) for t in TABLES} | {
        "placements": len(read_table(HANDMADE, "households"))
    }

    report = register_import(tmp_path / "one")
    assert report.errors == []
    assert snapshot() == imported
    register_export(ngoc_thuy, BEFORE, tmp_path / "two", user=SYSTEM)
    for table in (*TABLES, "placements"):
        one = (tmp_path / "one" / f"{table}.csv").read_text(encoding="utf-8")
        assert (tmp_path / "two" / f"{table}.csv").read_text(encoding="utf-8") == one


def test_an_export_imported_again_is_unchanged(tmp_path: Path) -> None:
    register_import(HANDMADE)
    register_export(unit_at(Level.COMMUNE, "118", BEFORE), BEFORE, tmp_path, user=SYSTEM)
    again = register_import(tmp_path)
    assert again.errors == []
    assert sum(again.imported.values()) == 0
    assert again.unchanged["events"] == len(read_table(HANDMADE, "events"))


#: Text a spreadsheet would run, and text that begins with the quote the export adds.
FORMULA_LIKE = (
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x","y")',
    "+1+1",
    "-2+3",
    "@SUM(1+1)",
    "'=1+1",
    "''=1+1",
    "'quoted",
    "-5",
    "a\r=1+1",
)


def test_names_that_look_like_formulas_survive_an_export_and_an_import(tmp_path: Path) -> None:
    # given a register whose names, addresses, notes and extra attributes look like
    # formulas (the export writes them with a leading quote)
    ngoc_thuy = unit_at(Level.COMMUNE, "118", BEFORE)
    with undone():
        assert not register_import(HANDMADE).errors
        persons = Person.objects.order_by("pk")
        for text, person in zip(FORMULA_LIKE, persons, strict=False):
            Person.objects.filter(pk=person.pk).update(full_name=text, ethnicity=text)
        for text, household in zip(FORMULA_LIKE, Household.objects.order_by("pk"), strict=False):
            Household.objects.filter(pk=household.pk).update(address=text, extra={"ghi_chu": text})
        for text, event in zip(FORMULA_LIKE, Event.objects.order_by("pk"), strict=False):
            Event.objects.filter(pk=event.pk).update(note=text)
        written = texts()
        register_export(ngoc_thuy, BEFORE, tmp_path, user=SYSTEM)
    assert "'=cmd|' /C calc'!A0" in (tmp_path / "persons.csv").read_text(encoding="utf-8")
    # when the export is imported into an empty register
    report = register_import(tmp_path)
    # then every text comes back as it was
    assert report.errors == []
    assert texts() == written


def texts() -> dict[str, set[tuple[Any, ...]]]:
    """The free text of the register, by the source's ids."""
    return {
        "persons": set(Person.objects.values_list("source_id", "full_name", "ethnicity")),
        "households": {
            (h.source_id, h.address, tuple(sorted(h.extra.items())))
            for h in Household.objects.all()
        },
        "events": set(Event.objects.values_list("source_id", "note")),
    }


def test_a_village_exports_its_households_and_their_history(tmp_path: Path) -> None:
    with undone():
        register_import(HANDMADE)
        village = UnitVersion.objects.get(code="00118-TDP01").unit
        written = register_export(village, BEFORE, tmp_path, user=SYSTEM)
    households = read_table(tmp_path, "households")
    expected = {h["household_id"] for h in read_table(HANDMADE, "households")}
    in_village = {h["household_id"] for h in households if h["village_code"] == "TDP01"}
    assert in_village == {
        h["household_id"]
        for h in read_table(HANDMADE, "households")
        if h["village_code"] == "TDP01"
    }
    assert in_village < expected
    # What the persons of the village point at (a household of the other village they
    # lived in) comes with them: the files import into an empty register.
    report = register_import(tmp_path)
    assert report.errors == []
    assert report.imported["events"] == written["rows"]["events"] > 0


def test_every_export_is_logged(tmp_path: Path, make_user: Callable[..., User]) -> None:
    register_import(HANDMADE)
    officer = make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118")
    register_export(unit_at(Level.COMMUNE, "118", BEFORE), BEFORE, tmp_path, user=officer)
    log = AccessLog.objects.get()
    assert (log.kind, log.user) == (AccessLog.Kind.EXPORT, officer)
    assert unit_at(Level.COMMUNE, "118", BEFORE).pk in {row.unit_id for row in log.unit_rows.all()}
    assert log.count == sum(len(read_table(tmp_path, t)) for t in (*TABLES, "placements"))
    assert log.description.startswith("Xuất sổ hộ Phường Ngọc Thụy ngày 30/06/2024")


def test_an_export_needs_the_right_to_see_persons(
    tmp_path: Path, make_user: Callable[..., User]
) -> None:
    district = make_user("longbien", Role.DISTRICT_OFFICER, Level.DISTRICT, "4")
    with pytest.raises(PermissionDenied):
        register_export(unit_at(Level.COMMUNE, "118", BEFORE), BEFORE, tmp_path, user=district)
    assert not AccessLog.objects.exists()


def test_an_export_for_no_one_is_refused(tmp_path: Path) -> None:
    # a caller that forgets whom it exports for gets nothing, not the whole register
    register_import(HANDMADE)
    with pytest.raises(PermissionDenied):
        register_export(unit_at(Level.COMMUNE, "118", BEFORE), BEFORE, tmp_path, user=None)
    assert not AccessLog.objects.exists()
    assert not list(tmp_path.iterdir())
