"""A commune's book simulated from its opening to the end of the year, handed over as
plain data: households, persons with their stays, events in order, and the figures of
the year.  Pure: no Django; ``writer`` turns the result into rows.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from danso.register.generation.book import CommuneBook
from danso.register.generation.care import Care
from danso.register.generation.contraception import Contraception
from danso.register.generation.figures import Figures, year_figures
from danso.register.generation.parameters import Profile
from danso.register.generation.records import BookEvent, BookHousehold, BookPerson, IdNumbers
from danso.register.generation.year import YearOfBook


@dataclass(frozen=True, slots=True)
class CommuneRegister:
    """A commune's book once lived.  Records refer to each other by index in these lists:

    - ``households``: each with the index of its village, the day it was set up, its
      number in the village and its address (the household and its placement);
    - ``persons``: each with its ``stays`` (the memberships: household, relation, first
      and last day, ``NEVER`` while it lasts);
    - ``events``: in order of day, each with the household where it counts (the person's
      on the day; the mother's for a birth; the household left for a move within the
      commune);
    - ``figures``: the year's figures as the simulation counts them.
    """

    households: Sequence[BookHousehold]
    persons: Sequence[BookPerson]
    events: Sequence[tuple[BookEvent, int]]
    figures: Figures


def simulate_commune(
    *,
    rng: random.Random,
    profile: Profile,
    villages: int,
    households: int,
    opening: date,
    year: int,
    ids: IdNumbers,
    province: str,
    places: Sequence[tuple[str, str]],
) -> CommuneRegister:
    """Open the book of a commune of ``villages`` villages on ``opening`` with
    ``households`` households, live it year by year until 31 December of ``year``, then
    draw the screenings, checks and contraceptive histories.  ``rng`` is the commune's
    one stream of draws; ``ids`` numbers identity cards across communes; ``province`` is
    the 3-digit code of the province (where persons are born), ``places`` the (code,
    name) of the other provinces (where migrants come from and go to)."""
    book = CommuneBook(
        rng=rng,
        profile=profile,
        villages=villages,
        opening=opening,
        year=year,
        ids=ids,
        province=province,
        places=places,
    )
    for _n in range(households):
        book.household_arrives(book.opening, rng.randrange(villages), None)
    years = YearOfBook(book)
    for each in range(opening.year, year + 1):
        years.live(each)
    years.childbearing.expected_births()
    Care(book).run()
    Contraception(book).run()
    events = [(event, book.household_of(event)) for event in sorted(book.events, key=_day_of)]
    return CommuneRegister(
        households=book.households,
        persons=book.persons,
        events=events,
        figures=year_figures(year, book.persons, book.events),
    )


def _day_of(event: BookEvent) -> int:
    return event.day
