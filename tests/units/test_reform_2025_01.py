"""Hà Nội's mergers of 1/1/2025 (NQ 1286/NQ-UBTVQH15): the successions of the compiled
table ``data/units/hanoi_commune_conversion_2025-01-01.csv``, loaded with the reference
data (the session's database holds them, as ``danso setup`` leaves them)."""

import json
import shutil
from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from danso.units import selectors
from danso.units.codes import Level
from danso.units.imports import conversion_import, reference_load
from danso.units.models import ReferenceDataset, UnitChange, UnitSuccession, UnitVersion
from danso.units.reference import build_plan, infer_successions, read_manifest
from danso.units.scope import UnitScope

pytestmark = pytest.mark.django_db

LAST_DAY = date(2024, 12, 31)
REFORM = date(2025, 1, 1)
TABLE = "hanoi_commune_conversion_2025-01-01.csv"
DATASET = f"conversion:{TABLE}"


def hanoi_closed_on(day: date) -> list[UnitVersion]:
    scope = UnitScope.system(day)
    hanoi = selectors.resolve_code(Level.PROVINCE, "01", scope)
    return list(
        UnitVersion.objects.filter(
            path__startswith=hanoi.path, unit__level=Level.COMMUNE, valid_to=day
        )
        .filter(unit__valid_to=day)
        .select_related("unit")
    )


# ------------------------------------------------------------------ acceptance


def test_sai_dong_went_in_part_to_phuc_loi_and_phuc_dong(run_cli: Callable[..., Any]) -> None:
    # given the reference data loaded; when the successors of Sài Đồng are asked
    out = run_cli("units", "successors", "142", "--level", "commune", "--date", "2024-12-31")
    # then both wards that took a part of it are listed, each as partial
    assert out["unit"]["name"] == "Phường Sài Đồng"
    assert [(s["code"], s["name"], s["partial"]) for s in out["successors"]] == [
        ("00136", "Phường Phúc Lợi", True),
        ("00151", "Phường Phúc Đồng", True),
    ]
    assert {s["effective"] for s in out["successors"]} == {"2025-01-01"}


def test_the_text_output_names_both_successors() -> None:
    out = StringIO()
    call_command(
        "units", "successors", "142", "--level", "commune", "--date", "2024-12-31", stdout=out
    )
    text = out.getvalue()
    assert "Phường Phúc Lợi" in text
    assert "Phường Phúc Đồng" in text
    assert text.count("partial") == 2


def test_every_hanoi_commune_closed_on_31_12_2024_has_a_successor() -> None:
    # given the 53 communes of Hà Nội that the snapshots close on 31/12/2024
    closed = hanoi_closed_on(LAST_DAY)
    assert len(closed) == 53
    # then each has at least one successor from 1/1/2025, standing on that day
    for version in closed:
        links = selectors.successors(version.unit)
        assert links, f"{version.name} ({version.display_code}) has no successor"
        for link in links:
            assert link.succession.effective == REFORM
            assert link.version.covers(REFORM)
            assert link.version.unit.level == Level.COMMUNE


def test_the_successions_record_the_resolution() -> None:
    sai_dong = selectors.resolve_code(Level.COMMUNE, "142", UnitScope.system(LAST_DAY))
    change = UnitSuccession.objects.filter(predecessor=sai_dong.unit).first()
    assert change is not None
    assert change.change.kind == UnitChange.Kind.CONVERSION
    assert change.change.decision.startswith("Nghị quyết 1286/NQ-UBTVQH15 ngày 14/11/2024")
    assert TABLE in change.change.description


def test_a_commune_merged_whole_has_one_whole_successor() -> None:
    # Quốc Tử Giám went wholly into Văn Miếu, renamed Văn Miếu - Quốc Tử Giám
    quoc_tu_giam = selectors.resolve_code(Level.COMMUNE, "184", UnitScope.system(LAST_DAY))
    links = selectors.successors(quoc_tu_giam.unit)
    assert [(link.version.name, link.succession.partial) for link in links] == [
        ("Phường Văn Miếu - Quốc Tử Giám", False)
    ]


# ------------------------------------------------------------------ loading


def test_the_table_has_its_own_dataset_and_no_notes() -> None:
    spec = read_manifest(settings.REFERENCE_MANIFEST).supplements[0]
    dataset = ReferenceDataset.objects.get(name=DATASET)
    assert dataset.checksum == spec.checksum()
    # the table covers Hà Nội only: no line about the communes of other provinces
    assert dataset.problems == []


