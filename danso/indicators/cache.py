"""Fresh figures without a nightly batch: the engine's tallies cached per leaf and period.

Every figure is a sum of leaf tallies (``engine``).  A leaf's tally for a period is stored
in ``LeafTally`` the first time it is asked for; a change to the register deletes the
rows it can alter, in the same transaction as the change, so the next read counts that
leaf again — one village, a few milliseconds — and adds it to the cached others.  The
city's figure is therefore current on the next page load after an event is saved.

Which rows a change can alter.  An event, stay or placement dated D can change:

- counts of the periods containing D (births, deaths, new acceptors, …);
- the stock on reference dates on or after D (population, women by age, users of a
  method), so any period ending on or after D;
- screenings looked for around an event: a prenatal screening on D counts for births up
  to 280 days later, a premarital check for marriages up to 365 days later (both in
  periods ending after D), a newborn screening on D for births up to 30 days earlier.

So a change dated D in leaf L deletes L's rows for periods ending on or after
D − ``MARGIN`` (31 days).  A change whose date is unknown (an edited birth date, a merge,
a bulk import) deletes all of L's rows, or every row.

``recompute`` rebuilds rows from scratch, for repairs; it is idempotent.

Whole figures.  Adding up a province's eight thousand leaf rows takes about half a
second, and a dashboard asks for thirteen periods; so ``figures`` also keeps each unit's
result in Django's cache under the epoch of the period's last change.  Every change to
what figures rest on calls ``changed``: inside a transaction, reads of that thread then
skip the cache (they must see the change, the others must not); at commit the epoch
(``FiguresEpoch``) moves on, and the periods the change reaches are marked with it
(``FiguresChange``: those ending on or after the change's day less ``MARGIN``, or every
period when its day is unknown), so that their figures cached before are left behind
while those of earlier periods are still read: an event of June does not make a
dashboard add up its 2024 baselines or its months before May again.  Below a unit's
figures, each branch (a unit just below it) is added up once for the ids of its leaves'
rows and kept in the cache and in ``BranchSum`` (``branch_sums``); after a bulk change
the warm-up adds up each province with a register, so that its first dashboard in any
process reads its districts' sums (``keep_province_sums``).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.core.cache import caches
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.connection import ConnectionProxy

from danso.indicators import entered
from danso.indicators import tallies as keys
from danso.indicators.engine import (
    Part,
    Tally,
    UnitFigures,
    add_up,
    compute,
    tallies_of,
    weighed,
)
from danso.indicators.models import (
    BranchSum,
    EnteredFigures,
    FiguresChange,
    FiguresEpoch,
    LeafTally,
)
from danso.indicators.periods import Period
from danso.indicators.setbased import tallies_of_periods
from danso.listed import in_values
from danso.register.models import Household, HouseholdPlacement
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from danso.units.reading import remembered

MARGIN = timedelta(days=31)
_BATCH = 500
#: A page counts at most this many households' leaves itself (a village or two changed
#: by an event: a fraction of a second); more is the worker's job (``NotReady``).
PAGE_HOUSEHOLDS = 3000
#: Leaves a warming counts and stores at a time, so that its progress shows.
WARM_STEP = 100
#: Seconds a unit's whole figures stay in the cache (the epoch decides their freshness;
#: this only bounds the memory of figures nobody asks for again).
KEEP = 3600
_local = threading.local()
#: The ``figures`` cache of the settings (its own, so that it is never culled by others).
shared_cache: Any = ConnectionProxy(caches, "figures")


class NotReady(Exception):
    """The figures of ``year`` are not counted yet for ``leaves`` leaves (holding about
    ``households`` households): more than a page counts itself (``page_counting``)."""

    def __init__(self, year: int, leaves: int, households: int) -> None:
        super().__init__(year, leaves, households)
        self.year, self.leaves, self.households = year, leaves, households


@contextmanager
def page_counting(limit: int | None = None) -> Iterator[None]:
    """Inside, a read whose leaves still to count hold more than ``limit`` households
    raises ``NotReady`` instead of counting them: a page never counts a province inside
    a request; it says the figures are being counted (``tasks.warm_year_soon``)."""
    previous = getattr(_local, "page_limit", None)
    _local.page_limit = PAGE_HOUSEHOLDS if limit is None else limit
    try:
        yield
    finally:
        _local.page_limit = previous


def _refuse_if_large(period: Period, leaves: list[int]) -> None:
    limit: int | None = getattr(_local, "page_limit", None)
    if limit is None:
        return
    households = 0
    for start in range(0, len(leaves), _BATCH):
        households += Household.objects.filter(unit_id__in=leaves[start : start + _BATCH]).count()
    if households > limit:
        raise NotReady(period.year, len(leaves), households)


def readiness(year: int) -> tuple[int, int]:
    """How many leaves with a register have the year's row (the year period, which a
    warming stores with the others), and how many there are."""
    leaves = with_register(register_leaves(), date(year, 12, 31))
    done = 0
    for start in range(0, len(leaves), _BATCH):
        done += LeafTally.objects.filter(
            period=str(year), unit_id__in=leaves[start : start + _BATCH]
        ).count()
    return done, len(leaves)


#: The cut of a change whose day is unknown: every period's figures.
EVERY_PERIOD = date(1, 1, 1)


def changed(since: date | None = None) -> None:
    """What figures rest on changed, from ``since`` (a day: the figures of periods ending
    on or after ``since`` − MARGIN; None: every period): this thread reads past the cache
    until its transaction commits, and the commit moves the epoch on (at once outside
    one) and marks the periods it reaches (``FiguresChange``)."""
    _local.dirty = True
    if since is None:
        cut = EVERY_PERIOD
    else:
        earliest = since - MARGIN
        cut = date(earliest.year, earliest.month, 1)
    transaction.on_commit(lambda: _next_epoch(cut))


def _next_epoch(cut: date) -> None:
    if not FiguresEpoch.objects.filter(pk=1).update(n=F("n") + 1):
        FiguresEpoch.objects.get_or_create(pk=1, defaults={"n": 1})
    n = FiguresEpoch.objects.filter(pk=1).values_list("n", flat=True).get()
    # never backwards: another process may have marked the cut with a later epoch
    if not FiguresChange.objects.filter(cut=cut, n__lt=n).update(n=n):
        try:
            with transaction.atomic():
                FiguresChange.objects.get_or_create(cut=cut, defaults={"n": n})
        except IntegrityError:  # another process created it meanwhile, at least as late
            pass
    _local.dirty = False


def forget_pending() -> None:
    """Start afresh (a new test): changes rolled back leave no mark.  A thread left
    marked by a rollback only reads past the cache inside a transaction, which is right
    and costs little."""
    _local.dirty = False


def uncommitted() -> bool:
    """Whether this thread has changed what figures rest on in a transaction not yet
    committed: its reads must see the change, so they pass by every cache kept under the
    epochs (the figures', a page's)."""
    return bool(getattr(_local, "dirty", False) and connection.in_atomic_block)


#: The kind of answer remembered while a page is read (``units.reading``): the periods'
#: cuts and their epochs, one small table read once for a page's thirteen figures.
CUTS = "figures cuts"


def _epoch(period: Period) -> int | None:
    """The epoch of the last change to ``period``'s figures, or None when this thread has
    uncommitted changes."""
    if uncommitted():
        return None
    cuts: list[tuple[date, int]] = remembered(
        CUTS, None, lambda: list(FiguresChange.objects.order_by().values_list("cut", "n"))
    )
    return max((n for cut, n in cuts if cut <= period.end), default=0)


def cached_tallies(period: Period, leaves: Iterable[int]) -> dict[int, Tally]:
    """The tallies of each leaf for ``period``, counted only where no row is stored."""
    ids = sorted(set(leaves))
    key = str(period)
    found: dict[int, Tally] = {}
    for start in range(0, len(ids), _BATCH):
        rows = LeafTally.objects.filter(period=key, unit_id__in=ids[start : start + _BATCH])
        found.update((unit, Counter(tally)) for unit, tally in rows.values_list("unit_id", "tally"))
    missing = with_register([unit for unit in ids if unit not in found], period.end)
    if missing:
        _refuse_if_large(period, missing)
        found.update(_count_missing(period, missing))
    return {unit: tally for unit, tally in found.items() if tally}


def _count_missing(period: Period, leaves: list[int]) -> dict[int, Tally]:
    """Count ``leaves`` (which have no row for ``period``) and store their rows.  A period
    of a year's screens is counted with the other periods of its year for which some of
    the leaves have no row either, in one set-based pass (``setbased``): after a bulk
    change the next periods a dashboard asks for are then stored already, and a leaf
    changed by an event is counted once for the periods it lost (an event of December:
    5 of the 28), not once a period."""
    year = periods_of(period.year)
    if period not in year:
        counted = tallies_of(period, leaves)
        fresh = {unit: counted.get(unit, Counter()) for unit in leaves}
        _store(period, fresh)
        return fresh
    complete = _complete([str(other) for other in year if other != period], leaves)
    batch = [other for other in year if str(other) not in complete]
    by_period = tallies_of_periods(batch, leaves)
    for other in batch:
        counted = by_period[str(other)]
        _store(other, {unit: counted.get(unit, Counter()) for unit in leaves})
    counted = by_period[str(period)]
    return {unit: counted.get(unit, Counter()) for unit in leaves}


def _complete(periods: list[str], leaves: list[int]) -> set[str]:
    """The ``periods`` for which every one of ``leaves`` has its row."""
    where, params = in_values("unit_id", leaves)
    table = connection.ops.quote_name(LeafTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT period FROM {table} WHERE period IN ({', '.join(['%s'] * len(periods))}) "  # noqa: S608 - ours
            f"AND {where} GROUP BY period HAVING COUNT(*) = %s",
            [*periods, *params, len(set(leaves))],
        )
        return {name for (name,) in cursor.fetchall()}


def with_register(leaves: list[int], until: date | None = None) -> list[int]:
    """The leaves that have held a household (by ``until``, when given); the others have
    nothing to count and get no rows: most of the country's communes, until they keep
    their book here, and a leaf for the periods before its book opened (an event counts
    where its household was placed on its day, so none is dated before the leaf's first
    placement)."""
    kept: set[int] = set()
    for start in range(0, len(leaves), _BATCH):
        placed = HouseholdPlacement.objects.filter(unit_id__in=leaves[start : start + _BATCH])
        if until is not None:
            placed = placed.filter(valid_from__lte=until)
        kept.update(placed.order_by().values_list("unit_id", flat=True).distinct())
    return [unit for unit in leaves if unit in kept]


def _store(period: Period, tallies: dict[int, Tally]) -> None:
    """Store the rows; a row written meanwhile by another reader is left as it is (both
    counted the same register).

    Written by a plain ``INSERT … VALUES``, each tally sent once as JSON text: Django's
    ``bulk_create`` sends the rows to PostgreSQL as arrays (``UNNEST``), which psycopg
    builds in Python, escaping every tally again: 35 s of a full recompute of Hà Nội's
    year (8,027 leaves × 28 periods)."""
    table = connection.ops.quote_name(LeafTally._meta.db_table)
    jsonb = "::jsonb" if connection.vendor == "postgresql" else ""
    name, end = str(period), connection.ops.adapt_datefield_value(period.end)
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [(unit, name, end, json.dumps(dict(tally)), stamp) for unit, tally in tallies.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _BATCH):
            chunk = rows[start : start + _BATCH]
            values = ", ".join([f"(%s, %s, %s, %s{jsonb}, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (unit_id, period, period_end, tally, computed_at) "  # noqa: S608 - our table
                f"VALUES {values} ON CONFLICT (unit_id, period) DO NOTHING",
                [value for row in chunk for value in row],
            )


def from_register(counted: dict[int, Tally]) -> dict[int, Tally]:
    """``counted``, each tally marked as counted from the register."""
    for tally in counted.values():
        tally[keys.FROM_REGISTER] = 1
    return counted


def register_and_entered(period: Period, leaves: Mapping[int, str]) -> dict[int, Tally]:
    """The leaves' tallies from the register (cached), and for communes without a
    register the figures entered for them (``entered``: the register wins where both
    exist; a disagreement is marked on the tally)."""
    counted = from_register(cached_tallies(period, leaves))
    rows = list(
        EnteredFigures.objects.filter(period=str(period), unit_id__in=list(leaves)).values_list(
            "unit_id", "counts"
        )
    )
    if not rows:
        return counted
    registered = with_register(sorted(leaves))
    for unit, counts in rows:
        inside = [
            leaf for leaf in registered if leaf == unit or leaves[leaf].startswith(leaves[unit])
        ]
        if not inside:
            counted[unit] = Counter(entered.with_derived(counts))
            counted[unit][keys.FROM_ENTERED] = 1
        elif entered.disagrees(counts, add_up(counted.get(leaf, Counter()) for leaf in inside)):
            counted.setdefault(inside[0], Counter())[keys.ENTERED_DIFFERS] += 1
    return counted


def figures(
    version: UnitVersion,
    period: Period,
    *,
    tree_date: date | None = None,
    children: Iterable[UnitVersion] = (),
    coverage: bool = False,
) -> UnitFigures:
    """``engine.compute`` through the cache, with entered figures for units without a
    register: what every screen, report and command uses (``coverage``: with what each
    figure rests on)."""
    children = list(children)
    epoch = _epoch(period)
    # the children by a digest: a city's 126 wards would make a key Django warns about
    listed = ",".join(str(child.pk) for child in children)
    key = (
        # "p": the epoch of the period's last change (before, the last change anywhere)
        f"danso:figures:{connection.alias}:p{epoch}:{version.pk}:{period}:{tree_date}:"
        f"{int(coverage)}:{hashlib.blake2b(listed.encode(), digest_size=16).hexdigest()}"
    )
    if epoch is not None:
        found = shared_cache.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
    result = compute(
        version,
        period,
        tree_date=tree_date,
        children=children,
        tallies=register_and_entered,
        sums=branch_sums,
        coverage=coverage,
    )
    if epoch is not None:
        shared_cache.set(key, result, KEEP)
    return result


def branch_sums(period: Period, branches: Mapping[str, list[Part]]) -> dict[str, Tally]:
    """Each branch's parts added up (``engine.weighed`` of ``register_and_entered``), a
    branch's sum kept in Django's cache and in the database (``BranchSum``: for the other
    processes, and after a restart) under a digest of its leaves and the ids of their
    ``LeafTally`` rows.

    A row is never updated: a change deletes it and the next read writes a new one, with
    a new id (ids are never reused: SQLite's AUTOINCREMENT, PostgreSQL's sequences), so
    the same ids mean the same tallies, in any process.  A branch with a leaf still to
    be counted, or with entered figures (which change in place) or under a unit that has
    them, is added up afresh and not kept; sums are kept only outside a transaction,
    whose rows might be rolled back.
    """
    name = str(period)
    units = sorted({part.unit for parts in branches.values() for part in parts})
    ids: dict[int, int] = dict(_rows_of(LeafTally, "unit_id, id", name, units))
    entered = {unit for (unit,) in _rows_of(EnteredFigures, "unit_id", name, units)}
    uncounted = set(with_register([unit for unit in units if unit not in ids], period.end))
    paths = {part.unit: part.path for parts in branches.values() for part in parts}
    above = [paths[unit] for unit in entered]  # a commune entered above its villages
    fresh = [
        branch
        for branch, parts in branches.items()
        if any(part.unit in entered or part.unit in uncounted for part in parts)
        or any(branch.startswith(path) for path in above)
    ]
    summed: dict[str, Tally] = {}
    if fresh:
        counted = register_and_entered(
            period, {part.unit: part.path for branch in fresh for part in branches[branch]}
        )
        summed.update((branch, weighed(branches[branch], counted)) for branch in fresh)
    # a branch of one leaf is its row: nothing to gain from keeping it again
    digests = {
        branch: _branch_digest(name, branch, parts, ids)
        for branch, parts in branches.items()
        if branch not in summed and len(parts) > 1
    }
    keys = {branch: _cache_key(name, branch, digest) for branch, digest in digests.items()}
    found = shared_cache.get_many(list(keys.values()))
    summed.update((branch, found[key]) for branch, key in keys.items() if key in found)
    kept = _kept_sums({digests[b]: b for b in digests if b not in summed})
    summed.update(kept)
    if kept and not connection.in_atomic_block:
        shared_cache.set_many({keys[branch]: tally for branch, tally in kept.items()}, KEEP)
    missing = [branch for branch in branches if branch not in summed]
    wanted = sorted({ids[p.unit] for branch in missing for p in branches[branch] if p.unit in ids})
    stored: dict[int, Tally] = {}
    for start in range(0, len(wanted), _BATCH):
        for unit, tally in LeafTally.objects.filter(
            pk__in=wanted[start : start + _BATCH]
        ).values_list("unit_id", "tally"):
            stored[unit] = Counter(tally)
    keep: dict[str, Tally] = {}
    for branch in missing:
        parts = branches[branch]
        if any(part.unit in ids and part.unit not in stored for part in parts):
            # a row went meanwhile: count this branch afresh
            counted = register_and_entered(period, {part.unit: part.path for part in parts})
            summed[branch] = weighed(parts, counted)
            continue
        counted = from_register(
            {part.unit: stored[part.unit] for part in parts if stored.get(part.unit)}
        )
        summed[branch] = weighed(parts, counted)
        if branch in keys:
            keep[branch] = summed[branch]
    if keep and not connection.in_atomic_block:
        shared_cache.set_many({keys[branch]: tally for branch, tally in keep.items()}, KEEP)
        _keep_sums(name, {branch: (digests[branch], tally) for branch, tally in keep.items()})
    return summed


def _rows_of(model: Any, columns: str, period: str, units: list[int]) -> list[tuple[Any, ...]]:
    """``columns`` of ``model``'s rows of ``period`` for ``units`` (its first column:
    ``unit_id``).  Read as one range of the index on (period, unit), from the least unit
    to the greatest, the rows of other units dropped here: a province's leaves lie
    together, and one range read of a city's 8,027 rows costs a third of looking each
    up (33 ms)."""
    if not units:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE period = %s AND unit_id BETWEEN %s AND %s",  # noqa: S608 - ours
            [period, min(units), max(units)],
        )
        wanted = set(units)
        return [row for row in cursor.fetchall() if row[0] in wanted]


def _branch_digest(period: str, branch: str, parts: list[Part], ids: Mapping[int, int]) -> str:
    """What a branch's sum is a function of: the period, the branch, its leaves, their
    shares and the ids of their rows."""
    leaves = sorted((part.unit, ids.get(part.unit), round(part.share, 12)) for part in parts)
    return hashlib.sha256(repr((period, branch, leaves)).encode()).hexdigest()


def _cache_key(period: str, branch: str, digest: str) -> str:
    return f"danso:branch:{connection.alias}:{period}:{branch}:{digest}"


def _kept_sums(wanted: Mapping[str, str]) -> dict[str, Tally]:
    """The sums kept in the database (``BranchSum``) of the branches of ``wanted``
    (digest -> branch), by branch."""
    found: dict[str, Tally] = {}
    digests = sorted(wanted)
    for start in range(0, len(digests), _BATCH):
        for key, tally in BranchSum.objects.filter(
            key__in=digests[start : start + _BATCH]
        ).values_list("key", "tally"):
            found[wanted[key]] = Counter(tally)
    return found


def _keep_sums(period: str, sums: Mapping[str, tuple[str, Tally]]) -> None:
    """Keep the sums (branch -> (digest, tally)) of ``period`` in the database, in place
    of the branches' earlier ones (outside a transaction: each statement commits; two
    processes keeping the same sum keep one)."""
    BranchSum.objects.bulk_create(
        [
            BranchSum(key=digest, period=period, branch=branch, tally=dict(tally))
            for branch, (digest, tally) in sums.items()
        ],
        ignore_conflicts=True,
    )
    BranchSum.objects.filter(period=period, branch__in=list(sums)).exclude(
        key__in=[digest for digest, _tally in sums.values()]
    ).delete()


def invalidate(units: Iterable[int] | None = None, since: date | None = None) -> int:
    """Delete the rows a change can alter: of ``units`` (all units when None), for the
    periods ending on or after ``since`` − MARGIN (all periods when None).  Returns how
    many rows went."""
    rows = LeafTally.objects.all()
    if units is not None:
        ids = sorted(set(units))
        if not ids:
            return 0
        rows = rows.filter(unit_id__in=ids)
    if since is not None:
        rows = rows.filter(period_end__gte=since - MARGIN)
    deleted, _ = rows.delete()
    changed(since)
    return deleted


def periods_of(year: int) -> list[Period]:
    """The periods a year's screens and reports ask for: the year, its quarters, its
    months and each year-to-date."""
    texts = [str(year)]
    texts += [f"{year}Q{quarter}" for quarter in range(1, 5)]
    texts += [f"{year}-{month:02d}" for month in range(1, 13)]
    texts += [f"{year}-YTD-{month:02d}" for month in range(1, 12)]
    return [Period.parse(text) for text in texts]


def leaves_in(year: int, root: UnitVersion | None = None) -> list[int]:
    """The leaf units (communes and villages) valid at some day of ``year``, under
    ``root``'s path when given."""
    rows = UnitVersion.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=date(year, 1, 1)),
        valid_from__lte=date(year, 12, 31),
        unit__level__in=[Level.COMMUNE, Level.VILLAGE],
    )
    if root is not None:
        rows = rows.filter(path__startswith=root.path)
    return sorted(set(rows.values_list("unit_id", flat=True)))


