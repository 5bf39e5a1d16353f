"""How every screen names the population it shows: there are two, never shown unnamed.

- the **register's** count: the persons registered in the unit on a day (the period's
  reference date), ``register_population``;
- the **official** population figure of a year, with its source (``PopulationFigure``),
  ``official_population``.

One function each, used wherever a population appears (the dashboards, the unit pages,
the projections), so that both are written the same way everywhere.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _


def register_population(day: date) -> str:
    """ "Dân số theo sổ (ngày 01/07/2024)"."""
    return _("Population in the register (on %(day)s)") % {"day": f"{day:%d/%m/%Y}"}


def official_population(year: int, source: str = "") -> str:
    """ "Dân số chính thức năm 2024 (nguồn: Cục Thống kê)"."""
    if source.strip():
        return _("Official population %(year)s (source: %(source)s)") % {
            "year": year,
            "source": source.strip(),
        }
    return _("Official population %(year)s (source not given)") % {"year": year}


def official_heading() -> str:
    """The heading of a column of official figures of different years (each cell says
    its year)."""
    return _("Official population (year, source)")
