"""Shared helpers for the population tests: a few officers of Hà Nội, tables built in
memory (CSV and real .xlsx through openpyxl) and figures with consistent age groups.

Units used (codes as on 30/06/2024, see tests/conftest.py):
commune 115 Phường Thượng Thanh and 118 Phường Ngọc Thụy (Quận Long Biên),
commune 4 Phường Trúc Bạch until 30/06/2025; from 1/7/2025 code 4 is Phường Ba Đình.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from openpyxl import Workbook

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.population.agegroups import group_labels
from danso.population.models import PopulationFigure
from danso.population.services import FigureInput, figure_save, template_headers
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import AFTER, BEFORE, unit_at

GROUPS = len(group_labels())  # 18 groups: 0-4 … 80-84, 85+

#: Age groups that add up to MALE and FEMALE (18 groups each).
MALE_AGES = [1000 + i for i in range(GROUPS)]
FEMALE_AGES = [1100 + i for i in range(GROUPS)]
MALE = sum(MALE_AGES)  # 18 153
FEMALE = sum(FEMALE_AGES)  # 19 953
TOTAL = MALE + FEMALE  # 38 106


def thuong_thanh() -> Unit:
    return unit_at(Level.COMMUNE, "115", BEFORE)


def ngoc_thuy() -> Unit:
    return unit_at(Level.COMMUNE, "118", BEFORE)


def truc_bach() -> Unit:
    return unit_at(Level.COMMUNE, "4", BEFORE)


def ba_dinh_2025() -> Unit:
    """The Phường Ba Đình formed on 1/7/2025 (commune code 4 from then on)."""
    return unit_at(Level.COMMUNE, "4", AFTER)


def consistent(year: int = 2024, **changes: Any) -> FigureInput:
    """A figure whose sexes and age groups add up, with ``changes`` applied."""
    figure = FigureInput(
        year=year,
        total=TOTAL,
        male=MALE,
        female=FEMALE,
        male_by_age=list(MALE_AGES),
        female_by_age=list(FEMALE_AGES),
        source="Niên giám thống kê",
    )
    return dataclasses.replace(figure, **changes)


def save(unit: Unit, year: int = 2024, **changes: Any) -> PopulationFigure:
    return figure_save(unit=unit, figure=consistent(year, **changes))


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    """A real .xlsx workbook whose first sheet holds ``rows`` (headers first)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return buffer.getvalue().encode("utf-8")


def template_row(
    code: str,
    name: str = "",
    year: int | None = 2024,
    *,
    level: str = "commune",
    total: object = TOTAL,
    male: object = MALE,
    female: object = FEMALE,
    source: str = "Niên giám thống kê",
) -> list[object]:
    """A row in the order of ``template_headers()``, with the consistent age groups."""
    return [level, code, name, year, total, male, female, *MALE_AGES, *FEMALE_AGES, source]


HEADERS: list[object] = [*template_headers()]


@pytest.fixture
def ward_officer(make_user: Callable[..., User]) -> User:
    """Commune officer of Phường Thượng Thanh (commune 115)."""
    return make_user("thuongthanh", Role.COMMUNE_OFFICER, Level.COMMUNE, "115")


@pytest.fixture
def hanoi_officer(make_user: Callable[..., User]) -> User:
    return make_user("hanoi", Role.PROVINCE_OFFICER, Level.PROVINCE, "1")


@pytest.fixture
def hanoi_viewer(make_user: Callable[..., User]) -> User:
    return make_user("xem", Role.VIEWER, Level.PROVINCE, "1")
