"""The writer of the synthetic register: ``generate`` checks the root, finds its
communes, makes villages where needed, simulates each commune's book
(``simulation.simulate_commune``, pure) and writes what it gives as rows of households,
placements, persons, memberships and events, then refreshes the planner's statistics.

Each event counts where ``register.services.event_record`` would count it: in the unit of
the household the simulation gives (the person's on the event's day; for a move within
the commune, the household left; for a birth, the mother's), with that unit's path on
that day.  The reference tree starts on 7 May 2023, so events of the book's first years
fall before the units exist: they take the path of the unit's first version (the tree
is the same one; the services would refuse to record them by hand, ``unit_path_on``
finding no version).  The models' history (django-simple-history) is not written for
generated rows.
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso.register.generation.bulk import Table
from danso.register.generation.parameters import NEVER, book_opening, profile_of
from danso.register.generation.records import IdNumbers
from danso.register.generation.simulation import CommuneRegister, simulate_commune
from danso.register.generation.summary import GenerationSummary, Progress
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from danso.register.planner import analyze_register
from danso.register.signals import register_changed
from danso.units import services as units
from danso.units.codes import Level, display_code
from danso.units.models import Unit, UnitVersion, valid_on
from danso.vietnamese import fold

SYNTHETIC = {"synthetic": True}
DECISION = "Dữ liệu minh họa do danso tạo, không phải số liệu chính thức"


@functools.cache
def _day(ordinal: int) -> date:
    return date.fromordinal(ordinal)


class _Paths:
    """The path of each village on a day, from its versions (a day before the village's
    first version takes the first version's path: see the module docstring)."""

    def __init__(self, village_ids: Sequence[int]) -> None:
        self.versions: dict[int, list[tuple[int, int, str]]] = {}
        rows = UnitVersion.objects.filter(unit_id__in=village_ids).order_by("valid_from")
        for unit_id, valid_from, valid_to, path in rows.values_list(
            "unit_id", "valid_from", "valid_to", "path"
        ):
            end = valid_to.toordinal() if valid_to else NEVER
            self.versions.setdefault(unit_id, []).append((valid_from.toordinal(), end, path))

    def on(self, unit_id: int, day: int) -> str:
        versions = self.versions[unit_id]
        for start, end, path in versions:
            if start <= day <= end:
                return path
        return versions[0][2] if day < versions[0][0] else versions[-1][2]


def _villages(
    commune: UnitVersion, households: int, opening: date, mid: date, rng: random.Random
) -> tuple[list[Unit], int, int]:
    """The villages of ``commune`` to fill (those valid on ``mid``, and new ones so that a
    village keeps at most about 400 households); with how many were created and reused."""
    profile = profile_of(commune.type)
    existing = [
        version.unit
        for version in UnitVersion.objects.filter(
            valid_on(mid), parent_id=commune.unit_id, unit__level=Level.VILLAGE
        )
        .select_related("unit")
        .order_by("code")
    ]
    wanted = max(1, round(households / rng.uniform(230, 320)), math.ceil(households / 400))
    villages = list(existing)
    prefix = f"{display_code(Level.COMMUNE, commune.code)}-"
    used = set(
        UnitVersion.objects.filter(unit__level=Level.VILLAGE, code__startswith=prefix).values_list(
            "code", flat=True
        )
    )
    number = len(existing)
    since = max(opening, commune.unit.valid_from)
    while len(villages) < wanted:
        number += 1
        code = f"{prefix}{profile.village_code}{number:02d}"
        if code in used:
            continue
        villages.append(
            units.village_create(
                commune=commune.unit,
                code=code,
                name=f"{profile.village_word} {number}",
                type=profile.village_type,
                valid_from=since,
                decision=DECISION,
            )
        )
    return villages, len(villages) - len(existing), len(existing)


def _write(book: CommuneRegister, villages: Sequence[Unit], stamp: str) -> tuple[int, Counter[str]]:
    """Insert the book's households, placements, persons, memberships and events; return
    the number of memberships and the events by type."""
    paths = _Paths([village.pk for village in villages])
    village_ids = [village.pk for village in villages]
    table = Table(Household, ["source_id", "number", "address", "unit_id", "extra"])
    synthetic = table.json(SYNTHETIC)
    household_ids = table.insert_returning(
        [
            (
                f"{stamp}-H{n:06d}",
                f"{house.number:03d}",
                house.address,
                village_ids[house.village],
                synthetic,
            )
            for n, house in enumerate(book.households, start=1)
        ]
    )
    Table(HouseholdPlacement, ["household_id", "unit_id", "valid_from"]).insert(
        [
            (household_ids[n], village_ids[house.village], _day(house.since))
            for n, house in enumerate(book.households)
        ]
    )
    table = Table(
        Person,
        [
            "source_id",
            "full_name",
            "name_folded",
            "sex",
            "birth_date",
            "ethnicity",
            "id_number",
            "marital_status",
            "residence_status",
            "registered_on",
            "extra",
        ],
    )
    person_ids = table.insert_returning(
        [
            (
                f"{stamp}-P{n:07d}",
                person.name,
                fold(person.name),
                person.sex,
                _day(person.born),
                person.ethnicity,
                person.id_number,
                person.marital,
                person.residence,
                _day(person.stays[0].start),
                synthetic,
            )
            for n, person in enumerate(book.persons, start=1)
        ]
    )
    memberships = [
        (
            person_ids[n],
            household_ids[stay.household],
            stay.relation,
            _day(stay.start),
            None if stay.end == NEVER else _day(stay.end),
        )
        for n, person in enumerate(book.persons)
        for stay in person.stays
    ]
    Table(Membership, ["person_id", "household_id", "relation", "valid_from", "valid_to"]).insert(
        memberships
    )
    table = Table(
        Event,
        [
            "source_id",
            "event_type",
            "event_date",
            "person_id",
            "unit_id",
            "path",
            "child_id",
            "child_sex",
            "birth_order",
            "method",
            "supply",
            "new_acceptor",
            "spouse_id",
            "extra",
        ],
    )
    counts: Counter[str] = Counter()
    rows = []
    source_ids = [f"{stamp}-H{n:06d}" for n in range(1, len(book.households) + 1)]
    for n, (event, house) in enumerate(book.events, start=1):
        unit_id = village_ids[book.households[house].village]
        extra = event.extra or {}
        target = extra.get("to_household_id")
        if target:
            extra = {**extra, "to_household_id": source_ids[int(target[1:])]}
        child = event.child
        rows.append(
            (
                f"{stamp}-E{n:07d}",
                str(event.kind),
                _day(event.day),
                person_ids[event.person],
                unit_id,
                paths.on(unit_id, event.day),
                None if child is None else person_ids[child],
                "" if child is None else book.persons[child].sex,
                event.birth_order,
                event.method,
                event.supply,
                event.new_acceptor,
                None if event.spouse is None else person_ids[event.spouse],
                table.json(extra),
            )
        )
        counts[event.kind] += 1
    table.insert(rows)
    return len(memberships), counts


def _has_register(path: str, mid: date) -> bool:
    below = UnitVersion.objects.filter(valid_on(mid), path__startswith=path).values("unit_id")
    return HouseholdPlacement.objects.filter(unit_id__in=below).exists()


def generate(
    root: Unit,
    year: int,
    *,
    seed: int,
    scale: float = 1.0,
    progress: Progress | None = None,
    tree_date: date | None = None,
) -> GenerationSummary:
    """Generate a synthetic register for the communes under ``root`` (a province, a
    district or a commune) as the tree stood on 1 July of ``year`` (or on ``tree_date``:
    30 June 2025 fills Long Biên's wards for 2025, the year its district was abolished,
    and their villages then carry the whole year): from the opening of the book
    (``book_opening(year)``) to 31 December of ``year``.

    ``scale`` multiplies the number of households (1.0: about 5,500 a ward, 3,000 a rural
    commune).  The same seed gives the same register.  Raises ``ValidationError`` when
    ``root`` does not exist on 1 July, is not a province, district or commune, or already
    has households in its register (nothing is written twice).
    """
    started = time.perf_counter()
    if not 0 < scale <= 10:
        raise ValidationError(_("The scale must be more than 0 and at most 10."))
    mid = tree_date or date(year, 7, 1)
    version = UnitVersion.objects.filter(unit=root).filter(valid_on(mid)).first()
    if version is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.") % {"name": str(root), "day": f"{mid:%d/%m/%Y}"}
        )
    if Level(root.level) not in (Level.PROVINCE, Level.DISTRICT, Level.COMMUNE):
        raise ValidationError(_("A register is generated for a province, a district or a commune."))
    if _has_register(version.path, mid):
        raise ValidationError(
            _("%(name)s already has households in its register: nothing was generated.")
            % {"name": version.name}
        )
    communes = sorted(
        UnitVersion.objects.filter(
            valid_on(mid), unit__level=Level.COMMUNE, path__startswith=version.path
        ).select_related("unit"),
        key=lambda v: int(v.code),
    )
    opening = book_opening(year)
    province_id = int(version.path.split(".")[1])
    provinces = list(
        UnitVersion.objects.filter(valid_on(mid), unit__level=Level.PROVINCE).values_list(
            "unit_id", "code", "name"
        )
    )
    own = next(
        (f"{int(code):03d}" for unit_id, code, _n in provinces if unit_id == province_id), ""
    )
    places = [
        (display_code(Level.PROVINCE, code), name)
        for unit_id, code, name in sorted(provinces, key=lambda p: int(p[1]))
        if unit_id != province_id
    ]
    ids = IdNumbers(salt=(seed * 1_000_003 + int(version.code)) % 1_000_000)
    summary = GenerationSummary(
        root=version.name,
        level=root.level,
        code=version.display_code,
        year=year,
        seed=seed,
        scale=scale,
        opening=opening,
    )
    written: list[int] = []
    with transaction.atomic():
        for done, commune in enumerate(communes):
            if progress is not None:
                progress(commune.name, done, len(communes))
            # one stream a commune: a seed gives a commune the same households, persons and
            # events whatever the root (identity numbers are numbered across the run)
            rng = random.Random(f"danso:{seed}:{year}:{commune.code}")  # noqa: S311 - not secret
            profile = profile_of(commune.type)
            households = max(12, round(profile.households * scale * rng.uniform(0.75, 1.25)))
            villages, created, reused = _villages(commune, households, opening, mid, rng)
            book = simulate_commune(
                rng=rng,
                profile=profile,
                villages=len(villages),
                households=households,
                opening=opening,
                year=year,
                ids=ids,
                province=own or "001",
                places=places,
            )
            stamp = f"G{year}S{seed}C{display_code(Level.COMMUNE, commune.code)}"
            memberships, events = _write(book, villages, stamp)
            written.extend(village.pk for village in villages)
            summary.communes += 1
            summary.villages_created += created
            summary.villages_reused += reused
            summary.households += len(book.households)
            summary.persons += len(book.persons)
            summary.memberships += memberships
            summary.events.update(events)
            summary.figures.add(book.figures)
    # the planner's statistics first: the readers of the change (the indicators' spells)
    # query the new rows at once
    analyze_register()
    register_changed.send(sender=generate, units=sorted(set(written)), since=None)
    if progress is not None:
        progress(version.name, len(communes), len(communes))
    summary.seconds = time.perf_counter() - started
    return summary
