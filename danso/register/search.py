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
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import F, Lookup, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from danso.register.models import Household, Membership, Person
from danso.register.privacy import Shown, Sight, VisibleHouseholds, shown
from danso.units.scope import Action, UnitScope
from danso.vietnamese import fold

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

# What one query word scores against one word of a name, best first: the same word (its
# diacritics, when typed, only order the persons of one folded name), a slip of one
# letter (two neighbours swapped: the same letters, the commonest slip, a little above
# a letter added, missing or wrong), a word only begun (more of it typed, more weight),
# a slip in a word of two letters, two edits.
WHOLE_WORD, ONE_SWAP, ONE_EDIT, TWO_EDITS = 1.0, 0.8, 0.75, 0.5
WORD_START, WORD_START_SPAN = 0.55, 0.15  # + SPAN x the share of the word typed: < 0.7
SHORT_EDIT = 0.6  # one edit in a query word of two letters
EXTRA_WORD = 0.02  # for each word of the name the query does not name
OTHER_ORDER = 0.01  # the query's words appear in another order in the name
OTHER_PLACE = 0.005  # the first (last) query word is not the first (last) word of the name
ID_SUFFIX_MIN = 4  # digits needed before the end of an ID number is searched
ENDING_MAX = 1000  # persons whose ID number ends with the digits, at most
HOUSEHOLD_NUMBER_MAX = 6  # digits at most of a household's number in the book
FIRST_NAMES = 10  # the best names, whose persons are read first
NAMES_PER_QUERY = 640  # at most so many folded names in one IN (...)
COUNT_MAX = 1000  # the matches are counted up to so many ("more than 1.000" beyond)
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
class Why:
    """Why a person was found, said in words by ``str()`` (the page's language)."""

    match: Match
    edits: int = 0  # letters typed otherwise than in the name
    begun: int = 0  # words of the name only begun
    other_order: bool = False  # the words typed in another order
    other_accents: bool = False  # the name typed right, with other diacritics
    birth_year: int | None = None  # the year of birth asked for
    household: str | None = None  # the household asked for

    def __str__(self) -> str:
        parts: list[str] = []
        if self.match is Match.EXACT:
            parts.append(_("same name, other diacritics") if self.other_accents else _("same name"))
        elif self.match is Match.TYPO:
            parts.append(
                ngettext(
                    "close: %(count)s letter different",
                    "close: %(count)s letters different",
                    self.edits,
                )
                % {"count": self.edits}
            )
        elif self.match is Match.PARTIAL:
            parts.append(_("beginning of the name"))
        elif self.match is Match.ID_NUMBER:
            parts.append(_("the ID number"))
        elif self.match is Match.ID_NUMBER_END:
            parts.append(_("the end of the ID number"))
        elif self.match is Match.HOUSEHOLD:
            parts.append(_("household number"))
        if self.match is Match.TYPO and self.begun:
            parts.append(_("beginning of the name"))
        if self.other_order:
            parts.append(_("words in another order"))
        if self.birth_year is not None:
            parts.append(_("year of birth %(year)s") % {"year": self.birth_year})
        if self.household and self.match is Match.FILTER:
            parts.append(_("household %(household)s") % {"household": self.household})
        return "; ".join(parts)


@dataclass(frozen=True)
class SearchHit:
    person: Person
    household: Household | None  # the current household (the last stay)
    score: float  # 0–1, best first
    match: Match
    # How much of the person the reader sees (``privacy.Sight``): the keeper all of it,
    # an officer above the commune initials, the year of birth and a cut ID number.
    sight: Sight
    why: Why | None = None

    @property
    def shown(self) -> Shown:
        return shown(self.person, self.sight)

    @property
    def reason(self) -> str:
        """Why the person was found, in words."""
        return str(self.why or Why(self.match))


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]  # the best, at most the limit asked for
    total: int  # persons matching in the reader's scope (COUNT_MAX at most counted)
    exact: bool  # False: more than ``total`` matched

    @property
    def cut(self) -> bool:
        """Were matches left out?"""
        return not self.exact or self.total > len(self.hits)


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


class Grade(NamedTuple):
    """How one word of a name answers one query word."""

    score: float  # 0: not at all
    edits: int = 0  # letters typed otherwise (a typo)
    begun: bool = False  # the query word only begins the word


NO_GRADE = Grade(0.0)


