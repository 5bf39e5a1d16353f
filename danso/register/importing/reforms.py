"""Why a household's unit does not exist on an event's day, when a reform closed it.

A village (tổ dân phố, thôn) closes with its commune when the commune is split or
absorbed by more than one successor: nobody but the commune knows which successor took
the group (``docs/units.md``).  Until the group is moved, events after the reform
cannot count anywhere, and the importer refuses them.  The refusal must say what to do:
which group, which successors, and the command (or the screen) that places it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from danso.register.importing.batch import ImportBatch
from danso.register.importing.records import day_text
from danso.units import selectors
from danso.units.codes import Level, display_code
from danso.units.models import Unit, UnitVersion


@dataclass(frozen=True)
class _Closed:
    name: str
    code: str  # the village's code as the CLI takes it, or the commune's
    is_village: bool
    commune: str
    closed: date
    successors: tuple[tuple[str, str, bool], ...]  # (name, code, partial)
    commands: tuple[str, ...] = ()  # the ``danso units move`` that places the group


def closed_unit_reason(batch: ImportBatch, unit_id: int, day: int) -> str:
    """The refusal of an event on ``day`` of a household in ``unit_id`` (a village of
    danso, a village this book creates, or a commune) that does not exist that day."""
    plain = _("The household's unit does not exist on %(day)s.") % {"day": day_text(day)}
    closed = _closed(batch, unit_id)
    if closed is None or day <= closed.closed.toordinal():
        return plain
    reform = closed.closed.toordinal() + 1
    if not closed.successors:
        return _(
            "%(plain)s %(commune)s closed on %(closed)s and danso knows no successor of it: "
            "record its successors (danso units import-conversion) and place its groups."
        ) % {
            "plain": plain,
            "commune": closed.commune,
            "closed": day_text(closed.closed.toordinal()),
        }
    successors = ", ".join(
        (_("%(name)s (%(code)s, in part)") if partial else _("%(name)s (%(code)s)"))
        % {"name": name, "code": code}
        for name, code, partial in closed.successors
    )
    if not closed.is_village:
        return _(
            "%(plain)s %(commune)s closed on %(closed)s; it went to %(successors)s. "
            "Give the household the commune it belongs to after the reform."
        ) % {
            "plain": plain,
            "commune": closed.commune,
            "closed": day_text(closed.closed.toordinal()),
            "successors": successors,
        }
    if unit_id < 0:
        return _(
            "%(plain)s %(village)s lies in %(commune)s, which closed on %(closed)s and went "
            "to %(successors)s: say in units.csv (village_id, valid_from) which of them "
            "the group belongs to from %(day)s."
        ) % {
            "plain": plain,
            "village": closed.name,
            "commune": closed.commune,
            "closed": day_text(closed.closed.toordinal()),
            "successors": successors,
            "day": day_text(reform),
        }
    commands = _(" or ").join(closed.commands)
    return _(
        "%(plain)s %(village)s (%(code)s) closed on %(closed)s with %(commune)s, which went "
        "to %(successors)s. Move the group to the commune that took it from %(day)s "
        "(Units → Groups to place after a reform, or %(commands)s), then import again."
    ) % {
        "plain": plain,
        "village": closed.name,
        "code": closed.code,
        "closed": day_text(closed.closed.toordinal()),
        "commune": closed.commune,
        "successors": successors,
        "day": day_text(reform),
        "commands": commands,
    }


def _closed(batch: ImportBatch, unit_id: int) -> _Closed | None:
    """The unit's closure with its commune, read once a unit per import."""
    if unit_id not in batch.closures:
        batch.closures[unit_id] = _read_closure(batch, unit_id)
    closed: _Closed | None = batch.closures[unit_id]
    return closed


def _read_closure(batch: ImportBatch, unit_id: int) -> _Closed | None:
    if unit_id < 0:
        village = next((v for v in batch.villages.values() if v.unit_id == unit_id), None)
        segments = batch.segments.get(unit_id) or []
        if village is None or not segments:
            return None
        commune_id = segments[-1][2]
        commune = UnitVersion.objects.filter(unit_id=commune_id).order_by("-valid_from").first()
        if commune is None or commune.valid_to is None:
            return None
        return _Closed(
            village.name,
            village.unit_code,
            True,
            commune.name,
            commune.valid_to,
            _successors(commune.unit_id),
        )
    last = UnitVersion.objects.filter(unit_id=unit_id).order_by("-valid_from").first()
    if last is None or last.valid_to is None:
        return None
    if last.unit.level == Level.COMMUNE:
        return _Closed(
            last.name,
            display_code(Level.COMMUNE, last.code),
            False,
            last.name,
            last.valid_to,
            _successors(unit_id),
        )
    found = selectors.villages_to_place(village_ids=[unit_id])
    if not found:
        return None  # the village itself was closed, not with its commune
    place = found[0]
    return _Closed(
        place.village.name,
        place.village.display_code,
        True,
        place.commune.name,
        place.last_day,
        tuple(
            (option.version.name, option.version.display_code, option.partial)
            for option in place.successors
        ),
        tuple(place.commands),
    )


def _successors(commune_id: int) -> tuple[tuple[str, str, bool], ...]:
    return tuple(
        (link.version.name, link.version.display_code, link.succession.partial)
        for link in selectors.successors(Unit(pk=commune_id))
    )
