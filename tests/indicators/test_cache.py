"""Fresh figures through the cache of leaf tallies: every read equals a count straight from
the register, a birth recorded in the monthly form reaches the ward, the district and the
city on the next read, and the repair command is idempotent."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.accounts.scope import SYSTEM
from danso.indicators import cache, setbased
from danso.indicators.engine import compute
from danso.indicators.models import FiguresEpoch, LeafTally
from danso.indicators.periods import Period
from danso.indicators.services import entered_save
from danso.register import services
from danso.register.exporting import register_export
from danso.register.importing import register_import
from danso.register.models import Membership, Person
from danso.register.vocabulary import EventType
from danso.units.codes import Level
from danso.units.models import UnitVersion, valid_on
from tests.conftest import unit_at
from tests.indicators.conftest import event

pytestmark = pytest.mark.django_db
PERIODS = ["2024", "2024Q2", "2024-05", "2024-09", "2024-YTD-06", "2024Q4"]
CHAIN = [(Level.COMMUNE, "118"), (Level.DISTRICT, "004"), (Level.PROVINCE, "01")]


def version(level: Level, code: str, on: date = date(2024, 12, 31)) -> UnitVersion:
    return UnitVersion.objects.select_related("unit").get(
        valid_on(on), unit=unit_at(level, code, on)
    )


def cached(level: Level, code: str, period: str) -> dict[str, Any]:
    figures = cache.figures(version(level, code), Period.parse(period))
    return {v.indicator: v.as_dict() for v in figures.values}


def counted(level: Level, code: str, period: str) -> dict[str, Any]:
    figures = compute(version(level, code), Period.parse(period))
    return {v.indicator: v.as_dict() for v in figures.values}


def assert_cache_is_true() -> None:
    for level, code in CHAIN:
        for period in PERIODS:
            assert cached(level, code, period) == counted(level, code, period), (code, period)


def test_cached_figures_equal_a_count_from_the_register(book: dict[str, Person]) -> None:
    assert_cache_is_true()
    assert LeafTally.objects.exists()
    rows = LeafTally.objects.count()
    assert_cache_is_true()  # read again: from the rows, none added
    assert LeafTally.objects.count() == rows


def test_every_kind_of_change_reaches_the_cached_figures(book: dict[str, Person]) -> None:
    assert_cache_is_true()  # warm
    # a birth (a new person, a stay, an event), a death, a screening before a birth
    # recorded later, a move out of the village and a contraception stop
    event(book["F"], EventType.PRENATAL_SCREENING, date(2024, 3, 1))
    event(
        book["F"],
        EventType.BIRTH,
        date(2024, 9, 20),
        child=services.PersonInput("Đỗ Văn Khang", "M", date(2024, 9, 20)),
        birth_order=3,
    )
    assert_cache_is_true()
    event(book["C"], EventType.DEATH, date(2024, 5, 5))
    event(book["D"], EventType.MOVE_OUT, date(2024, 6, 1), to_place="Hải Phòng")
    event(book["F"], EventType.CONTRACEPTION_STOP, date(2024, 4, 1), method="iud")
    assert_cache_is_true()
    # an edited birth date moves a woman across age groups in every period
    woman = book["B"]
    woman.birth_date = date(1985, 3, 10)
    woman.save()
    assert_cache_is_true()


def test_a_birth_in_the_monthly_form_reaches_ward_district_and_city_on_the_next_read(
    book: dict[str, Person],
    make_user: Callable[..., User],
    client_for: Callable[[User], Client],
) -> None:
    before = [cached(level, code, "2024")["CBR"]["numerator"] for level, code in CHAIN]
    collaborator = make_user("ctv", Role.COLLABORATOR, Level.VILLAGE, "00118-T1", date(2024, 6, 30))
    village = book["D"].memberships.get().household.unit
    url = reverse("register:collection", args=[village.pk, "2024-11"])
    response = client_for(collaborator).post(
        url + "?date=2024-11-30",
        {
            "event_type": "birth",
            "person": book["D"].pk,
            "event_date": "02/11/2024",
            "child_name": "Phạm Thị Hà",
            "child_sex": "F",
            "birth_order": "1",
            "action": "record",
        },
    )
    assert response.status_code == 302

    after = [cached(level, code, "2024")["CBR"]["numerator"] for level, code in CHAIN]
    assert after == [b + 1 for b in before]
    assert_cache_is_true()


def test_an_import_reaches_the_cached_figures(book: dict[str, Person], tmp_path: Path) -> None:
    ward = unit_at(Level.COMMUNE, "118", date(2024, 12, 31))
    register_export(ward, date(2024, 12, 31), tmp_path / "book", user=SYSTEM)
    assert_cache_is_true()  # warm
    events = tmp_path / "book" / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1
    header = lines[0].split(",")
    death = dict.fromkeys(header, "")
    death.update(
        event_id="E-IMPORTED-DEATH",
        event_type="death",
        event_date="2024-07-07",
        person_id=book["A"].source_id,
    )
    events.write_text(
        "\n".join([*lines, ",".join(death[column] for column in header)]) + "\n", encoding="utf-8"
    )

    report = register_import(tmp_path / "book")

    assert not report.has_errors, report.problems
    assert cached(Level.DISTRICT, "004", "2024")["CDR"]["numerator"] == 2
    assert_cache_is_true()


def test_recompute_is_idempotent_and_repairs(book: dict[str, Person]) -> None:
    def rows() -> list[tuple[int, str, Any]]:
        return list(
            LeafTally.objects.order_by("unit_id", "period").values_list(
                "unit_id", "period", "tally"
            )
        )

    first = recompute()
    written = rows()
    # a damaged row (as if written by hand) is put right, and nothing else changes
    LeafTally.objects.filter(period="2024").update(tally={"births": 99})
    second = recompute()

    assert first["periods"] == 28
    assert first["rows"] == second["rows"] == len(written)
    assert rows() == written
    assert_cache_is_true()


def recompute(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("indicators", "recompute", *args, "--year", "2024", "--format", "json", stdout=out)
    return dict(json.loads(out.getvalue()))


def test_recompute_of_one_unit_touches_only_its_leaves(book: dict[str, Person]) -> None:
    assert_cache_is_true()  # warm
    LeafTally.objects.filter(period="2024").update(tally={"births": 99})

    elsewhere = recompute("--unit", "121", "--level", "commune")
    assert elsewhere["leaves"] == 0  # Phường Bồ Đề keeps no register here
    assert LeafTally.objects.get(period="2024").tally == {"births": 99}

    here = recompute("--unit", "118", "--level", "commune")
    assert here["leaves"] == 1  # Tổ dân phố 1, where the households are
    assert LeafTally.objects.get(period="2024").tally != {"births": 99}
    assert_cache_is_true()


def test_whole_figures_are_kept_until_what_they_rest_on_changes(
    book: dict[str, Person],
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    cache.forget_pending()  # the book, as every reader sees it once committed
    city, period = version(Level.PROVINCE, "01"), Period.parse("2024")
    first = cache.figures(city, period)

    # read again with nothing changed: from the cache, after one query for the epoch
    with django_assert_max_num_queries(1):
        again = cache.figures(city, period)
    assert again.tally == first.tally

    # a death recorded and committed moves the epoch on: the next read counts it
    epoch = FiguresEpoch.objects.get(pk=1).n if FiguresEpoch.objects.exists() else 0
    with django_capture_on_commit_callbacks(execute=True):
        event(book["C"], EventType.DEATH, date(2024, 5, 5))
    assert FiguresEpoch.objects.get(pk=1).n > epoch
    after = cache.figures(city, period)
    assert after.tally["deaths"] == first.tally["deaths"] + 1
    assert {v.indicator: v.as_dict() for v in after.values} == counted(Level.PROVINCE, "01", "2024")

    # so do entered figures and changes of the tree
    def enter() -> None:
        ward = unit_at(Level.COMMUNE, "121", date(2024, 12, 31))
        entered_save(unit=ward, period="2024", counts={"P": 1})

    def rename() -> None:
        city.save(update_fields=["name"])

    for change in (enter, rename):
        epoch = FiguresEpoch.objects.get(pk=1).n
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert FiguresEpoch.objects.get(pk=1).n > epoch, change.__name__


def test_a_change_leaves_the_figures_of_earlier_periods_in_the_cache(
    book: dict[str, Person],
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A death of September changes the figures of the periods ending from August on
    (its day less ``MARGIN``, to the month): May's and the second quarter's cached
    figures are still read from the cache, the year's and September's are counted again
    and hold it; a change whose day is unknown (an entered figure) reaches them all."""
    cache.forget_pending()
    city = version(Level.PROVINCE, "01")
    names = ["2024-05", "2024Q2", "2024-09", "2024"]
    first = {name: cache.figures(city, Period.parse(name)) for name in names}
    with django_capture_on_commit_callbacks(execute=True):
        event(book["C"], EventType.DEATH, date(2024, 9, 5))
    for name in ("2024-05", "2024Q2"):
        with django_assert_max_num_queries(1):  # the period's epoch, then the cache
            assert cache.figures(city, Period.parse(name)) is not None
        assert cache.figures(city, Period.parse(name)).tally == first[name].tally
    for name in ("2024-09", "2024"):
        after = cache.figures(city, Period.parse(name))
        assert after.tally["deaths"] == first[name].tally["deaths"] + 1, name
        assert {v.indicator: v.as_dict() for v in after.values} == counted(
            Level.PROVINCE, "01", name
        )
    with django_capture_on_commit_callbacks(execute=True):
        entered_save(
            unit=unit_at(Level.COMMUNE, "121", date(2024, 12, 31)),
            period="2024-05",
            counts={"P": 7},
        )
    with CaptureQueriesContext(connection) as queries:  # added up again, not the cache
        cache.figures(city, Period.parse("2024Q2"))
    assert len(queries) > 1
    may = cache.figures(city, Period.parse("2024-05"))
    assert may.tally["P"] == first["2024-05"].tally["P"] + 7