def word_grade(query_word: str, name_word: str, *, typos: bool) -> Grade:
    """How well ``name_word`` answers ``query_word`` (both folded): the better of a
    typo (with ``typos``) and a word begun."""
    if name_word == query_word:
        return Grade(WHOLE_WORD)
    grade = NO_GRADE
    if name_word.startswith(query_word):
        grade = Grade(WORD_START + WORD_START_SPAN * len(query_word) / len(name_word), begun=True)
    if typos:
        budget = typo_budget(query_word)
        distance = edit_distance(query_word, name_word, budget)
        if distance > budget:
            typo = NO_GRADE
        elif distance == 1 and len(query_word) <= 2:
            typo = Grade(SHORT_EDIT, 1)
        elif distance == 1:
            swapped = len(query_word) == len(name_word) and sorted(query_word) == sorted(name_word)
            typo = Grade(ONE_SWAP if swapped else ONE_EDIT, 1)
        else:
            typo = Grade(TWO_EDITS, distance)
        if typo.score > grade.score:
            grade = typo
    return grade


def word_score(query_word: str, name_word: str, *, typos: bool) -> float:
    """How well ``name_word`` answers ``query_word`` (0: not at all)."""
    return word_grade(query_word, name_word, typos=typos).score


class Scored(NamedTuple):
    """How a folded name answers a query: ``score`` in [0, 1], and why."""

    score: float
    match: Match
    edits: int = 0  # letters typed otherwise, over all the query words
    begun: int = 0  # query words that only begin a word of the name
    other_order: bool = False  # the query's words stand in another order in the name


def _scored(value: float, grades: Sequence[Grade], other_order: bool = False) -> Scored:
    edits = sum(grade.edits for grade in grades)
    begun = sum(grade.begun for grade in grades)
    match = Match.TYPO if edits else Match.PARTIAL if begun else Match.EXACT
    return Scored(round(max(value, 0.0), 4), match, edits, begun, other_order)


def _name_score(
    name_words: Sequence[str], tables: Sequence[dict[str, Grade]], order: Sequence[int]
) -> Scored | None:
    """Score a name (its folded words) for the query: each query word, in ``order``
    (longest first), takes the best still unused word of the name; None when some query
    word finds nothing.  ``tables[i]`` maps the words answering query word ``i`` to their
    ``word_grade``.  The score is the mean of the words' scores, less a little for each
    word of the name the query does not name and for another order."""
    taken = [-1] * len(tables)
    grades: list[Grade] = []
    for i in order:
        table = tables[i]
        best, where = NO_GRADE, -1
        for j, word in enumerate(name_words):
            grade = table.get(word, NO_GRADE)
            if grade.score > best.score and j not in taken:
                best, where = grade, j
        if where < 0:
            return None
        taken[i] = where
        grades.append(best)
    total = sum(grade.score for grade in grades)
    value = total / len(tables) - EXTRA_WORD * (len(name_words) - len(tables))
    other_order = taken != sorted(taken)
    if other_order:
        value -= OTHER_ORDER
    # Names are typed family name first, given name last: "nguyen anh" is more likely
    # Nguyễn Văn Anh than Nguyễn Anh Tuấn.
    if taken[0] != 0:
        value -= OTHER_PLACE
    if taken[-1] != len(name_words) - 1:
        value -= OTHER_PLACE
    return _scored(value, grades, other_order)


def _one_word_score(name_words: list[str], table: dict[str, Grade]) -> Scored | None:
    """``_name_score`` for a query of one word."""
    best, where = NO_GRADE, -1
    for j, word in enumerate(name_words):
        grade = table.get(word, NO_GRADE)
        if grade.score > best.score:
            best, where = grade, j
    if where < 0:
        return None
    value = best.score - EXTRA_WORD * (len(name_words) - 1)
    value -= OTHER_PLACE * ((where != 0) + (where != len(name_words) - 1))
    return _scored(value, [best])


