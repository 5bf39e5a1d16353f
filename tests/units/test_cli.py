"""The CLI contract of `danso units` (used by acceptance checks; keep it stable)."""

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError

pytestmark = pytest.mark.django_db
NODE_KEYS = {"code", "name", "level", "type", "valid_from", "valid_to"}


def test_tree_prints_the_node_with_children_to_the_depth(run_cli: Callable[..., Any]) -> None:
    out = run_cli("units", "tree", "--date", "2024-06-30", "--root", "1", "--level", "province")
    assert out["date"] == "2024-06-30"
    hanoi = out["unit"]
    assert set(hanoi) == NODE_KEYS | {"children"}
    assert (hanoi["code"], hanoi["level"]) == ("01", "province")
    assert len(hanoi["children"]) == 30
    assert all("children" not in child for child in hanoi["children"])
    assert [c["code"] for c in hanoi["children"]][:3] == ["001", "002", "003"]


def test_tree_depth_two_reaches_the_communes(run_cli: Callable[..., Any]) -> None:
    out = run_cli(
        "units",
        "tree",
        "--date",
        "2025-03-01",
        "--root",
        "01",
        "--level",
        "province",
        "--depth",
        "2",
    )
    communes = [c for d in out["unit"]["children"] for c in d["children"]]
    assert len(communes) == 526
    assert all(len(c["code"]) == 5 for c in communes)
    long_bien = next(d for d in out["unit"]["children"] if d["code"] == "004")
    assert len(long_bien["children"]) == 13


def test_tree_after_the_reform_and_of_the_whole_country(run_cli: Callable[..., Any]) -> None:
    hanoi = run_cli("units", "tree", "--date", "2025-08-01", "--root", "1", "--level", "province")[
        "unit"
    ]
    assert len(hanoi["children"]) == 126
    assert {c["level"] for c in hanoi["children"]} == {"commune"}
    country = run_cli("units", "tree", "--date", "2025-08-01")["unit"]
    assert len(country["children"]) == 34


def test_resolve_gives_the_unit_and_its_parent(run_cli: Callable[..., Any]) -> None:
    before = run_cli("units", "resolve", "4", "--level", "commune", "--date", "2024-06-30")
    assert before["name"] == "Phường Trúc Bạch"
    assert before["parent"] == {"code": "001", "name": "Quận Ba Đình", "level": "district"}
    after = run_cli("units", "resolve", "00004", "--level", "commune", "--date", "2025-08-01")
    assert after["name"] == "Phường Ba Đình"
    assert after["parent"]["code"] == "01"
    assert (after["valid_from"], after["valid_to"]) == ("2025-07-01", None)


def test_resolve_names_the_ranges_where_a_code_exists(run_cli: Callable[..., Any]) -> None:
    with pytest.raises(CommandError, match=r"07/05/2023–30/06/2025 \(Phường Điện Biên\)"):
        run_cli("units", "resolve", "19", "--level", "commune", "--date", "2025-08-01")


def test_successors_and_predecessors(run_cli: Callable[..., Any]) -> None:
    out = run_cli("units", "successors", "19", "--level", "commune", "--date", "2025-06-30")
    assert out["unit"]["name"] == "Phường Điện Biên"
    assert [(s["code"], s["partial"]) for s in out["successors"]] == [
        ("00004", True),
        ("00070", True),
        ("00190", True),
        ("00226", True),
    ]
    assert set(out["successors"][0]) >= {"code", "name", "level", "valid_from", "partial"}
    back = run_cli("units", "predecessors", "4", "--level", "commune", "--date", "2025-08-01")
    codes = {p["code"] for p in back["predecessors"] if p["level"] == "commune"}
    assert {"00004", "00019"} <= codes


def test_the_console_script_prints_exactly_one_json_document() -> None:
    # The real `danso` entry point, as a user runs it (on the test database's settings the
    # subprocess has no data, so ask for something that needs none: the help and an error).
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "danso.cli",
            "units",
            "resolve",
            "x",
            "--level",
            "commune",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={
            "DJANGO_SETTINGS_MODULE": "danso.settings.test",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": "sqlite:///:memory:",
        },
    )
    assert done.returncode != 0
    assert done.stdout == ""
    assert done.stderr.strip()


def test_search_from_the_cli(run_cli: Callable[..., Any]) -> None:
    out = run_cli("units", "search", "ung hoa", "--date", "2024-06-30", "--level", "district")
    assert out["results"][0]["name"] == "Huyện Ứng Hòa"
    assert out["results"][0]["path"] == ["Thành phố Hà Nội"]


def test_changes_from_the_cli_are_checked_and_recorded(run_cli: Callable[..., Any]) -> None:
    made = run_cli(
        "units",
        "create-village",
        "--commune",
        "115",
        "--code",
        "TT-01",
        "--name",
        "Tổ dân phố 1",
        "--type",
        "tổ dân phố",
        "--date",
        "2024-01-01",
    )
    assert made["unit"]["level"] == "village"
    renamed = run_cli(
        "units",
        "rename",
        "TT-01",
        "--level",
        "village",
        "--date",
        "2024-06-01",
        "--name",
        "Tổ dân phố số 1",
    )
    assert renamed["unit"]["name"] == "Tổ dân phố số 1"
    history = run_cli("units", "history", "TT-01", "--level", "village", "--date", "2024-06-01")
    assert [v["name"] for v in history["versions"]][:2] == ["Tổ dân phố 1", "Tổ dân phố số 1"]
    assert run_cli("units", "check") == {"problems": []}
