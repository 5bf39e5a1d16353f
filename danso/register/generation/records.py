"""The plain records of a simulated book: persons with their stays in households
(the memberships), households with their village and number (the placements), events,
births, and the members of a household being drawn; and the citizen identity numbers.
They refer to each other by index in the book's lists.  Pure: no Django.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from danso.register.generation.parameters import NEVER, YEAR
from danso.register.vocabulary import EventType, Sex


@dataclass(slots=True)
class Stay:
    household: int
    start: int  # ordinal days; inclusive
    end: int  # NEVER while it lasts
    relation: str
    ended_by: str = ""  # "death" | "out" | "within" once ended
    went_to: str = ""  # where to, when "out"


@dataclass(slots=True)
class BookPerson:
    sex: str
    born: int
    family: str
    name: str
    id_number: str
    ethnicity: str
    residence: str
    stays: list[Stay]
    marital: str
    married: list[list[int]] = field(default_factory=list)  # [start, end] of each marriage
    spouse: int | None = None  # the current spouse when in the register
    death: int | None = None
    busy: int = 0  # the day of the person's last change: later changes come after it
    parity: int = 0  # live births, before the book and in it
    sons: int = 0
    last_birth: int | None = None
    children: list[int] = field(default_factory=list)  # own children in the register

    def present_on(self, day: int) -> bool:
        return any(stay.start <= day <= stay.end for stay in self.stays)

    def stay_on(self, day: int) -> Stay | None:
        for stay in self.stays:
            if stay.start <= day <= stay.end:
                return stay
        return None

    @property
    def here(self) -> bool:
        """Still in the register (not dead, not moved out)."""
        return self.stays[-1].end == NEVER

    @property
    def household(self) -> int:
        return self.stays[-1].household

    def married_on(self, day: int) -> bool:
        return any(start <= day <= end for start, end in self.married)

    def age(self, day: int) -> float:
        return (day - self.born) / YEAR


@dataclass(slots=True)
class BookHousehold:
    village: int
    since: int
    number: int
    address: str
    stays: list[Stay] = field(default_factory=list)  # of its members, past and present


@dataclass(slots=True)
class Member:
    """A member of a household being drawn: ages and dates in years before the day."""

    sex: str
    age: float
    relation: str
    marital: str
    family: str
    spouse: int | None = None  # index in the plan
    wedding: float | None = None
    parity: int = 0
    sons: int = 0
    last_birth: float | None = None
    children: list[int] = field(default_factory=list)


@dataclass(slots=True)
class BookEvent:
    kind: EventType
    day: int
    person: int
    child: int | None = None
    birth_order: int | None = None
    method: str = ""
    supply: str = ""
    new_acceptor: bool | None = None
    spouse: int | None = None
    extra: dict[str, Any] | None = None


@dataclass(slots=True)
class Birth:
    mother: int
    day: int
    child: int | None  # None: expected after the end of the register


class IdNumbers:
    """12-digit citizen identity numbers (CCCD): province of birth (3 digits), sex and
    century (0/1 men/women born 1900–1999, 2/3 from 2000), year of birth (2 digits), then
    6 digits given in a scrambled order, so that one generation never repeats a number."""

    def __init__(self, salt: int) -> None:
        self.used: Counter[str] = Counter()
        self.salt = salt

    def next(self, province: str, sex: str, born: date) -> str:
        century = 0 if born.year < 2000 else 2
        prefix = f"{province}{century + (sex == Sex.FEMALE)}{born.year % 100:02d}"
        serial = self.used[prefix]
        self.used[prefix] += 1
        return f"{prefix}{(serial * 7919 + self.salt) % 1_000_000:06d}"