def test_an_uncommitted_change_is_seen_by_its_own_reads_only(book: dict[str, Person]) -> None:
    city, period = version(Level.PROVINCE, "01"), Period.parse("2024")
    before = cache.figures(city, period).tally["deaths"]
    event(book["C"], EventType.DEATH, date(2024, 5, 5))  # not committed: the test's transaction
    assert cache.figures(city, period).tally["deaths"] == before + 1


def test_a_stay_that_ends_keeps_the_rows_before_its_end(book: dict[str, Person]) -> None:
    """A death in December changes the counts from that day on: the village's rows of
    the months before stay (a year's rows are not counted again for every death), and
    every figure is still the register's (issue 15)."""
    village = unit_at(Level.VILLAGE, "00118-T1", date(2024, 12, 31))
    cache.warm(2024)
    kept = set(LeafTally.objects.filter(unit=village).values_list("period", "pk"))
    event(book["C"], EventType.DEATH, date(2024, 12, 20))
    after = set(LeafTally.objects.filter(unit=village).values_list("period", "pk"))
    assert ("2024-06", dict(kept)["2024-06"]) in after  # ended 31/10 − 31 days: kept
    assert "2024-12" not in dict(after)  # the death's month is counted again
    assert_cache_is_true()
    # a stay moved to start earlier reaches back to its new first day
    stay = Membership.objects.filter(person=book["D"]).get()
    stay.valid_from = date(2023, 7, 1)
    stay.save()
    assert not LeafTally.objects.filter(unit=village, period="2024-01").exists()
    assert_cache_is_true()
    # a change that no count rests on (the relation to the head) forgets nothing
    cache.warm(2024)
    rows = LeafTally.objects.count()
    stay.relation = "con"
    stay.save()
    assert LeafTally.objects.count() == rows


