"""Writes of health facilities and their inspections (kiểm tra cơ sở y tế).

Every write names its actor (a person, or ``accounts.scope.SYSTEM`` named by the command
line), checks the actor's scope on the day the write concerns, validates everything
before it writes (``ValidationError`` with a message per field), and is recorded in the
history against the actor (``danso.audit.acting_as``).  Registering or changing a
facility needs the right to change the commune's villages (``Action.EDIT_VILLAGES``:
officers of the commune, its district and the province); recording an inspection, the
right to submit the commune's reports (``Action.SUBMIT_REPORTS``).  A refusal raises
``NotAllowed`` (a ``PermissionDenied``: a screen answers 403).

After every inspection saved or deleted, the commune's month is counted again and stored
as the values of the data set ``FACILITY_INSPECTIONS`` (``danso.datasets``): the number
of inspections and the number of facilities found in violation.  A target on an indicator
reading ``#{INSPECTIONS}`` is then monitored like any other.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danso import uploads
from danso.accounts.scope import SYSTEM, actor_scope
from danso.audit import account_of, acting_as
from danso.datasets import services as datasets
from danso.datasets.models import DataElement, DataSet
from danso.facilities.models import (
    MAX_FINE,
    ChecklistItem,
    Facility,
    Inspection,
    Ownership,
    Service,
    ViolationKind,
)
from danso.indicators.periods import Period
from danso.problems import ImportReport
from danso.spreadsheets import LimitError, Limits
from danso.tables import TableError, read_table
from danso.units.codes import Level
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action
from danso.units.selectors import UnitNotFound, UnitOutOfScope, resolve_code
from danso.uploads import Kind
from danso.vietnamese import fold, parse_number

#: The data set the inspections are counted into, and its two data elements.
DATA_SET = "FACILITY_INSPECTIONS"
INSPECTIONS = "INSPECTIONS"
VIOLATIONS = "INSPECTION_VIOLATIONS"
DEFINITIONS: dict[str, Any] = {
    "data_elements": [
        {
            "code": INSPECTIONS,
            "name": "Số lượt kiểm tra cơ sở y tế tư nhân",
            "name_en": "Inspections of private health facilities",
            "value_type": "number",
            "description": "Đếm từ biên bản kiểm tra ghi trong danso (danso.facilities).",
        },
        {
            "code": VIOLATIONS,
            "name": "Số cơ sở vi phạm quy định cấm lựa chọn giới tính",
            "name_en": "Facilities found violating the ban on sex selection",
            "value_type": "number",
            "description": (
                "Số cơ sở có ít nhất một lần kiểm tra phát hiện vi phạm trong tháng "
                "(đếm từ biên bản kiểm tra ghi trong danso)."
            ),
        },
    ],
    "data_sets": [
        {
            "code": DATA_SET,
            "name": "Kiểm tra cơ sở y tế về lựa chọn giới tính thai nhi",
            "name_en": "Inspections of health facilities for sex selection",
            "period_type": "month",
            "level": "commune",
            "elements": [INSPECTIONS, VIOLATIONS],
        }
    ],
}
#: The reason stored with every recounted value (the values' history shows it).
RECOUNT_REASON = "Tính lại từ biên bản kiểm tra"
#: The first year an inspection or a licence may be dated.
FIRST_YEAR = 1990


class NotAllowed(PermissionDenied):
    """The actor may not do this here (a message for the person)."""


# ---------------------------------------------------------------------------- checks


def commune_on(unit: Unit, day: date) -> UnitVersion | None:
    """The version of the commune ``unit`` on ``day`` (None: it did not stand then)."""
    return UnitVersion.objects.filter(valid_on(day), unit=unit).select_related("unit").first()


def _allowed(actor: Any, action: Action, version: UnitVersion, day: date) -> None:
    if not actor_scope(actor, day).allows(action, version):
        message = {
            Action.EDIT_VILLAGES: _("You may not register or change the facilities of %(name)s."),
            Action.SUBMIT_REPORTS: _("You may not record the inspections of %(name)s."),
        }[action]
        raise NotAllowed(message % {"name": version.name})


def _raise(errors: Mapping[str, list[str]]) -> None:
    if errors:
        raise ValidationError(dict(errors))


# ------------------------------------------------------------------------ facilities


@dataclass(frozen=True)
class FacilityInput:
    """A facility as entered, before it is checked."""

    name: str
    address: str = ""
    ownership: str = Ownership.PRIVATE
    services: Sequence[str] = ()
    licence_number: str = ""
    licence_date: date | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    active: bool = True
    note: str = ""


def facility_problems(data: FacilityInput, *, today: date) -> dict[str, list[str]]:
    """What is wrong with ``data``, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not data.name.strip():
        add("name", _("The facility needs a name."))
    elif len(data.name.strip()) > 200:
        add("name", _("The name is longer than 200 characters."))
    if len(data.address.strip()) > 300:
        add("address", _("The address is longer than 300 characters."))
    if data.ownership not in Ownership.values:
        add("ownership", _("The ownership must be public or private."))
    unknown = [s for s in data.services if s not in Service.values]
    if unknown:
        add(
            "services",
            _("Unknown services: %(codes)s. Known: %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(Service.values)},
        )
    if len(data.licence_number.strip()) > 60:
        add("licence_number", _("The licence number is longer than 60 characters."))
    if data.licence_date is not None and not (date(FIRST_YEAR, 1, 1) <= data.licence_date <= today):
        add(
            "licence_date",
            _("The licence date must lie between %(first)s and today.")
            % {"first": f"01/01/{FIRST_YEAR}"},
        )
    if (data.latitude is None) != (data.longitude is None):
        add("longitude", _("Give both the latitude and the longitude, or neither."))
    if data.latitude is not None and not Decimal(-90) <= data.latitude <= Decimal(90):
        add("latitude", _("A latitude lies between -90 and 90 (Hà Nội: about 21)."))
    if data.longitude is not None and not Decimal(-180) <= data.longitude <= Decimal(180):
        add("longitude", _("A longitude lies between -180 and 180 (Hà Nội: about 105,8)."))
    return errors


def _facility_values(data: FacilityInput) -> dict[str, Any]:
    """The columns of ``data`` as stored: services in the catalogue's order, once each,
    coordinates to six decimals (about 10 cm)."""
    chosen = set(data.services)
    places = Decimal("0.000001")
    return {
        "name": data.name.strip(),
        "address": data.address.strip(),
        "ownership": data.ownership,
        "services": [s for s in Service.values if s in chosen],
        "licence_number": data.licence_number.strip(),
        "licence_date": data.licence_date,
        "latitude": data.latitude.quantize(places) if data.latitude is not None else None,
        "longitude": data.longitude.quantize(places) if data.longitude is not None else None,
        "active": data.active,
        "note": data.note.strip(),
    }


def facility_save(
    *,
    actor: Any,
    data: FacilityInput,
    on: date,
    unit: Unit | None = None,
    facility: Facility | None = None,
) -> Facility:
    """Register a facility of the commune ``unit`` (``facility`` None), or change
    ``facility`` (its commune stays).  The commune is taken as it stood on ``on`` (the
    day looked at), and ``actor`` must be allowed to change its villages then.  Raises
    ``ValidationError`` (by field) or ``NotAllowed``."""
    commune = facility.unit if facility is not None else unit
    if commune is None:
        raise ValidationError({"unit": [_("Choose the commune or ward of the facility.")]})
    version = commune_on(commune, on)
    if version is None:
        raise ValidationError(
            {"unit": [_("The commune did not exist on %(day)s.") % {"day": f"{on:%d/%m/%Y}"}]}
        )
    if commune.level != Level.COMMUNE:
        raise ValidationError(
            {
                "unit": [
                    _("A facility belongs to a commune or ward, not to %(name)s.")
                    % {"name": version.name}
                ]
            }
        )
    _allowed(actor, Action.EDIT_VILLAGES, version, on)
    _raise(facility_problems(data, today=timezone.localdate()))
    values = _facility_values(data)
    with transaction.atomic(), acting_as(account_of(actor)):
        if facility is None:
            return Facility.objects.create(unit=commune, **values)
        changed = [name for name, value in values.items() if getattr(facility, name) != value]
        for name in changed:
            setattr(facility, name, values[name])
        if changed:
            facility.save(update_fields=[*changed, "updated_at"])
        return facility


# ------------------------------------------------------------------------ inspections


@dataclass(frozen=True)
class InspectionInput:
    """An inspection as entered, before it is checked.  ``checklist``: item code →
    complied; an item left out did not comply (it was not found in order)."""

    date: datetime.date
    team: str
    agencies: str = ""
    checklist: Mapping[str, bool] = field(default_factory=dict)
    findings: str = ""
    violation: bool = False
    violation_kind: str = ""
    sanction: str = ""
    fine: Decimal | None = None
    follow_up: str = ""
    follow_up_on: datetime.date | None = None


def inspection_problems(data: InspectionInput, *, today: date) -> dict[str, list[str]]:
    """What is wrong with ``data``, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not date(FIRST_YEAR, 1, 1) <= data.date <= today:
        add(
            "date",
            _("The date of the inspection must lie between %(first)s and today.")
            % {"first": f"01/01/{FIRST_YEAR}"},
        )
    if not data.team.strip():
        add("team", _("Name the inspection team (e.g. Đoàn kiểm tra liên ngành quận)."))
    elif len(data.team.strip()) > 300:
        add("team", _("The team's name is longer than 300 characters."))
    if len(data.agencies.strip()) > 300:
        add("agencies", _("The agencies are longer than 300 characters."))
    unknown = [code for code in data.checklist if code not in ChecklistItem.values]
    if unknown:
        add(
            "checklist",
            _("Unknown checklist items: %(codes)s.") % {"codes": ", ".join(unknown)},
        )
    if data.violation and data.violation_kind not in ViolationKind.values:
        add("violation_kind", _("Say what kind of violation was found."))
    if not data.violation:
        if data.violation_kind:
            add("violation_kind", _("A kind of violation needs a violation found."))
        if data.sanction.strip() or data.fine is not None:
            add("sanction", _("A sanction or a fine needs a violation found."))
    if data.fine is not None and not Decimal(0) <= data.fine < MAX_FINE:
        add("fine", _("The fine must be a number of đồng, 0 or more."))
    elif data.fine is not None and data.fine != data.fine.to_integral_value():
        add("fine", _("The fine is a whole number of đồng."))
    if data.follow_up_on is not None and data.follow_up_on < data.date:
        add("follow_up_on", _("The follow-up comes after the inspection."))
    return errors


def _inspection_values(data: InspectionInput) -> dict[str, Any]:
    return {
        "date": data.date,
        "team": data.team.strip(),
        "agencies": data.agencies.strip(),
        "checklist": {code: bool(data.checklist.get(code)) for code in ChecklistItem.values},
        "findings": data.findings.strip(),
        "violation": data.violation,
        "violation_kind": data.violation_kind if data.violation else "",
        "sanction": data.sanction.strip(),
        "fine": data.fine,
        "follow_up": data.follow_up.strip(),
        "follow_up_on": data.follow_up_on,
    }


def _inspected_commune(actor: Any, facility: Facility, day: date) -> UnitVersion:
    """The facility's commune on ``day``, in which ``actor`` may record inspections."""
    version = commune_on(facility.unit, day)
    if version is None:
        raise ValidationError(
            {
                "date": [
                    _("The commune of %(name)s did not exist on %(day)s.")
                    % {"name": facility.name, "day": f"{day:%d/%m/%Y}"}
                ]
            }
        )
    _allowed(actor, Action.SUBMIT_REPORTS, version, day)
    return version


def inspection_save(
    *,
    actor: Any,
    data: InspectionInput,
    facility: Facility | None = None,
    inspection: Inspection | None = None,
) -> Inspection:
    """Record an inspection of ``facility`` (``inspection`` None), or correct
    ``inspection``.  ``actor`` must be allowed to submit the reports of the facility's
    commune on the inspection's day (for a correction, on its old day too).  Then the
    months concerned are counted again into the data set.  Raises ``ValidationError``
    (by field) or ``NotAllowed``."""
    target = inspection.facility if inspection is not None else facility
    if target is None:
        raise ValidationError({"facility": [_("Choose the facility inspected.")]})
    if inspection is not None:
        _inspected_commune(actor, inspection.facility, inspection.date)
    _raise(inspection_problems(data, today=timezone.localdate()))
    version = _inspected_commune(actor, target, data.date)
    values = _inspection_values(data)
    user = account_of(actor)
    with transaction.atomic(), acting_as(user):
        months = {(version, data.date)}
        if inspection is None:
            inspection = Inspection.objects.create(facility=target, inspected_by=user, **values)
        else:
            old = commune_on(inspection.facility.unit, inspection.date)
            if old is not None:
                months.add((old, inspection.date))
            changed = [n for n, v in values.items() if getattr(inspection, n) != v]
            for name in changed:
                setattr(inspection, name, values[name])
            if changed:
                inspection.save(update_fields=[*changed, "updated_at"])
        _recount(actor, months)
    return inspection


def inspection_delete(*, actor: Any, inspection: Inspection, reason: str = "") -> None:
    """Delete ``inspection`` (recorded by mistake; the history keeps it, with
    ``reason``), and count its month again.  ``actor`` must be allowed to submit the
    reports of its commune on its day."""
    version = _inspected_commune(actor, inspection.facility, inspection.date)
    with transaction.atomic(), acting_as(account_of(actor)):
        day = inspection.date
        inspection._change_reason = reason.strip()[:100]  # type: ignore[attr-defined]
        inspection.delete()
        _recount(actor, {(version, day)})


# --------------------------------------------------------------- the monthly counts


def _defined() -> tuple[DataSet, dict[str, DataElement]] | None:
    data_set = DataSet.objects.filter(code=DATA_SET).first()
    if data_set is None:
        return None
    elements = {
        m.element.code: m.element
        for m in data_set.members.select_related("element")
        if m.element.code in (INSPECTIONS, VIOLATIONS)
    }
    if len(elements) < 2:
        return None
    return data_set, elements


def ensure_definitions(actor: Any) -> bool:
    """Define (once) the data elements ``INSPECTIONS`` and ``INSPECTION_VIOLATIONS`` in
    the monthly commune data set ``FACILITY_INSPECTIONS``.  ``actor`` must be allowed to
    define data sets (a province officer, or the system).  Returns whether it wrote
    anything: definitions already in place are left as they are (a province may have
    renamed them)."""
    if _defined() is not None:
        return False
    try:
        report = datasets.define(DEFINITIONS, actor=actor, file_name="danso.facilities")
    except datasets.NotAllowed as error:
        raise NotAllowed(str(error)) from error
    if report.problems:
        raise ValidationError([str(problem) for problem in report.problems])
    return True


def _definitions() -> tuple[DataSet, dict[str, DataElement]]:
    """The data set and its elements, defined by the system the first time an
    inspection is counted: the data set is this app's own bookkeeping, not a province's
    choice, and the officer who records an inspection may not define data sets."""
    found = _defined()
    if found is None:
        ensure_definitions(SYSTEM)
        found = _defined()
    assert found is not None
    return found


def month_counts(unit_id: int, period: Period) -> tuple[int, int]:
    """(inspections, facilities found in violation) of the commune in ``period``."""
    rows = Inspection.objects.filter(
        facility__unit_id=unit_id, date__gte=period.start, date__lte=period.end
    )
    violating = rows.filter(violation=True).values("facility_id").order_by().distinct().count()
    return rows.count(), violating


def _recount(actor: Any, months: set[tuple[UnitVersion, date]]) -> None:
    """Store the counts of each (commune, month of the day) as data values, as
    ``actor`` (in the caller's transaction)."""
    data_set, elements = _definitions()
    entries: list[datasets.Entry] = []
    for version, day in sorted(months, key=lambda m: (m[0].unit_id, m[1])):
        period = Period.month_of(day.year, day.month)
        counts = month_counts(version.unit_id, period)
        for code, count in zip((INSPECTIONS, VIOLATIONS), counts, strict=True):
            entries.append(
                datasets.Entry(
                    data_set=data_set,
                    element=elements[code],
                    version=version,
                    period=period,
                    option="",
                    number=Decimal(count),
                    text="",
                    reason=RECOUNT_REASON,
                )
            )
    unique = {(e.element.pk, e.version.unit_id, str(e.period)): e for e in entries}
    datasets.write(list(unique.values()), actor=actor)


# --------------------------------------------------------------------------- imports

#: The columns of a table of facilities, and the names (folded) they may go by.
COLUMNS: dict[str, tuple[str, ...]] = {
    "commune": ("commune", "commune_code", "ma xa", "ma_xa", "ma phuong", "xa", "phuong"),
    "name": ("name", "ten", "ten co so"),
    "address": ("address", "dia chi", "dia_chi"),
    "ownership": ("ownership", "so huu", "so_huu", "loai hinh"),
    "services": ("services", "dich vu", "dich_vu"),
    "licence_number": ("licence_number", "license_number", "so giay phep", "so_giay_phep"),
    "licence_date": ("licence_date", "license_date", "ngay cap", "ngay_cap", "ngay cap phep"),
    "latitude": ("latitude", "lat", "vi do", "vi_do"),
    "longitude": ("longitude", "lon", "lng", "kinh do", "kinh_do"),
    "active": ("active", "hoat dong", "dang hoat dong"),
    "note": ("note", "ghi chu", "ghi_chu"),
}
REQUIRED = ("commune", "name")
_OWNERSHIP = {
    "public": Ownership.PUBLIC,
    "state-owned": Ownership.PUBLIC,
    "cong lap": Ownership.PUBLIC,
    "nha nuoc": Ownership.PUBLIC,
    "private": Ownership.PRIVATE,
    "privately owned": Ownership.PRIVATE,
    "tu nhan": Ownership.PRIVATE,
    "ngoai cong lap": Ownership.PRIVATE,
}
_SERVICES = {
    **{s.value: s.value for s in Service},
    "sieu am": Service.ULTRASOUND,
    "pha thai": Service.ABORTION,
    "nao hut thai": Service.ABORTION,
    "thu tinh ong nghiem": Service.IVF,
    "kham thai": Service.PRENATAL,
    "xet nghiem di truyen": Service.GENETIC,
    "xet nghiem adn": Service.GENETIC,
    "san phu khoa": Service.OBSTETRICS,
}
_YES = {"", "1", "x", "yes", "co", "true", "dang hoat dong"}
_NO = {"0", "no", "khong", "false", "ngung", "ngung hoat dong"}
_SEPARATORS = re.compile(r"[;,|/]")
#: A coordinate as GPS devices and maps write it (a decimal point, never thousands).
_COORDINATE = re.compile(r"^-?\d{1,3}(\.\d+)?$")


def parse_services(text: str) -> tuple[list[str], list[str]]:
    """The service codes of ``text`` ("siêu âm; phá thai", "ultrasound,ivf") and the
    parts not understood."""
    found: list[str] = []
    unknown: list[str] = []
    for part in _SEPARATORS.split(text):
        if not part.strip():
            continue
        code = _SERVICES.get(fold(part))
        if code is None:
            unknown.append(part.strip())
        elif code not in found:
            found.append(code)
    return found, unknown


def parse_coordinate(text: str) -> Decimal:
    """A latitude or longitude: ``21.0456`` as a GPS writes it, or ``21,0456``."""
    text = text.strip()
    if _COORDINATE.match(text):
        return Decimal(text)
    return parse_number(text)


def _parse_day(text: str) -> date:
    for pattern in (r"^(\d{1,2})/(\d{1,2})/(\d{4})$", r"^(\d{4})-(\d{2})-(\d{2})$"):
        found = re.match(pattern, text.strip())
        if found:
            first, second, third = (int(g) for g in found.groups())
            return date(third, second, first) if "/" in text else date(first, second, third)
    raise ValueError(text)


@dataclass
class _Row:
    line: int
    version: UnitVersion
    data: FacilityInput
    existing: Facility | None


def facilities_import(
    content: bytes,
    *,
    file_name: str,
    actor: Any,
    on: date,
    limits: Limits | None = None,
) -> ImportReport:
    """Register the facilities of a table (CSV or .xlsx; see ``COLUMNS``, Vietnamese
    column names accepted).  Commune codes are read on ``on``, and ``actor`` must be
    allowed to change each commune's villages.  A row naming a facility already
    registered in its commune (the same name, without diacritics) updates it.  Every
    row is checked first; with any error nothing is written, and each problem names
    the file, line and column."""
    report = ImportReport()
    try:
        table = read_table(content, file_name, limits=limits or uploads.limits(Kind.ENTERED))
    except (TableError, LimitError) as error:
        line = error.params.get("line")
        report.add(
            file_name, line if isinstance(line, int) else None, None, uploads.limit_message(error)
        )
        return report
    columns: dict[str, str] = {}
    for header in table.headers:
        key = fold(str(header or "")).replace("_", " ")
        for name, aliases in COLUMNS.items():
            if key in {fold(a).replace("_", " ") for a in aliases}:
                columns.setdefault(name, header)
    for needed in REQUIRED:
        if needed not in columns:
            report.add(file_name, 1, needed, _("The column %(c)s is missing.") % {"c": needed})
    if report.errors:
        return report
    scope = actor_scope(actor, on)
    today = timezone.localdate()
    rows: list[_Row] = []
    seen: dict[tuple[int, str], int] = {}
    for line, raw in table.rows:
        row = _import_row(line, raw, columns, scope, file_name, today, report)
        if row is None:
            continue
        found = (row.version.unit_id, fold(row.data.name))
        if found in seen:
            report.add(
                file_name,
                line,
                columns["name"],
                _("The facility %(name)s is already on line %(line)s.")
                % {"name": row.data.name, "line": seen[found]},
            )
            continue
        seen[found] = line
        rows.append(row)
    _match_existing(rows)
    if report.errors:
        return report
    with transaction.atomic(), acting_as(account_of(actor)):
        for row in rows:
            values = _facility_values(row.data)
            if row.existing is None:
                Facility.objects.create(unit=row.version.unit, **values)
                report.created["facilities"] = report.created.get("facilities", 0) + 1
                continue
            changed = [n for n, v in values.items() if getattr(row.existing, n) != v]
            for name in changed:
                setattr(row.existing, name, values[name])
            if changed:
                row.existing.save(update_fields=[*changed, "updated_at"])
                report.created["updated"] = report.created.get("updated", 0) + 1
            else:
                report.created["unchanged"] = report.created.get("unchanged", 0) + 1
    return report


def _import_row(
    line: int,
    raw: Mapping[str, Any],
    columns: Mapping[str, str],
    scope: Any,
    file_name: str,
    today: date,
    report: ImportReport,
) -> _Row | None:
    def cell(name: str) -> str:
        header = columns.get(name)
        value = raw.get(header) if header is not None else None
        return "" if value is None else str(value).strip()

    before = len(report.errors)

    def problem(name: str, message: str) -> None:
        report.add(file_name, line, columns.get(name, name), message)

    version: UnitVersion | None = None
    if not cell("commune"):
        problem("commune", _("The cell is empty."))
    else:
        try:
            version = resolve_code(Level.COMMUNE, cell("commune"), scope, Action.EDIT_VILLAGES)
        except UnitOutOfScope:
            problem(
                "commune",
                _("You may not register the facilities of %(code)s.") % {"code": cell("commune")},
            )
        except UnitNotFound as error:
            problem("commune", str(error))
    ownership = _OWNERSHIP.get(fold(cell("ownership")) or "private")
    if ownership is None:
        problem("ownership", _("Write công lập or tư nhân (public or private)."))
    services, unknown = parse_services(cell("services"))
    if unknown:
        problem(
            "services",
            _("Unknown services: %(codes)s. Known: %(known)s.")
            % {"codes": ", ".join(unknown), "known": ", ".join(Service.values)},
        )
    licence_date: date | None = None
    if cell("licence_date"):
        try:
            licence_date = _parse_day(cell("licence_date"))
        except ValueError:
            problem(
                "licence_date",
                _("%(value)s is not a date: write dd/mm/yyyy.") % {"value": cell("licence_date")},
            )
    coordinates: dict[str, Decimal | None] = {"latitude": None, "longitude": None}
    for name in coordinates:
        if cell(name):
            try:
                coordinates[name] = parse_coordinate(cell(name))
            except ValueError:
                problem(
                    name,
                    _("%(value)s is not a coordinate: write it as 21.0456.")
                    % {"value": cell(name)},
                )
    active = fold(cell("active"))
    if active not in _YES and active not in _NO:
        problem("active", _("Write có or không."))
    data = FacilityInput(
        name=cell("name"),
        address=cell("address"),
        ownership=ownership or Ownership.PRIVATE,
        services=services,
        licence_number=cell("licence_number"),
        licence_date=licence_date,
        latitude=coordinates["latitude"],
        longitude=coordinates["longitude"],
        active=active in _YES,
        note=cell("note"),
    )
    # every problem of the row at once, each column named once
    named = {p.column for p in report.errors[before:]}
    for name, messages in facility_problems(data, today=today).items():
        if columns.get(name, name) not in named:
            for message in messages:
                problem(name, message)
    if len(report.errors) > before or version is None:
        return None
    return _Row(line, version, data, None)


def _match_existing(rows: list[_Row]) -> None:
    """Each row's facility already registered in its commune under the same name."""
    stored: dict[tuple[int, str], Facility] = {}
    for facility in Facility.objects.filter(unit_id__in={r.version.unit_id for r in rows}):
        stored.setdefault((facility.unit_id, fold(facility.name)), facility)
    for row in rows:
        row.existing = stored.get((row.version.unit_id, fold(row.data.name)))
