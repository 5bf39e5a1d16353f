"""Reading persons.csv and matching its persons with those of danso (with their stays
and death), and the facts of a person that the rules check an event against."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from django.db import connection
from django.utils.translation import gettext as _

from danso.register import exchange
from danso.register.exchange import Row
from danso.register.importing.batch import (
    BATCH,
    ImportBatch,
    chunks,
    json_value,
    lookup_size,
    select_in,
)
from danso.register.importing.households import household_reference_problem, resolve_households
from danso.register.importing.records import (
    BAD,
    DB,
    DEATH,
    MARITAL,
    MISSING,
    NEW,
    PRECISIONS,
    RELATIONS,
    SAME,
    PersonRow,
    Stay,
    StoredPerson,
)
from danso.register.importing.rows import RowProblems, differing_extra_keys, worded_findings
from danso.register.models import Event, Household, Membership, Person
from danso.register.rules import (
    Finding,
    PersonFacts,
    errors,
    finding,
    person_findings,
    warnings,
)
from danso.register.vocabulary import Residence

RESIDENCES = tuple(r.value for r in Residence)


def read_persons(batch: ImportBatch) -> None:
    """Read persons.csv, a batch of rows at a time matched with danso."""
    total = batch.book.count("persons") if batch.book.has("persons") else 0
    with batch.open_table("persons") as opened:
        if opened is None:
            return
        table, unknown = opened
        done = 0
        # the ID numbers of the new persons: number -> (line, person id)
        numbers: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for chunk in chunks(table.rows, BATCH):
            parsed: list[tuple[int, PersonRow]] = []
            for line, row in chunk:
                person, problems = parse_person(row, unknown)
                if person is None:
                    batch.add_row_problems(table.file, line, problems)
                    source_id = row.get("person_id", "")
                    if source_id and source_id not in batch.people.index:
                        batch.people.add(source_id, BAD, line=line)
                    elif source_id:
                        batch.people.state[batch.people.index[source_id]] = BAD
                else:
                    parsed.append((line, person))
            resolve_households(batch, (p.household_id for _line, p in parsed))
            existing = stored_persons(batch, [p.person_id for _line, p in parsed])
            for line, person in parsed:
                add_person(batch, table.file, line, person, existing.get(person.person_id))
                check_new_person(batch, table.file, line, person, numbers)
            done += len(chunk)
            batch.report_progress("persons", done, total)
        check_id_numbers(batch, table.file, numbers)


def parse_person(row: Row, unknown: Sequence[str]) -> tuple[PersonRow | None, RowProblems]:
    """The person of a row of persons.csv (None if it has problems) and its problems."""
    problems = RowProblems()
    person_id = problems.required(row, "person_id", 64)
    household_id = problems.required(row, "household_id", 64)
    full_name = exchange.text(problems.required(row, "full_name", 200))
    sex = ""
    raw_sex = problems.required(row, "sex")
    if raw_sex:
        try:
            sex = exchange.parse_sex(raw_sex)
        except ValueError:
            problems.append(
                ("sex", _("%(value)s is not a sex (M, F, nam, nữ).") % {"value": raw_sex})
            )
    birth: tuple[date, str] | None = None
    raw_birth = problems.required(row, "birth_date")
    if raw_birth:
        try:
            birth = exchange.parse_birth(raw_birth)
        except ValueError:
            problems.append(
                (
                    "birth_date",
                    _("%(value)s is not a date of birth (YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY).")
                    % {"value": raw_birth},
                )
            )
    registered_on = problems.date_value(row, "registered_on")
    relation = problems.choice(
        "relation_to_head", row.get("relation_to_head", "").lower(), RELATIONS[1:]
    )
    marital = problems.choice("marital_status", row.get("marital_status", "").lower(), MARITAL[1:])
    residence = problems.choice(
        "residence_status",
        row.get("residence_status", "").lower(),
        RESIDENCES,
    )
    ethnicity = exchange.text(row.get("ethnicity", ""))
    if len(ethnicity) > 60:
        problems.too_long("ethnicity", ethnicity, 60)
    id_number = row.get("id_number", "")
    if len(id_number) > 30:
        problems.too_long("id_number", id_number, 30)
    if birth is not None and registered_on is not None and birth[0] > registered_on:
        problems.append(("birth_date", _("The date of birth is after the date of registration.")))
    if problems or birth is None or registered_on is None:
        return None, problems
    return (
        PersonRow(
            person_id,
            household_id,
            full_name,
            sex,
            birth[0],
            birth[1],
            relation,
            marital,
            residence,
            ethnicity,
            id_number,
            registered_on,
            {c: row[c] for c in unknown if row.get(c)},
        ),
        problems,
    )


def check_new_person(
    batch: ImportBatch,
    file: str,
    line: int,
    person: PersonRow,
    numbers: dict[str, list[tuple[int, str]]],
) -> None:
    """The rules of a new person's details (``rules.person_findings``): a date of birth in
    the future is an error; an ID number of the wrong shape and an age over 110 are
    warnings, flagged once the person is written.  Their ID number is kept for
    ``check_id_numbers``."""
    people = batch.people
    i = people.index[person.person_id]
    if people.state[i] != NEW or people.line[i] != line:
        return
    found = person_findings(birth_date=person.birth, id_number=person.id_number, today=batch.today)
    refused = errors(found)
    if refused:
        batch.add_row_problems(file, line, worded_findings(refused))
        people.state[i] = BAD
        return
    for f in warnings(found):
        person_warning(batch, file, line, person.person_id, f)
    number = person.id_number.strip()
    if number:
        numbers[number].append((line, person.person_id))


def person_warning(
    batch: ImportBatch, file: str, line: int, source_id: str, found: Finding
) -> None:
    batch.add_problem(file, line, found.column, _(found.message) % dict(found.params), "warning")
    batch.pending_flags.append(("person", source_id, found.rule, dict(found.params)))


def check_id_numbers(
    batch: ImportBatch, file: str, numbers: dict[str, list[tuple[int, str]]]
) -> None:
    """An ID number that another person has (in the files or in the register) is a
    warning on each new person that has it."""
    holders: dict[str, list[str]] = defaultdict(list)
    for number, rows in numbers.items():
        holders[number] += [source_id for _line, source_id in rows]
    if batch.has_persons:
        for chunk in chunks(sorted(numbers), lookup_size()):
            stored = Person.objects.filter(
                id_number__in=chunk, merged_into__isnull=True
            ).values_list("id_number", "source_id")
            for number, source_id in stored:
                if source_id not in holders[number]:
                    holders[number].append(source_id)
    for number, rows in numbers.items():
        for line, source_id in rows:
            others = [s for s in holders[number] if s != source_id]
            if others:
                person_warning(
                    batch, file, line, source_id, finding("id_number_used", other=others[0])
                )


def add_person(
    batch: ImportBatch, file: str, line: int, person: PersonRow, stored: StoredPerson | None
) -> None:
    """Remember a parsed person: a repeat, a conflict, unchanged or new."""
    people = batch.people
    digest = hash(person.content())
    i = people.index.get(person.person_id)
    if i is not None:
        if people.state[i] != BAD and people.digest[i] == digest:
            batch.add_problem(
                file,
                line,
                "person_id",
                _("This row repeats line %(line)s; it is read once.") % {"line": people.line[i]},
                "warning",
            )
        else:
            batch.add_problem(
                file,
                line,
                "person_id",
                _("The id %(id)s is also on line %(line)s, with different content.")
                % {"id": person.person_id, "line": people.line[i]},
            )
            people.state[i] = BAD
        return
    found = household_reference_problem(batch, person.household_id, "household_id")
    if found is not None:
        batch.add_row_problems(file, line, [found])
        people.add(person.person_id, BAD, line=line)
        return
    h = batch.household_index[person.household_id]
    state, pk = NEW, 0
    if stored is not None:
        differs = [
            column
            for column, ours, theirs in (
                ("full_name", person.full_name, stored.full_name),
                ("sex", person.sex, stored.sex),
                (
                    "birth_date",
                    (person.birth, person.precision),
                    (stored.birth_date, stored.birth_precision),
                ),
                ("registered_on", person.registered_on, stored.registered_on),
                ("household_id", person.household_id, stored.first_household),
                ("relation_to_head", person.relation, stored.first_relation),
                ("residence_status", person.residence, stored.residence_status),
                ("ethnicity", person.ethnicity, stored.ethnicity),
                ("id_number", person.id_number, stored.id_number),
            )
            if ours != theirs
        ]
        differs += differing_extra_keys(person.extra, stored.extra)
        if differs:
            batch.report_conflict(file, line, person.person_id, differs)
            state = BAD
        else:
            state, pk = SAME, stored.pk
    i = people.add(
        person.person_id,
        state,
        line=line,
        sex=person.sex,
        birth=person.birth,
        precision=person.precision,
        registered=person.registered_on,
        household=h,
        marital=person.marital,
        relation=person.relation,
        pk=pk,
        digest=digest,
    )
    if state == SAME and stored is not None:
        keep_stored_facts(batch, i, stored)


def keep_stored_facts(batch: ImportBatch, i: int, stored: StoredPerson) -> None:
    """Keep the stays, marital status and death of person ``i`` as danso has them."""
    batch.stays[i] = stored.stays
    batch.db_marital[i] = stored.marital_status
    if stored.death is not None:
        batch.people.death[i] = stored.death.toordinal()


def stored_persons(batch: ImportBatch, source_ids: Sequence[str]) -> dict[str, StoredPerson]:
    """Persons of danso with these ids, with their stays and death (a few set-based
    statements, plain rows)."""
    if not batch.has_persons or not source_ids:
        return {}
    found: dict[str, StoredPerson] = {}
    by_pk: dict[int, StoredPerson] = {}
    q = connection.ops.quote_name
    person, membership = q(Person._meta.db_table), q(Membership._meta.db_table)
    household, event = q(Household._meta.db_table), q(Event._meta.db_table)
    columns = (
        "id, source_id, full_name, sex, birth_date, birth_precision, ethnicity, id_number, "
        "marital_status, residence_status, registered_on, extra"
    )
    sql = f"SELECT {columns} FROM {person} WHERE {{where}}"  # noqa: S608 - our tables
    rows = select_in(sql, "source_id", source_ids)
    for row in rows:
        stored = StoredPerson(
            pk=row[0],
            source_id=row[1],
            full_name=row[2],
            sex=row[3],
            birth_date=row[4],
            birth_precision=row[5],
            ethnicity=row[6],
            id_number=row[7],
            marital_status=row[8],
            residence_status=row[9],
            registered_on=row[10],
            extra=json_value(row[11]) or {},
        )
        found[stored.source_id] = by_pk[stored.pk] = stored
    if not by_pk:
        return found
    pks = sorted(by_pk)
    stay_columns = "m.id, m.person_id, m.household_id, h.source_id, m.relation, m.valid_from"
    joined = f"{membership} m JOIN {household} h ON h.id = m.household_id"
    order = "ORDER BY m.person_id, m.valid_from, m.id"
    sql = f"SELECT {stay_columns}, m.valid_to FROM {joined} WHERE {{where}} {order}"  # noqa: S608 - our tables
    memberships: list[tuple[int, int, int, str, str, date, date | None]] = select_in(
        sql, "m.person_id", pks
    )
    sql = f"SELECT person_id, event_date FROM {event} WHERE event_type = %s AND {{where}}"  # noqa: S608 - our tables
    deaths = select_in(sql, "person_id", pks, [DEATH.value])
    for person_id, day in deaths:
        stored = by_pk[person_id]
        stored.death = day if stored.death is None else min(stored.death, day)
    resolve_households(
        batch,
        {
            sid
            for _pk, _p, household_id, sid, *_rest in memberships
            if household_id not in batch.household_by_pk
        },
    )
    for _pk, _person, household_id, household_sid, *_rest in memberships:
        if household_id not in batch.household_by_pk:
            # a row of households.csv with errors names it: the stays keep danso's
            # household, and an event in it is refused (places.event_unit)
            h = batch.household_index[household_sid]
            batch.households[h].pk = household_id
            batch.household_by_pk[household_id] = h
    for pk, person_id, household_id, household_sid, relation, start, end in memberships:
        stored = by_pk[person_id]
        if not stored.stays:
            stored.first_household, stored.first_relation = household_sid, relation
        stored.stays.append(
            Stay(
                batch.household_by_pk[household_id],
                start.toordinal(),
                end.toordinal() if end else None,
                relation,
                pk,
            )
        )
    return found


def resolve_persons(batch: ImportBatch, source_ids: Iterable[str]) -> None:
    """Make every id a known person: from danso (with its facts), or MISSING."""
    wanted = [s for s in set(source_ids) if s and s not in batch.people.index]
    if not wanted:
        return
    found = stored_persons(batch, wanted)
    for source_id in wanted:
        stored = found.get(source_id)
        if stored is None:
            batch.people.add(source_id, MISSING)
            continue
        first = stored.stays[0].household if stored.stays else -1
        i = batch.people.add(
            source_id,
            DB,
            sex=stored.sex,
            birth=stored.birth_date,
            precision=stored.birth_precision,
            registered=stored.registered_on,
            household=first,
            marital=stored.marital_status,
            relation=stored.first_relation,
            pk=stored.pk,
        )
        keep_stored_facts(batch, i, stored)


def person_reference_problem(
    batch: ImportBatch, source_id: str, column: str
) -> tuple[str, str] | None:
    """The problem of a reference to person ``source_id`` (None if it can be used)."""
    i = batch.people.index.get(source_id)
    state = MISSING if i is None else batch.people.state[i]
    if state == MISSING:
        return column, _("The person %(id)s is neither in persons.csv nor in the register.") % {
            "id": source_id
        }
    if state == BAD:
        assert i is not None
        return column, _("The person %(id)s has errors (line %(line)s of persons.csv).") % {
            "id": source_id,
            "line": batch.people.line[i],
        }
    return None


def person_facts(batch: ImportBatch, i: int) -> PersonFacts:
    """What the rules need to know of person ``i`` (sex, birth, death, stays)."""
    people = batch.people
    stays = batch.stays.get(i)
    if stays is None:
        spans: Sequence[tuple[date, date | None]] = (
            ((date.fromordinal(people.registered[i]), None),) if people.state[i] == NEW else ()
        )
    else:
        spans = [
            (date.fromordinal(s.start), date.fromordinal(s.end) if s.end is not None else None)
            for s in stays
        ]
    death = people.death[i]
    return PersonFacts(
        chr(people.sex[i]),
        date.fromordinal(people.birth[i]),
        PRECISIONS[people.precision[i]],
        date.fromordinal(death) if death else None,
        spans,
    )


def person_household_on(batch: ImportBatch, i: int, day: int) -> int | None:
    """The household person ``i`` lives in on ``day`` (None if none)."""
    stays = batch.stays.get(i)
    if stays is None:
        people = batch.people
        if people.state[i] == NEW and people.registered[i] <= day:
            return people.household[i]
        return None
    for stay in stays:
        if stay.start <= day and (stay.end is None or day <= stay.end):
            return stay.household
    return None