def names_matching(
    query_words: Sequence[str], names: Iterable[str], *, typos: bool
) -> dict[str, Scored]:
    """The folded ``names`` that answer every query word, with their score: each word of
    the names is compared once with each query word (names share few words)."""
    names = list(names)
    vocabulary = set(" ".join(names).split())
    tables = [
        {word: grade for word in vocabulary if (grade := word_grade(q, word, typos=typos)).score}
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
    out: dict[str, Scored] = {}
    for name in names:
        words = name.split()
        if any(keys.isdisjoint(words) for keys in answers):
            continue
        scored = _name_score(words, tables, order)
        if scored is not None:
            out[name] = scored
    return out


# The tone marks: where one sits (hòa, hoà) is a matter of style, which one is not.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")


def accent_key(word: str) -> str:
    """A word with its diacritics, the tone mark's place ignored: ``accent_key("Hoà") ==
    accent_key("hòa")``, but not ``accent_key("hảo")``."""
    letters = unicodedata.normalize("NFD", word.lower())
    tones = "".join(ch for ch in letters if ch in _TONES)
    rest = "".join(ch for ch in letters if ch not in _TONES)
    return unicodedata.normalize("NFC", rest) + tones


def _typed_accents(query: str) -> set[str]:
    """The accent keys of the words of the query typed with diacritics (none for words
    typed without: those find every spelling alike)."""
    words = re.findall(r"[^\W\d_]+", query)
    return {accent_key(word) for word in words if fold(word) != word.lower()}


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
        self.typed: set[str] = set()  # accent keys of the words typed with diacritics
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

    def names(self, words: list[str]) -> dict[str, Scored]:
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

    def typo_names(self, words: list[str], seen: Iterable[str]) -> dict[str, Scored]:
        """For a one-word query that found too few: names with a word near it."""
        skip = set(seen)
        names = _distinct_names(self.persons().filter(typo_skeleton(words)))
        return names_matching(words, [name for name in names if name not in skip], typos=True)

    # ------------------------------------------------ persons

    def hits_for_names(self, names: dict[str, Scored], want: int) -> tuple[list[_Row], int, bool]:
        """Persons bearing ``names``, best names first, until ``want`` are found; then
        how many persons of the scope bear them, and whether that is the exact count
        (counting stops at ``COUNT_MAX``).

        The persons of a few hundred names are read at a time (by the index on
        ``name_folded``) and the scope is checked once for all their households: the
        reader's units are then looked up once a batch, not once a name.  Persons of one
        name come in the order of their diacritics' closeness to those typed, then of
        their birth dates."""
        ranked = sorted(names, key=lambda name: (-names[name].score, name))
        place = {name: i for i, name in enumerate(ranked)}
        rows: list[_Row] = []
        counted = read = 0
        start, size = 0, FIRST_NAMES
        while start < len(ranked):
            batch = ranked[start : start + size]
            start, size = start + size, min(size * 4, NAMES_PER_QUERY)
            persons = (
                self.persons()
                .filter(name_folded__in=batch)
                .filter(merged_into__isnull=True)
                .annotate(current_household=CURRENT_HOUSEHOLD)
                .order_by()
            )
            if len(rows) < want:
                found = sorted(
                    (
                        (place[name], -self.accents(full_name), born, pk, household, name)
                        for name, full_name, born, pk, household in persons.values_list(
                            "name_folded", "full_name", "birth_date", "pk", "current_household"
                        )
                    ),
                    key=lambda row: row[:4],
                )
                seen = self.seen({row[4] for row in found})
                kept = [row for row in found if row[4] in seen]
                rows += [
                    _Row(pk, household, names[name].score, self.why(names[name], -minus))
                    for _place, minus, _born, pk, household, name in kept
                ]
                read += len(found)
                counted += len(kept)
            else:  # only counted: the households of at most what is left to read
                left = COUNT_MAX * 4 - read
                households = list(persons.values_list("current_household", flat=True)[:left])
                seen = self.seen(households)
                read += len(households)
                counted += sum(household in seen for household in households)
            if counted >= COUNT_MAX or read >= COUNT_MAX * 4:
                return rows[:want], min(counted, COUNT_MAX), False
        return rows[:want], counted, True

    def accents(self, full_name: str) -> int:
        """How many of the words typed with diacritics ``full_name`` spells alike."""
        if not self.typed:
            return 0
        return len(self.typed & {accent_key(word) for word in full_name.split()})

    def why(self, scored: Scored, accents: int = 0) -> Why:
        return Why(
            scored.match,
            edits=scored.edits,
            begun=scored.begun,
            other_order=scored.other_order,
            other_accents=scored.match is Match.EXACT and accents < len(self.typed),
            birth_year=self.birth_year,
        )

    def filtered(self, match: Match) -> Why:
        return Why(match, birth_year=self.birth_year, household=self.household)

    def hits_for_number(self, digits: str) -> tuple[list[_Row], bool]:
        """Persons by ID number (whole, or its end) or household number, and whether
        they were all read (``COUNT_MAX`` at most of each)."""
        order = ("birth_date", "pk")
        persons = self.persons()
        want = COUNT_MAX + 1
        whole = self.in_scope(persons.filter(id_number=digits), order, want)
        rows = [_Row(pk, hh, 1.0, self.filtered(Match.ID_NUMBER)) for pk, hh in whole]
        complete = len(whole) < want
        if not rows and len(digits) >= ID_SUFFIX_MIN:
            # The ID numbers alone are scanned (their index), then the scope checked on
            # the few found: in the order of the birth dates, SQLite would read every row.
            found = persons.filter(id_number__endswith=digits).order_by()
            ending = Person.objects.filter(
                pk__in=list(found.values_list("pk", flat=True)[:ENDING_MAX])
            )
            rows += [
                _Row(pk, hh, 0.9, self.filtered(Match.ID_NUMBER_END))
                for pk, hh in self.in_scope(ending, order, self.limit)
            ]
        if len(digits) > HOUSEHOLD_NUMBER_MAX:  # an ID number, not a number in the book
            return rows, complete
        books = self.books(digits)
        members = persons.filter(
            pk__in=Membership.objects.filter(household__in=books).values("person_id")
        )
        in_books = self.in_scope(members, order, want, among=books)
        rows += [_Row(pk, hh, 0.8, self.filtered(Match.HOUSEHOLD)) for pk, hh in in_books]
        return rows, complete and len(in_books) < want

    def hits_for_filters(self) -> tuple[list[_Row], bool]:
        want = COUNT_MAX + 1
        found = self.in_scope(self.persons(), ("name_folded", "birth_date", "pk"), want)
        return [_Row(pk, hh, 1.0, self.filtered(Match.FILTER)) for pk, hh in found], len(
            found
        ) < want

    def result(
        self, rows: list[_Row], total: int | None = None, exact: bool = True
    ) -> SearchResult:
        """The best ``limit`` of ``rows`` (in their order when their scores are equal),
        and how many matched: ``total``, or the persons of ``rows``."""
        best: dict[int, tuple[int, _Row]] = {}
        for place, row in enumerate(rows):
            if row.person_id not in best or row.score > best[row.person_id][1].score:
                best[row.person_id] = (place, row)
        chosen = sorted(best.values(), key=lambda kept: (-kept[1].score, kept[0]))
        chosen = chosen[: self.limit]
        persons = Person.objects.in_bulk([row.person_id for _place, row in chosen])
        household_ids = {row.household_id for _place, row in chosen}
        households = Household.objects.in_bulk(list(household_ids))
        named = VisibleHouseholds(self.scope, self.user, Action.VIEW_PERSONS)(household_ids)
        hits = [
            SearchHit(
                person=persons[row.person_id],
                household=households.get(row.household_id),
                score=row.score,
                match=row.why.match,
                sight=Sight.FULL if row.household_id in named else Sight.MASKED,
                why=row.why,
            )
            for _place, row in chosen
        ]
        count = len(best) if total is None else max(total, len(best))
        if not exact:
            count = min(count, COUNT_MAX)
        return SearchResult(hits, count, exact and count <= COUNT_MAX)


@dataclass(frozen=True)
class _Row:
    person_id: int
    household_id: int
    score: float
    why: Why


def _distinct_names(persons: QuerySet[Person]) -> list[str]:
    # order_by() drops Person's default ordering, which would break DISTINCT.
    return list(persons.order_by().values_list("name_folded", flat=True).distinct())


def person_find(
    query: str,
    scope: UnitScope,
    *,
    user: Any = None,
    birth_year: int | None = None,
    household: str | None = None,
    limit: int = 50,
) -> SearchResult:
    """Persons of the register matching ``query``, best first, at most ``limit``, and
    how many matched in all (``SearchResult``).

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
    number = bool(_DIGITS.fullmatch(digits))
    words, year_in_query = ([], None) if number else _query_words(query)
    search = _Search(scope, user, birth_year or year_in_query, household, max(limit, 0))
    if search.limit == 0:
        return SearchResult([], 0, True)
    if number:
        rows, exact = search.hits_for_number(digits)
        return search.result(rows, exact=exact)
    if not words:
        if search.birth_year is None and search.households is None:
            return SearchResult([], 0, True)
        rows, exact = search.hits_for_filters()
        return search.result(rows, exact=exact)
    search.typed = _typed_accents(query)
    names = search.names(words)
    rows, total, exact = search.hits_for_names(names, search.limit)
    if len(words) == 1 and len(rows) < search.limit:
        typos = search.typo_names(words, names)
        more, also, exact_too = search.hits_for_names(typos, search.limit - len(rows))
        rows, total, exact = rows + more, total + also, exact and exact_too
    return search.result(rows, total, exact)


def person_search(
    query: str,
    scope: UnitScope,
    *,
    user: Any = None,
    birth_year: int | None = None,
    household: str | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """The hits of ``person_find``: persons matching ``query``, best first."""
    found = person_find(
        query, scope, user=user, birth_year=birth_year, household=household, limit=limit
    )
    return found.hits
