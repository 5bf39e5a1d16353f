"""The contraceptive history of every married woman 15–49 of the book: the method in
use when the book was opened, then starts by method and supply, stops and switches while
she is married and in the register; a method is stopped before a wanted pregnancy and
taken up again after the birth.  Pure: no Django.
"""

from __future__ import annotations

from danso.register.generation.book import CommuneBook
from danso.register.generation.hazards import add_years, postpartum
from danso.register.generation.parameters import NEVER, SPELL_YEARS, SWITCH, YEAR, Weighted
from danso.register.generation.records import BookPerson, Stay
from danso.register.vocabulary import EventType, Method, Sex


class Contraception:
    """Draws the histories once the book has lived (the births and losses it holds are
    the spans a woman uses nothing)."""

    def __init__(self, book: CommuneBook) -> None:
        self.book = book
        self.rng = book.rng
        self.methods = Weighted(book.profile.methods)
        self.supplies = Weighted(book.profile.supplies)

    def run(self) -> None:
        """Record the history of each married woman of the book."""
        rng = self.rng
        births: dict[int, list[int]] = {}
        blocks: dict[int, list[tuple[int, int]]] = {}
        for birth in self.book.births:
            births.setdefault(birth.mother, []).append(birth.day)  # expected ones too
            trying = birth.day - 270 - rng.randint(20, 200)
            blocks.setdefault(birth.mother, []).append((trying, birth.day + postpartum(rng)))
        for woman, day in self.book.losses:
            blocks.setdefault(woman, []).append((day - 90, day + 45))
        for index, person in enumerate(self.book.persons):
            if person.sex == Sex.FEMALE and person.married:
                self._woman_methods(
                    index, person, sorted(blocks.get(index, [])), births.get(index, [])
                )

    def _woman_methods(
        self, index: int, woman: BookPerson, blocks: list[tuple[int, int]], births: list[int]
    ) -> None:
        """The contraceptive history of one woman while she is married, 15–49 and in the
        register; ``blocks`` are the spans she uses nothing (trying for a child, pregnant,
        after a birth), ``births`` the days of her births in the book."""
        rng = self.rng

        def parity(day: int) -> int:
            return woman.parity - sum(1 for born in births if day < born <= self.book.end)

        fifteen, fifty = add_years(woman.born, 15), add_years(woman.born, 50) - 1
        spans: list[tuple[int, int, str]] = []  # (first, last, why it ends)
        for start, end in woman.married:
            for here_from, here_to in _presence(woman.stays):
                first = max(start, here_from, fifteen, self.book.opening)
                last = min(end, here_to, fifty, self.book.end)
                if first > last:
                    continue
                if last == self.book.end:
                    why = "end"
                elif last == fifty:
                    why = "age"
                elif last == end and here_to != end:
                    why = "marriage"  # divorced or widowed
                else:
                    why = "gone"  # died or moved out
                spans.extend(_cut(first, last, why, blocks))
        spans.sort()
        if not spans:
            return
        ever = rng.random() < (0.35 if parity(spans[0][0]) == 0 else 0.85)
        method = ""
        stop = 0
        for first, last, why in spans:
            day = first
            if first == self.book.opening and woman.married_on(first):
                method = self._method_at_opening(woman, parity(first), sterile=not blocks)
                if method:
                    ever = True
                    stop = self._spell_end(first, method)
                    self.book.record(
                        EventType.CONTRACEPTION_START,
                        first,
                        index,
                        method=method,
                        supply=self.supplies.pick(rng),
                        new_acceptor=False,
                        extra={"in_use_at_opening": True},
                    )
            while True:
                if method:
                    if stop > last:
                        break
                    self.book.record(EventType.CONTRACEPTION_STOP, stop, index, method=method)
                    day, previous, method = stop, method, ""
                    if rng.random() < SWITCH:
                        day += rng.randint(1, 45)
                        if day > last:
                            break
                        method = self._start(index, day, previous, not ever, parity(day))
                        ever = True
                        stop = self._spell_end(day, method)
                    continue
                hazard = self.book.profile.start_hazard if parity(day) else 0.4
                day += int(rng.expovariate(hazard) * YEAR) + 1
                if day > last:
                    break
                method = self._start(index, day, "", not ever, parity(day))
                ever = True
                stop = self._spell_end(day, method)
            if method and why in ("block", "marriage"):
                self.book.record(EventType.CONTRACEPTION_STOP, last, index, method=method)
            if why != "end":
                method = ""

    def _method_at_opening(self, woman: BookPerson, parity: int, *, sterile: bool) -> str:
        """The method a married woman uses when the book is opened ("" for none); only a
        woman with no pregnancy in the book may be ``sterile``."""
        rng = self.rng
        age = woman.age(self.book.opening)
        use = 0.5 if age < 20 else 0.62 if age < 25 else 0.72 if age < 30 else 0.8
        if parity == 0:
            use *= 0.45
        if rng.random() >= use:
            return ""
        iud = 0.10 if age < 25 else 0.27 if age < 35 else 0.36
        roll = rng.random()
        if sterile and age >= 35 and parity >= 2 and roll < 0.04:
            return Method.STERILIZATION_F
        if 0.04 <= roll < 0.04 + iud and parity >= 1:
            return Method.IUD
        if roll > 0.998:
            return Method.IMPLANT if rng.random() < 0.6 else Method.INJECTABLE
        return Method.PILL if rng.random() < 0.2 else Method.CONDOM

    def _start(self, index: int, day: int, previous: str, new: bool, parity: int) -> str:
        rng = self.rng
        method: str = self.methods.pick(rng)
        if method == previous:
            method = self.methods.pick(rng)
        if method == Method.IUD and parity == 0:
            method = Method.CONDOM
        supply = self.supplies.pick(rng)
        self.book.record(
            EventType.CONTRACEPTION_START,
            day,
            index,
            method=method,
            supply=supply,
            new_acceptor=new,
        )
        return method

    def _spell_end(self, day: int, method: str) -> int:
        if method == Method.STERILIZATION_F:
            return NEVER
        years = self.rng.expovariate(1 / (SPELL_YEARS[Method(method)] * self.book.profile.spells))
        return day + int(years * YEAR) + 1


def _cut(
    first: int, last: int, why: str, blocks: list[tuple[int, int]]
) -> list[tuple[int, int, str]]:
    """``first``..``last`` without the ``blocks``; a piece cut short by a block ends
    "block"."""
    pieces = []
    cursor = first
    for start, end in blocks:
        if end < cursor or start > last:
            continue
        if start > cursor:
            pieces.append((cursor, start - 1, "block"))
        cursor = max(cursor, end + 1)
        if cursor > last:
            return pieces
    pieces.append((cursor, last, why))
    return pieces


def _presence(stays: list[Stay]) -> list[tuple[int, int]]:
    """The spans a person is in the register (a move within the commune does not break
    one)."""
    spans: list[tuple[int, int]] = []
    for stay in stays:
        if spans and stay.start == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], stay.end)
        else:
            spans.append((stay.start, stay.end))
    return spans
