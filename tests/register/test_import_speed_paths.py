"""The import's fast paths (issue 15): an unchanged re-import compares the hashes of the
rows instead of reading them back and writes nothing; a changed row, an event edited
since its import or one imported before the hashes is still compared field by field;
tables filled from empty are indexed once filled, and keep their indexes on a failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.register.importing import bulk, register_import, writing
from danso.register.models import Event, Household, HouseholdPlacement, Membership, Person
from tests.register.conftest import HANDMADE, copy_handmade, errors_at, read_table, write_book

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "CREATE", "DROP")


def history_count() -> int:
    return sum(m.history.model.objects.count() for m in (Event, Person, Household, Membership))


def test_an_unchanged_reimport_compares_hashes_and_writes_nothing() -> None:
    first = register_import(HANDMADE)
    assert first.errors == []
    assert not Event.objects.filter(import_hash=None).exists()
    rows = {m: m.objects.count() for m in (Event, Person, Household, Membership)}
    history = history_count()
    with CaptureQueriesContext(connection) as queries:
        again = register_import(HANDMADE)
    assert again.errors == []
    assert sum(again.imported.values()) == 0
    assert again.unchanged["events"] == first.imported["events"]
    written = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert written == []
    # the events are not read back column by column: only their ids and hashes
    assert not any("note" in q["sql"] and "register_event" in q["sql"] for q in queries)
    assert {m: m.objects.count() for m in rows} == rows
    assert history_count() == history


def test_a_changed_event_row_is_still_a_conflict(tmp_path: Path) -> None:
    book = copy_handmade(tmp_path / "book")
    register_import(book)
    events = read_table(book, "events")
    events[2]["note"] = "một ghi chú khác"
    write_book(book, {"events": events})
    before = Event.objects.get(source_id=events[2]["event_id"])
    report = register_import(book)
    assert errors_at(report) == {("events.csv", 4, "note")}
    assert sum(report.imported.values()) == 0
    after = Event.objects.get(source_id=events[2]["event_id"])
    assert (after.note, after.import_hash) == (before.note, before.import_hash)


def test_an_event_saved_since_its_import_is_compared_field_by_field(tmp_path: Path) -> None:
    register_import(HANDMADE)
    event = Event.objects.exclude(note="").order_by("pk").first()
    assert event is not None
    assert event.import_hash is not None
    event.note = "sửa trên màn hình"
    event.save(update_fields=["note"])
    event.refresh_from_db()
    assert event.import_hash is None
    report = register_import(HANDMADE)
    line = 2 + [r["event_id"] for r in read_table(HANDMADE, "events")].index(event.source_id)
    assert errors_at(report) == {("events.csv", line, "note")}


def test_events_without_a_hash_reimport_unchanged() -> None:
    first = register_import(HANDMADE)
    Event.objects.update(import_hash=None)  # as imported before the hashes
    again = register_import(HANDMADE)
    assert again.errors == []
    assert sum(again.imported.values()) == 0
    assert again.unchanged["events"] == first.imported["events"]


def indexes() -> set[str]:
    """The secondary indexes of the tables an import fills, and on PostgreSQL their
    foreign keys (dropped while they are filled from empty, added again after)."""
    tables = [Event._meta.db_table, Event.history.model._meta.db_table]
    tables += [Person._meta.db_table, Membership._meta.db_table]
    found = {sql for table in tables for _name, sql in bulk.secondary_indexes(table)}
    keys = {f"{table} {name} {sql}" for table in tables for name, sql in bulk.foreign_keys(table)}
    assert keys or connection.vendor == "sqlite"
    return found | keys


def test_tables_filled_from_empty_are_indexed_once_filled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(writing, "FILL_ROWS", 1)
    before = indexes()
    assert before
    report = register_import(HANDMADE)
    assert report.errors == []
    assert indexes() == before
    assert Event.objects.count() == report.imported["events"]
    assert not Event.objects.filter(import_hash=None).exists()


def test_a_failed_write_keeps_the_indexes_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(writing, "FILL_ROWS", 1)
    before = indexes()

    def fail(*_args: object) -> None:
        raise ValidationError("stop")

    monkeypatch.setattr(writing, "write_events", fail)
    report = register_import(HANDMADE)
    assert [p.message for p in report.errors] == ["stop"]
    assert indexes() == before
    assert not Person.objects.exists()
    assert not Event.objects.exists()


@pytest.mark.parametrize("fill_rows", [1, writing.FILL_ROWS])
def test_each_row_written_by_an_import_has_its_history_row_by_the_user(
    make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch, fill_rows: int
) -> None:
    """The history rows are copied by the database from the rows just written: one "+"
    row each, with the same values, the importing user and the import as the reason;
    whether the tables are filled from empty (their ids taken in one block on
    PostgreSQL) or not."""
    monkeypatch.setattr(writing, "FILL_ROWS", fill_rows)
    officer = make_user("importer", Role.ADMIN)
    report = register_import(HANDMADE, user=officer)
    assert report.errors == []
    for model in (Event, Person, Household, Membership, HouseholdPlacement):
        rows = list(model.objects.order_by("pk"))
        assert rows
        history = list(model.history.model.objects.order_by("id"))
        assert [h.id for h in history] == [row.pk for row in rows]
        kept_fields = {f.attname for f in model.history.model._meta.concrete_fields}
        fields = [f.attname for f in model._meta.concrete_fields if f.attname in kept_fields]
        assert len(fields) > 4
        for row, kept in zip(rows, history, strict=True):
            assert [getattr(kept, f) for f in fields] == [getattr(row, f) for f in fields]
            assert kept.history_type == "+"
            assert kept.history_user_id == officer.pk
            assert kept.history_change_reason
            assert kept.history_date == history[0].history_date
