"""The targets a unit's dashboard shows, as this app sees them.

Targets belong to the plans, an app above this one (plans import the indicators, never
the other way).  The plans provide the function that finds a unit's targets and judges
them (``provide``, called from ``plans.apps``: ``plans.monitoring.targets_of``); the
dashboard asks for them through ``targets_of`` and reads them through the protocols below.
Without plans installed, a dashboard shows no targets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from danso.indicators.achievement import Judgement, Status
from danso.indicators.engine import Value
from danso.indicators.periods import Period
from danso.units.models import UnitVersion


class IndicatorRef(Protocol):
    @property
    def code(self) -> str: ...


class TargetRef(Protocol):
    """A plan's target (``plans.Target``)."""

    @property
    def indicator(self) -> IndicatorRef: ...

    @property
    def kind(self) -> str: ...

    @property
    def baseline_year(self) -> int | None: ...

    @property
    def tolerance(self) -> Any: ...


class JudgedRow(Protocol):
    """A target (or a cell of its allocation) for one unit, judged against its figures."""

    @property
    def version(self) -> UnitVersion: ...

    @property
    def target(self) -> TargetRef: ...

    @property
    def target_value(self) -> float | None: ...

    @property
    def value(self) -> Value | None: ...

    @property
    def judgement(self) -> Judgement: ...


class TargetOnUnit(Protocol):
    """A target of an issued plan against the register, for one unit: its ``plan`` (shown
    by number or title), and whether the plan of the unit above handed it down."""

    @property
    def row(self) -> JudgedRow: ...

    @property
    def plan(self) -> Any: ...

    @property
    def handed_down(self) -> bool: ...

    @property
    def status(self) -> Status: ...

    @property
    def code(self) -> str: ...

    @property
    def kind(self) -> str: ...


#: (the unit's own targets and those handed to it, those its plans handed below)
TargetsOf = Callable[[UnitVersion, Period, Any], tuple[list[TargetOnUnit], list[TargetOnUnit]]]

_source: list[TargetsOf] = []


def provide(source: TargetsOf) -> None:
    """Make ``source`` the function that finds a unit's targets (the plans' app)."""
    _source[:] = [source]


def targets_of(
    version: UnitVersion, period: Period, user: Any
) -> tuple[list[TargetOnUnit], list[TargetOnUnit]]:
    """The targets of ``version`` for ``period`` as far as ``user`` may see them (see
    ``plans.monitoring.targets_of``); none when no app provides them."""
    if not _source:
        return [], []
    return _source[0](version, period, user)
