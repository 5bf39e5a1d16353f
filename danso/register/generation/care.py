"""The screenings and checks of the book, drawn once its persons have lived: the
pregnancy known and prenatal screening of each birth, newborn screening, premarital
checks of the couples, and the yearly check-ups of the elderly.  Pure: no Django.
"""

from __future__ import annotations

from datetime import date

from danso.register.generation.book import CommuneBook
from danso.register.generation.hazards import add_years
from danso.register.generation.parameters import ELDERLY, NEWBORN, PREMARITAL, PRENATAL, YEAR
from danso.register.vocabulary import EventType


class Care:
    """Records the screenings and checks of the whole book, in this order: births'
    screenings, premarital checks, elderly check-ups."""

    def __init__(self, book: CommuneBook) -> None:
        self.book = book
        self.rng = book.rng

    def run(self) -> None:
        self.screenings()
        self.premarital_checks()
        self.elderly_checkups()

    def screenings(self) -> None:
        rng = self.rng
        for birth in self.book.births:
            mother = self.book.persons[birth.mother]
            known = birth.day - rng.randint(175, 235)
            if known >= self.book.opening and known <= self.book.end and mother.present_on(known):
                self.book.record(
                    EventType.PREGNANCY,
                    known,
                    birth.mother,
                    extra={"expected_date": date.fromordinal(birth.day).isoformat()},
                )
            if rng.random() < PRENATAL:
                days = [birth.day - rng.randint(84, 175)]
                if rng.random() < 0.35:
                    days.append(birth.day - rng.randint(14, 80))
                for day in days:
                    if self.book.opening <= day <= self.book.end and mother.present_on(day):
                        result = "nguy cơ cao" if rng.random() < 0.03 else "bình thường"
                        self.book.record(
                            EventType.PRENATAL_SCREENING,
                            day,
                            birth.mother,
                            extra={"result": result},
                        )
            if birth.child is not None and rng.random() < NEWBORN:
                day = birth.day + (rng.randint(1, 7) if rng.random() < 0.93 else rng.randint(8, 30))
                child = self.book.persons[birth.child]
                if day <= self.book.end and child.present_on(day):
                    result = "nghi ngờ" if rng.random() < 0.01 else "bình thường"
                    self.book.record(
                        EventType.NEWBORN_SCREENING, day, birth.child, extra={"result": result}
                    )

    def premarital_checks(self) -> None:
        rng = self.rng
        for day, partners in self.book.marriages:
            if rng.random() >= PREMARITAL:
                continue
            for index in rng.sample(partners, len(partners)):
                when = day - rng.randint(10, 300)
                if when >= self.book.opening and self.book.persons[index].present_on(when):
                    self.book.record(EventType.PREMARITAL_CHECK, when, index)
                    if rng.random() < 0.7:  # often only one of the two is checked
                        break

    def elderly_checkups(self) -> None:
        rng = self.rng
        for year in range(date.fromordinal(self.book.opening).year, self.book.year + 1):
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            mid = date(year, 7, 1).toordinal()
            for index, person in enumerate(self.book.persons):
                if person.born > mid - 60 * YEAR or not person.present_on(mid):
                    continue
                if rng.random() >= ELDERLY:
                    continue
                sixty = add_years(person.born, 60)
                for _n in range(2 if rng.random() < 0.15 else 1):
                    day = rng.randint(max(first, sixty), last)
                    if person.present_on(day):
                        self.book.record(EventType.ELDERLY_CHECKUP, day, index)
