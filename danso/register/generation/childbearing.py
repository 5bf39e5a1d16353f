"""Births and pregnancies in the book: births to married women by age, parity and time
since the last birth (with a preference for sons), pregnancies that end without a live
birth, and the births expected after the end of the book.  Pure: no Django.
"""

from __future__ import annotations

from datetime import date

from danso.register.generation.book import CommuneBook
from danso.register.generation.hazards import birth_probability, child_relation, child_sex
from danso.register.generation.parameters import (
    BIRTH_PLACES,
    LONG_AGO,
    NEVER,
    NEW_PREGNANCY_LOSS,
    YEAR,
)
from danso.register.generation.records import Birth, BookPerson
from danso.register.vocabulary import EventType, Sex


class Childbearing:
    """A year's births and pregnancy losses; each birth (and each expected one) is also
    kept in ``book.births``, each loss in ``book.losses``, for the screenings and the
    contraceptive histories."""

    def __init__(self, book: CommuneBook) -> None:
        self.book = book
        self.rng = book.rng

    def births(self, first: int, last: int, mid: int, *, expected: bool = False) -> None:
        """The births of ``first``..``last`` (chances by ages on ``mid``); ``expected``:
        births after the end of the book, only kept in ``book.births`` (their women are
        pregnant, and use no method, at the end)."""
        rng = self.rng
        profile = self.book.profile
        span = last - first + 1
        for index, woman in enumerate(self.book.persons):
            if woman.sex != Sex.FEMALE or not woman.married or woman.stays[-1].start > last:
                continue
            if woman.death is not None and woman.death < first:
                continue
            age = woman.age(mid)
            if not 15 <= age < 50:
                continue
            if woman.last_birth is not None:
                since_last: float | None = (mid - woman.last_birth) / YEAR
            elif woman.married[-1][0] > LONG_AGO:
                since_last = (mid - woman.married[-1][0]) / YEAR  # years since the wedding
            else:
                since_last = None
            chance = birth_probability(age, woman.parity, since_last, woman.sons, profile)
            if rng.random() >= chance * span / 365:
                continue
            day = rng.randint(first, last)
            if woman.last_birth is not None and day - woman.last_birth < 450:
                continue
            if not woman.married_on(day - 240):
                continue
            if expected:
                if woman.here and woman.stays[-1].start <= self.book.end:
                    self.book.births.append(Birth(index, day, None))
                continue
            stay = woman.stay_on(day)
            if stay is None or not 15 <= woman.age(day) < 50:
                continue
            if not self.book.room(stay.household, 1, day):
                continue
            order = woman.parity + 1
            sex = child_sex(rng, order, woman.sons)
            father = self.book.persons[woman.spouse] if woman.spouse is not None else None
            family = father.family if father is not None else woman.family
            relation = child_relation(stay.relation)
            child = self.book.add_person(
                sex=sex,
                born=day,
                household=stay.household,
                relation=relation,
                since=day,
                family=family,
            )
            woman.parity = order
            woman.sons += sex == Sex.MALE
            woman.last_birth = day
            woman.children.append(child)
            woman.busy = max(woman.busy, day)
            self.book.births.append(Birth(index, day, child))
            self.book.record(
                EventType.BIRTH,
                day,
                index,
                child=child,
                birth_order=order,
                extra={"place": BIRTH_PLACES.pick(rng)},
            )
            self._follow(child, woman, day)

    def _follow(self, child: int, mother: BookPerson, born: int) -> None:
        """A child born before the mother moved, this year, moves with her."""
        for stay in mother.stays:
            if stay.end == NEVER or stay.end < born:
                continue
            if stay.ended_by == "out":
                self.book.leave(child, stay.end, stay.went_to, followers=False)
                return
            if stay.ended_by == "within":
                after = next(s for s in mother.stays if s.start == stay.end + 1)
                if not self.book.room(after.household, 1, after.start):
                    return  # no room: the baby stays with the family it was born into
                self.book.move(
                    child,
                    after.start,
                    after.household,
                    child_relation(after.relation),
                    followers=False,
                )

    def pregnancy_losses(self, first: int, last: int, mid: int) -> None:
        """Pregnancies of ``first``..``last`` that end without a live birth."""
        rng = self.rng
        for index, woman in enumerate(self.book.persons):
            if woman.sex != Sex.FEMALE or woman.spouse is None or not woman.here:
                continue
            if not 18 <= woman.age(mid) < 45 or rng.random() >= NEW_PREGNANCY_LOSS:
                continue
            day = rng.randint(first, last)
            recent = woman.last_birth is not None and abs(day - woman.last_birth) < 400
            if not recent and woman.present_on(day) and woman.married_on(day):
                self.book.losses.append((index, day))
                expected = date.fromordinal(day + 200).isoformat()
                self.book.record(EventType.PREGNANCY, day, index, extra={"expected_date": expected})

    def expected_births(self) -> None:
        """Women pregnant at the end of the book: births due in the next nine months."""
        first = self.book.end + 1
        self.births(first, first + 270, first + 135, expected=True)
