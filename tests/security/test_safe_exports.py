"""Safe exports (issue 12): no text that danso writes to an .xlsx or a CSV file becomes a
formula in a spreadsheet program (OWASP, "CSV injection").

In a workbook such text is a text cell (``data_type`` "s", never "f"); in a CSV file a
field beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'``, which the exchange format's reader takes off again.  Numbers stay numbers,
negative ones included.  ``test_every_exporter_writes_text_as_text`` walks every
exporter with hostile names."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators.dashboard import ranking_workbook
from danso.indicators.engine import UnitFigures, Value
from danso.indicators.periods import Period
from danso.plans.document import (
    AllocationColumn,
    AllocationRow,
    Appendix,
    PlanDocument,
    TargetKind,
)
from danso.plans.writing.excel import appendices_xlsx
from danso.population.exports import figures_workbook
from danso.population.models import PopulationFigure
from danso.projections.exports import projection_workbook
from danso.projections.method import BUILTIN_SCENARIOS, project
from danso.projections.models import Projection, Scenario
from danso.register import exchange
from danso.register.exporting import register_export
from danso.register.importing import register_import
from danso.register.models import AccessLog, Event, Household, Person
from danso.register.privacy_exports import access_log_workbook, person_workbook
from danso.reports.inbox import incoming, incoming_workbook
from danso.reports.models import ReportType
from danso.reports.output import report_xlsx
from danso.reports.services import report_open, report_text_set, report_types_load
from danso.spreadsheets import append_row, safe_row, safe_text, unquote_text, write_cell
from danso.units import services as units
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from tests.conftest import BEFORE, EARLY_2025, unit_at
from tests.projections.test_method import sweden
from tests.register.conftest import HANDMADE

HYPERLINK = '=HYPERLINK("http://x","y")'
CALC = "=cmd|' /C calc'!A0"
#: Text that a spreadsheet program would run, one of each kind OWASP lists.
HOSTILE = (HYPERLINK, CALC, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1")
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def formula_cells(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def texts(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return {
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    }


def unescaped_fields(folder: Path) -> list[str]:
    """Fields of the CSV files in ``folder`` that a spreadsheet would read as formulas."""
    found = []
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as stream:
            for line, row in enumerate(csv.reader(stream), start=1):
                found += [
                    f"{path.name}:{line}:{field!r}"
                    for field in row
                    if field.startswith(DANGEROUS) and not _number(field)
                ]
    return found


def _number(field: str) -> bool:
    """A number written as text ("-3", "+84912345678", "-1,5"): no formula."""
    return (
        re.fullmatch(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?", field) is not None
    )


# ---------------------------------------------------------------- the helper


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_text_that_looks_like_a_formula_is_quoted_and_read_back(text: str) -> None:
    written = safe_text(text)
    assert written == "'" + text
    assert unquote_text(written) == text


@pytest.mark.parametrize(
    "text", ["Nguyễn Văn An", "", "'", "'quoted", "''=x", "'=x", "-", "O'Brien", "1 - 2"]
)
def test_every_text_survives_a_round_trip(text: str) -> None:
    written = safe_text(text)
    assert not written.startswith(DANGEROUS) or _number(written) or written == "-"
    assert unquote_text(written) == text


@given(st.text())
def test_any_text_survives_a_round_trip_and_starts_no_formula(text: str) -> None:
    written = safe_text(text)
    assert unquote_text(written) == text
    assert not written.startswith(DANGEROUS) or _number(written)


@given(st.lists(st.one_of(st.text(), st.integers(), st.none())))
def test_a_row_is_written_as_its_cells_are(cells: list[str | int | None]) -> None:
    assert safe_row(cells) == [safe_text(cell) for cell in cells]


def test_numbers_stay_numbers() -> None:
    assert safe_text(-3) == "-3"
    assert safe_text(-0.5) == "-0.5"
    assert safe_text(Decimal("-12.50")) == "-12.50"
    assert safe_text("-3") == "-3"  # a number written as text is no formula
    assert safe_text(None) == ""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append_row(sheet, [-3, -0.5, Decimal("-1.5"), CALC, None, date(2024, 1, 2)])
    cell = write_cell(sheet, 2, 1, HYPERLINK)
    assert [c.data_type for c in sheet[1][:4]] == ["n", "n", "n", "s"]
    assert (sheet["A1"].value, sheet["D1"].value) == (-3, CALC)
    assert (cell.data_type, cell.value) == ("s", HYPERLINK)


def test_a_write_only_workbook_writes_text_as_text(tmp_path: Path) -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("persons")
    append_row(sheet, ["full_name", "count"])
    append_row(sheet, [CALC, -2])
    buffer = io.BytesIO()
    book.save(buffer)
    assert formula_cells(buffer.getvalue()) == []
    assert CALC in texts(buffer.getvalue())


# ---------------------------------------------------------------- what the issue found


@pytest.fixture
def hostile_village(db: None) -> Unit:
    """A village of Phường Ngọc Thụy named as a formula, with a figure for 2024."""
    village = units.village_create(
        commune=unit_at(Level.COMMUNE, "118", BEFORE),
        code="118-X1",
        name=HYPERLINK,
        type="tổ dân phố",
        valid_from=date(2024, 1, 1),
    )
    PopulationFigure.objects.create(
        unit=village, year=2024, total=100, male=50, female=50, source=CALC
    )
    return village


def test_the_population_command_writes_a_village_named_as_a_formula_as_text(
    hostile_village: Unit, tmp_path: Path
) -> None:
    output = tmp_path / "dan-so.xlsx"
    call_command(
        "population", "export", "--year", "2024", "--level", "village", "--date", "2024-06-30",
        "--output", str(output), stdout=io.StringIO(),
    )  # fmt: skip
    content = output.read_bytes()
    assert formula_cells(content) == []
    assert {HYPERLINK, CALC} <= texts(content)


def test_the_population_screen_writes_a_village_named_as_a_formula_as_text(
    hostile_village: Unit, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    client = client_for(make_user("ngocthuy", Role.COMMUNE_OFFICER, Level.COMMUNE, "118"))
    response = client.get(
        reverse("population:export"), {"level": "village", "year": "2024", "date": "2024-06-30"}
    )
    assert response.status_code == 200
    assert formula_cells(response.content) == []
    assert HYPERLINK in texts(response.content)


@pytest.mark.django_db
def test_the_register_command_writes_a_name_as_a_formula_escaped(tmp_path: Path) -> None:
    assert not register_import(HANDMADE).errors
    Person.objects.filter(pk=Person.objects.order_by("pk").first().pk).update(full_name=CALC)  # type: ignore[union-attr]
    call_command(
        "register", "export", "--unit", "118", "--level", "commune", "--date", "2024-06-30",
        "--output", str(tmp_path), stdout=io.StringIO(),
    )  # fmt: skip
    assert unescaped_fields(tmp_path) == []
    with (tmp_path / "persons.csv").open(encoding="utf-8", newline="") as stream:
        names = [row["full_name"] for row in csv.DictReader(stream)]
    assert "'" + CALC in names


# ---------------------------------------------------------------- every exporter


def _version(name: str, level: Level = Level.COMMUNE, code: str = "00118") -> UnitVersion:
    return UnitVersion(
        unit=Unit(level=level), name=name, code=code, type="phường", valid_from=BEFORE
    )


def population_workbook() -> bytes:
    figure = PopulationFigure(year=2024, total=10, male=5, female=5, source=CALC, open_age=80)
    return figures_workbook([(_version(HYPERLINK), figure), (_version(CALC), None)])


def dashboard_workbook() -> bytes:
    period = Period.parse("2024")
    values = [Value("CBR", -1.5, -3, 2, source=CALC)]
    child = UnitFigures(_version(CALC), period, cast(Any, {"P": 7}), values)
    figures = UnitFigures(_version(HYPERLINK, Level.DISTRICT, "004"), period, cast(Any, {}), values)
    figures.children.append(child)
    names = dict.fromkeys(("CBR", "CDR", "TFR", "SRB", "NEWFP", "CPR", "RNI"), HYPERLINK)
    return ranking_workbook(figures, BEFORE, cast(Any, _Names(names)))


class _Names(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return HYPERLINK


def projections_workbook() -> bytes:
    inputs = sweden()
    inputs = type(inputs)(**{**inputs.__dict__, "migration_male": (-5.0,) * len(inputs.male)})
    result = project(inputs, BUILTIN_SCENARIOS["constant"], date(1993, 1, 1), 1995)
    projection = Projection(base_date=date(1993, 1, 1), inputs=inputs.as_dict())
    scenario = Scenario(projection=projection, name=CALC, results=result.as_dict())
    return projection_workbook(HYPERLINK, [scenario])


def plan_workbook() -> bytes:
    column = AllocationColumn(
        key="NEWFP", indicator="NEWFP", kind=TargetKind.COUNT_MIN, unit="người", header=HYPERLINK
    )
    row = AllocationRow(line=1, unit_name=CALC, values={"NEWFP": Decimal(-3)}, number="1")
    appendix = Appendix(number=1, title=HYPERLINK, columns=[column], rows=[row])
    return appendices_xlsx(PlanDocument(title=CALC, appendices=[appendix]))


def privacy_workbooks() -> list[bytes]:
    person = Person(
        full_name=CALC,
        sex="F",
        birth_date=date(1990, 1, 1),
        id_number="+84912345678",
        ethnicity=HYPERLINK,
        registered_on=date(2021, 1, 1),
        source_id="@P1",
    )
    entry = AccessLog(reason=CALC, description=HYPERLINK, path="=1+1", count=-1)
    return [person_workbook(person, [], [], [entry]), access_log_workbook([entry])]


def exchange_workbook(tmp_path: Path) -> bytes:
    path = tmp_path / "book.xlsx"
    exchange.write_workbook(path, {"persons": (["person_id", "full_name"], [["P1", CALC]])})
    return path.read_bytes()


def hostile_names(on: date) -> None:
    """Name Long Biên and its wards as formulas, on ``on`` (in the test's transaction)."""
    district = unit_at(Level.DISTRICT, "4", on)
    UnitVersion.objects.filter(valid_on(on), unit=district).update(name=HYPERLINK)
    UnitVersion.objects.filter(valid_on(on), parent_id=district.pk).update(name=CALC)


def report_workbooks() -> list[bytes]:
    report_types_load()
    types = {t.code: t for t in ReportType.objects.all()}
    hostile_names(EARLY_2025)
    ward = unit_at(Level.COMMUNE, "121", EARLY_2025)
    report = report_open(
        actor=SYSTEM, report_type=types["commune-quarterly"], unit=ward, period="2025Q1"
    )
    report_text_set(actor=SYSTEM, report=report, key="assessment", text=CALC)
    long_bien = unit_at(Level.DISTRICT, "4", EARLY_2025)
    district = report_open(
        actor=SYSTEM, report_type=types["district-quarterly"], unit=long_bien, period="2025Q1"
    )
    version = UnitVersion.objects.filter(valid_on(EARLY_2025), unit=long_bien).get()
    found = incoming(types["commune-quarterly"], version, Period.parse("2025Q1"))
    return [report_xlsx(report), report_xlsx(district), incoming_workbook(found)]


@pytest.fixture
def every_workbook(db: None, tmp_path: Path) -> dict[str, bytes]:
    books = {
        "population": population_workbook(),
        "dashboard": dashboard_workbook(),
        "projections": projections_workbook(),
        "plans": plan_workbook(),
        "exchange": exchange_workbook(tmp_path),
    }
    person, log = privacy_workbooks()
    books |= {"privacy person": person, "privacy log": log}
    commune, district, inbox = report_workbooks()
    books |= {"report": commune, "report by unit": district, "inbox": inbox}
    return books


def test_every_exporter_writes_text_as_text(every_workbook: dict[str, bytes]) -> None:
    for name, content in every_workbook.items():
        assert formula_cells(content) == [], name
        assert texts(content) & {HYPERLINK, CALC}, name  # the hostile text is there, as text


def test_negative_numbers_stay_numbers_in_workbooks(every_workbook: dict[str, bytes]) -> None:
    book = load_workbook(io.BytesIO(every_workbook["projections"]))
    negative = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, int | float) and cell.value < 0
    ]
    assert negative
    assert {cell.data_type for cell in negative} == {"n"}


@pytest.mark.django_db
def test_the_register_export_escapes_every_text_field(tmp_path: Path) -> None:
    assert not register_import(HANDMADE).errors
    households = list(Household.objects.order_by("pk")[:2])
    for text, household in zip(HOSTILE, households, strict=False):
        Household.objects.filter(pk=household.pk).update(address=text, extra={"ghi_chu": text})
    for text, person in zip(HOSTILE, Person.objects.order_by("pk"), strict=False):
        Person.objects.filter(pk=person.pk).update(full_name=text, ethnicity=text)
    for text, event in zip(HOSTILE, Event.objects.order_by("pk"), strict=False):
        Event.objects.filter(pk=event.pk).update(note=text)
    register_export(unit_at(Level.COMMUNE, "118", BEFORE), BEFORE, tmp_path, user=SYSTEM)
    assert unescaped_fields(tmp_path) == []
