"""Finding a person in the register (tìm kiếm nhân khẩu) within the reader's scope.

A query is a name typed the way officers type it (no diacritics, any case, words in any
order, the last word perhaps unfinished, a letter missing or two swapped), or an ID number
(all digits: the whole number or, from four digits, its end), narrowed by a birth year and
a household (its number in the book or its source id).

How it stays fast on a district register (≈ 300,000 persons) with no index but the B-tree
on ``name_folded``, identically on SQLite and PostgreSQL:

1. *Names.*  One scan of ``name_folded`` returns the distinct folded names (names repeat a
   lot in Vietnamese: a few thousand at most) that contain every query word
   (``LIKE '%word%'``, the longest word first) or — the typo candidates, for two words or
   more — whose words begin, in the query's order, with the first letters of the query
   words (``LIKE 'n% t% h%'``: a typing mistake seldom hits the first letter of a word,
   and fragments of such short words would keep every name).  A one-word query gets its
   typo candidates in a second scan, only when the first found fewer than ``limit``.
2. *Scores, in Python.*  Each word of those names is compared once with each query word:
   the same word, a word it begins, or — for typo candidates — a word within one edit
   (two for query words of six letters or more; Damerau–Levenshtein, a swap of two
   neighbours counting as one edit).  A name is kept when every query word finds a word.
3. *Persons.*  Names are taken best first and their persons read by the index on
   ``name_folded``, a batch at a time, until ``limit`` persons of the reader's scope are
   found: those whose current household (the last stay) ``households_visible`` shows.

Scores are in [0, 1]: 1 for a name whose words are exactly the query's; a word that only
begins with the query word, a word with a typo, a word the query does not name, or words
in another order lower it, so exact matches always come first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import F, Lookup, OuterRef, Q, QuerySet, Subquery

from danso.register.models import Household, Membership, Person
from danso.register.privacy import Shown, Sight, VisibleHouseholds, shown
from danso.units.scope import Action, UnitScope
from danso.vietnamese import fold

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

WHOLE_WORD, WORD_START, ONE_EDIT, TWO_EDITS = 1.0, 0.9, 0.7, 0.5
EXTRA_WORD = 0.02  # for each word of the name the query does not name
OTHER_ORDER = 0.01  # the query's words appear in another order in the name
OTHER_PLACE = 0.005  # the first (last) query word is not the first (last) word of the name
ID_SUFFIX_MIN = 4  # digits needed before the end of an ID number is searched
ENDING_MAX = 1000  # persons whose ID number ends with the digits, at most
HOUSEHOLD_NUMBER_MAX = 6  # digits at most of a household's number in the book
FIRST_NAMES = 10  # the best names, whose persons are read first
NAMES_PER_QUERY = 640  # at most so many folded names in one IN (...)
_DIGITS = re.compile(r"\d+")


class Match(StrEnum):
    """Why a person was found."""

    EXACT = "exact"  # every query word is a word of the name
    PARTIAL = "partial"  # some query word only begins a word of the name
    TYPO = "typo"  # some query word is one or two edits away from a word of the name
    ID_NUMBER = "id_number"
    ID_NUMBER_END = "id_number_end"
    HOUSEHOLD = "household"  # the query is the number or id of the person's household
    FILTER = "filter"  # no query: everyone born that year / in that household


@dataclass(frozen=True)
class SearchHit:
    person: Person
    household: Household | None  # the current household (the last stay)
    score: float  # 0–1, best first
    match: Match
    # How much of the person the reader sees (``privacy.Sight``): the keeper all of it,
    # an officer above the commune initials, the year of birth and a cut ID number.
    sight: Sight

    @property
    def shown(self) -> Shown:
        return shown(self.person, self.sight)


# ---------------------------------------------------------------- text, no database


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein distance (optimal string alignment: insertions, deletions,
    substitutions and swaps of two neighbouring letters each count 1) between ``a`` and
    ``b``, or ``limit + 1`` as soon as it is known to exceed ``limit``.

    >>> edit_distance("hoa", "hao", 2), edit_distance("thi", "th", 2)
    (1, 1)
    >>> edit_distance("an", "hung", 1)
    2
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if limit == 1:
        return 1 if _one_edit(a, b) else 2
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        best = i
        for j, cb in enumerate(b, start=1):
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, before[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def _one_edit(a: str, b: str) -> bool:
    """Are the different words ``a`` and ``b`` one edit apart?  (The common case of
    ``edit_distance``, without its table.)"""
    if len(a) > len(b):
        a, b = b, a
    start = 0
    while start < len(a) and a[start] == b[start]:
        start += 1
    if len(a) < len(b):  # b has one letter more
        return a[start:] == b[start + 1 :]
    replaced = a[start + 1 :] == b[start + 1 :]
    swapped = (
        start + 1 < len(a)
        and (a[start], a[start + 1]) == (b[start + 1], b[start])
        and a[start + 2 :] == b[start + 2 :]
    )
    return replaced or swapped


def typo_budget(word: str) -> int:
    """How many edits a query word may be from a word of the name in the typo pass."""
    if len(word) <= 1:
        return 0
    return 1 if len(word) <= 5 else 2


def word_score(query_word: str, name_word: str, *, typos: bool) -> float:
    """How well ``name_word`` answers ``query_word`` (0: not at all)."""
    if name_word == query_word:
        return WHOLE_WORD
    if name_word.startswith(query_word):
        return WORD_START
    if typos:
        budget = typo_budget(query_word)
        distance = edit_distance(query_word, name_word, budget)
        if distance <= budget:
            return ONE_EDIT if distance == 1 else TWO_EDITS
    return 0.0


def _name_score(
    name_words: Sequence[str], tables: Sequence[dict[str, float]], order: Sequence[int]
) -> tuple[float, Match] | None:
    """Score a name (its folded words) for the query: each query word, in ``order``
    (longest first), takes the best still unused word of the name; None when some query
    word finds nothing.  ``tables[i]`` maps the words answering query word ``i`` to their
    ``word_score``."""
    taken = [-1] * len(tables)
    total, worst = 0.0, WHOLE_WORD
    for i in order:
        table = tables[i]
        best, where = 0.0, -1
        for j, word in enumerate(name_words):
            score = table.get(word, 0.0)
            if score > best and j not in taken:
                best, where = score, j
        if where < 0:
            return None
        taken[i] = where
        total += best
        worst = min(worst, best)
    value = total / len(tables) - EXTRA_WORD * (len(name_words) - len(tables))
    if taken != sorted(taken):
        value -= OTHER_ORDER
    # Names are typed family name first, given name last: "nguyen anh" is more likely
    # Nguyễn Văn Anh than Nguyễn Anh Tuấn.
    if taken[0] != 0:
        value -= OTHER_PLACE
    if taken[-1] != len(name_words) - 1:
        value -= OTHER_PLACE
    return round(max(value, 0.0), 4), _match_of(worst)


def _match_of(worst: float) -> Match:
    """What the weakest word of a match makes of it."""
    if worst < WORD_START:
        return Match.TYPO
    return Match.PARTIAL if worst < WHOLE_WORD else Match.EXACT


def _one_word_score(name_words: list[str], table: dict[str, float]) -> tuple[float, Match] | None:
    """``_name_score`` for a query of one word."""
    best, where = 0.0, -1
    for j, word in enumerate(name_words):
        score = table.get(word, 0.0)
        if score > best:
            best, where = score, j
    if where < 0:
        return None
    value = best - EXTRA_WORD * (len(name_words) - 1)
    value -= OTHER_PLACE * ((where != 0) + (where != len(name_words) - 1))
    return round(max(value, 0.0), 4), _match_of(best)


def names_matching(
    query_words: Sequence[str], names: Iterable[str], *, typos: bool
) -> dict[str, tuple[float, Match]]:
    """The folded ``names`` that answer every query word, with their score: each word of
    the names is compared once with each query word (names share few words)."""
    names = list(names)
    vocabulary = set(" ".join(names).split())
    tables = [
        {word: score for word in vocabulary if (score := word_score(q, word, typos=typos))}
        for q in query_words
    ]
    if len(tables) == 1:  # one word, often a broad query: the same score, made quicker
        return {
            name: scored
            for name in names
            if (scored := _one_word_score(name.split(), tables[0])) is not None
        }
    # Set tests reject most names cheaply, the rarest query word first.
    answers = sorted((table.keys() for table in tables), key=len)
    order = sorted(range(len(query_words)), key=lambda i: -len(query_words[i]))
    out: dict[str, tuple[float, Match]] = {}
    for name in names:
        words = name.split()
        if any(keys.isdisjoint(words) for keys in answers):
            continue
        scored = _name_score(words, tables, order)
        if scored is not None:
            out[name] = scored
    return out


def _query_words(query: str) -> tuple[list[str], int | None]:
    """The folded name words of a query, and a year written in it (``hoa 1985``).
    Words keep letters and digits only, so that none carries a ``LIKE`` wildcard."""
    words, year = [], None
    for word in re.findall(r"[^\W_]+", fold(query)):
        if word.isdigit():
            if len(word) == 4 and 1880 <= int(word) <= 2100:
                year = int(word)
            continue
        words.append(word)
    return words, year


class _Like(Lookup[str]):
    """``column LIKE pattern`` with the pattern's own wildcards (Django's lookups escape
    them).  Used only with patterns made of folded letters, spaces and ``%``."""

    lookup_name = "danso_like"

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper
    ) -> tuple[str, tuple[str | int, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} LIKE {rhs}", (*lhs_params, *rhs_params)


def typo_skeleton(words: Sequence[str]) -> Q:
    """Names in which, in the query's order, words begin with the first letters of the
    query words — the filter of the typo pass: a typing mistake seldom hits the first
    letter of a word (one that does is not found), and the pattern keeps a few percent of
    the names of a register (its words are short, so filters by fragments keep them all).
    For "nguyen thi hao": ``LIKE 'n% t% h%' OR LIKE '% n% t% h%'``.
    """
    pattern = "% ".join(word[0] for word in words) + "%"
    return Q(_Like(F("name_folded"), pattern)) | Q(_Like(F("name_folded"), f"% {pattern}"))


# ---------------------------------------------------------------- the search


# The household of a person's last stay (``selectors.current_household``), as a subquery.
CURRENT_HOUSEHOLD = Subquery(
    Membership.objects.filter(person=OuterRef("pk"))
    .order_by("-valid_from", "-pk")
    .values("household_id")[:1]
)


@dataclass
class _Search:
    scope: UnitScope
    user: Any
    birth_year: int | None
    household: str | None
    limit: int

    def __post_init__(self) -> None:
        self.sees = VisibleHouseholds(self.scope, self.user, Action.VIEW_RECORDS)
        self.households: set[int] | None = None  # the household filter, when given
        if self.household:
            key = self.household.strip()
            self.households = self.books(key)

    def books(self, key: str) -> set[int]:
        """The households the reader sees whose number in the book or source id is
        ``key``."""
        found = Household.objects.filter(Q(number=key) | Q(source_id=key)).order_by()
        return self.sees(found.values_list("pk", flat=True))

    def persons(self) -> QuerySet[Person]:
        """Persons the filters let through, before the scope (cheap: indexed columns)."""
        persons = Person.objects.all()
        if self.birth_year is not None:
            persons = persons.filter(
                birth_date__gte=date(self.birth_year, 1, 1),
                birth_date__lte=date(self.birth_year, 12, 31),
            )
        if self.households is not None:
            persons = persons.filter(
                pk__in=Membership.objects.filter(household__in=self.households).values("person_id")
            )
        return persons

    def seen(self, households: Iterable[int | None], among: set[int] | None = None) -> set[int]:
        """Those of ``households`` the reader sees (and the household filter, or
        ``among``, keeps)."""
        seen = self.sees(households)
        for kept in (self.households, among):
            if kept is not None:
                seen &= kept
        return seen

    def in_scope(
        self,
        persons: QuerySet[Person],
        order: tuple[str, ...],
        want: int,
        among: set[int] | None = None,
    ) -> list[tuple[int, int]]:
        """(person, current household) of the first ``want`` of ``persons`` in ``order``
        that are not merged into another and whose current household the reader sees
        (and is one of ``among``): read a page at a time, the scope checked on each."""
        rows = (
            persons.filter(merged_into__isnull=True)
            .annotate(current_household=CURRENT_HOUSEHOLD)
            .order_by(*order)
            .values_list("pk", "current_household")
        )
        found: list[tuple[int, int]] = []
        start, size = 0, max(want, 20)
        while len(found) < want:
            page = list(rows[start : start + size])
            seen = self.seen((household for _pk, household in page), among)
            found += [(pk, household) for pk, household in page if household in seen]
            if len(page) < size:
                break
            start, size = start + size, size * 4
        return found[:want]

    # ------------------------------------------------ names

    def names(self, words: list[str]) -> dict[str, tuple[float, Match]]:
        """The folded names answering the query, with their scores.  The database keeps
        the names containing every query word (the longest first: likely the rarest)
        and, for two words or more, in the same scan, those of the typo skeleton."""
        contains = Q()
        for word in sorted(words, key=len, reverse=True):
            contains &= Q(name_folded__contains=word)
        if len(words) == 1:
            names = _distinct_names(self.persons().filter(contains))
            return names_matching(words, names, typos=False)
        names = _distinct_names(self.persons().filter(contains | typo_skeleton(words)))
        return names_matching(words, names, typos=True)

    def typo_names(self, words: list[str], seen: Iterable[str]) -> dict[str, tuple[float, Match]]:
        """For a one-word query that found too few: names with a word near it."""
        skip = set(seen)
        names = _distinct_names(self.persons().filter(typo_skeleton(words)))
        return names_matching(words, [name for name in names if name not in skip], typos=True)

    # ------------------------------------------------ persons

    def hits_for_names(self, names: dict[str, tuple[float, Match]], want: int) -> list[_Row]:
        """Persons bearing ``names``, best names first, until ``want`` are found.

        The persons of a few hundred names are read at a time (by the index on
        ``name_folded``) and the scope is checked once for all their households: the
        reader's units are then looked up once a batch, not once a name."""
        ranked = sorted(names, key=lambda name: (-names[name][0], name))
        place = {name: i for i, name in enumerate(ranked)}
        rows: list[_Row] = []
        start, size = 0, FIRST_NAMES
        while start < len(ranked):
            batch = ranked[start : start + size]
            start, size = start + size, min(size * 4, NAMES_PER_QUERY)
            found = sorted(
                self.persons()
                .filter(name_folded__in=batch)
                .filter(merged_into__isnull=True)
                .annotate(current_household=CURRENT_HOUSEHOLD)
                .values_list("name_folded", "pk", "current_household"),
                key=lambda row: (place[row[0]], row[1]),
            )
            seen = self.seen({household for _name, _pk, household in found})
            rows += [
                _Row(pk, household, *names[name])
                for name, pk, household in found
                if household in seen
            ]
            if len(rows) >= want:
                break
        return rows[:want]

    def hits_for_number(self, digits: str) -> list[_Row]:
        order = ("birth_date", "pk")
        persons = self.persons()
        rows = [
            _Row(pk, hh, 1.0, Match.ID_NUMBER)
            for pk, hh in self.in_scope(persons.filter(id_number=digits), order, self.limit)
        ]
        if not rows and len(digits) >= ID_SUFFIX_MIN:
            # The ID numbers alone are scanned (their index), then the scope checked on
            # the few found: in the order of the birth dates, SQLite would read every row.
            found = persons.filter(id_number__endswith=digits).order_by()
            ending = Person.objects.filter(
                pk__in=list(found.values_list("pk", flat=True)[:ENDING_MAX])
            )
            rows += [
                _Row(pk, hh, 0.9, Match.ID_NUMBER_END)
                for pk, hh in self.in_scope(ending, order, self.limit)
            ]
        if len(digits) > HOUSEHOLD_NUMBER_MAX:  # an ID number, not a number in the book
            return rows
        books = self.books(digits)
        members = persons.filter(
            pk__in=Membership.objects.filter(household__in=books).values("person_id")
        )
        rows += [
            _Row(pk, hh, 0.8, Match.HOUSEHOLD)
            for pk, hh in self.in_scope(members, order, self.limit, among=books)
        ]
        return rows

    def hits_for_filters(self) -> list[_Row]:
        found = self.in_scope(self.persons(), ("name_folded", "birth_date", "pk"), self.limit)
        return [_Row(pk, hh, 1.0, Match.FILTER) for pk, hh in found]

    def hits(self, rows: list[_Row]) -> list[SearchHit]:
        best: dict[int, _Row] = {}
        for row in rows:
            if row.person_id not in best or row.score > best[row.person_id].score:
                best[row.person_id] = row
        persons = Person.objects.in_bulk(list(best))
        household_ids = {row.household_id for row in best.values()}
        households = Household.objects.in_bulk(list(household_ids))
        named = VisibleHouseholds(self.scope, self.user, Action.VIEW_PERSONS)(household_ids)
        hits = [
            SearchHit(
                person=persons[row.person_id],
                household=households.get(row.household_id),
                score=row.score,
                match=row.match,
                sight=Sight.FULL if row.household_id in named else Sight.MASKED,
            )
            for row in best.values()
        ]
        hits.sort(key=lambda h: (-h.score, h.person.name_folded, h.person.birth_date, h.person.pk))
        return hits[: self.limit]