def years_with_register(until: int) -> list[int]:
    """The years from the register's first placement to ``until``: those whose figures
    the screens can show."""
    first = HouseholdPlacement.objects.order_by("valid_from").values_list("valid_from", flat=True)
    start = first.first()
    return list(range(start.year, until + 1)) if start is not None else []


def register_leaves() -> list[int]:
    """Every leaf that has ever held a household: those a page of any year may count (a
    page of 2021 counts the villages of the tree it shows, which may be a later one)."""
    return sorted(
        set(HouseholdPlacement.objects.order_by().values_list("unit_id", flat=True).distinct())
    )


def warm(year: int, leaves: Iterable[int] | None = None, since: date | None = None) -> int:
    """Count and store every row of ``year`` still missing for ``leaves`` (default: every
    leaf with a register, ``register_leaves``), for the periods ending on or after ``since`` −
    ``MARGIN`` (all when None), in one set-based pass.  Rows already stored are kept.
    Returns the number of rows written."""
    chosen = with_register(
        register_leaves() if leaves is None else sorted(set(leaves)), date(year, 12, 31)
    )
    periods = [
        period for period in periods_of(year) if since is None or period.end >= since - MARGIN
    ]
    if not chosen or not periods:
        return 0
    names = {str(period) for period in periods}
    stored: set[tuple[int, str]] = set()
    for start in range(0, len(chosen), _BATCH):
        stored.update(
            LeafTally.objects.filter(
                period__in=names, unit_id__in=chosen[start : start + _BATCH]
            ).values_list("unit_id", "period")
        )
    missing = [leaf for leaf in chosen if any((leaf, name) not in stored for name in names)]
    written = 0
    for start in range(0, len(missing), WARM_STEP):
        step = missing[start : start + WARM_STEP]
        counted = tallies_of_periods(periods, step)
        for period in periods:
            name = str(period)
            fresh = {
                leaf: counted[name].get(leaf, Counter())
                for leaf in step
                if (leaf, name) not in stored
            }
            _store(period, fresh)
            written += len(fresh)
    if len(missing) >= WARM_STEP:  # a bulk change: keep the provinces' sums ready too
        keep_province_sums(periods)
    return written