def test_the_supplement_leaves_the_main_checksum_as_it_was(tmp_path: Path) -> None:
    # given the manifest without the supplementary entry (as installed before it existed)
    raw = json.loads(settings.REFERENCE_MANIFEST.read_text(encoding="utf-8"))
    folder = settings.REFERENCE_MANIFEST.parent
    raw["conversions"] = [c for c in raw["conversions"] if not c.get("supplement")]
    for item in raw["snapshots"] + raw["conversions"]:
        item["file"] = str(folder / item["file"])
    raw["geometries"] = []
    before = tmp_path / "MANIFEST.json"
    before.write_text(json.dumps(raw), encoding="utf-8")
    # then its checksum is the one of today's manifest, and the one installed
    now = read_manifest(settings.REFERENCE_MANIFEST)
    assert len(now.supplements) == 1
    assert read_manifest(before).checksum() == now.checksum()
    assert ReferenceDataset.objects.get(name="units").checksum == now.checksum()


def test_an_installation_loaded_before_gets_the_table_on_its_next_setup() -> None:
    # given an installation whose reference data was loaded before the table existed
    change = UnitChange.objects.get(description__contains=TABLE)
    UnitSuccession.objects.filter(change=change).delete()
    change.delete()
    ReferenceDataset.objects.filter(name=DATASET).delete()
    sai_dong = selectors.resolve_code(Level.COMMUNE, "142", UnitScope.system(LAST_DAY))
    assert selectors.successors(sai_dong.unit) == []
    # when `danso setup` loads the reference data again
    result = reference_load(settings.REFERENCE_MANIFEST)
    # then the main data set is left alone and the table is applied
    assert not result.loaded
    assert result.supplements == (TABLE,)
    assert result.supplement_successions == 55
    assert len(selectors.successors(sai_dong.unit)) == 2
    # and once only
    again = reference_load(settings.REFERENCE_MANIFEST)
    assert (again.supplements, again.supplement_successions, again.proposals) == ((), 0, 0)


def test_a_changed_table_is_refused(tmp_path: Path) -> None:
    # given the same main files and a table of the same name whose rows changed
    raw = json.loads(settings.REFERENCE_MANIFEST.read_text(encoding="utf-8"))
    folder = settings.REFERENCE_MANIFEST.parent
    for item in raw["snapshots"] + raw["conversions"]:
        if not item.get("supplement"):
            item["file"] = str(folder / item["file"])
    raw["geometries"] = []
    shutil.copy(folder / TABLE, tmp_path / TABLE)
    with (tmp_path / TABLE).open("a", encoding="utf-8") as table:
        table.write("142,4,1,1,145,1,Phường Sài Đồng,Phường Long Biên,thử\n")
    manifest = tmp_path / "MANIFEST.json"
    manifest.write_text(json.dumps(raw), encoding="utf-8")
    # then loading refuses it, naming the file
    with pytest.raises(ValidationError, match=TABLE):
        reference_load(manifest)


def test_a_table_of_one_province_warns_only_about_that_province() -> None:
    # given a commune of another province closed on 31/12/2024 and its inferred successor
    plan = build_plan(read_manifest(settings.REFERENCE_MANIFEST))
    hanoi = selectors.resolve_code(Level.PROVINCE, "01", UnitScope.system(LAST_DAY))
    for link in infer_successions(plan.entities, last_day=LAST_DAY):
        old = selectors.resolve_code(Level.COMMUNE, link.predecessor[2], UnitScope.system(LAST_DAY))
        if not old.path.startswith(hanoi.path):
            break
    new = selectors.resolve_code(Level.COMMUNE, link.successor[2], UnitScope.system(REFORM))
    province_path = ".".join(old.path.split(".")[:2]) + "."
    table = (
        "old_commune_code,old_district_code,old_province_code,old_partly_merged,"
        f"new_commune_code,new_province_code\n{old.code},,,0,{new.code},\n"
    )
    # when it is checked as a conversion table of 1/1/2025
    report = conversion_import(table.encode(), file_name="t.csv", effective=REFORM, dry_run=True)
    # then the warnings name the other closed communes of that province, and no other
    assert report.errors == []
    warned = [p.message for p in report.problems]
    others = [
        v
        for v in UnitVersion.objects.filter(
            path__startswith=province_path, unit__level=Level.COMMUNE, valid_to=LAST_DAY
        ).filter(unit__valid_to=LAST_DAY)
        if v.unit_id != old.unit_id
    ]
    assert others
    assert len(warned) == len(others)
    assert all(any(v.name in message for message in warned) for v in others)
