"""The words of the register exchange format (docs/REGISTER-FORMAT.md), with no Django
import: event types, sexes, relations, statuses, methods and supplies."""

from __future__ import annotations

from enum import StrEnum


class EventType(StrEnum):
    BIRTH = "birth"  # the event's person is the mother
    DEATH = "death"
    MOVE_IN = "move_in"
    MOVE_OUT = "move_out"
    MOVE_WITHIN = "move_within"
    MARRIAGE = "marriage"
    DIVORCE = "divorce"
    PREGNANCY = "pregnancy"
    PRENATAL_SCREENING = "prenatal_screening"
    NEWBORN_SCREENING = "newborn_screening"  # the event's person is the child
    PREMARITAL_CHECK = "premarital_check"
    ELDERLY_CHECKUP = "elderly_checkup"
    CONTRACEPTION_START = "contraception_start"
    CONTRACEPTION_STOP = "contraception_stop"


class Sex(StrEnum):
    MALE = "M"
    FEMALE = "F"


SEX_WORDS = {"m": Sex.MALE, "nam": Sex.MALE, "f": Sex.FEMALE, "nữ": Sex.FEMALE, "nu": Sex.FEMALE}


class Relation(StrEnum):
    HEAD = "chu_ho"
    SPOUSE = "vo_chong"
    CHILD = "con"
    PARENT = "bo_me"
    SIBLING = "anh_chi_em"
    GRANDCHILD = "chau"
    OTHER = "khac"


class MaritalStatus(StrEnum):
    NEVER_MARRIED = "chua_ket_hon"
    MARRIED = "co_vo_chong"
    DIVORCED = "ly_hon"
    WIDOWED = "goa"


class Residence(StrEnum):
    PERMANENT = "thuong_tru"
    TEMPORARY = "tam_tru"


class HouseholdType(StrEnum):
    FAMILY = "ho_gia_dinh"
    COLLECTIVE = "ho_tap_the"


class Method(StrEnum):
    IUD = "iud"
    IMPLANT = "implant"
    INJECTABLE = "injectable"
    PILL = "pill"
    CONDOM = "condom"
    STERILIZATION_F = "sterilization_f"
    STERILIZATION_M = "sterilization_m"
    OTHER_MODERN = "other_modern"
    TRADITIONAL = "traditional"


#: Modern methods (CPR, NEWFP); the catalogue's "sterilisation" is either sex.
MODERN_METHODS = frozenset(m for m in Method if m is not Method.TRADITIONAL)
#: How a method is counted in the plans' tables (indicators.catalogue.METHODS).
PLAN_METHOD = {
    Method.IUD: "iud",
    Method.IMPLANT: "implant",
    Method.INJECTABLE: "injectable",
    Method.PILL: "pill",
    Method.CONDOM: "condom",
    Method.STERILIZATION_F: "sterilisation",
    Method.STERILIZATION_M: "sterilisation",
}


class Supply(StrEnum):
    FREE = "free"
    SOCIAL_MARKETING = "social_marketing"
    COMMERCIAL = "commercial"


#: The extra columns each event type uses (besides event_id, event_type, event_date,
#: person_id and note).
EVENT_COLUMNS: dict[EventType, tuple[str, ...]] = {
    EventType.BIRTH: ("child_person_id", "child_sex", "birth_order", "place"),
    EventType.DEATH: (),
    EventType.MOVE_IN: ("from_place",),
    EventType.MOVE_OUT: ("to_place",),
    EventType.MOVE_WITHIN: ("to_household_id",),
    EventType.MARRIAGE: ("spouse_person_id", "consanguineous"),
    EventType.DIVORCE: (),
    EventType.PREGNANCY: ("expected_date",),
    EventType.PRENATAL_SCREENING: ("result",),
    EventType.NEWBORN_SCREENING: ("result",),
    EventType.PREMARITAL_CHECK: (),
    EventType.ELDERLY_CHECKUP: (),
    EventType.CONTRACEPTION_START: ("method", "supply", "new_acceptor"),
    EventType.CONTRACEPTION_STOP: ("method",),
}
