"""The keys of a tally: the counts the engine makes for each leaf unit and period, which
the cache keeps (``LeafTally.tally``), entered figures give for paper communes
(``EnteredFigures.counts``), the indicators are computed from and the reports' rows read.

One name per key, so that the engine, the cache, the entered figures and the reports
cannot drift apart; the strings themselves are stored in the database and in report
configuration, so they never change.  Counts are additive over units (a branch's tally
is the sum of its leaves'); the marks (``src.``, ``warn.``) say where a tally came from.
"""

from __future__ import annotations

from typing import Final

# ------------------------------------------------------------------ stock on a day
#: Persons registered on the period's reference date.
POPULATION: Final = "P"
#: Households with a member on the period's last day.
HOUSEHOLDS: Final = "households"
#: Women aged 15–49 on the reference date (``women_aged`` by five-year group).
WOMEN_15_49: Final = "W"
#: Persons aged 60 and over on the reference date, and those with a check-up in the period.
ELDERLY: Final = "E60"
ELDERLY_CHECKED: Final = "E60.checked"

# ------------------------------------------------------------------ births and deaths
BIRTHS: Final = "births"
#: Births of boys and of girls (``births_of_sex``).
BIRTHS_BOYS: Final = "births.M"
BIRTHS_GIRLS: Final = "births.F"
#: Births whose order is known, second births, third and later births.
BIRTHS_ORDER_KNOWN: Final = "births.order_known"
BIRTHS_ORDER2: Final = "births.order2"
BIRTHS_ORDER3P: Final = "births.order3p"
BIRTHS_MOTHER_UNDER20: Final = "births.mother_under20"
#: Births to mothers aged 15–49 (the TFR's numerator).
BIRTHS_MOTHERS_15_49: Final = "births.15-49"
DEATHS: Final = "deaths"
#: Pregnancies recorded in the period (the register's ``pregnancy`` events).
PREGNANCIES: Final = "pregnancies"

# ------------------------------------------------------------------ screenings and checks
#: Women who gave birth in the period, and those of them screened before the birth.
PRENATAL_MOTHERS: Final = "prenatal.mothers"
PRENATAL_SCREENED: Final = "prenatal.screened"
NEWBORN_SCREENED: Final = "newborn.screened"
PREMARITAL_COUPLES: Final = "premarital.couples"
PREMARITAL_CHECKED: Final = "premarital.checked"

# ------------------------------------------------------------------ family planning
#: New acceptors of a modern method (``new_acceptors_by`` method or supply).
NEW_ACCEPTORS: Final = "newfp"
#: Married women 15–49 on the period's last day, and those of them using a modern method.
CPR_WOMEN: Final = "cpr.women"
CPR_USERS: Final = "cpr.users"

# ------------------------------------------------------------------ marriages and moves
MARRIED: Final = "married"
#: Persons married below the legal age (tảo hôn).
MARRIED_CHILD: Final = "married.child"
#: Consanguineous marriages: entered by the officer, the register does not know them.
MARRIED_CONSANGUINEOUS: Final = "married.consanguineous"
DIVORCED: Final = "divorced"
MOVED_IN: Final = "moved_in"
MOVED_OUT: Final = "moved_out"

# ------------------------------------------------------------------ marks (not counts)
#: Where a tally came from: the register, entered figures, an estimate (a split commune's
#: share by population), and a disagreement between the register and entered figures.
FROM_REGISTER: Final = "src.register"
FROM_ENTERED: Final = "src.entered"
ESTIMATED: Final = "src.estimated"
ENTERED_DIFFERS: Final = "warn.entered_differs"
#: The prefixes of the marks: a mark is not added up like a count.
MARKS: Final = ("src.", "warn.")


def women_aged(group: str) -> str:
    """Women of the five-year age ``group`` (``"15-19"`` …) on the reference date."""
    return f"{WOMEN_15_49}.{group}"


def births_to_mothers_aged(group: str) -> str:
    """Births to mothers of the five-year age ``group``."""
    return f"{BIRTHS}.{group}"


def births_of_sex(sex: str) -> str:
    """Births of boys (``"M"``) or girls (``"F"``)."""
    return f"{BIRTHS}.{sex}"


def new_acceptors_by(method_or_supply: str) -> str:
    """New acceptors of a method (``"iud"`` …) or by supply (``"free"`` …)."""
    return f"{NEW_ACCEPTORS}.{method_or_supply}"


def pyramid(sex: str, group: str) -> str:
    """Persons of ``sex`` in the pyramid's five-year ``group`` (``"0-4"`` … ``"85+"``)."""
    return f"PYR.{sex}.{group}"
