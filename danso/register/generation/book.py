"""One commune's book in memory: its persons, households and events, and the changes the
simulation's steps make to them (a person enters, a household is set up, a person moves
within the commune or leaves it, a couple marries).  Pure: no Django.

The steps themselves (a year of the book, marriages, births, care, contraception) are
collaborators in their own modules that read and change the book through these methods;
``simulation.simulate_commune`` runs them in order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date
from typing import Any

from danso.register.generation.families import Families, age_group, age_weights
from danso.register.generation.hazards import child_relation
from danso.register.generation.parameters import (
    ABROAD,
    ETHNICITIES,
    FAMILY_NAMES,
    GIVEN_NAMES,
    LONG_AGO,
    MAX_SIZE,
    MIDDLE_NAMES,
    NEVER,
    YEAR,
    Profile,
)
from danso.register.generation.records import (
    Birth,
    BookEvent,
    BookHousehold,
    BookPerson,
    IdNumbers,
    Stay,
)
from danso.register.vocabulary import EventType, MaritalStatus, Residence, Sex


class CommuneBook:
    """One commune's book, lived in memory from the opening to the end of the year.

    Persons, households and events are kept in lists and refer to each other by index.
    Every change to a person's stays comes after the person's last change (``busy``), so
    that the book reads in order whatever order the year's steps are drawn in.  All draws
    come from the one ``rng`` of the commune, shared with the steps, in the order they
    are made: the same seed gives the same book.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        profile: Profile,
        villages: int,
        opening: date,
        year: int,
        ids: IdNumbers,
        province: str,
        places: Sequence[tuple[str, str]],  # (province code, name) of other provinces
    ) -> None:
        self.rng = rng
        self.profile = profile
        self.villages = villages
        self.opening = opening.toordinal()
        self.year = year
        self.end = date(year, 12, 31).toordinal()
        self.ids = ids
        self.province = province
        self.places = places
        self.persons: list[BookPerson] = []
        self.households: list[BookHousehold] = []
        self.events: list[BookEvent] = []
        self.births: list[Birth] = []
        self.losses: list[tuple[int, int]] = []  # (woman, day) pregnancies without a birth
        self.marriages: list[tuple[int, list[int]]] = []  # (day, partners in the register)
        self.numbers = [0] * villages
        self.families = Families(rng, profile)

    # ------------------------------------------------------------ helpers

    def day_after(self, busy: int, first: int, last: int) -> int | None:
        """A day of ``first``..``last`` after ``busy``, or None."""
        start = max(first, busy + 1)
        return self.rng.randint(start, last) if start <= last else None

    def place(self) -> tuple[str, str]:
        """Another province (code, name) to come from or go to; abroad when none."""
        return self.rng.choice(self.places) if self.places else ("", ABROAD)

    def record(self, kind: EventType, day: int, person: int, **values: Any) -> BookEvent:
        """Add an event of ``person`` to the book."""
        event = BookEvent(kind, day, person, **values)
        self.events.append(event)
        return event

    def _name(self, sex: str, born: int, family: str) -> str:
        year = date.fromordinal(born).year
        era = 0 if year < 1975 else 1 if year < 2000 else 2
        middle = MIDDLE_NAMES[(sex, era)].pick(self.rng)
        given = self.rng.choice(GIVEN_NAMES[(sex, era)])
        if given == middle:
            given = self.rng.choice(GIVEN_NAMES[(sex, era)])
        return f"{family} {middle} {given}"

    def add_person(
        self,
        *,
        sex: str,
        born: int,
        household: int,
        relation: str,
        since: int,
        marital: str = MaritalStatus.NEVER_MARRIED,
        family: str | None = None,
        migrant: bool = False,
    ) -> int:
        """A person entering the book on ``since`` (opening, birth or arrival)."""
        rng = self.rng
        family = family or FAMILY_NAMES.pick(rng)
        birth = date.fromordinal(born)
        province = self.province
        if migrant and self.places and rng.random() < 0.6:
            province = f"0{rng.choice(self.places)[0]}"
        id_number = ""
        if self.end - born >= 14 * YEAR:  # citizen identity cards are issued from 14
            id_number = self.ids.next(province, sex, birth)
        temporary = rng.random() < (0.45 if migrant else 0.06)
        person = BookPerson(
            sex=sex,
            born=born,
            family=family,
            name=self._name(sex, born, family),
            id_number=id_number,
            ethnicity=ETHNICITIES.pick(rng),
            residence=Residence.TEMPORARY if temporary else Residence.PERMANENT,
            stays=[Stay(household, since, NEVER, relation)],
            marital=marital,
            busy=since,
        )
        if marital == MaritalStatus.MARRIED:
            person.married.append([LONG_AGO, NEVER])  # married before entering the book
        self.persons.append(person)
        self.households[household].stays.append(person.stays[0])
        return len(self.persons) - 1

    def new_household(self, day: int, village: int | None = None) -> int:
        """A household set up on ``day`` in ``village`` (one drawn when None), numbered
        next in its village."""
        rng = self.rng
        village = rng.randrange(self.villages) if village is None else village
        self.numbers[village] += 1
        if self.profile.setting == "urban":
            address = f"Số {rng.randint(1, 180)}, ngõ {rng.randint(1, 450)}"
        else:
            address = f"Xóm {rng.randint(1, 9)}"
        self.households.append(BookHousehold(village, day, self.numbers[village], address))
        return len(self.households) - 1

    def room(self, house: int, persons: int, day: int) -> bool:
        """Can ``persons`` more join ``house`` on ``day`` and stay (at most ``MAX_SIZE``
        members on that day and whenever someone joined later)?"""
        stays = self.households[house].stays
        days = [day, *(stay.start for stay in stays if stay.start > day)]
        return all(
            sum(1 for stay in stays if stay.start <= when <= stay.end) + persons <= MAX_SIZE
            for when in days
        )

    def born(self, day: int, age: float) -> int:
        """The day of birth of someone ``age`` years old on ``day``."""
        return day - int(age * YEAR)

    def marry(self, a: int, b: int, day: int) -> None:
        """``a`` and ``b``, both in the book, marry on ``day``."""
        for one, other in ((a, b), (b, a)):
            person = self.persons[one]
            person.marital = MaritalStatus.MARRIED
            person.married.append([day, NEVER])
            person.spouse = other

    def end_marriage(self, index: int, day: int, status: str) -> None:
        """The person's marriage ends on ``day``; ``status`` is the new marital status."""
        person = self.persons[index]
        person.marital = status
        person.spouse = None
        if person.married and person.married[-1][1] == NEVER:
            person.married[-1][1] = day

    # ------------------------------------------------------------ households as found

    def household_arrives(self, day: int, village: int, arrival: tuple[str, str] | None) -> int:
        """A household with its members, as found when the book is opened (``arrival``
        None) or moving in from elsewhere on ``day``.  Make-ups are drawn, then kept with a
        chance that brings the ages to ``PYRAMID`` (see ``age_weights``)."""
        weights, ceiling = age_weights(self.profile)
        while True:
            plan = self.families.household()
            if self.rng.random() * ceiling < math.prod(weights[age_group(m.age)] for m in plan):
                break
        house = self.new_household(day, village)
        base = len(self.persons)
        for member in plan:
            index = self.add_person(
                sex=member.sex,
                born=self.born(day, member.age),
                household=house,
                relation=member.relation,
                since=day,
                marital=member.marital,
                family=member.family,
                migrant=arrival is not None,
            )
            person = self.persons[index]
            person.parity, person.sons = member.parity, member.sons
            if member.last_birth is not None:
                person.last_birth = self.born(day, member.last_birth)
            if member.spouse is not None:
                person.spouse = base + member.spouse
            if member.wedding is not None:
                person.married[-1][0] = self.born(day, member.wedding)
            person.children = [base + child for child in member.children]
            if arrival is not None:
                self.record(EventType.MOVE_IN, day, index, extra={"from_place": arrival[1]})
        return house

    # ------------------------------------------------------------ moves

    def leave(self, index: int, day: int, to_place: str, *, followers: bool = True) -> None:
        """Move out of the commune to ``to_place`` on ``day``, with a mother's young
        children when ``followers``."""
        person = self.persons[index]
        stay = person.stays[-1]
        children = self.dependants(index, day) if followers else []
        stay.end = day
        stay.ended_by = "out"
        stay.went_to = to_place
        person.busy = day
        self.record(EventType.MOVE_OUT, day, index, extra={"to_place": to_place})
        for child in children:
            self.leave(child, day, to_place, followers=False)

    def move(self, index: int, day: int, house: int, relation: str, *, followers: bool) -> None:
        """Move within the commune to ``house`` on ``day`` (the old stay ends the day
        before)."""
        person = self.persons[index]
        children = self.dependants(index, day) if followers else []
        old = person.stays[-1]
        old.end = day - 1
        old.ended_by = "within"
        person.stays.append(Stay(house, day, NEVER, relation))
        self.households[house].stays.append(person.stays[-1])
        person.busy = day
        target = f"#{house}"  # replaced by the household's source id when written
        self.record(EventType.MOVE_WITHIN, day, index, extra={"to_household_id": target})
        for child in children:
            self.move(child, day, house, child_relation(relation), followers=False)

    def dependants(self, index: int, day: int) -> list[int]:
        """A mother's children under 15 living in her household, free to move on ``day``."""
        person = self.persons[index]
        if person.sex != Sex.FEMALE:
            return []
        return [
            child
            for child in person.children
            if self.persons[child].here
            and self.persons[child].household == person.household
            and self.persons[child].age(day) < 15
            and self.persons[child].busy < day
        ]

    # ------------------------------------------------------------ where events count

    def household_of(self, event: BookEvent) -> int:
        """The household where ``event`` counts: the person's on the day (the mother's for
        a birth; the household left for a move within the commune)."""
        person = self.persons[event.person]
        if event.kind is EventType.MOVE_WITHIN:
            stay = next(
                s for s in person.stays if s.end == event.day - 1 and s.ended_by == "within"
            )
        else:
            found = person.stay_on(event.day)
            assert found is not None, f"{event} of a person not in the register"
            stay = found
        return stay.household
