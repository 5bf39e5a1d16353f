"""A register crosses the 1/1/2025 arrangement of Hà Nội's wards (issue 16).

Phường Sài Đồng (00142) of Long Biên closed on 31/12/2024, split between Phúc Lợi
(00136) and Phúc Đồng (00151) (Nghị quyết 1286/NQ-UBTVQH15).  Its residential groups
closed with it: a book whose events run into January 2025 is refused until each group
is moved to the ward that took it, and the refusal says exactly which group to move
where; once moved, the same book imports.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from danso.register.importing import register_import
from danso.register.models import Event
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at
from tests.register.conftest import Rows, small_book, write_book

SAI_DONG = "142"
PHUC_LOI = "136"
PHUC_DONG = "151"
GROUP = "00142-TDP04"


def _book() -> dict[str, Rows]:
    """The small book moved into Sài Đồng's group 4, with events from 2023 to 02/01/2025."""
    book = small_book()
    book["units"] = [
        {
            "unit_code": "TDP04",
            "name": "Tổ dân phố 4",
            "commune_code": "00142",
            "as_of": "2024-06-30",
        }
    ]
    for household in book["households"]:
        household.update(commune_code="00142", village_code="TDP04", as_of="2024-06-30")
    book["events"] = [e for e in book["events"] if e["event_id"] != "E5"]
    book["events"][0]["event_date"] = "2023-03-10"  # the birth
    book["events"][1]["event_date"] = "2025-01-02"  # newborn screening, after the reform
    for person in book["persons"]:
        if person["person_id"] == "P5":
            person.update(birth_date="2023-03-10", registered_on="2023-03-10")
    return book


@pytest.fixture
def group(db: None) -> UnitVersion:
    village = units.village_create(
        commune=unit_at(Level.COMMUNE, SAI_DONG, date(2024, 6, 30)),
        code=GROUP,
        name="Tổ dân phố 4",
        type="tổ dân phố",
        valid_from=date(2023, 5, 7),
    )
    return village.versions.get()


@pytest.mark.django_db
def test_sai_dong_closed_on_31_12_2024_with_two_partial_successors() -> None:
    sai_dong = unit_at(Level.COMMUNE, SAI_DONG, date(2024, 12, 31))
    assert sai_dong.valid_to == date(2024, 12, 31)
    successors = {
        (link.successor.versions.filter(valid_on(date(2025, 1, 1))).get().code, link.partial)
        for link in sai_dong.successions_out.all()
    }
    assert successors == {(PHUC_LOI, True), (PHUC_DONG, True)}


@pytest.mark.django_db
def test_an_event_after_the_reform_in_an_unplaced_group_names_the_group_the_wards_and_the_command(
    group: UnitVersion, tmp_path: Path
) -> None:
    report = register_import(write_book(tmp_path / "book", _book()), dry_run=True)
    errors = [p for p in report.problems if p.severity == "error"]
    assert [(p.file, p.column) for p in errors] == [("events.csv", "event_date")]
    message = errors[0].message
    assert "Tổ dân phố 4 (00142-TDP04)" in message
    assert "31/12/2024" in message
    assert "Phường Sài Đồng" in message
    assert "Phường Phúc Lợi (00136" in message
    assert "Phường Phúc Đồng (00151" in message
    for ward in (PHUC_LOI, PHUC_DONG):
        assert (
            f"danso units move 00142-TDP04 --level village --parent 00{ward} "
            "--parent-level commune --date 2025-01-01"
        ) in message


@pytest.mark.django_db
def test_once_the_group_is_moved_to_phuc_loi_the_book_imports(
    group: UnitVersion, tmp_path: Path
) -> None:
    units.unit_move(
        unit=group.unit,
        parent=unit_at(Level.COMMUNE, PHUC_LOI, date(2025, 1, 1)),
        effective=date(2025, 1, 1),
        decision="Nghị quyết 1286/NQ-UBTVQH15",
    )
    report = register_import(write_book(tmp_path / "book", _book()))
    assert not report.has_errors, [p.message for p in report.problems]
    screening = Event.objects.get(event_date=date(2025, 1, 2))
    assert screening.unit_id == group.unit_id
    phuc_loi = UnitVersion.objects.get(
        valid_on(date(2025, 1, 2)), unit__level=Level.COMMUNE, code=PHUC_LOI
    )
    assert screening.path.startswith(phuc_loi.path)


@pytest.mark.django_db
def test_until_the_group_is_placed_the_wards_that_took_sai_dong_estimate_it_and_say_so(
    group: UnitVersion, tmp_path: Path
) -> None:
    from danso.indicators import cache
    from danso.indicators.periods import Period
    from danso.indicators.tallies import POPULATION

    book = _book()
    book["events"] = [e for e in book["events"] if e["event_date"] < "2025-01-01"]
    report = register_import(write_book(tmp_path / "book", book))
    assert not report.has_errors, [p.message for p in report.problems]
    march = Period.month_of(2025, 3)
    phuc_loi = UnitVersion.objects.get(
        valid_on(march.end), unit__level=Level.COMMUNE, code=PHUC_LOI
    )
    phuc_dong = UnitVersion.objects.get(
        valid_on(march.end), unit__level=Level.COMMUNE, code=PHUC_DONG
    )

    def population(version: UnitVersion) -> tuple[float, bool]:
        figures = cache.figures(version, march, tree_date=march.end)
        return figures.tally[POPULATION], any(v.estimated for v in figures.values)

    (loi, loi_estimated), (dong, dong_estimated) = population(phuc_loi), population(phuc_dong)
    assert loi_estimated
    assert dong_estimated
    assert loi + dong == pytest.approx(6)  # the group's six persons, shared between the two

    units.unit_move(unit=group.unit, parent=phuc_loi.unit, effective=date(2025, 1, 1))
    (loi, loi_estimated), (dong, dong_estimated) = population(phuc_loi), population(phuc_dong)
    assert (loi, loi_estimated, dong, dong_estimated) == (6, False, 0, False)