@dataclass(frozen=True)
class _Row:
    person_id: int
    household_id: int
    score: float
    match: Match


def _distinct_names(persons: QuerySet[Person]) -> list[str]:
    # order_by() drops Person's default ordering, which would break DISTINCT.
    return list(persons.order_by().values_list("name_folded", flat=True).distinct())


def person_search(
    query: str,
    scope: UnitScope,
    *,
    user: Any = None,
    birth_year: int | None = None,
    household: str | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Persons of the register matching ``query``, best first, at most ``limit``.

    Only persons whose current household the reader may see (``households_visible(scope,
    user)``) and who were not merged into another are found.  ``query`` is a name (words
    folded, any order, typos tolerated: see the module docstring) — a four-digit year in
    it acts as ``birth_year`` — or an ID number (all digits: whole, or when no number is
    that, its last four or more digits; up to six digits, a household's number or id in
    the book also finds its members).
    ``birth_year`` keeps persons born in that year; ``household`` those whose current
    household has that number in the book or that source id.  An empty query with a
    filter lists the persons the filter keeps; an empty query without one finds nobody.
    """
    digits = re.sub(r"[\s.]", "", query)
    words, year_in_query = ([], None) if _DIGITS.fullmatch(digits) else _query_words(query)
    search = _Search(scope, user, birth_year or year_in_query, household, max(limit, 0))
    if search.limit == 0:
        return []
    if _DIGITS.fullmatch(digits):
        return search.hits(search.hits_for_number(digits))
    if not words:
        if search.birth_year is None and search.households is None:
            return []
        return search.hits(search.hits_for_filters())
    names = search.names(words)
    rows = search.hits_for_names(names, search.limit)
    if len(words) == 1 and len(rows) < search.limit:
        typos = search.typo_names(words, names)
        rows += search.hits_for_names(typos, search.limit - len(rows))
    return search.hits(rows)
