"""The population register: the household book (sổ A0) kept by the collaborators.

``Household`` and ``Person`` are never deleted.  A person belongs to one household at a
time (``Membership``, dated); a household sits in a village or directly in a commune
(``HouseholdPlacement``, dated).  ``Event`` is one change recorded in the book (a birth,
a move, a contraception start…); it carries, fixed when it is recorded, the unit where it
counts (the household's unit on the event's day; for a birth, the mother's) and that
unit's path on that day, so that figures are computed under the structure of their time.

Identifiers of the exchange format (``household_id``, ``person_id``, ``event_id``) are
kept as ``source_id``: importing the same files twice changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from danso.register.vocabulary import (
    EventType,
    HouseholdType,
    MaritalStatus,
    Method,
    Relation,
    Residence,
    Sex,
    Supply,
)
from danso.units.models import Unit
from danso.vietnamese import initials

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

EVENT_LABELS = {
    EventType.BIRTH: _("Birth"),
    EventType.DEATH: _("Death"),
    EventType.MOVE_IN: _("Moved in"),
    EventType.MOVE_OUT: _("Moved out"),
    EventType.MOVE_WITHIN: _("Moved within the commune"),
    EventType.MARRIAGE: _("Marriage"),
    EventType.DIVORCE: _("Divorce"),
    EventType.PREGNANCY: _("Pregnancy"),
    EventType.PRENATAL_SCREENING: _("Prenatal screening"),
    EventType.NEWBORN_SCREENING: _("Newborn screening"),
    EventType.PREMARITAL_CHECK: _("Premarital check"),
    EventType.ELDERLY_CHECKUP: _("Elderly check-up"),
    EventType.CONTRACEPTION_START: _("Contraception started"),
    EventType.CONTRACEPTION_STOP: _("Contraception stopped"),
}
SEX_LABELS = {Sex.MALE: _("Male"), Sex.FEMALE: _("Female")}
RELATION_LABELS = {
    Relation.HEAD: _("Head of household"),
    Relation.SPOUSE: _("Spouse"),
    Relation.CHILD: _("Child"),
    Relation.PARENT: pgettext_lazy("relation to the head of household", "Parent"),
    Relation.SIBLING: _("Sibling"),
    Relation.GRANDCHILD: _("Grandchild"),
    Relation.OTHER: _("Other"),
}
MARITAL_LABELS = {
    MaritalStatus.NEVER_MARRIED: _("Never married"),
    MaritalStatus.MARRIED: _("Married"),
    MaritalStatus.DIVORCED: _("Divorced"),
    MaritalStatus.WIDOWED: _("Widowed"),
}
RESIDENCE_LABELS = {Residence.PERMANENT: _("Permanent"), Residence.TEMPORARY: _("Temporary")}
METHOD_LABELS = {
    Method.IUD: _("IUD"),
    Method.IMPLANT: _("Implant"),
    Method.INJECTABLE: _("Injectable"),
    Method.PILL: _("Pill"),
    Method.CONDOM: _("Condom"),
    Method.STERILIZATION_F: _("Female sterilisation"),
    Method.STERILIZATION_M: _("Male sterilisation"),
    Method.OTHER_MODERN: _("Other modern method"),
    Method.TRADITIONAL: _("Traditional method"),
}
SUPPLY_LABELS = {
    Supply.FREE: _("Free"),
    Supply.SOCIAL_MARKETING: _("Social marketing"),
    Supply.COMMERCIAL: _("Commercial"),
}


def _choices(labels: Mapping[Any, Any]) -> list[tuple[str, Any]]:
    return [(str(key), label) for key, label in labels.items()]


class Household(models.Model):
    source_id = models.CharField(_("household id"), max_length=64, unique=True)
    number = models.CharField(_("number in the book"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    household_type = models.CharField(
        _("type"),
        max_length=12,
        choices=[
            (HouseholdType.FAMILY.value, _("Family")),
            (HouseholdType.COLLECTIVE.value, _("Collective")),
        ],
        default=HouseholdType.FAMILY.value,
    )
    # Where the household is now (the last placement), kept by services.household_place
    # because every list of households filters on it.
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("village or commune"),
        on_delete=models.PROTECT,
        related_name="households",
    )
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int
        placements: RelatedManager[HouseholdPlacement]
        memberships: RelatedManager[Membership]

    class Meta:
        ordering = ["unit_id", "number", "pk"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.number or self.source_id


class HouseholdPlacement(models.Model):
    """``household`` sat in ``unit`` from ``valid_from`` to ``valid_to``."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="placements")
    # found by ``placement_unit`` (unit, valid_from): a second index would only slow writes
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", db_index=False)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    if TYPE_CHECKING:
        household_id: int
        unit_id: int

    history = HistoricalRecords()

    class Meta:
        ordering = ["household_id", "valid_from"]
        indexes = [models.Index(fields=["unit", "valid_from"], name="placement_unit")]

    def __str__(self) -> str:
        return f"{self.household_id} in {self.unit_id} from {self.valid_from}"