def test_stored_rows_read_back_as_counted_and_a_row_written_meanwhile_stays(
    book: dict[str, Person],
) -> None:
    """``_store`` writes each leaf's tally as the model reads it back (fractions of a
    split commune too), one statement for many rows, and leaves alone a row another
    reader wrote meanwhile."""
    commune = unit_at(Level.COMMUNE, "118", date(2024, 12, 31))
    period = Period.parse("2024-03")
    LeafTally.objects.filter(period=str(period)).delete()
    LeafTally.objects.create(
        unit=commune, period=str(period), period_end=period.end, tally={"P": 7}
    )
    others = list(
        UnitVersion.objects.filter(unit__level=Level.COMMUNE)
        .exclude(unit=commune)
        .values_list("unit_id", flat=True)[:3]
    )
    tallies = {
        commune.pk: Counter({"P": 99}),
        others[0]: Counter({"P": 12, "B": 1, "P_share": 0.25}),
        others[1]: Counter({"Tên": 3}),
        others[2]: Counter(),
    }
    with CaptureQueriesContext(connection) as queries:
        cache._store(period, tallies)
    assert len(queries) == 1
    stored = dict(LeafTally.objects.filter(period=str(period)).values_list("unit_id", "tally"))
    assert stored == {
        commune.pk: {"P": 7},
        others[0]: {"P": 12, "B": 1, "P_share": 0.25},
        others[1]: {"Tên": 3},
        others[2]: {},
    }
    row = LeafTally.objects.get(period=str(period), unit_id=others[0])
    assert row.period_end == period.end
    assert row.computed_at is not None


def test_a_leaf_changed_by_an_event_is_counted_for_the_periods_it_lost_only(
    book: dict[str, Person],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A death of 5 December takes the rows of the periods ending from 5 November on; the
    next read counts the leaf for those periods (November, December, the fourth quarter,
    the year, the year to November), not for the 23 others it still holds, and the
    figures are those of a count from the register."""
    cache.forget_pending()
    city = version(Level.PROVINCE, "01")
    cache.warm(2024)
    batches: list[list[str]] = []
    count = setbased.tallies_of_periods

    def recorded(periods: Any, leaves: Any) -> Any:
        batches.append(sorted(str(period) for period in periods))
        return count(periods, leaves)

    monkeypatch.setattr(cache, "tallies_of_periods", recorded)
    with django_capture_on_commit_callbacks(execute=True):
        event(book["C"], EventType.DEATH, date(2024, 12, 5))
    after = cache.figures(city, Period.parse("2024-12"))
    assert batches == [["2024", "2024-11", "2024-12", "2024-YTD-11", "2024Q4"]]
    assert after.tally["deaths"] >= 1
    for name in ("2024-12", "2024", "2024-06"):
        assert {
            v.indicator: v.as_dict() for v in cache.figures(city, Period.parse(name)).values
        } == (counted(Level.PROVINCE, "01", name))
