"""Population figures as an .xlsx workbook (the import template has the same columns)."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.styles import Font

from danso.population.agegroups import DEFAULT_OPEN_AGE, group_labels
from danso.population.models import PopulationFigure
from danso.population.services import template_headers
from danso.spreadsheets import append_row
from danso.units.models import UnitVersion


def figures_workbook(rows: Iterable[tuple[UnitVersion, PopulationFigure | None]]) -> bytes:
    """One row per unit; a unit without a figure gets an empty row to fill in (the import
    skips rows left empty).  The age columns follow the grid most figures use; a figure
    on another grid is written with its totals only, and re-importing the file keeps its
    stored age groups."""
    rows = list(rows)
    grids = Counter(f.open_age for _v, f in rows if f is not None and f.male_by_age)
    open_age = grids.most_common(1)[0][0] if grids else DEFAULT_OPEN_AGE
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "danso"
    headers = template_headers(open_age)
    append_row(sheet, headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    groups = len(group_labels(open_age))
    for version, figure in rows:
        line: list[object] = [version.unit.level, version.display_code, version.name]
        if figure is None:
            line += [None] * (len(headers) - 3)
        else:
            same_grid = figure.open_age == open_age
            line += [figure.year, figure.total, figure.male, figure.female]
            line += list(
                figure.male_by_age if same_grid and figure.male_by_age else [None] * groups
            )
            line += list(
                figure.female_by_age if same_grid and figure.female_by_age else [None] * groups
            )
            line.append(figure.source)
        append_row(sheet, line)
    sheet.freeze_panes = "D2"
    sheet.column_dimensions["C"].width = 32
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
