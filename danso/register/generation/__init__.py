"""A synthetic household register (sổ A0) for a district or a province, for demos,
benchmarks and tests.  Everything it writes is invented, deterministic for a seed, and
marked as synthetic (``extra["synthetic"]`` on households and persons).

``generate(root, year, seed=…)`` takes the communes under ``root`` as the tree stood on
1 July of ``year`` and, commune by commune:

1. finds the commune's villages valid on that day (the demo's tổ dân phố of Ngọc Thụy are
   reused) and creates more through ``units.services.village_create`` (tổ dân phố in a
   phường or thị trấn, thôn in a xã; codes ``<commune 5 digits>-TDP01`` / ``-T01``) so
   that a village keeps 150–400 households at scale 1;
2. fills them, in memory, with households as they stood when the book was opened
   (1 January of the last year a book was opened: 2011, 2016, 2021, 2026 …; 2021 for
   2022–2026): families of realistic size and make-up, persons with Vietnamese names,
   ages, relations to the head, marital status and 12-digit citizen identity numbers;
3. lets the population live until 31 December of ``year``, year by year: moves out, in
   and within the commune, deaths, divorces, marriages, households splitting, births
   (to married women, by age, parity and time since the last birth, with a preference
   for sons that raises the sex ratio of second and later births), pregnancies,
   prenatal, newborn and premarital screening, check-ups of the elderly, and the
   contraceptive history of every married woman 15–49 (starts by method and supply,
   stops, switches; a method is stopped before a wanted pregnancy);
4. writes households, placements, persons, memberships and events with bulk inserts.

Each event counts in the unit of the person's household on the event's day, with that
unit's path on that day, as ``register.services.event_record`` would count it (see
``writer`` for the book's first years, before the reference tree begins).

Conventions a reader of the register needs:

- a woman already using a method when the book was opened has a ``contraception_start``
  on the opening day with ``new_acceptor`` false and ``extra["in_use_at_opening"]`` true:
  it is the book's inventory, not a new user;
- a marriage is recorded on each partner living in the register, each naming the other
  (``spouse``); a divorce likewise;
- the models' history (django-simple-history) is not written for generated rows.

The figures aimed at (DOMAIN.md §8, Hà Nội and Long Biên) are: households of 3.2–3.3
persons on average, 14–15 % aged 60+ in 2024, CBR ≈ 12–14 ‰, SRB ≈ 111, 3rd+ births
≈ 6–7 %, CDR ≈ 6 ‰, prenatal screening ≈ 86 %, newborn screening ≈ 89 %, premarital
checks ≈ 85 % of couples, elderly check-ups ≈ 89 %, CPR ≈ 65–70 % of married women 15–49
and, in an urban district, ≈ 8 new contraceptive users a year per 100 persons (Long Biên
2025: 24,971 for ≈ 300,000 persons: 74 % condom, 22 % pill, 4 % IUD).  The TFR comes out
≈ 1.7–1.8: with Hà Nội's age structure a TFR of 2.0 would need a CBR of ≈ 15 ‰, and the
CBR was preferred.  Scale 1.0 gives a ward ≈ 5,500 households and a rural commune ≈ 3,000
(Long Biên ≈ 270,000 persons).

The package keeps the simulation apart from the database.  Pure modules (no Django; they
run and are tested without a site): ``parameters`` (profiles, rates, names),
``hazards`` (yearly chances and small draws), ``records`` (the plain records), ``families``
(households as found), ``book`` (one commune's book and its changes), ``year``,
``couples``, ``childbearing``, ``care`` and ``contraception`` (the steps that live it),
``figures``, ``summary`` and ``simulation`` (``simulate_commune``, whose plain result is
the hand-over).  ``writer`` (``generate``) and ``bulk`` write rows with Django.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from danso.register.generation.parameters import book_opening
from danso.register.generation.summary import GenerationSummary, Progress

if TYPE_CHECKING:
    from danso.register.generation.writer import generate

__all__ = ["GenerationSummary", "Progress", "book_opening", "generate"]


def __getattr__(name: str) -> Any:
    """``generate`` is imported from ``writer`` when first asked for, so that importing a
    pure module of the package (which runs this file first) does not import Django."""
    if name == "generate":
        from danso.register.generation.writer import generate

        return generate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
