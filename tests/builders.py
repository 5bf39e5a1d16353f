"""A declarative builder for small unit trees in tests.

    tree = build_tree({
        ("province", "99", "Tỉnh Thử", "tỉnh"): {
            ("district", "991", "Huyện Một", "huyện"): {
                ("commune", "90001", "Xã An", "xã"): {},
            },
        },
    })
    tree["90001"]  # the Unit

Codes 97–99 (provinces), 974–999 (districts), 90000–99999 (communes) are not used by
the official lists, so built trees never clash with the reference data.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from danso.units import services
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on

Spec = dict[tuple[str, str, str, str], Any]
START = date(2023, 6, 1)


def country() -> Unit:
    return UnitVersion.objects.filter(valid_on(START), unit__level=Level.COUNTRY).get().unit


def build_tree(
    spec: Spec, *, parent: Unit | None = None, valid_from: date = START
) -> dict[str, Unit]:
    """Create the units of ``spec`` (through the services) and return them by code."""
    parent = parent or country()
    made: dict[str, Unit] = {}
    for (level, code, name, unit_type), below in spec.items():
        unit = services.unit_create(
            level=Level(level),
            parent=parent,
            code=code,
            name=name,
            type=unit_type,
            valid_from=valid_from,
        )
        made[code] = unit
        made.update(build_tree(below, parent=unit, valid_from=valid_from))
    return made
