"""Benchmark of the refusal of hostile files (issue 12; `make bench`).

For each hostile file of the issue, prints how long danso's reader takes to refuse it and
its peak memory, each in a child process whose memory is capped at 2 GB
(``tests.security.hostile.run_isolated``), beside two references in the same run:

- the least any reader must do with the file (list a .zip's directory; open a workbook
  read-only without reading a row);
- the reader without limits (Python's csv over the unpacked member; openpyxl in its usual
  mode giving every value of the sheet), stopped after ``--patience`` seconds or
  at the memory cap.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.test")

import django  # noqa: E402

django.setup()

from tests.security.hostile import (  # noqa: E402
    READ_BOOK,
    READ_TABLE,
    far_cell_workbook,
    run_isolated,
    zip_bomb,
)

ZIP_DIRECTORY = """
import zipfile
zipfile.ZipFile(sys.argv[1]).infolist()
"""
ZIP_UNPACK = """
import csv, io, zipfile
csv.field_size_limit(1 << 31)
with zipfile.ZipFile(sys.argv[1]).open("events.csv") as member:
    for _row in csv.reader(io.TextIOWrapper(member, encoding="utf-8")):
        pass
"""
XLSX_OPEN = """
from openpyxl import load_workbook
load_workbook(sys.argv[1], read_only=True, data_only=True).worksheets[0].max_row
"""
XLSX_READ = """
from openpyxl import load_workbook
for _row in load_workbook(sys.argv[1], data_only=True).worksheets[0].values:
    pass
"""


def line(label: str, result: dict[str, object]) -> None:
    outcome = str(result["outcome"])
    seconds = float(str(result["seconds"]))
    peak = float(str(result["peak_mb"]))
    shown = f">{seconds:.0f} s (stopped)" if outcome == "timeout" else f"{seconds * 1000:9.1f} ms"
    print(f"  {label:<46} {shown:>18}  peak {peak:7.1f} MB  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patience", type=float, default=20.0, help="seconds for a reader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bomb = zip_bomb(Path(folder) / "so-a0.zip")
        print(f"zip bomb: {bomb.stat().st_size / 1e6:.1f} MB, events.csv unpacks to 1 GiB")
        line("danso: exchange.open_book, every table", run_isolated(READ_BOOK, str(bomb)))
        line("reference: list the .zip's directory", run_isolated(ZIP_DIRECTORY, str(bomb)))
        line(
            "reference: csv.reader over events.csv (no limit)",
            run_isolated(ZIP_UNPACK, str(bomb), timeout=args.patience),
        )

        workbook = Path(folder) / "dan-so.xlsx"
        workbook.write_bytes(far_cell_workbook())
        print(f"workbook: {workbook.stat().st_size / 1e3:.0f} KB, one cell at XFD1048576")
        line("danso: tables.read_table", run_isolated(READ_TABLE, str(workbook)))
        line("reference: open read-only, no row read", run_isolated(XLSX_OPEN, str(workbook)))
        line(
            "reference: openpyxl, usual mode, every value",
            run_isolated(XLSX_READ, str(workbook), timeout=args.patience),
        )


if __name__ == "__main__":
    main()
