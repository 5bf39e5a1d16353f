"""A year of the book, its steps in a fixed order: households and persons leave, deaths,
divorces and marriages, households split, households and persons arrive, births and
pregnancies.  Pure: no Django.
"""

from __future__ import annotations

from datetime import date

from danso.register.generation.book import CommuneBook
from danso.register.generation.childbearing import Childbearing
from danso.register.generation.couples import Couples
from danso.register.generation.hazards import between, death_probability, poisson
from danso.register.generation.parameters import NEVER, OTHER_COMMUNE
from danso.register.vocabulary import EventType, MaritalStatus, Relation, Sex


class YearOfBook:
    """Lives the book through one calendar year after another.  The order of the steps,
    and of the persons within a step, is the order of the random draws: changing it
    changes the register a seed gives."""

    def __init__(self, book: CommuneBook) -> None:
        self.book = book
        self.rng = book.rng
        self.couples = Couples(book)
        self.childbearing = Childbearing(book)

    def live(self, year: int) -> None:
        """Live 1 January to 31 December of ``year`` (chances by ages on 1 July)."""
        first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
        mid = date(year, 7, 1).toordinal()
        self._households_leave(first, last)
        self._persons_leave(first, last, mid)
        self._deaths(first, last, mid)
        self.couples.divorces(first, last)
        self.couples.marriages(first, last, mid)
        self._households_split(first, last)
        self._arrivals(first, last)
        self.childbearing.births(first, last, mid)
        self.childbearing.pregnancy_losses(first, last, mid)

    def _households_leave(self, first: int, last: int) -> None:
        rng = self.rng
        members: dict[int, list[int]] = {}
        for index, person in enumerate(self.book.persons):
            if person.here:
                members.setdefault(person.household, []).append(index)
        for _house, people in members.items():
            if rng.random() >= 0.012:
                continue
            day = self.book.day_after(max(self.book.persons[i].busy for i in people), first, last)
            if day is None:
                continue
            to_place = self.book.place()[1] if rng.random() < 0.6 else OTHER_COMMUNE
            for index in people:
                self.book.leave(index, day, to_place, followers=False)

    def _persons_leave(self, first: int, last: int, mid: int) -> None:
        rng = self.rng
        for index, person in enumerate(self.book.persons):
            if not person.here or person.busy > last:
                continue
            age = person.age(mid)
            if age < 17:
                continue
            single = person.marital != MaritalStatus.MARRIED
            rate = 0.035 if single and age < 35 else 0.006 if single else 0.0
            if rate and rng.random() < rate:
                day = self.book.day_after(person.busy, first, last)
                if day is not None:
                    self.book.leave(
                        index, day, self.book.place()[1] if rng.random() < 0.5 else OTHER_COMMUNE
                    )

    def _deaths(self, first: int, last: int, mid: int) -> None:
        rng = self.rng
        for index, person in enumerate(self.book.persons):
            if not person.here or person.busy > last:
                continue
            if rng.random() >= death_probability(person.age(mid), person.sex == Sex.MALE):
                continue
            day = self.book.day_after(person.busy - 1, max(first, person.busy), last)
            if day is None:
                continue
            stay = person.stays[-1]
            stay.end = day
            stay.ended_by = "death"
            person.death = day
            person.busy = day
            self.book.record(EventType.DEATH, day, index)
            if person.spouse is not None:
                self.book.end_marriage(person.spouse, day, MaritalStatus.WIDOWED)
                self.book.end_marriage(index, day, MaritalStatus.MARRIED)
            elif person.married and person.married[-1][1] == NEVER:
                person.married[-1][1] = day

    def _households_split(self, first: int, last: int) -> None:
        """A married son and his family set up their own household (tách hộ)."""
        rng = self.rng
        for index, person in enumerate(self.book.persons):
            if (
                person.sex != Sex.MALE
                or person.spouse is None
                or not person.here
                or person.stays[-1].relation != Relation.CHILD
                or rng.random() >= (0.07 if self.book.room(person.household, 1, first) else 1.0)
            ):
                continue
            wife = self.book.persons[person.spouse]
            if not wife.here or wife.household != person.household:
                continue
            day = self.book.day_after(max(person.busy, wife.busy), first, last)
            if day is None:
                continue
            house = self.book.new_household(day)
            self.book.move(index, day, house, Relation.HEAD, followers=False)
            self.book.move(person.spouse, day, house, Relation.SPOUSE, followers=True)

    def _arrivals(self, first: int, last: int) -> None:
        rng = self.rng
        households = len({p.household for p in self.book.persons if p.here})
        for _n in range(poisson(rng, 0.016 * households)):
            came = rng.randint(first, last)
            self.book.household_arrives(came, rng.randrange(self.book.villages), self.book.place())
        present = [i for i, p in enumerate(self.book.persons) if p.here]
        for _n in range(poisson(rng, 0.005 * len(present))):
            host = self.book.persons[rng.choice(present)]
            day = self.book.day_after(host.busy, first, last)
            if day is None or not self.book.room(host.household, 1, day):
                continue
            age = between(rng, 15, 80, peak=24)
            relation = (
                Relation.PARENT
                if age > 62
                else Relation.SIBLING
                if rng.random() < 0.3
                else Relation.OTHER
            )
            single = age < 27 or rng.random() < 0.3
            index = self.book.add_person(
                sex=Sex.FEMALE if rng.random() < 0.55 else Sex.MALE,
                born=self.book.born(day, age),
                household=host.household,
                relation=relation,
                since=day,
                marital=MaritalStatus.NEVER_MARRIED
                if single
                else MaritalStatus.WIDOWED
                if age > 62
                else MaritalStatus.DIVORCED,
                family=host.family if relation == Relation.SIBLING else None,
                migrant=True,
            )
            self.book.record(
                EventType.MOVE_IN, day, index, extra={"from_place": self.book.place()[1]}
            )
