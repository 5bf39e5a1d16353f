"""The reference engine of ``indicators_bench.py``: danso's tallies computed by DuckDB.

DuckDB reads the CSV files of a register export (docs/REGISTER-FORMAT.md) and counts, for
the whole root, every tally danso's engine keeps (``danso.indicators.tallying``), with the
definitions of docs/indicators.md written again in SQL; tests/indicators/independent.py
is the same reading in plain Python.  The bench compares every count with danso's.

The reference is meant to be a strong one, set-based throughout: no correlated subquery
(no ``EXISTS`` or scalar subquery evaluated row by row), only joins against
pre-aggregated tables, window functions, range joins and ASOF joins:

- who is registered where is rebuilt once from the persons' registration and their moves
  (a window ``lead`` over each person's changes of household: the *stays*);
- the stock on every reference day at once is a running-sum sweep over the stays' first
  and last keys by sex and birth date (``+1`` at a stay's start, ``-1`` at its end, one
  cumulative sum, an ASOF join of the days): no row per person and day;
- the households with someone registered are the same sweep over each household's
  occupied islands (stays merged with window functions);
- births look up the child's newborn screening and the mother's prenatal screening by
  ASOF joins; a couple's premarital check likewise, for each partner;
- contraceptive prevalence joins the month ends by range to each woman's *married
  spells* and *modern-method spells*, both built with window functions (``lead`` over her
  marriages and divorces, over her method starts; the first stop of the method by an
  ASOF join);
- counts of events are pre-aggregated by day, then joined to the periods by range.

Two phases, timed apart by the bench: ``Reference(folder, communes)`` *loads* (reads the
columns it needs of the CSV files into typed tables with integer keys, and derives what
danso's database stores as such: each person's stays and each event's place);
``Reference.count(periods)`` *counts* (everything that depends on the periods, and the
histories danso's recompute reads again: screenings, married and modern-method spells).
DuckDB runs in memory with its default threads (one per CPU).

Where the definitions leave a tie open, the reference settles it: of two changes of
household with the same key (two moves within one day), the event whose id sorts last
holds the stay (as tests/indicators/independent.py orders a day's moves by id).

Keys of the stays: each change of a person's household is a key ``day × 4 + rank`` (0
leaving the day after a death or a move out, 1 registration, 2 move in, 3 move within), a
stay runs from its key to the person's next one, and a person is registered on day D in
the stay holding ``D × 4 + 3`` (for a move within: the day before, the household left).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

GROUPS = ("15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49")
PYRAMID = (*(f"{low}-{low + 4}" for low in range(0, 85, 5)), "85+")
PLAN_METHOD = {
    "iud": "iud",
    "implant": "implant",
    "injectable": "injectable",
    "pill": "pill",
    "condom": "condom",
    "sterilization_f": "sterilisation",
    "sterilization_m": "sterilisation",
}
#: Events counted as they are, by the engine's tally key.
EVENT_COUNTS = {
    "death": "deaths",
    "divorce": "divorced",
    "move_in": "moved_in",
    "move_out": "moved_out",
    "pregnancy": "pregnancies",
}

DUCK_MACROS = [
    "CREATE MACRO dnum(d) AS date_diff('day', DATE '1900-01-01', d)",
    "CREATE MACRO age(b, d) AS year(d) - year(b) - CASE WHEN month(d) < month(b) "
    "OR (month(d) = month(b) AND day(d) < day(b)) THEN 1 ELSE 0 END",
    "CREATE MACRO partial_date(t) AS CASE length(t) WHEN 4 THEN make_date(t::INTEGER, 1, 1) "
    "WHEN 7 THEN make_date(t[1:4]::INTEGER, t[6:7]::INTEGER, 1) ELSE t::DATE END",
    # the open end of a stay, and of a spell
    "CREATE MACRO never() AS 9223372036854775807",
    "CREATE MACRO ever_after() AS DATE '9999-12-31'",
    "CREATE MACRO ever_before() AS DATE '0001-01-01'",
]
#: The columns read from each file (the others are not loaded); those of ``DUCK_OPTIONAL``
#: may be absent from a file (then NULL).
DUCK_READ = {
    "households": ["household_id", "commune_code"],
    "persons": [
        "person_id",
        "household_id",
        "sex",
        "birth_date",
        "registered_on",
        "marital_status",
        "merged_into",
    ],
    "events": [
        "event_id",
        "event_type",
        "event_date",
        "person_id",
        "child_person_id",
        "child_sex",
        "birth_order",
        "household_id",
        "to_household_id",
        "spouse_person_id",
        "method",
        "supply",
        "in_use_at_opening",
    ],
}
DUCK_OPTIONAL = {
    "persons": {"merged_into", "marital_status"},
    "events": {
        "child_person_id",
        "child_sex",
        "birth_order",
        "household_id",
        "to_household_id",
        "spouse_person_id",
        "method",
        "supply",
        "in_use_at_opening",
    },
}
#: The load: typed tables with integer keys (a person's or a household's key of the
#: files mapped to a number; a household named but absent from households.csv is -1),
#: then what danso's database holds as such: the stays in the root's households and the
#: events that happened there (``located``).
DUCK_LOAD = [
    """CREATE TABLE hh AS SELECT household_id AS xid, (row_number() OVER ())::INTEGER AS hid,
         bool_or(lpad(commune_code, 5, '0') IN (SELECT code FROM root_communes)) AS inside
       FROM raw_households GROUP BY household_id""",
    # every person's key, and a spouse's who has no row (a couple is a pair of keys)
    """CREATE TABLE ids AS SELECT xid, (row_number() OVER ())::INTEGER AS id FROM (
         SELECT person_id AS xid FROM raw_persons
         UNION SELECT nullif(spouse_person_id, '') FROM raw_events
         WHERE nullif(spouse_person_id, '') IS NOT NULL)""",
    """CREATE TABLE p AS SELECT i.id AS pid, coalesce(h.hid, -1) AS hid,
         CASE lower(r.sex) WHEN 'nam' THEN 'M' WHEN 'nữ' THEN 'F' WHEN 'nu' THEN 'F'
              ELSE coalesce(upper(r.sex), '') END AS sex,
         partial_date(r.birth_date) AS born, coalesce(r.marital_status, '') AS marital,
         partial_date(r.registered_on) AS registered
       FROM raw_persons r JOIN ids i ON i.xid = r.person_id
       LEFT JOIN hh h ON h.xid = r.household_id
       WHERE r.merged_into IS NULL""",
    """CREATE TABLE e AS SELECT r.event_id AS eid, r.event_type AS kind,
         partial_date(r.event_date) AS day, i.id AS pid, c.id AS child,
         nullif(r.child_sex, '') AS child_sex,
         TRY_CAST(r.birth_order AS INTEGER) AS birth_order,
         CASE WHEN r.household_id IS NOT NULL THEN coalesce(hj.hid, -1) END AS joined,
         CASE WHEN r.to_household_id IS NOT NULL THEN coalesce(ht.hid, -1) END AS to_hid,
         s.id AS spouse, coalesce(r.method, '') AS method, coalesce(r.supply, '') AS supply,
         lower(coalesce(r.in_use_at_opening, '')) IN ('1', 'true', 'yes') AS opening
       FROM raw_events r JOIN ids i ON i.xid = r.person_id
       LEFT JOIN ids c ON c.xid = r.child_person_id
       LEFT JOIN ids s ON s.xid = nullif(r.spouse_person_id, '')
       LEFT JOIN hh hj ON hj.xid = r.household_id
       LEFT JOIN hh ht ON ht.xid = r.to_household_id
       WHERE i.id IN (SELECT pid FROM p)""",
    # each change of household: registration, move in, move within, leaving (NULL)
    """CREATE TABLE changes AS
         SELECT pid, dnum(registered) * 4 + 1 AS k, NULL AS eid, hid FROM p
         UNION ALL SELECT e.pid, dnum(e.day) * 4 + 2, e.eid, coalesce(e.joined, p.hid)
           FROM e JOIN p ON p.pid = e.pid WHERE e.kind = 'move_in'
         UNION ALL SELECT pid, dnum(day) * 4 + 3, eid, to_hid FROM e
           WHERE kind = 'move_within'
         UNION ALL SELECT pid, dnum(day + 1) * 4, eid, NULL FROM e
           WHERE kind IN ('move_out', 'death')""",
    # a stay lasts until the person's next change; only those in the root's households
    # and not empty (of two changes of one key, the event whose id sorts last holds it)
    """CREATE TABLE stays AS SELECT pid, hid, k0, k1 FROM (
         SELECT pid, hid, k AS k0,
           coalesce(lead(k) OVER (PARTITION BY pid ORDER BY k, eid NULLS FIRST), never()) AS k1
         FROM changes)
       WHERE hid IN (SELECT hid FROM hh WHERE inside) AND k0 < k1""",
    "DROP TABLE changes",
    # the events that count where they happened: those of a stay in the root
    """CREATE TABLE located AS SELECT x.* FROM (
         SELECT *, dnum(day) * 4 + 3 AS k FROM e
         WHERE kind IN ('birth', 'death', 'contraception_start', 'marriage', 'divorce',
           'move_in', 'move_out', 'pregnancy')) x
       JOIN stays s ON s.pid = x.pid AND s.k0 <= x.k AND x.k < s.k1""",
]
#: The count's tables that depend on no period, made again by each count as danso's
#: recompute reads the histories again (dropped at the end of each count).
DUCK_PREPARE = [
    # a birth with its mother's age, the child's sex and its screenings (the child's
    # first newborn screening on or after the day, the mother's latest prenatal one)
    """CREATE TEMP TABLE births AS SELECT b.eid, b.day, b.pid AS mother, b.birth_order,
         coalesce(b.child_sex, c.sex) AS sex, age(m.born, b.day) AS mother_age,
         coalesce(nb.day <= b.day + 30, false) AS newborn,
         coalesce(pn.day >= b.day - 280, false) AS prenatal
       FROM located b JOIN p m ON m.pid = b.pid LEFT JOIN p c ON c.pid = b.child
       ASOF LEFT JOIN (SELECT DISTINCT pid, day FROM e WHERE kind = 'newborn_screening') nb
         ON nb.pid = b.child AND nb.day >= b.day
       ASOF LEFT JOIN (SELECT DISTINCT pid, day FROM e WHERE kind = 'prenatal_screening') pn
         ON pn.pid = b.pid AND pn.day <= b.day
       WHERE b.kind = 'birth'""",
    # each woman's married spells [s_from, s_to): from a day of marriages and divorces
    # (the last of the day decides: a marriage sorts after a divorce) to the next such
    # day; before the first, the opposite of the first; with none, the recorded status
    """CREATE TEMP TABLE married_spells AS
       WITH unions AS (
         SELECT e.pid, e.day, e.kind, dnum(e.day) * 2 + (e.kind = 'marriage')::INTEGER AS k
         FROM e JOIN p ON p.pid = e.pid AND p.sex = 'F'
         WHERE e.kind IN ('marriage', 'divorce')),
       daily AS (SELECT pid, day, arg_max(kind, k) AS last FROM unions GROUP BY pid, day),
       spells AS (SELECT pid, day AS s_from, last = 'marriage' AS married,
           coalesce(lead(day) OVER (PARTITION BY pid ORDER BY day), ever_after()) AS s_to
         FROM daily),
       firsts AS (SELECT pid, min(day) AS day, arg_min(kind, k) AS first FROM unions
         GROUP BY pid)
       SELECT pid, s_from, s_to FROM spells WHERE married
       UNION ALL SELECT pid, ever_before(), day FROM firsts WHERE first = 'divorce'
       UNION ALL SELECT p.pid, ever_before(), ever_after() FROM p ANTI JOIN firsts f
         ON f.pid = p.pid WHERE p.sex = 'F' AND p.marital = 'co_vo_chong'""",
    # each woman's modern-method spells [since, s_to): from a day of method starts (the
    # start whose id sorts last decides) to the next such day or the first stop of that
    # method on or after it, whichever comes first
    """CREATE TEMP TABLE modern_spells AS
       WITH starts AS (SELECT e.pid, e.day, arg_max(e.method, e.eid) AS method
         FROM e JOIN p ON p.pid = e.pid AND p.sex = 'F'
         WHERE e.kind = 'contraception_start' GROUP BY e.pid, e.day),
       runs AS (SELECT pid, day AS since, method,
           coalesce(lead(day) OVER (PARTITION BY pid ORDER BY day), ever_after()) AS next
         FROM starts),
       stops AS (SELECT DISTINCT pid, method, day FROM e WHERE kind = 'contraception_stop')
       SELECT r.pid, r.since, least(r.next, coalesce(x.day, ever_after())) AS s_to
       FROM runs r ASOF LEFT JOIN stops x
         ON x.pid = r.pid AND x.method = r.method AND x.day >= r.since
       WHERE r.method NOT IN ('', 'traditional')""",
]
DUCK_COUNT = {
    # reference day, sex, age → persons registered that day: a sweep of the stays' keys
    # (+1 from a stay's first key, -1 from its end) by sex and birth date, each day's
    # level found by an ASOF join
    "stock": """WITH days AS (SELECT DISTINCT p_ref AS day, dnum(p_ref) * 4 + 3 AS dk
           FROM periods),
         steps AS (
           SELECT p.sex, p.born, s.k0 AS k, 1 AS d FROM stays s JOIN p ON p.pid = s.pid
           UNION ALL SELECT p.sex, p.born, s.k1, -1 FROM stays s JOIN p ON p.pid = s.pid
           WHERE s.k1 < never()),
         level AS (SELECT sex, born, k,
             sum(sum(d)) OVER (PARTITION BY sex, born ORDER BY k) AS n
           FROM steps GROUP BY sex, born, k),
         cohorts AS (SELECT DISTINCT sex, born FROM level),
         asked AS (SELECT d.day, d.dk, c.sex, c.born FROM days d CROSS JOIN cohorts c)
        SELECT a.day, a.sex, age(a.born, a.day) AS a, sum(l.n)::BIGINT AS n
        FROM asked a ASOF JOIN level l ON l.sex = a.sex AND l.born = a.born AND a.dk >= l.k
        GROUP BY ALL HAVING sum(l.n) <> 0""",
    # reference day → households with someone registered: each household's stays merged
    # into islands (window functions; (k0, k1, pid) orders a household's stays totally,
    # so that both windows see the same order), then the same sweep over the islands
    "households": """WITH days AS (SELECT DISTINCT p_ref AS day, dnum(p_ref) * 4 + 3 AS dk
           FROM periods),
         reach AS (SELECT hid, pid, k0, k1, max(k1) OVER (PARTITION BY hid
             ORDER BY k0, k1, pid ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
           FROM stays),
         marked AS (SELECT hid, k0, k1, sum((reach IS NULL OR k0 > reach)::INTEGER)
             OVER (PARTITION BY hid ORDER BY k0, k1, pid ROWS UNBOUNDED PRECEDING) AS island
           FROM reach),
         islands AS (SELECT hid, island, min(k0) AS k0, max(k1) AS k1 FROM marked
           GROUP BY hid, island),
         steps AS (SELECT k0 AS k, count(*) AS d FROM islands GROUP BY k0
           UNION ALL SELECT k1, -count(*) FROM islands WHERE k1 < never() GROUP BY k1),
         level AS (SELECT k, sum(sum(d)) OVER (ORDER BY k) AS n FROM steps GROUP BY k)
        SELECT d.day, l.n::BIGINT FROM days d ASOF JOIN level l ON d.dk >= l.k
        WHERE l.n <> 0""",
    # persons 60+ on the reference day, registered then, checked up in the period
    "elderly": """WITH checkups AS (SELECT DISTINCT pid, day FROM e
           WHERE kind = 'elderly_checkup'),
         checked AS (SELECT DISTINCT per.name, per.p_ref, dnum(per.p_ref) * 4 + 3 AS dk, c.pid
           FROM periods per JOIN checkups c ON c.day BETWEEN per.p_start AND per.p_end)
        SELECT c.name, count(*) FROM checked c
        JOIN p ON p.pid = c.pid AND age(p.born, c.p_ref) >= 60
        JOIN stays s ON s.pid = c.pid AND s.k0 <= c.dk AND c.dk < s.k1
        GROUP BY c.name""",
    "births": """WITH daily AS (SELECT day, mother_age, sex, birth_order IS NOT NULL AS known,
           coalesce(birth_order >= 3, false) AS third,
           coalesce(birth_order = 2, false) AS second, newborn, count(*) AS n
           FROM births GROUP BY ALL)
        SELECT per.name, b.mother_age, b.sex, b.known, b.third, b.second, b.newborn,
          sum(b.n)::BIGINT FROM periods per
        JOIN daily b ON b.day BETWEEN per.p_start AND per.p_end GROUP BY ALL""",
    # mothers with a birth in the period, and those screened before one of them
    "prenatal": """WITH daily AS (SELECT mother, day, bool_or(prenatal) AS screened
           FROM births GROUP BY mother, day),
         mothers AS (SELECT per.name, b.mother, bool_or(b.screened) AS screened
           FROM periods per JOIN daily b ON b.day BETWEEN per.p_start AND per.p_end
           GROUP BY per.name, b.mother)
        SELECT name, count(*), count(*) FILTER (WHERE screened) FROM mothers
        GROUP BY name""",
    "events": """WITH daily AS (SELECT day, kind, method, supply, count(*) AS n FROM located
           WHERE kind IN ('death', 'divorce', 'move_in', 'move_out', 'pregnancy')
             OR (kind = 'contraception_start' AND method NOT IN ('', 'traditional')
               AND NOT opening)
           GROUP BY ALL)
        SELECT per.name, x.kind, x.method, x.supply, sum(x.n)::BIGINT FROM periods per
        JOIN daily x ON x.day BETWEEN per.p_start AND per.p_end GROUP BY ALL""",
    # persons married, and those under the legal age (20 for a man, 18 for a woman)
    "married": """WITH daily AS (SELECT x.day, count(*) AS n, count(*) FILTER (
             WHERE age(p.born, x.day) < CASE WHEN p.sex = 'M' THEN 20 ELSE 18 END) AS child
           FROM located x JOIN p ON p.pid = x.pid WHERE x.kind = 'marriage' GROUP BY x.day)
        SELECT per.name, sum(x.n)::BIGINT, sum(x.child)::BIGINT FROM periods per
        JOIN daily x ON x.day BETWEEN per.p_start AND per.p_end GROUP BY per.name""",
    # a couple counted once, at its event whose id sorts first, where that event counts;
    # checked: either partner's latest premarital check up to the day within 365 days
    "premarital": """WITH marriages AS (SELECT eid, day, pid,
           CASE WHEN spouse IS NULL THEN pid ELSE least(pid, spouse) END AS a,
           CASE WHEN spouse IS NULL THEN NULL ELSE greatest(pid, spouse) END AS b
           FROM e WHERE kind = 'marriage'),
         firsts AS (SELECT per.name, min(m.eid) AS eid FROM periods per
           JOIN marriages m ON m.day BETWEEN per.p_start AND per.p_end
           GROUP BY per.name, m.a, m.b),
         checks AS (SELECT DISTINCT pid, day FROM e WHERE kind = 'premarital_check'),
         counted AS (SELECT f.name, m.* FROM firsts f JOIN marriages m ON m.eid = f.eid
           JOIN stays s ON s.pid = m.pid AND s.k0 <= dnum(m.day) * 4 + 3
             AND dnum(m.day) * 4 + 3 < s.k1)
        SELECT c.name, count(*), count(*) FILTER (
          WHERE x.day >= c.day - 365 OR y.day >= c.day - 365) FROM counted c
        ASOF LEFT JOIN checks x ON x.pid = c.a AND x.day <= c.day
        ASOF LEFT JOIN checks y ON y.pid = c.b AND y.day <= c.day
        GROUP BY c.name""",
    # married women 15-49 registered on the last day, and those in a modern-method spell
    "cpr": """WITH ends AS (SELECT DISTINCT p_end AS day, dnum(p_end) * 4 + 3 AS dk
           FROM periods),
         women AS (SELECT d.day, w.pid FROM ends d
           JOIN married_spells w ON w.s_from <= d.day AND d.day < w.s_to
           JOIN p ON p.pid = w.pid AND age(p.born, d.day) BETWEEN 15 AND 49
           JOIN stays s ON s.pid = w.pid AND s.k0 <= d.dk AND d.dk < s.k1),
         users AS (SELECT w.day, count(*) AS n FROM women w
           JOIN modern_spells m ON m.pid = w.pid AND m.since <= w.day AND w.day < m.s_to
           GROUP BY w.day),
         married AS (SELECT day, count(*) AS n FROM women GROUP BY day)
        SELECT per.name, coalesce(m.n, 0), coalesce(u.n, 0) FROM periods per
        LEFT JOIN married m ON m.day = per.p_end LEFT JOIN users u ON u.day = per.p_end""",
}


@dataclass(frozen=True)
class PeriodRow:
    name: str
    start: date
    end: date
    reference: date


class Reference:
    """An export's register loaded into DuckDB (in memory), ready to count periods."""

    def __init__(self, folder: Path, communes: list[str]) -> None:
        """Load the CSV files of ``folder``; ``communes`` (codes) are the root's."""
        import duckdb

        self.con = duckdb.connect()
        try:
            for statement in DUCK_MACROS:
                self.con.execute(statement)
            for table, columns in DUCK_READ.items():
                self._read(folder / f"{table}.csv", table, columns)
            self.con.execute("CREATE TABLE root_communes (code VARCHAR)")
            self.con.executemany(
                "INSERT INTO root_communes VALUES (?)", [[code] for code in communes]
            )
            for statement in DUCK_LOAD:
                self.con.execute(statement)
            for table in ("raw_households", "raw_persons", "raw_events", "ids"):
                self.con.execute(f"DROP TABLE {table}")
        except BaseException:
            self.con.close()
            raise

    def _read(self, path: Path, table: str, columns: list[str]) -> None:
        """Read ``columns`` of the CSV file ``path`` (every value as text) into the table
        ``raw_<table>``."""
        header = self.con.execute(
            "DESCRIBE SELECT * FROM read_csv_auto(?, all_varchar = 1)", [str(path)]
        ).fetchall()
        found = {str(row[0]).lower(): str(row[0]) for row in header}
        chosen = []
        for column in columns:
            if column in found:
                quoted = found[column].replace('"', '""')
                chosen.append(f'"{quoted}" AS {column}')
            elif column in DUCK_OPTIONAL.get(table, set()):
                chosen.append(f"NULL::VARCHAR AS {column}")
            else:
                raise ValueError(f"{path.name} has no column {column}")
        selected = ", ".join(chosen)
        self.con.execute(
            # the names of the file's header, quoted
            f"CREATE TABLE raw_{table} AS SELECT {selected} "  # noqa: S608
            "FROM read_csv_auto(?, all_varchar = 1)",
            [str(path)],
        )

    def sizes(self) -> dict[str, int]:
        """Rows of the loaded tables (persons, events, stays, located events)."""
        found: dict[str, int] = {}
        for table in ("p", "e", "stays", "located"):
            row = self.con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
            found[table] = int(row[0]) if row else 0
        return found

    def count(self, periods: list[PeriodRow]) -> dict[str, Counter[str]]:
        """The tallies danso's engine keeps (``tallying.tallies_of``), for the whole root,
        of each period."""
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE periods "
            "(name VARCHAR, p_start DATE, p_end DATE, p_ref DATE)"
        )
        con.executemany(
            "INSERT INTO periods VALUES (?, ?, ?, ?)",
            [[p.name, p.start, p.end, p.reference] for p in periods],
        )
        try:
            for statement in DUCK_PREPARE:
                con.execute(statement)
            rows = {name: con.execute(query).fetchall() for name, query in DUCK_COUNT.items()}
        finally:
            for table in ("births", "married_spells", "modern_spells", "periods"):
                con.execute(f"DROP TABLE IF EXISTS {table}")
        return tallies_from(rows, periods)

    def close(self) -> None:
        self.con.close()


