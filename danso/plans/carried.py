"""Targets across a reform (chỉ tiêu kế thừa): when a unit a plan allocated to closes
during the plan's years, its cells are carried to the units that took it over.

- **Who**: the successions recorded for the closure (``units.UnitSuccession``) of a unit
  holding a cell of an issued plan — allocated, or itself carried (a chain of closures in
  a plan of several years).  A unit closed without recorded successors carries nothing:
  the districts on 30/6/2025 (the reference data records successors of communes only,
  whose cells the districts' own plans hold).  A successor that continues (a merge into
  one of the units) and held a cell of its own counts itself as one of its predecessors.
- **Shares** (``shares_of``): the share of the predecessor that went to each successor is
  the share of its registered population the day before the reform (persons with a stay
  that day, the indicator engine's ``registered_on``) who lived in villages that moved to
  that successor — exact —, the rest (households placed in the commune itself, villages
  that closed with it) split by the shares the engine uses for split communes
  (``indicators.leaves.successor_shares``: the successors' populations) — estimated.  A
  whole succession is 1, exact.  Without a register the engine's shares alone, estimated.
- **Values**: ``plans.carrying`` (counts split exactly by share, rates a population-
  weighted mean; ``all_children`` not carried).
- **Rows**: one ``CarriedAllocation`` per target, successor and effective date, *derived*
  (recomputed by ``allocations_carry`` whenever asked: after villages moved, say) or
  *adjusted* by the level above (``carried_adjust``, with a reason), which a recomputation
  never overwrites.

Reads that depend on the reader are in ``plans.selectors`` (``carried_visible``,
``carried_may_adjust``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from danso.accounts.scope import SYSTEM
from danso.audit import acting_as, recorded_user, system_actor
from danso.indicators.engine import registered_on
from danso.indicators.leaves import leaves_under, successor_shares
from danso.plans.carrying import CarryError, Predecessor, carry, remaining_months
from danso.plans.document import TargetKind
from danso.plans.limits import target_value_problem, worded
from danso.plans.models import Allocation, CarriedAllocation, Plan, Target
from danso.plans.selectors import Access, carried_may_adjust, plan_access, units_day
from danso.population.models import PopulationFigure
from danso.units.models import Unit, UnitSuccession, UnitVersion, valid_on
from danso.vietnamese import fold

# ----------------------------------------------------------------------------- shares


@dataclass(frozen=True)
class Shares:
    """How a closed unit went to its successors on ``effective``."""

    predecessor: int
    effective: date
    shares: dict[int, float]  # successor -> share of the predecessor, adding up to 1
    exact: dict[int, bool]  # successor -> the share rests on villages that moved (or 1)
    population: int | None  # the predecessor's, the weight of its rates
    population_source: str  # "register" | "official" | ""
    whole: bool = False  # it went wholly to its one successor


def _registered(version: UnitVersion, eve: date) -> dict[int, int]:
    """Persons registered on ``eve`` in each leaf under ``version`` (the engine's rule)."""
    leaves = leaves_under(version, eve)
    rows = (
        registered_on(eve, leaves)
        .values("household__placements__unit_id")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    return {row["household__placements__unit_id"]: row["n"] for row in rows if row["n"]}


def _official(unit_id: int, year: int) -> int | None:
    """The unit's official population: the figure of ``year``, else the latest before."""
    return (
        PopulationFigure.objects.filter(unit_id=unit_id, year__lte=year)
        .order_by("-year")
        .values_list("total", flat=True)
        .first()
    )


def shares_of(predecessor: int, effective: date, links: list[tuple[int, bool]]) -> Shares:
    """The shares of ``predecessor`` that went on ``effective`` to each successor of
    ``links`` ((successor, partial), see the module docstring)."""
    successors = sorted({successor for successor, _partial in links})
    eve = effective - timedelta(days=1)
    version = UnitVersion.objects.filter(valid_on(eve), unit_id=predecessor).first()
    counted = _registered(version, eve) if version is not None else {}
    official = _official(predecessor, effective.year)
    if len(successors) == 1 and not links[0][1]:  # wholly to one unit
        population, source = _population(sum(counted.values()), official)
        return Shares(
            predecessor,
            effective,
            {successors[0]: 1.0},
            {successors[0]: True},
            population,
            source,
            whole=True,
        )
    # where each leaf with people stands on the effective date
    exact_people: dict[int, int] = defaultdict(int)
    rest = 0
    standing = dict(
        UnitVersion.objects.filter(valid_on(effective), unit_id__in=list(counted)).values_list(
            "unit_id", "path"
        )
    )
    for leaf, people in counted.items():
        path = standing.get(leaf)
        if path is None:
            rest += people  # closed with it: shared as the engine shares it
            continue
        heir = next((s for s in successors if f".{s}." in f".{path}"), None)
        if heir is not None:
            exact_people[heir] += people  # a village that moved there
        # a village that went to a unit that is not a successor is left out
    estimated = successor_shares(predecessor, successors, effective.year)
    whole = rest + sum(exact_people.values())
    if whole == 0:
        population, source = _population(0, official)
        return Shares(
            predecessor,
            effective,
            estimated,
            dict.fromkeys(successors, False),  # no register: the engine's estimate
            population,
            source,
        )
    shares = {s: (exact_people.get(s, 0) + rest * estimated[s]) / whole for s in successors}
    population, source = _population(whole, official)
    return Shares(
        predecessor, effective, shares, dict.fromkeys(successors, rest == 0), population, source
    )


def _population(registered: int, official: int | None) -> tuple[int | None, str]:
    if registered:
        return registered, "register"
    if official:
        return official, "official"
    return None, ""


# ----------------------------------------------------------------------------- carrying


@dataclass
class CarryResult:
    """What ``allocations_carry`` did: plans looked at, cells created, changed, left as
    they were, removed (derived cells nothing carries any more) and adjusted cells kept."""

    plans: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    adjusted_kept: int = 0
    rows: list[CarriedAllocation] = field(default_factory=list)

    def add(self, other: CarryResult) -> None:
        self.plans += other.plans
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.removed += other.removed
        self.adjusted_kept += other.adjusted_kept
        self.rows += other.rows

    def as_dict(self) -> dict[str, Any]:
        """The CLI contract of ``danso plans carry``."""
        return {
            "plans": self.plans,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "adjusted_kept": self.adjusted_kept,
            "carried": [carried_as_dict(row) for row in self.rows],
        }


def carried_as_dict(row: CarriedAllocation) -> dict[str, Any]:
    return {
        "id": row.pk,
        "plan": row.target.plan_id,
        "indicator": row.target.indicator.code,
        "kind": row.target.kind,
        "unit": row.unit_id,
        "unit_name": str(row.unit),
        "effective": row.effective.isoformat(),
        "value": _number(row.value),
        "rest_of_year": _number(row.rest_of_year),
        "breakdown": row.breakdown,
        "source": row.source,
        "exact": row.exact,
        "reason": row.reason,
        "basis": row.basis,
    }


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class _Cell:
    value: Decimal | None
    breakdown: dict[str, Any] | None


def short_name(version: UnitVersion) -> str:
    """The unit's name without its type word ("Ngọc Thụy" of "Phường Ngọc Thụy"), whole
    for a unit named by a number ("Phường 3")."""
    words = version.type.split()
    for count in range(len(words), 0, -1):
        prefix = " ".join(words[:count])
        if fold(version.name).startswith(fold(prefix) + " "):
            bare = version.name[len(prefix) :].strip()
            return version.name if not bare or bare[0].isdigit() else bare
    return version.name


def _entry(
    version: UnitVersion | None, unit_id: int, cell: _Cell, share: float, exact: bool, s: Shares
) -> dict[str, Any]:
    return {
        "unit": unit_id,
        "name": version.name if version else str(unit_id),
        "short": short_name(version) if version else str(unit_id),
        "code": version.display_code if version else "",
        "value": None if cell.value is None else str(_plain(cell.value)),
        "share": round(share, 6),
        "exact": exact,
        "whole": s.whole,
        "population": s.population,
        "population_source": s.population_source,
    }


def _plain(value: Decimal) -> Decimal:
    """``value`` without trailing zeros (``416950.0000`` → ``416950``)."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def allocations_carry(*, plan: Plan | None = None, user: Any) -> CarryResult:
    """(Re)compute the carried cells of ``plan`` — or, without one, of every issued plan —
    whose cells' units closed during the plan's years with recorded successors: derived
    cells are recomputed (and removed when nothing carries them any more), adjusted ones
    are never overwritten (they are what their successors carry further).  Idempotent: a
    second run changes nothing.  ``user`` is who acts, a person (who must be allowed to
    change the plan's allocation) or ``accounts.scope.SYSTEM``; it is named in the
    history of every row written."""
    if user is None:
        raise PermissionDenied(_("Say who carries the allocations over."))
    if plan is not None:
        if user is not SYSTEM and plan_access(user, plan) is not Access.EDIT:
            raise PermissionDenied(_("You may not change this allocation."))
        plans = [plan]
    else:
        candidates = (
            Allocation.objects.filter(
                target__plan__status=Plan.Status.ISSUED, unit__valid_to__isnull=False
            )
            .order_by()
            .values_list("target__plan_id", flat=True)
            .distinct()
        )
        plans = list(Plan.objects.filter(pk__in=candidates).select_related("unit").order_by("pk"))
        if user is not SYSTEM:
            plans = [p for p in plans if plan_access(user, p) is Access.EDIT]
    result = CarryResult()
    for one in plans:
        result.add(_carry_plan(one, user))
    return result


@transaction.atomic
def _carry_plan(plan: Plan, user: Any) -> CarryResult:
    result = CarryResult(plans=1)
    start, end = units_day(plan), date(plan.period_end, 12, 31)
    targets = [
        t
        for t in plan.targets.select_related("indicator").order_by("order", "pk")
        if t.kind != TargetKind.ALL_CHILDREN
    ]
    current: dict[int, dict[int, _Cell]] = {t.pk: {} for t in targets}
    for cell in Allocation.objects.filter(target__in=targets):
        if cell.value is not None:
            current[cell.target_id][cell.unit_id] = _Cell(cell.value, cell.breakdown)
    existing = {
        (row.target_id, row.unit_id, row.effective): row
        for row in CarriedAllocation.objects.filter(target__plan=plan).select_related(
            "target__indicator", "unit"
        )
    }
    produced: set[tuple[int, int, date]] = set()
    last = start
    while True:
        holders = set().union(*(set(cells) for cells in current.values()))
        links = list(
            UnitSuccession.objects.filter(
                predecessor_id__in=holders, effective__gt=last, effective__lte=end
            ).order_by("effective", "predecessor_id", "successor_id")
        )
        if not links:
            break
        effective = links[0].effective
        closing: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        for link in links:
            if link.effective == effective:
                closing[link.predecessor_id].append((link.successor_id, link.partial))
        shares = {p: shares_of(p, effective, heirs) for p, heirs in closing.items()}
        for target in targets:
            heirs = _carry_target(
                target, current[target.pk], shares, effective, existing, result, user
            )
            produced.update((target.pk, heir, effective) for heir in heirs)
        last = effective
    for key, row in existing.items():
        if key in produced:
            continue
        if row.source == CarriedAllocation.Source.ADJUSTED:
            result.adjusted_kept += 1
            continue
        with acting_as(_who(user)):
            row.delete()
        result.removed += 1
    return result


def _carry_target(
    target: Target,
    cells: dict[int, _Cell],
    shares: dict[int, Shares],
    effective: date,
    existing: dict[tuple[int, int, date], CarriedAllocation],
    result: CarryResult,
    user: Any,
) -> set[int]:
    """Carry ``target``'s cells of the units closing on ``effective`` (``shares``) to
    their successors; ``cells`` becomes the cells after that day.  Returns the
    successors that carry something."""
    eve = effective - timedelta(days=1)
    closing = [p for p in shares if p in cells]
    if not closing:
        return set()
    heirs = sorted({s for p in closing for s in shares[p].shares if shares[p].shares[s] > 0})
    inputs: list[Predecessor[int]] = []
    owners: list[tuple[int, Shares]] = []
    for p in closing:
        inputs.append(
            Predecessor(cells[p].value, shares[p].shares, cells[p].breakdown, shares[p].population)
        )
        owners.append((p, shares[p]))
    # a successor that continues and held a cell counts itself among its predecessors
    for heir in heirs:
        if heir in cells and heir not in shares:
            own = shares_of(heir, effective, [(heir, False)])
            inputs.append(
                Predecessor(cells[heir].value, {heir: 1.0}, cells[heir].breakdown, own.population)
            )
            owners.append((heir, own))
    try:
        carried = carry(
            target.kind, inputs, months=remaining_months(effective.month, effective.day)
        )
    except CarryError as error:
        raise ValidationError(str(error)) from error
    versions = {
        v.unit_id: v
        for v in UnitVersion.objects.filter(
            valid_on(eve), unit_id__in=[p for p, _s in owners]
        ).select_related("unit")
    }
    for p in closing:
        del cells[p]
    who = _who(user)
    for heir, found in carried.items():
        basis = []
        for index in found.sources:
            unit, share_row = owners[index]
            itself = unit == heir
            entry = _entry(
                versions.get(unit),
                unit,
                _Cell(inputs[index].value, None),
                1.0 if itself else share_row.shares[heir],
                True if itself else share_row.exact[heir],
                share_row,
            )
            if itself:
                entry["itself"] = True
            basis.append(entry)
        row = existing.get((target.pk, heir, effective))
        if row is not None and row.source == CarriedAllocation.Source.ADJUSTED:
            cells[heir] = _Cell(row.value, row.breakdown)  # what the level above decided
            result.adjusted_kept += 1
            result.rows.append(row)
            continue
        rest = found.rest_of_year if target.kind == TargetKind.COUNT_MIN else None
        cells[heir] = _Cell(found.value, found.breakdown)
        if row is None:
            with acting_as(who):
                row = CarriedAllocation.objects.create(
                    target=target,
                    unit_id=heir,
                    effective=effective,
                    value=found.value,
                    breakdown=found.breakdown,
                    rest_of_year=rest,
                    derived_value=found.value,
                    basis=basis,
                    updated_by=who,
                )
            existing[(target.pk, heir, effective)] = row
            result.created += 1
        elif (row.value, row.breakdown, row.rest_of_year, row.basis) == (
            found.value,
            found.breakdown,
            rest,
            basis,
        ):
            result.unchanged += 1
        else:
            row.value, row.breakdown, row.rest_of_year = found.value, found.breakdown, rest
            row.derived_value, row.basis = found.value, basis
            row.updated_by = who
            with acting_as(who):
                row.save()
            result.updated += 1
        result.rows.append(row)
    return set(carried)


def _who(user: Any) -> Any:
    """Whom a row is recorded against: the person, or for the system the reserved
    system actor (``danso.audit``), never nobody."""
    found = recorded_user(user)
    if found is None and user is SYSTEM:
        return system_actor()
    return found


# ----------------------------------------------------------------------------- adjusting


@transaction.atomic
def carried_adjust(
    *, carried: CarriedAllocation, value: Decimal, reason: str, user: Any
) -> CarriedAllocation:
    """Set what a successor carries, as the level above decides it, saying why: those
    who may change the plan's allocation, or the officer of the unit above the successor
    (``selectors.carried_may_adjust``).  The row becomes *adjusted*: recomputations leave
    it as it is.  A count's methods are kept when they still add up to the value, dropped
    otherwise."""
    if not carried_may_adjust(user, carried):
        raise PermissionDenied(_("You may not change this carried target."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the carried target is changed.")})
    target = carried.target
    kind = TargetKind(target.kind)
    if value < 0 and kind is not TargetKind.CHANGE:
        raise ValidationError({"value": _("Only a change can be negative.")})
    problem = target_value_problem(kind, value, target.unit)
    if problem is not None:
        raise ValidationError({"value": worded(problem)})
    if kind is TargetKind.COUNT_MIN:
        if value != value.to_integral_value():
            raise ValidationError({"value": _("A count is a whole number.")})
        months = remaining_months(carried.effective.month, carried.effective.day)
        carried.rest_of_year = (value * months / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        methods = carried.breakdown or {}
        total = sum(
            Decimal(str((cell.get("total") if isinstance(cell, dict) else cell) or 0))
            for cell in methods.values()
        )
        if methods and total != value:
            carried.breakdown = None
    carried.value = value
    carried.source = CarriedAllocation.Source.ADJUSTED
    carried.reason = reason
    carried.updated_by = _who(user)
    with acting_as(carried.updated_by):
        carried.save()
    return carried


def carried_of(plan: Plan, unit: Unit | int, on: date) -> dict[int, CarriedAllocation]:
    """The cells ``unit`` carries of ``plan`` on ``on`` (the latest effective by then),
    by target id: what a plan's implementation report of the unit is judged against."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    found: dict[int, CarriedAllocation] = {}
    for row in CarriedAllocation.objects.filter(
        target__plan=plan, unit_id=unit_id, effective__lte=on
    ).order_by("effective"):
        found[row.target_id] = row
    return found


def carriers_of(plan: Plan, on: date) -> set[int]:
    """The units that carry cells of ``plan`` on ``on``."""
    return set(
        CarriedAllocation.objects.filter(target__plan=plan, effective__lte=on).values_list(
            "unit_id", flat=True
        )
    )