class Person(models.Model):
    source_id = models.CharField(_("person id"), max_length=64, unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=_choices(SEX_LABELS))
    birth_date = models.DateField(_("date of birth"))
    # A partial date "1960" or "1960-05" is stored as its first day, with its precision.
    birth_precision = models.CharField(max_length=5, default="day")
    ethnicity = models.CharField(_("ethnicity"), max_length=60, blank=True)
    id_number = models.CharField(_("ID number"), max_length=30, blank=True, db_index=True)
    marital_status = models.CharField(
        _("marital status"), max_length=14, blank=True, choices=_choices(MARITAL_LABELS)
    )
    residence_status = models.CharField(
        _("residence"), max_length=10, blank=True, choices=_choices(RESIDENCE_LABELS)
    )
    registered_on = models.DateField(_("registered on"))
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        memberships: RelatedManager[Membership]
        events: RelatedManager[Event]

    class Meta:
        ordering = ["pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["birth_date"], name="person_birth")]

    def __str__(self) -> str:
        # Never the name: a person printed by mistake (a template, a log, the admin)
        # must not carry it.  Screens print what ``register.privacy`` shows.
        return f"{initials(self.full_name)} ({self.source_id})"

    @property
    def birth_display(self) -> str:
        if self.birth_precision == "year":
            return f"{self.birth_date:%Y}"
        if self.birth_precision == "month":
            return f"{self.birth_date:%m/%Y}"
        return f"{self.birth_date:%d/%m/%Y}"


class Membership(models.Model):
    """``person`` belonged to ``household`` from ``valid_from`` to ``valid_to``."""

    # both found by the indexes of Meta (each with its valid_from): no index of their own
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="memberships", db_index=False
    )
    relation = models.CharField(
        _("relation to the head"), max_length=12, blank=True, choices=_choices(RELATION_LABELS)
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        person_id: int
        household_id: int

    class Meta:
        ordering = ["person_id", "valid_from"]
        indexes = [
            models.Index(fields=["household", "valid_from"], name="membership_household"),
            models.Index(fields=["person", "valid_from"], name="membership_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} from {self.valid_from}"


class Collection(models.Model):
    """The monthly collection (phiếu thu tin P0/CTV) of a village (or a commune without
    villages): handed in by the collaborator, accepted by the commune officer."""

    class Status(models.TextChoices):
        OPEN = "open", _("Being filled in")
        HANDED_IN = "handed_in", _("Handed in")
        ACCEPTED = "accepted", _("Accepted")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="collections")
    month = models.DateField(_("month"))  # the first day of the month
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    handed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handed_in_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int

    class Meta:
        ordering = ["-month", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["unit", "month"], name="collection_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.month:%m/%Y}"


class Event(models.Model):
    source_id = models.CharField(_("event id"), max_length=64, unique=True)
    # The digest of the row of events.csv the event was imported from (``importing.
    # events.row_hash``), while the event is as that row made it: a re-import of the same
    # row is then unchanged without reading the event back.  Any save clears it (``save``;
    # code that changes events by ``QuerySet.update`` must clear it too), and an event
    # without it is compared field by field.
    import_hash = models.BigIntegerField(null=True, blank=True, editable=False)
    event_type = models.CharField(_("event"), max_length=20, choices=_choices(EVENT_LABELS))
    event_date = models.DateField(_("date"))
    # person and unit are found by ``event_person`` and ``event_unit`` (Meta), whose first
    # column they are: an index of their own would be one more to write for every event
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    # Where the event counts (the household's unit on the event's day) and that unit's
    # path on that day: fixed when the event is recorded.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="events", db_index=False)
    path = models.CharField(max_length=255)
    # The columns the indicators read, typed; the rest of the format's columns in extra.
    child = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="birth_events"
    )
    child_sex = models.CharField(max_length=1, blank=True)
    birth_order = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=16, blank=True, choices=_choices(METHOD_LABELS))
    supply = models.CharField(max_length=16, blank=True, choices=_choices(SUPPLY_LABELS))
    new_acceptor = models.BooleanField(null=True, blank=True)
    spouse = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extra = models.JSONField(default=dict, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    collection = models.ForeignKey(
        Collection, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["import_hash"])

    if TYPE_CHECKING:
        person_id: int
        unit_id: int
        child_id: int | None
        spouse_id: int | None

    class Meta:
        ordering = ["event_date", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(
                fields=["path", "event_date"],
                name="event_path",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
            models.Index(fields=["unit", "event_type", "event_date"], name="event_unit"),
            models.Index(fields=["person", "event_date"], name="event_person"),
            models.Index(fields=["event_type", "event_date"], name="event_type_date"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_date}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.import_hash is not None:  # no longer the imported row as it was
            self.import_hash = None
            fields = kwargs.get("update_fields")
            if fields is not None:
                kwargs["update_fields"] = {*fields, "import_hash"}
        super().save(*args, **kwargs)


class SubmissionKey(models.Model):
    """The key a phone gave an event it queued while offline (a UUID made on the phone),
    and the event it became: the queue is sent again until the phone hears back, and a
    key already here returns its event instead of recording it twice
    (``register.offline``)."""

    key = models.UUIDField(unique=True, editable=False)
    # a withdrawn event (``corrections.event_withdraw``) leaves its key: a late resend of
    # it must not record the event again
    event = models.OneToOneField(
        Event, null=True, on_delete=models.SET_NULL, related_name="submission"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    if TYPE_CHECKING:
        event_id: int | None
        user_id: int

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.key} → {self.event_id}"


class CollaboratorArea(models.Model):
    """Households a collaborator keeps outside any village (communes without villages).
    Villages are given to collaborators by their role (accounts.RoleAssignment)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="collaborator_areas"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user_id", "household_id"]

    def __str__(self) -> str:
        return f"{self.user_id} keeps {self.household_id}"


class BookClosure(models.Model):
    """The book of a commune is closed (khóa sổ) for a year: events dated in it change
    only through an ``Amendment``."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="book_closures")
    year = models.PositiveSmallIntegerField()
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="closure_once")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"


class Amendment(models.Model):
    """A change to an event of a closed year: who, when, why, what it was."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="amendments")
    changes = models.JSONField()  # {"field": [before, after]}
    reason = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.reason[:40]}"


class Correction(models.Model):
    """A correction or a withdrawal of an entry of the book: what it was and what it
    became, who, when and why.  A withdrawn event is deleted from the book; its
    correction keeps the whole entry (``changes`` holds every field as [value, None]) and
    its ``source_id``.  ``amendment`` says that the year's book was closed then."""

    class Kind(models.TextChoices):
        CORRECT = "correct", _("Correction")
        WITHDRAW = "withdraw", _("Withdrawal")

    class Target(models.TextChoices):
        EVENT = "event", _("event")
        PERSON = "person", _("person")
        HOUSEHOLD = "household", _("household")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    target = models.CharField(_("entry"), max_length=10, choices=Target.choices)
    source_id = models.CharField(_("entry id"), max_length=64, db_index=True)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    # Where the entry lies (its unit and that unit's path then): who may see the trail.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255, db_index=True)
    changes = models.JSONField()  # {"field": [before, after]}
    reason = models.TextField(_("reason"))
    amendment = models.BooleanField(_("amendment of a closed book"), default=False)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    made_at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-made_at", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id}: {self.reason[:40]}"


class Flag(models.Model):
    """A doubtful entry (a rule's warning) or a doubtful monthly figure (an outlier), kept
    until someone has looked at it: the data-quality list of a commune or a district."""

    class Kind(models.TextChoices):
        RULE = "rule", _("Rule")
        OUTLIER = "outlier", _("Outlier")

    class Status(models.TextChoices):
        OPEN = "open", _("To check")
        CONFIRMED = "confirmed", _("Checked: correct")
        CORRECTED = "corrected", _("Corrected")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The rule's code in the catalogue, or the tally of an outlier.
    rule = models.CharField(_("rule"), max_length=40)
    event = models.ForeignKey(
        Event, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=255)
    day = models.DateField(_("date"))  # the entry's date, or the first day of the month
    params = models.JSONField(default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("follow-up"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    note = models.TextField(_("note"), blank=True)
    followed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    followed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        event_id: int | None
        person_id: int | None
        unit_id: int

    class Meta:
        ordering = ["-day", "pk"]
        verbose_name = _("data-quality flag")
        verbose_name_plural = _("data-quality flags")
        indexes = [
            models.Index(
                fields=["path", "day"],
                name="flag_path",
                opclasses=["varchar_pattern_ops", "date_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.rule} {self.day}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Rows that are written once and never changed or deleted."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("the access log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("the access log is append-only")


class AppendOnly(models.Model):
    """A row of the access log: ``save`` only creates; the database refuses UPDATE and
    DELETE too (triggers of migration ``register.0004``)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("the access log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("the access log is append-only")


class AccessLog(AppendOnly):
    """One read of persons' data by someone outside their commune, or one export of
    personal data (Nghị định 13/2023/NĐ-CP): who, when, which persons or units, why, from
    which screen or endpoint.  Written by ``register.privacy`` only."""

    class Kind(models.TextChoices):
        READ = "read", _("Read, masked")
        REVEAL = "reveal", _("Full record opened")
        EXPORT = "export", _("Export of personal data")

    class Where(models.TextChoices):
        PERSON_PAGE = "person", _("Person page")
        HOUSEHOLD_PAGE = "household", _("Household sheet")
        HOUSEHOLD_LIST = "households", _("List of households")
        EVENT_PAGE = "event", _("Event page")
        COLLECTION = "collection", _("Monthly collection form")
        SEARCH = "search", _("Person search")
        DUPLICATES = "duplicates", _("Possible duplicates")
        API_PERSONS = "api_persons", _("API: list of persons")
        API_PERSON = "api_person", _("API: one person")
        API_HOUSEHOLDS = "api_households", _("API: list of households")
        API_EVENTS = "api_events", _("API: events")
        EXPORT_SCREEN = "export_screen", _("Register export (screen)")
        EXPORT_COMMAND = "export_command", _("Register export (command line)")
        PERSON_EXPORT = "person_export", _("One person's data, for them")
        LOG_EXPORT = "log_export", _("Access log export")
        BACKUP = "backup", _("Backup of the whole database")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Null only for an export run on the server's command line without --user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    where = models.CharField(_("where"), max_length=20, choices=Where.choices)
    path = models.CharField(_("address"), max_length=300, blank=True)  # the URL or command
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    description = models.CharField(_("what"), max_length=300, blank=True)
    count = models.PositiveIntegerField(_("persons or rows"), default=0)

    if TYPE_CHECKING:
        user_id: int | None

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%d/%m/%Y %H:%M} {self.user_id}"


class AccessLogPerson(AppendOnly):
    """A person whose data an ``AccessLog`` entry read."""

    log = models.ForeignKey(AccessLog, on_delete=models.PROTECT, related_name="person_rows")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="access_rows")

    class Meta:
        ordering = ["log_id", "person_id"]
        indexes = [models.Index(fields=["person", "log"], name="accesslog_person")]

    def __str__(self) -> str:
        return f"{self.log_id}: {self.person_id}"

    if TYPE_CHECKING:
        log_id: int
        person_id: int


class AccessLogUnit(AppendOnly):
    """A commune or village whose persons an ``AccessLog`` entry read or exported (a
    village keeps its id across a reform, so its commune of today finds the entry)."""

    log = models.ForeignKey(AccessLog, on_delete=models.PROTECT, related_name="unit_rows")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["log_id", "unit_id"]
        indexes = [models.Index(fields=["unit", "log"], name="accesslog_unit")]

    def __str__(self) -> str:
        return f"{self.log_id}: {self.unit_id}"

    if TYPE_CHECKING:
        log_id: int
        unit_id: int


class ImportJob(models.Model):
    """A register import running in the background, with its progress and report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(max_length=300)
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=100, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.file_name


class ExportJob(models.Model):
    """A unit's book exported in the background (``register.exports``): the .zip waits
    for whoever asked for it, and only for them."""

    Status = ImportJob.Status

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    on = models.DateField()
    file_name = models.CharField(max_length=300)
    status = models.CharField(
        max_length=10, choices=ImportJob.Status.choices, default=ImportJob.Status.QUEUED
    )
    #: ``{"runner": …}`` while it runs; then ``{"rows": {table: n}}`` or ``{"error": …}``.
    report = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return self.file_name

    if TYPE_CHECKING:
        unit_id: int
        user_id: int


class DuplicateSearch(models.Model):
    """A search for persons registered twice in a unit's subtree (``unit`` None: the
    whole register), run on the task queue (``register.duplicate_tasks``): its pairs are
    kept as ``DuplicateCandidate`` for the screen to list without computing them."""

    Status = ImportJob.Status

    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: The day whose tree the search follows (the unit's subtree that day).
    on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ImportJob.Status.choices, default=ImportJob.Status.QUEUED
    )
    #: ``{"runner": …}`` while it runs; then ``{"found": n, "new": n}`` or ``{"error": …}``.
    report = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    if TYPE_CHECKING:
        unit_id: int | None

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["unit", "started_at"], name="duplicate_search_unit")]

    def __str__(self) -> str:
        return f"{self.unit_id or '*'} {self.started_at:%d/%m/%Y %H:%M}"


class DuplicateCandidate(models.Model):
    """Two records that may be one person (``first`` made before ``second``), found by a
    search of ``unit``'s subtree, and what an officer decided about them: still open,
    merged, or dismissed ("not the same person") with who and why.  A dismissed pair is
    not shown again when a later search finds it again."""

    class Status(models.TextChoices):
        OPEN = "open", _("To look at")
        MERGED = "merged", _("Merged into one")
        DISMISSED = "dismissed", _("Not the same person")

    REASONS = [
        ("same_id_number", _("Same ID number.")),
        ("same_name_and_birth", _("Same name and date of birth.")),
        ("near_name_and_birth", _("Nearly the same name, same date of birth.")),
    ]

    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    first = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=24, choices=REASONS)
    score = models.FloatField()
    found_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    if TYPE_CHECKING:
        unit_id: int | None
        first_id: int
        second_id: int
        decided_by_id: int | None

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "first", "second"], name="duplicate_candidate_once"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status", "score"], name="duplicate_candidate_list"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.status})"