def keep_province_sums(periods: Iterable[Period]) -> int:
    """Add up each province with a register for ``periods``, a district at a time, in
    the tree its dashboard shows (today's for the period under way, else its last
    day's), and keep the districts' sums (``branch_sums``: ``BranchSum``): after a bulk
    change, the first dashboard of the province in any server process reads its
    districts' sums instead of adding up its thousands of leaves inside the request.
    Periods not begun are skipped.  Inside a transaction (whose leaf rows the other
    processes cannot see yet) it runs once the transaction has committed.  Returns the
    figures added up (0 when put off)."""
    periods = list(periods)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: keep_province_sums(periods))
        return 0
    leaves = register_leaves()
    if not leaves:
        return 0
    today = timezone.localdate()
    done = 0
    provinces: dict[date, list[UnitVersion]] = {}
    for period in periods:
        if period.start > today:
            continue
        day = today if period.contains(today) else period.end
        if day not in provinces:
            provinces[day] = _provinces_with(leaves, day)
        for province in provinces[day]:
            figures(province, period, tree_date=day)
            done += 1
    return done


def _provinces_with(leaves: list[int], day: date) -> list[UnitVersion]:
    """The provinces valid on ``day`` with one of ``leaves`` under them then."""
    paths: set[str] = set()
    for start in range(0, len(leaves), _BATCH):
        placed = UnitVersion.objects.filter(
            valid_on(day), unit_id__in=leaves[start : start + _BATCH]
        )
        paths.update(
            ".".join(path.split(".")[:2]) + "."
            for path in placed.order_by().values_list("path", flat=True).distinct()
        )
    return list(
        UnitVersion.objects.filter(
            valid_on(day), unit__level=Level.PROVINCE, path__in=sorted(paths)
        ).select_related("unit")
    )


def recompute(leaves: list[int], periods: Iterable[Period]) -> int:
    """Count ``leaves`` again for ``periods`` and replace their rows (leaves without a
    register have none).  Returns the number of rows written (the same on every run over
    the same register)."""
    leaves = with_register(leaves)
    written = 0
    batch = list(periods)
    by_period = tallies_of_periods(batch, leaves)
    for period in batch:
        counted = by_period[str(period)]
        fresh = {unit: counted.get(unit, Counter()) for unit in leaves}
        with transaction.atomic():
            for start in range(0, len(leaves), _BATCH):
                chunk = leaves[start : start + _BATCH]
                LeafTally.objects.filter(period=str(period), unit_id__in=chunk).delete()
            _store(period, fresh)
        written += len(fresh)
    changed()
    return written