def duckdb_tallies(
    folder: Path, periods: list[PeriodRow], communes: list[str]
) -> dict[str, Counter[str]]:
    """Load ``folder`` and count ``periods`` (``Reference`` in one call)."""
    reference = Reference(folder, communes)
    try:
        return reference.count(periods)
    finally:
        reference.close()


def tallies_from(rows: dict[str, list[Any]], periods: list[PeriodRow]) -> dict[str, Counter[str]]:
    """The rows of ``DUCK_COUNT`` as the engine's tally keys."""
    stock: dict[date, Counter[str]] = {}
    for day, sex, age, n in rows["stock"]:
        t = stock.setdefault(day, Counter())
        t["P"] += n
        if age >= 60:
            t["E60"] += n
        if sex == "F" and 15 <= age <= 49:
            t["W"] += n
            t[f"W.{GROUPS[(age - 15) // 5]}"] += n
        if sex in ("M", "F") and age >= 0:
            t[f"PYR.{sex}.{PYRAMID[min(age // 5, len(PYRAMID) - 1)]}"] += n
    for day, n in rows["households"]:
        stock.setdefault(day, Counter())["households"] += n
    tallies = {p.name: Counter(stock.get(p.reference, Counter())) for p in periods}
    for name, n in rows["elderly"]:
        tallies[name]["E60.checked"] += n
    for name, mother_age, sex, known, third, second, newborn, n in rows["births"]:
        t = tallies[name]
        t["births"] += n
        if sex in ("M", "F"):
            t[f"births.{sex}"] += n
        t["births.order_known"] += n if known else 0
        t["births.order3p"] += n if third else 0
        t["births.order2"] += n if second else 0
        t["births.mother_under20"] += n if mother_age < 20 else 0
        t["newborn.screened"] += n if newborn else 0
        if 15 <= mother_age <= 49:
            t["births.15-49"] += n
            t[f"births.{GROUPS[(mother_age - 15) // 5]}"] += n
    for name, mothers, screened in rows["prenatal"]:
        tallies[name]["prenatal.mothers"] += mothers
        tallies[name]["prenatal.screened"] += screened
    for name, kind, method, supply, n in rows["events"]:
        t = tallies[name]
        if kind in EVENT_COUNTS:
            t[EVENT_COUNTS[kind]] += n
            continue
        t["newfp"] += n
        if method in PLAN_METHOD:
            t[f"newfp.{PLAN_METHOD[method]}"] += n
        if supply:
            t[f"newfp.{supply}"] += n
    for name, persons, child in rows["married"]:
        tallies[name]["married"] += persons
        tallies[name]["married.child"] += child
    for name, couples, checked in rows["premarital"]:
        tallies[name]["premarital.couples"] += couples
        tallies[name]["premarital.checked"] += checked
    for name, women, users in rows["cpr"]:
        tallies[name]["cpr.women"] += women
        tallies[name]["cpr.users"] += users
    return {name: +tally for name, tally in tallies.items()}


def main_values(t: Counter[str]) -> dict[str, float | None]:
    """The headline indicators of a year's tally (docs/indicators.md), computed here."""

    def ratio(a: str, b: str, scale: float) -> float | None:
        return t[a] / t[b] * scale if t[b] else None

    rates = [t[f"births.{g}"] / t[f"W.{g}"] for g in GROUPS if t[f"W.{g}"]]
    return {
        "CBR": ratio("births", "P", 1000),
        "CDR": ratio("deaths", "P", 1000),
        "GFR": ratio("births", "W", 1000),
        "TFR": 5 * math.fsum(rates) if rates else None,
        "SRB": ratio("births.M", "births.F", 100),
        "BIRTH3P": ratio("births.order3p", "births.order_known", 100),
        "CPR": ratio("cpr.users", "cpr.women", 100),
        "NEWBORN": ratio("newborn.screened", "births", 100),
        "ELDERLY": ratio("E60.checked", "E60", 100),
    }
