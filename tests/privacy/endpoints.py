"""What every endpoint of danso is, for the scope matrix: one entry per URL pattern (by
its name, or its route when it has none) and per operation of the OpenAPI schema.

Each entry holds one or more ``Probe``: a method, the kind of object it is asked about
(``None``: no object), what the caller needs to be allowed (``need``, judged by the
oracle ``matrix_world.reaches``), how to make the request for an object (``build``:
path, query, a payload valid enough to succeed if the scope check were missing), what
a refusal answers, and what is listed (``listing``: kinds whose objects outside the
caller's reach must not appear).  A URL pattern or an API operation missing here fails
the suite (``test_matrix.test_every_endpoint_is_classified``).

Needs: ``public`` (anyone, logged in or not), ``login`` (anyone logged in), ``admin``
(the administrator only), ``own`` (one's own reminder, import job), or a right of
``matrix_world.RIGHTS`` ("view", "records", "persons", "register", "plans", …) held on
the object, or, for plans, "below" (the headline and one's own rows) and "full".
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import unicodedata
import uuid
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from danso.accounts.models import RoleAssignment, User
from danso.datasets.models import DataElement, DataSet, DataSetMember
from danso.indicators.models import Indicator
from danso.register.models import Flag
from danso.reports.models import Report, ReportRow
from danso.units.models import InferredSuccession, UnitVersion, valid_on
from tests.conftest import PASSWORD
from tests.facilities import matrix as facility_matrix
from tests.privacy.matrix_world import (
    AFTER,
    BEFORE,
    CHILDREN,
    UNIT_KEYS,
    UNIT_REACH,
    MatrixWorld,
    Obj,
    era,
    reaches,
)
from tests.privacy.world import TODAY

REFUSED = frozenset({403, 404})
API_REFUSED = frozenset({401, 403, 404})


@dataclass
class Ctx:
    """Who asks, on which day, in which world."""

    mw: MatrixWorld
    role: str
    day: date

    @property
    def era(self) -> str:
        return era(self.day)

    def query(self, **extra: Any) -> dict[str, Any]:
        return {"date": self.day.isoformat(), **extra}

    def reached(self) -> set[str]:
        return UNIT_REACH.get(self.role, {}).get(self.era, set())


@dataclass
class Req:
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] | None = None
    json: bool = False
    headers: dict[str, str] = field(default_factory=dict)


Build = Callable[[Ctx, Obj | None], Req | list[Req]]
Prepare = Callable[[Ctx, Obj], None]


@dataclass(frozen=True)
class Probe:
    """One way an endpoint is asked (see the module docstring)."""

    method: str
    need: str
    build: Build
    kind: str | None = None
    levels: frozenset[str] = frozenset()  # for units: the levels it takes (empty: any)
    shows: str | None = None  # what one must be allowed to see the answer; default: the kind's
    listing: tuple[str, ...] = ()
    refused: frozenset[int] = REFUSED
    prepare: Prepare | None = None
    isolated: bool = False  # a client of its own (the request logs out or changes language)
    writes: bool = False  # the request changes data when allowed
    status_judged: bool = True  # False: the object is only named in a payload; a form error
    # (200) is its refusal, and only writes and personal fields are judged
    note: str = ""
    outs: int | None = None  # how many objects outside reach (default: the runner's)
    days: tuple[date, ...] | None = None
    inside_once: bool = False  # the object inside reach on the first day only (slow writes)
    serves: bool = True  # False: refuses whoever asks (a POST-only page asked by GET, …)
    reveals: bool = False  # shows the asked person in full to who may open their record
    every_token: bool = True  # False (an API answer the same for all): by token once only
    eligible: Callable[[Ctx, Obj], bool] | None = None
    content: Callable[[Ctx, Obj | None, Any], list[str]] | None = None


@dataclass(frozen=True)
class Endpoint:
    key: str
    probes: tuple[Probe, ...]
    note: str = ""
    api: bool = False


#: What one must be allowed to see an object's page, by kind.
BASE_SHOWS = {
    "unit": "view",
    "household": "records",
    "person": "records",
    "event": "records",
    "report": "view",
    "plan": "below",
    "allocation": "plans",
    "projection": "view",
    "figure": "view",
    "waiver": "approve",
    "reminder": "own",
    "importjob": "own",
    "exportjob": "own",
    "user": "admin",
    "calendarday": "admin",
    "indicator": "login",
    "reporttype": "login",
    "roleassignment": "admin",
}


def vn(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def _code(ctx: Ctx, key: str, day: date | None = None) -> str:
    version = UnitVersion.objects.filter(valid_on(day or ctx.day), unit=ctx.mw.units[key]).get()
    return version.code


def _version_pk(ctx: Ctx, key: str, day: date | None = None) -> int:
    version = UnitVersion.objects.filter(valid_on(day or ctx.day), unit=ctx.mw.units[key]).get()
    return version.pk


def _parent_key(key: str, day_era: str) -> str | None:
    return next((p for p, kids in CHILDREN[day_era].items() if key in kids), None)


def _home_village(ctx: Ctx) -> str | None:
    """The first group the caller keeps the book of (for a stranger asked through it)."""
    return next((g for g in ("NT1", "NL1", "NT2", "TT1") if g in ctx.reached()), None)


# ------------------------------------------------------------------------ builders


def path(template: str, *attrs: str) -> Build:
    """A GET/POST of ``template`` formatted with the object's pk (and extras)."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        values = {"pk": obj.pk if obj else ""}
        if obj is not None:
            values.update({a: obj.extra[a] for a in attrs})
        return Req(template.format(**values), ctx.query())

    return build


def post(
    template: str, data: Callable[[Ctx, Obj | None], dict[str, Any]], json: bool = False
) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        values = {"pk": obj.pk if obj else ""}
        if obj is not None:
            values.update({k: v for k, v in obj.extra.items() if isinstance(v, str | int)})
        return Req(template.format(**values), ctx.query(), data(ctx, obj), json=json)

    return build


def plain(url: str, **query: Any) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        return Req(url, ctx.query(**query))

    return build


def nodate(url: str, data: dict[str, Any] | None = None) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        return Req(url, {}, dict(data) if data is not None else None)

    return build


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# ------------------------------------------------------------------------ payloads


def _structural_type(obj: Obj | None) -> str:
    assert obj is not None
    return {"village": "tổ dân phố", "commune": "phường", "district": "quận"}.get(
        obj.level, "thành phố"
    )


def rename_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "name": "Tên đổi thử",
        "type": _structural_type(obj),
        "code": "",
        "effective": vn(ctx.day),
        "decision": "Quyết định thử",
    }


def village_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "name": "Tổ dân phố mới thử",
        "type": "tổ dân phố",
        "code": f"MX-{obj.pk}-{ctx.role}",
        "valid_from": vn(ctx.day),
        "decision": "",
    }


def move_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    """A new parent the caller may use (one of theirs if they have one: the request
    would succeed without the check on the unit moved)."""
    assert obj is not None
    own_parent = _parent_key(obj.place, ctx.era)
    parent_level = {"village": "commune", "commune": "district", "district": "province"}.get(
        obj.level, "province"
    )
    if ctx.era == AFTER and parent_level == "district":
        parent_level = "province"
    candidates = [
        key
        for key, (level, eras) in UNIT_KEYS.items()
        if level == parent_level and ctx.era in eras and key != own_parent
    ]
    mine = [k for k in candidates if k in ctx.reached()]
    parent = (mine or candidates)[0]
    return {"parent": _version_pk(ctx, parent), "effective": vn(ctx.day), "decision": ""}


def merge_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    parent = _parent_key(obj.place, ctx.era)
    siblings = sorted(CHILDREN[ctx.era].get(parent or "", set()) - {obj.place})
    others = [_version_pk(ctx, s) for s in siblings[:1]]
    return {"others": others, "mode": "this", "effective": vn(ctx.day), "decision": ""}


def split_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    data: dict[str, Any] = {
        "parts": f"MX{obj.pk}A | Đơn vị thử A | {_structural_type(obj)}\n"
        f"MX{obj.pk}B | Đơn vị thử B | {_structural_type(obj)}",
        "effective": vn(ctx.day),
        "decision": "",
    }
    children = UnitVersion.objects.filter(valid_on(ctx.day), parent=ctx.mw.units[obj.place])
    for child_id in children.values_list("unit_id", flat=True):
        data[f"child_{child_id}"] = "1"
    return data


def close_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"effective": vn(ctx.day), "successors": "", "decision": "Giải thể thử"}


def type_row(template: str, data: dict[str, Any] | None = None) -> Build:
    """A POST about a row of the report type ``obj`` (its closing assessment section,
    which the world's reports hold a text for: a removal is refused with a message)."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        row = ReportRow.objects.get(report_type__code=obj.pk, key="assessment")
        return Req(template.format(pk=obj.pk, row=row.pk), ctx.query(), dict(data or {}))

    return build


def figure_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "year": ctx.day.year,
        "total": "",
        "male": "600",
        "female": "650",
        "open_age": "85",
        "source": "thử",
        "note": "",
    }


def figures_table(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    row = f"{obj.level},{_code(ctx, obj.place)},{ctx.day.year},{vn(ctx.day)},600,650,thử"
    table = "level,code,year,date,male,female,source\n" + row + "\n"
    return {"file": _upload("dan-so.csv", table.encode())}


def entered_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "period": str(ctx.day.year),
        "P": "1000",
        "W": "250",
        "births": "10",
        "births.M": "5",
        "births.F": "5",
        "source": "thử",
        "note": "",
    }


def event_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "event_type": "contraception_stop",
        "person": obj.pk,
        "event_date": vn(ctx.day),
        "method": "iud",
        "note": "",
    }


def event_json(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "event_type": "contraception_stop",
        "event_date": ctx.day.isoformat(),
        "person": obj.pk,
        "method": "iud",
    }


def _form_village(ctx: Ctx, obj: Obj) -> str:
    """The village whose monthly form is used: the person's own for one the caller
    reaches; for a stranger, a village the caller keeps (the side door of issue 11)."""
    if reaches(ctx.role, obj, "register", ctx.day):
        return str(obj.extra["village"])
    return _home_village(ctx) or str(obj.extra["village"])


def collection_post(ctx: Ctx, obj: Obj | None) -> Req:
    assert obj is not None
    village = ctx.mw.unit_pk(_form_village(ctx, obj))
    return Req(
        f"/register/units/{village}/collection/{ctx.day:%Y-%m}/",
        ctx.query(),
        event_form(ctx, obj),
    )


def sync_post(ctx: Ctx, obj: Obj | None) -> Req:
    """A phone's queue of one form (register.offline), through the village the form
    would use; the key is new each time (a known key writes nothing)."""
    assert obj is not None
    village = ctx.mw.unit_pk(_form_village(ctx, obj))
    item = {"key": str(uuid.uuid4()), "version": "", "fields": event_form(ctx, obj)}
    return Req(
        f"/register/units/{village}/collection/{ctx.day:%Y-%m}/sync/",
        ctx.query(),
        {"items": [item]},
        json=True,
    )


def check_post(ctx: Ctx, obj: Obj | None) -> Req:
    assert obj is not None
    village = ctx.mw.unit_pk(_form_village(ctx, obj))
    return Req(f"/register/units/{village}/check/", ctx.query(), event_form(ctx, obj))


def review_post(ctx: Ctx, obj: Obj | None) -> Req:
    """Accept a handed-in month of a village under the unit (or of the unit itself)."""
    assert obj is not None
    month = f"{ctx.day:%Y-%m}"
    villages = CHILDREN[ctx.era].get(obj.place, set()) | {obj.place}
    found = next(
        (o for o in ctx.mw.pool("collection") if o.place in villages and o.extra["month"] == month),
        None,
    )
    data = {"collection": found.pk if found else 0, "action": "accept"}
    return Req(f"/register/units/{obj.pk}/review/", ctx.query(month=month), data)


def outlier_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"tally": "birth", "month": f"{ctx.day:%Y-%m}", "status": "confirmed", "note": "thử"}


MATRIX_RULE = "id_number_shape"


def _flag_on_unit(ctx: Ctx, obj: Obj) -> None:
    """A flag of the village, for the follow-up probe (made in the request's savepoint)."""
    version = UnitVersion.objects.filter(unit_id=obj.pk).order_by("-valid_from").first()
    Flag.objects.create(
        kind=Flag.Kind.RULE,
        rule=MATRIX_RULE,
        unit_id=obj.pk,
        path=version.path if version else "",
        day=ctx.day,
        params={"value": "12AB"},
    )


def flag_follow_req(ctx: Ctx, obj: Obj | None) -> Req:
    flag = (
        Flag.objects.filter(unit_id=obj.pk if obj else 0, rule=MATRIX_RULE).order_by("-pk").first()
    )
    return Req(
        f"/register/flags/{flag.pk if flag else 0}/follow/",
        ctx.query(),
        {"status": "confirmed", "note": "Đã kiểm tra thử"},
    )


def book_events(template: str) -> Build:
    """A book's event list over every period the world has (not only the day's month)."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        url = template.format(pk=obj.pk if obj else "")
        return Req(url, ctx.query(start="2000-01-01", end="2035-12-31"))

    return build


def duplicates_post(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    """Merge the world's second record of the woman into her record."""
    assert obj is not None
    return {"keep": obj.pk, "merge": obj.extra["twin"], "reason": "trùng thử"}


def person_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "full_name": "Khúc Thị Mới Thử",
        "sex": "F",
        "birth_date": "01/01/1990",
        "relation": "",
        "marital_status": "",
        "residence_status": "",
        "ethnicity": "",
        "id_number": "",
        "registered_on": vn(ctx.day),
    }


def household_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"number": "MX", "address": "Số 9 ngõ thử", "since": vn(ctx.day)}


def _report_status(status: str) -> Prepare:
    def prepare(ctx: Ctx, obj: Obj) -> None:
        Report.objects.filter(pk=obj.pk).update(status=status)

    return prepare


def _report_gone(ctx: Ctx, obj: Obj) -> None:
    """The report does not exist yet: opening it creates it."""
    Report.objects.filter(pk=obj.pk).delete()


def report_open_req(method: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        unit = ctx.mw.unit_pk(obj.place)
        params = {"type": obj.extra["type"], "unit": unit, "period": obj.extra["period"]}
        if method == "GET":
            return Req("/reports/open/", ctx.query(**params))
        return Req("/reports/open/", ctx.query(), params)

    return build


def waive_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "type": obj.extra["type"],
        "unit": ctx.mw.unit_pk(obj.place),
        "period": obj.extra["period"],
        "reason": "Miễn thử",
    }


def figure_values(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    figure = obj.extra["figure"]
    return {f"v-{figure}": "7", f"r-{figure}": "Sửa theo sổ"}


def plan_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    year = obj.extra["year"]
    return {
        "title": "Kế hoạch đổi tên thử",
        "issuer": "",
        "number": "",
        "issued_on": "",
        "place": "",
        "period_start": year,
        "period_end": year,
        "status": "draft",
        "superseded_by": "",
        "allocation_due": "",
        "allocation_issued_on": "",
        "signer_title": "",
        "signer_name": "",
    }


def target_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "indicator": "NEWFP",
        "kind": "count_min",
        "value": "120",
        "baseline_year": "",
        "tolerance": "",
        "condition": "",
    }


def paste_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    child = obj.extra["children"][0]
    day = date(obj.extra["year"], 1, 15)
    return {"action": "paste", "paste": f"{_code(ctx, child, day)}\t77"}


def allocation_json(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    child = obj.extra["children"][0]
    return {"target": obj.extra["target"], "unit": ctx.mw.unit_pk(child), "value": "77"}


def derive_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {"unit": ctx.mw.unit_pk(obj.extra["child"])}


#: The successor that carries a plan's cell in the probes of carried cells: one whose
#: unit above on 1/7/2025 is planned for only by those who may change the plan anyway
#: (Hà Nội for the new wards, the new Bồ Đề for its group NT1, Cao Bằng for CBn).
CARRIER = {"HN": "BD", "LB": "BD", "HK": "HH", "NT": "BD", "BD": "NT1", "CB": "CBn"}


def carried_cell(ctx: Ctx, obj: Obj) -> None:
    """A cell of the plan carried from 1/7/2025 by a successor (``plans.carried``), made
    in the request's savepoint for the caller to adjust."""
    from danso.plans.models import CarriedAllocation

    row = CarriedAllocation.objects.create(
        target_id=obj.extra["target"],
        unit=ctx.mw.units[CARRIER[obj.place]],
        effective=date(2025, 7, 1),
        value=60,
        derived_value=60,
        basis=[],
    )
    obj.extra["carried"] = row.pk


def carried_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"value": "61", "reason": "Thử điều chỉnh"}


def plan_new(method: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        if method == "GET":
            return Req("/plans/new/", ctx.query(unit=obj.pk))
        data = {
            "unit_id": obj.pk,
            "title": "Kế hoạch mới thử",
            "period_start": ctx.day.year,
            "period_end": "",
            "issuer": "",
        }
        return Req("/plans/new/", ctx.query(unit=obj.pk), data)

    return build


#: A plan as short as the reader accepts: a title and one target.
PLAN_TEXT = """ỦY BAN NHÂN DÂN
KẾ HOẠCH
Thực hiện công tác dân số năm {year}

I. MỤC TIÊU
1. Số người mới sử dụng biện pháp tránh thai hiện đại: 100 người.
"""


def plan_upload(ctx: Ctx, obj: Obj | None) -> list[Req]:
    """The import wizard: the file is checked (nothing stored), then confirmed."""
    assert obj is not None
    text = PLAN_TEXT.format(year=ctx.day.year).encode()
    first = {
        "file": _upload("ke-hoach.txt", text),
        "unit": obj.pk,
        "date": vn(date(ctx.day.year, 1, 15)),
    }
    return [Req("/plans/import/", ctx.query(), first), Req("/plans/import/", {}, {"confirm": "1"})]


def agency_req(method: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        data = {"name": "Cơ quan thử", "short_name": "", "kind": "other"}
        return Req("/plans/agencies/", ctx.query(unit=obj.pk), data if method == "POST" else None)

    return build


def indicator_form(code: str) -> Callable[[Ctx, Obj | None], dict[str, Any]]:
    def data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
        source = Indicator.objects.get(code="NEWFP")
        return {
            "code": code,
            "name_vi": "Chỉ báo thử",
            "name_en": "A test indicator",
            "unit": source.unit,
            "direction": source.direction,
            "numerator": "",
            "denominator": "",
            "decimals": 0,
            "is_count": "on",
            "parent": "",
            "valid_from_year": "",
            "valid_to_year": "",
        }

    return data


def projection_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "unit": obj.pk,
        "base_date": vn(date(ctx.day.year, 1, 1)),
        "to_year": ctx.day.year + 5,
        "scenarios": ["constant"],
        "mortality": "default",
    }


def projection_json(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "unit": obj.pk,
        "base_date": date(ctx.day.year, 1, 1).isoformat(),
        "to_year": ctx.day.year + 5,
        "scenarios": ["constant"],
    }


def scenario_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "name": "tfr-1.8",
        "tfr_target": "1.8",
        "tfr_year": "2032",
        "migration": "zero",
        "migration_factor": "1",
    }


def compare_req(url: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        return Req(url, ctx.query(s=obj.extra["scenarios"]))

    return build


LIFE_TABLE = {
    "name": "Bảng sống mới thử",
    "kind": "nqx",
    "open_age": 85,
    "male": " ".join(["0,02", "0,004", *["0,005"] * 15, "0,2", "6"]),
    "female": " ".join(["0,015", "0,003", *["0,004"] * 15, "0,15", "7"]),
    "source": "",
    "note": "",
}


def inbox_req(url: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        return Req(url, ctx.query(unit=obj.pk))

    return build


def status_req(ctx: Ctx, obj: Obj | None) -> Req:
    assert obj is not None
    period = "2025Q1" if ctx.era == BEFORE else "2025Q3"
    return Req(
        "/api/v1/reports/status/",
        ctx.query(type="commune-quarterly", period=period, unit=obj.pk),
    )


def dashboard(url: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        return Req(url.format(pk=obj.pk), ctx.query(day=ctx.day.isoformat()))

    return build


def user_edit(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "action": "edit",
        "edit-full_name": "Tên thử",
        "edit-email": "",
        "edit-phone": "",
        "edit-is_active": "on",
    }


def reassign_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    role = RoleAssignment.objects.filter(user__username="ngocthuy").get()
    return {
        "assignment": role.pk,
        "candidate": f"commune_officer:{ctx.mw.unit_pk('BD')}",
        "reason": "Sắp xếp lại sau sáp nhập",
    }


def conversion_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    """Phường Hồng Hà merged into Phường Bồ Đề on 1/12/2026 (a conversion table)."""
    table = (
        "old_commune_code,old_district_code,old_province_code,old_partly_merged,"
        "new_commune_code,new_province_code\n"
        "00097,,01,0,00118,01\n"
    )
    return {
        "file": _upload("chuyen-doi.csv", table.encode()),
        "effective": "01/12/2026",
        "decision": "thử",
    }


def place_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    """A group placed under Phường Bồ Đề on the day looked at (as a group closed with its
    split commune would be)."""
    assert obj is not None
    prefix = f"v{obj.pk}"
    return {
        f"{prefix}-successor": str(ctx.mw.unit_pk("BD")),
        f"{prefix}-effective": vn(ctx.day),
        f"{prefix}-decision": "thử",
    }


def inferred_data(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    """Confirm the first inferred succession still proposed (the reference load offers
    them for the communes closed on 31/12/2024 outside Hà Nội)."""
    proposal = (
        InferredSuccession.objects.filter(status=InferredSuccession.Status.PROPOSED)
        .order_by("pk")
        .first()
    )
    return {"action": "confirm", "id": [proposal.pk if proposal else 0]}


def admin_path(template: str) -> Build:
    """A page of Django's admin site about an object: a user (``{pk}``), their first
    role (``{role}``), a version of either in the history (``{history}``,
    ``{role_history}``), a group (``{group}``), the users' content type (``{ct}``)."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        values: dict[str, Any] = {"pk": obj.pk}
        role = RoleAssignment.objects.filter(user_id=obj.pk).order_by("pk").first()
        if role is not None:
            values["role"] = role.pk
            values["role_history"] = min(role.history.values_list("history_id", flat=True))
        values["history"] = min(User.history.filter(id=obj.pk).values_list("history_id", flat=True))
        values["group"] = Group.objects.get_or_create(name="nhóm thử")[0].pk
        values["ct"] = ContentType.objects.get_for_model(User).pk
        return Req(template.format(**values))

    return build


def admin_post(template: str, data: dict[str, Any]) -> Build:
    inner = admin_path(template)

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        req = inner(ctx, obj)
        assert isinstance(req, Req)
        req.data = dict(data)
        return req

    return build


# ------------------------------------------------------------------------ reading answers


def body_text(response: Any) -> str:
    """Everything a person could read in the answer, lower-cased: HTML and JSON as text
    (JSON decoded, so ``\\u`` escapes do not hide a name), the members of a .zip,
    .xlsx or .docx, the streams of a PDF."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if hasattr(response, "_matrix_text"):
        return str(response._matrix_text)
    parts: list[str] = []
    if content[:4] == b"PK\x03\x04" or content[:4] == b"PK\x05\x06":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                parts.append(html.unescape(archive.read(name).decode("utf-8", "ignore")))
    elif content[:5] == b"%PDF-":
        parts.append(pdf_text(content))
    else:
        text = content.decode("utf-8", "ignore")
        if "json" in response.get("Content-Type", ""):
            with contextlib.suppress(ValueError):
                text = json.dumps(json.loads(text), ensure_ascii=False)
        parts.append(html.unescape(text))
    text = unicodedata.normalize("NFC", "\n".join(parts)).casefold()
    response._matrix_text = text
    return text


_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.DOTALL)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
_HEX = rb"<([0-9a-fA-F]+)>"
_SHOWN = re.compile(rb"/(\S+)\s+[\d.]+\s+Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj|(ET)", re.DOTALL)


def pdf_text(content: bytes) -> str:
    """The text a PDF shows, read as a reader would (WeasyPrint writes glyph numbers,
    turned back into letters by each font's ToUnicode map): the objects, those packed
    in object streams too, their streams inflated, the maps, the fonts' names, and the
    strings of every ``TJ``/``Tj`` of the content streams."""
    objects: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    for found in _OBJECT.finditer(content):
        number, body = int(found.group(1)), found.group(2)
        objects[number] = body
        stream = _STREAM.search(body)
        if stream:
            with contextlib.suppress(zlib.error):
                streams[number] = zlib.decompress(stream.group(1))
    for number, data in list(streams.items()):
        first = re.search(rb"/First (\d+)", objects[number][:300])
        if b"/ObjStm" not in objects[number][:300] or first is None:
            continue
        start = int(first.group(1))
        head = [int(x) for x in data[:start].split()]
        pairs = list(zip(head[::2], head[1::2], strict=False))
        for index, (inner, offset) in enumerate(pairs):
            end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - start
            objects[inner] = data[start + offset : start + end]
    maps: dict[int, dict[bytes, str]] = {}
    for number, data in streams.items():
        if b"beginbf" not in data:
            continue
        table: dict[bytes, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
            for code, text in re.findall(_HEX + rb"\s*" + _HEX, block):
                table[code.lower()] = bytes.fromhex(text.decode()).decode("utf-16-be", "ignore")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.DOTALL):
            for low, high, first_char in re.findall(_HEX + rb"\s*" + _HEX + rb"\s*" + _HEX, block):
                for step, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    table[f"{code:0{len(low)}x}".encode()] = chr(int(first_char, 16) + step)
        maps[number] = table
    fonts = {
        number: maps[int(link.group(1))]
        for number, body in objects.items()
        if (link := re.search(rb"/ToUnicode (\d+) 0 R", body)) and int(link.group(1)) in maps
    }
    names = {
        name: fonts[int(ref)]
        for body in objects.values()
        for block in re.findall(rb"/Font\s*<<(.*?)>>", body, re.DOTALL)
        for name, ref in re.findall(rb"/(\S+?)\s+(\d+) 0 R", block)
        if int(ref) in fonts
    }
    merged = {code: text for table in maps.values() for code, text in table.items()}
    shown: list[str] = []
    for data in streams.values():
        if b"BT" not in data:
            continue
        current = merged
        for token in _SHOWN.finditer(data):
            if token.group(1):
                current = names.get(token.group(1), merged)
            elif token.group(4):
                shown.append("\n")
            else:
                strings = (
                    re.findall(_HEX, token.group(2))
                    if token.group(2) is not None
                    else [token.group(3)]
                )
                for string in strings:
                    width = 4 if len(string) % 4 == 0 else 2
                    shown.extend(
                        current.get(string[i : i + width].lower(), "")
                        for i in range(0, len(string), width)
                    )
                shown.append(" ")
    return "".join(shown)


# ------------------------------------------------------------------------ content checks


def allocation_rows(ctx: Ctx, obj: Obj | None, response: Any) -> list[str]:
    """The grid's rows of a plan seen only in part: the caller's own units alone."""
    assert obj is not None
    if response.status_code != 200 or reaches(ctx.role, obj, "full", ctx.day):
        return []
    plan_era = obj.era or ctx.era
    mine = {ctx.mw.unit_pk(k) for k in UNIT_REACH[ctx.role][plan_era]}
    shown = {row["unit"] for row in response.json()}
    return [f"allocation row of unit {pk} outside reach" for pk in sorted(shown - mine)]


def _unit_names(ctx: Ctx, keys: set[str]) -> dict[str, str]:
    names = {}
    for key in keys:
        version = UnitVersion.objects.filter(valid_on(ctx.day), unit=ctx.mw.units[key]).first()
        if version is not None:
            names[key] = version.name
    return names


def export_units(ctx: Ctx, obj: Obj | None, response: Any) -> list[str]:
    """The population workbook lists the communes of the caller's scope only."""
    if response.status_code != 200:
        return []
    text = body_text(response)
    outside = {
        k
        for k, (level, eras) in UNIT_KEYS.items()
        if level == "commune" and ctx.era in eras and k not in ctx.reached()
    }
    return [
        f"lists {name} ({key})"
        for key, name in _unit_names(ctx, outside).items()
        if name.casefold() in text
    ]


# ------------------------------------------------------------------------ shorthands


def _data_set(level: str) -> DataSet:
    """A monthly data set reported at ``level``, with one number element (made once)."""
    element, _created = DataElement.objects.get_or_create(
        code=f"MX_COUNT_{level.upper()}", defaults={"name_vi": "Số đếm thử"}
    )
    data_set, created = DataSet.objects.get_or_create(
        code=f"MX_{level.upper()}",
        defaults={"name_vi": "Bộ dữ liệu thử", "period_type": "month", "level": level},
    )
    if created:
        DataSetMember.objects.create(data_set=data_set, element=element)
    return data_set


def _level_of(ctx: Ctx, obj: Obj) -> str:
    version = UnitVersion.objects.filter(valid_on(ctx.day), unit_id=obj.pk).select_related("unit")
    found = version.first()
    return found.unit.level if found else "commune"


def data_set_url(suffix: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        data_set = _data_set(_level_of(ctx, obj))
        return Req(f"/datasets/{data_set.code}/units/{obj.pk}/{suffix}", ctx.query())

    return build


def data_set_post(ctx: Ctx, obj: Obj | None) -> Req:
    assert obj is not None
    data_set = _data_set(_level_of(ctx, obj))
    element = data_set.members.get().element
    period = f"{ctx.day.year}-{ctx.day.month:02d}"
    return Req(
        f"/datasets/{data_set.code}/units/{obj.pk}/",
        ctx.query(),
        {"period": period, f"v-{element.pk}-": "7"},
    )


def values_table(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    level = _level_of(ctx, obj)
    data_set = _data_set(level)
    period = f"{ctx.day.year}-{ctx.day.month:02d}"
    table = "data_set,unit_code,level,period,element,value\n" + (
        f"{data_set.code},{_code(ctx, obj.place)},{level},{period},MX_COUNT_{level.upper()},7\n"
    )
    return {"file": _upload("so-lieu.csv", table.encode())}


def element_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"form": "element", "code": "MX_NEW", "name": "Số thử", "value_type": "number"}


def defined_indicator_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "code": "MX_DEFINED",
        "name": "Chỉ báo định nghĩa thử",
        "numerator": "births",
        "denominator": "population",
        "factor": "1000",
        "direction": "down",
    }


def get(need: str, build: Build, kind: str | None = None, **kw: Any) -> Probe:
    return Probe("GET", need, build, kind, **kw)


def send(need: str, build: Build, kind: str | None = None, **kw: Any) -> Probe:
    kw.setdefault("writes", True)
    return Probe("POST", need, build, kind, **kw)


VILLAGE = frozenset({"village"})
COMMUNE = frozenset({"commune"})
BOOKS = frozenset({"commune", "village"})
ABOVE_VILLAGE = frozenset({"commune", "district", "province"})
RECEIVERS = frozenset({"district", "province"})
CHANGEABLE = frozenset({"commune", "district"})


def _unit_forms(url: str, data: Callable[[Ctx, Obj | None], dict[str, Any]]) -> tuple[Probe, ...]:
    """A change of the tree: villages are changed with the right to change villages,
    other units with the right to change the structure."""
    page = path(url)
    return (
        get("villages", page, "unit", levels=VILLAGE),
        send("villages", post(url, data), "unit", levels=VILLAGE),
        get("structure", page, "unit", levels=CHANGEABLE),
        send("structure", post(url, data), "unit", levels=CHANGEABLE),
    )


def admin_site(
    model: str, owner: str, add: Callable[[Ctx, Obj | None], dict[str, Any]]
) -> dict[str, Endpoint]:
    """The pages Django's admin site makes for a model: staff only (the administrator);
    everyone else is sent to the admin's login page.  ``owner``: whose user record,
    role or token the pages are about."""
    base = f"/django-admin/{model.replace('_', '/', 1)}/"
    target = {
        "auth_group": "{group}",
        "accounts_user": "{pk}",
        "accounts_roleassignment": "{role}",
        "authtoken_tokenproxy": "{pk}",
    }[model]
    one = base + target + "/"

    def mine(ctx: Ctx, obj: Obj) -> bool:
        return obj.owner == owner

    entries = {
        f"admin:{model}_changelist": (get("admin", nodate(base)),),
        f"admin:{model}_add": (
            get("admin", nodate(base + "add/")),
            send("admin", lambda c, o: Req(base + "add/", {}, add(c, o))),
        ),
        f"admin:{model}_history": (
            get("admin", admin_path(one + "history/"), "user", eligible=mine),
        ),
        f"admin:{model}_delete": (
            get("admin", admin_path(one + "delete/"), "user", eligible=mine),
            send(
                "admin",
                admin_post(one + "delete/", {"post": "yes"}),
                "user",
                eligible=mine,
            ),
        ),
        f"admin:{model}_change": (
            get("admin", admin_path(one + "change/"), "user", eligible=mine),
        ),
        f"django-admin/{model.replace('_', '/', 1)}/<path:object_id>/": (
            get("admin", admin_path(one), "user", eligible=mine),
        ),
    }
    return {
        key: Endpoint(key, probes, note="Django admin: staff only")
        for key, probes in entries.items()
    }


def _spare(ctx: Ctx) -> int:
    return int(next(o.pk for o in ctx.mw.pool("user") if o.owner == "spare"))


def _user_kind(ctx: Ctx, obj: Obj) -> bool:
    return obj.owner == "ctv"


ADMIN_ONLY = "the administrator only; everyone else 403"

# ------------------------------------------------------------------------ the screens

SCREENS: dict[str, Endpoint] = {
    e.key: e
    for e in (
        Endpoint(
            "home",
            (get("login", plain("/"), listing=("unit",)),),
            note="the units of one's roles; anonymous → login",
        ),
        Endpoint(
            "login",
            (
                get("public", nodate("/login/")),
                send(
                    "public",
                    nodate("/login/", {"username": "ctv", "password": PASSWORD}),
                    isolated=True,
                    note="logs ctv in: a new session (last login, failures cleared)",
                ),
            ),
            note="public",
        ),
        Endpoint(
            "logout",
            (
                get("login", nodate("/logout/"), refused=frozenset({405})),
                send("login", nodate("/logout/", {}), isolated=True, writes=False),
            ),
            note="POST ends the session (a client of its own)",
        ),
        Endpoint(
            "service_worker",
            (get("public", nodate("/sw.js")),),
            note="public, as a static file: the worker's script holds no data",
        ),
        Endpoint(
            "set_language",
            (
                send(
                    "public",
                    nodate("/i18n/setlang/", {"language": "vi", "next": "/"}),
                    isolated=True,
                    writes=False,
                ),
            ),
            note="public: the language cookie",
        ),
        Endpoint(
            "set_date",
            (
                send(
                    "login",
                    nodate("/context/date/", {"date": "30/06/2024", "preset": "", "next": "/"}),
                    writes=False,
                ),
            ),
            note="the session's working date",
        ),
        Endpoint(
            "last_data",
            (get("login", plain("/context/last-data/")),),
            note="the last day with an event under the reader's units (a date, no record)",
        ),
        # ---------------------------------------------------------------- units
        Endpoint("units:tree", (get("login", plain("/units/"), listing=("unit",)),)),
        Endpoint(
            "units:search",
            (get("login", plain("/units/search/", q="Tổ dân phố"), listing=("unit",)),),
            note="searched for every residential group of the world",
        ),
        Endpoint("units:reference", (get("login", plain("/units/reference/")),)),
        Endpoint(
            "units:conversion_import",
            (
                get("admin", plain("/units/conversions/import/")),
                send("admin", post("/units/conversions/import/", conversion_data)),
            ),
            note=ADMIN_ONLY,
        ),
        Endpoint("units:detail", (get("view", path("/units/{pk}/"), "unit"),)),
        Endpoint(
            "units:children",
            (get("view", path("/units/{pk}/children/"), "unit", listing=("unit",)),),
        ),
        Endpoint(
            "units:children_geojson", (get("view", path("/units/{pk}/children.geojson"), "unit"),)
        ),
        Endpoint(
            "units:village_create",
            (
                get("villages", path("/units/{pk}/villages/new/"), "unit", levels=COMMUNE),
                send(
                    "villages",
                    post("/units/{pk}/villages/new/", village_data),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
        ),
        Endpoint("units:rename", _unit_forms("/units/{pk}/rename/", rename_data)),
        Endpoint("units:move", _unit_forms("/units/{pk}/move/", move_data)),
        Endpoint(
            "units:merge",
            (
                get("structure", path("/units/{pk}/merge/"), "unit", levels=CHANGEABLE),
                send(
                    "structure",
                    post("/units/{pk}/merge/", merge_data),
                    "unit",
                    levels=CHANGEABLE,
                    note="the sibling posted is one of the world's; the form offers only "
                    "the caller's own",
                ),
            ),
        ),
        Endpoint(
            "units:split",
            (
                get("structure", path("/units/{pk}/split/"), "unit", levels=CHANGEABLE),
                send(
                    "structure", post("/units/{pk}/split/", split_data), "unit", levels=CHANGEABLE
                ),
            ),
        ),
        Endpoint("units:close", _unit_forms("/units/{pk}/close/", close_data)),
        Endpoint(
            "units:to_place",
            (get("login", plain("/units/to-place/"), listing=("unit",)),),
            note="the groups to place that one saw on their last day or whose new commune one sees",
        ),
        Endpoint(
            "units:to_place_unit",
            (
                get(
                    "view",
                    path("/units/{pk}/to-place/"),
                    "unit",
                    levels=COMMUNE,
                    listing=("unit",),
                ),
            ),
        ),
        Endpoint(
            "units:village_place",
            (
                get("villages", path("/units/{pk}/place/"), "unit", levels=VILLAGE, serves=False),
                send(
                    "villages",
                    post("/units/{pk}/place/", place_data),
                    "unit",
                    levels=VILLAGE,
                    note="the world's groups were all placed: 404 for everyone, never a write",
                ),
            ),
            note="POST only (GET 404); a group closed with its commune, to a successor",
        ),
        Endpoint(
            "units:inferred",
            (get("admin", plain("/units/inferred/", status="all")),),
            note=ADMIN_ONLY,
        ),
        Endpoint(
            "units:inferred_decide",
            (
                get("admin", plain("/units/inferred/decide/"), serves=False),
                send("admin", post("/units/inferred/decide/", inferred_data)),
            ),
            note=ADMIN_ONLY + "; POST only (GET 404)",
        ),
        # ---------------------------------------------------------------- population
        Endpoint(
            "population:list",
            (get("login", plain("/population/"), listing=("figure",)),),
        ),
        Endpoint(
            "population:import",
            (
                get("population", plain("/population/import/")),
                send(
                    "population",
                    post("/population/import/", figures_table),
                    "unit",
                    status_judged=False,
                    note="the unit is named in the table: refused row by row (200 with errors)",
                ),
            ),
        ),
        Endpoint(
            "population:export",
            (
                get(
                    "login",
                    plain("/population/export.xlsx", level="commune"),
                    content=export_units,
                ),
            ),
            note="the communes of one's scope (names checked)",
        ),
        Endpoint("population:detail", (get("view", path("/population/{pk}/"), "figure"),)),
        Endpoint(
            "population:edit",
            (
                get("population", path("/population/unit/{pk}/"), "unit"),
                send("population", post("/population/unit/{pk}/", figure_form), "unit"),
            ),
        ),
        # ---------------------------------------------------------------- plans
        Endpoint("plans:list", (get("login", plain("/plans/"), listing=("plan",)),)),
        Endpoint(
            "plans:create",
            (
                get("plans", plan_new("GET"), "unit", levels=ABOVE_VILLAGE),
                send("plans", plan_new("POST"), "unit", levels=ABOVE_VILLAGE),
            ),
        ),
        Endpoint(
            "plans:import",
            (
                get("plans", plain("/plans/import/")),
                send(
                    "plans",
                    plan_upload,
                    "unit",
                    levels=ABOVE_VILLAGE,
                    status_judged=False,
                    note="the wizard's two steps in one go; the unit is a choice of the form",
                    outs=1,
                ),
            ),
        ),
        Endpoint(
            "plans:calendar",
            (
                get(
                    "login",
                    lambda ctx, obj: Req("/plans/calendar/", ctx.query(month=f"{ctx.day.year}-03")),
                    listing=("plan",),
                ),
            ),
            note="activities of the plans one sees (linked to their plans)",
        ),
        Endpoint(
            "plans:agencies",
            (
                get("view", agency_req("GET"), "unit", levels=ABOVE_VILLAGE),
                send("plans", agency_req("POST"), "unit", levels=ABOVE_VILLAGE),
            ),
        ),
        Endpoint("plans:indicators", (get("login", plain("/plans/indicators/")),)),
        Endpoint(
            "plans:indicator_create",
            (
                get("indicators", plain("/plans/indicators/new/")),
                send("indicators", post("/plans/indicators/new/", indicator_form("MXTEST"))),
            ),
            note="province officers and the administrator",
        ),
        Endpoint(
            "plans:indicator_edit",
            (
                get("indicators", path("/plans/indicators/{pk}/"), "indicator"),
                send(
                    "indicators",
                    post("/plans/indicators/{pk}/", indicator_form("NEWFP")),
                    "indicator",
                ),
            ),
        ),
        Endpoint("plans:detail", (get("below", path("/plans/{pk}/"), "plan"),)),
        Endpoint(
            "plans:edit",
            (
                get("plans", path("/plans/{pk}/edit/"), "plan"),
                send("plans", post("/plans/{pk}/edit/", plan_form), "plan"),
            ),
        ),
        Endpoint(
            "plans:target_create",
            (
                get("plans", path("/plans/{pk}/targets/new/"), "plan"),
                send("plans", post("/plans/{pk}/targets/new/", target_form), "plan"),
            ),
        ),
        Endpoint(
            "plans:target_edit",
            (
                get("plans", path("/plans/{pk}/targets/{target}/", "target"), "plan"),
                send("plans", post("/plans/{pk}/targets/{target}/", target_form), "plan"),
            ),
        ),
        Endpoint(
            "plans:allocation",
            (
                get("below", path("/plans/{pk}/allocation/"), "plan"),
                send("plans", post("/plans/{pk}/allocation/", paste_form), "plan"),
            ),
        ),
        Endpoint(
            "plans:carry",
            (send("plans", post("/plans/{pk}/carry/", lambda c, o: {}), "plan"),),
            note="POST only; computes again the cells successors of the plan's units carry",
        ),
        Endpoint(
            "plans:carried_adjust",
            (
                send(
                    "plans",
                    post("/plans/{pk}/carried/{carried}/", carried_form),
                    "plan",
                    prepare=carried_cell,
                ),
            ),
            note="POST only; the plan's editors, or who plans for the unit above the "
            "successor (here the same people: CARRIER)",
        ),
        Endpoint("plans:checks", (get("full", path("/plans/{pk}/checks/"), "plan"),)),
        Endpoint(
            "plans:derive",
            (
                get("below", path("/plans/{pk}/derive/"), "plan", serves=False),
                send("plans", post("/plans/{pk}/derive/", derive_data), "allocation"),
            ),
            note="POST only (GET 404); derives the plan of a unit below",
        ),
        Endpoint(
            "plans:export",
            (
                get("full", path("/plans/{pk}/export.docx"), "plan"),
                get("full", path("/plans/{pk}/export.xlsx"), "plan"),
            ),
        ),
        Endpoint(
            "plans:activity",
            (
                get("plans", path("/plans/{pk}/activities/{activity}/", "activity"), "plan"),
                send(
                    "plans",
                    post(
                        "/plans/{pk}/activities/{activity}/",
                        lambda c, o: {"status": "done", "progress_note": "xong thử"},
                    ),
                    "plan",
                ),
            ),
        ),
        # ---------------------------------------------------------------- register
        Endpoint(
            "register:home",
            (get("records", plain("/register/"), listing=("unit",)),),
            note="the books one keeps or looks after; the viewer: 403",
        ),
        Endpoint(
            "register:search",
            (
                get(
                    "records",
                    plain("/register/search/", q="khuc"),
                    listing=("person", "household"),
                ),
            ),
        ),
        Endpoint(
            "register:duplicates",
            (
                get("register", plain("/register/duplicates/"), listing=("person",)),
                send(
                    "register",
                    post("/register/duplicates/", duplicates_post),
                    "person",
                    eligible=lambda ctx, obj: "twin" in obj.extra,
                ),
            ),
        ),
        Endpoint(
            "register:import",
            (
                get("register", plain("/register/import/")),
                send(
                    "register",
                    post(
                        "/register/import/",
                        lambda c, o: {"file": _upload("so-a0.zip", b"PK\x05\x06" + bytes(18))},
                    ),
                    note="queues a background job (its task is queued after the commit, "
                    "which never comes here): the job row is the write; the import's own "
                    "scope check is tested in tests/register",
                ),
            ),
        ),
        Endpoint(
            "register:import_job",
            (get("own", path("/register/import/{pk}/"), "importjob"),),
            note="one's own jobs only (404)",
        ),
        Endpoint(
            "register:export",
            (
                get("persons", path("/register/units/{pk}/export/"), "unit", levels=BOOKS),
                send(
                    "persons",
                    post("/register/units/{pk}/export/", lambda c, o: {}),
                    "unit",
                    levels=BOOKS,
                    note="queues the export (the job row is the write); what the file holds "
                    "is the asker's scope: tests/register/test_exports.py",
                ),
            ),
            note="personal data in full: the keepers of the book only",
        ),
        Endpoint(
            "register:export_job",
            (get("own", path("/register/exports/{pk}/"), "exportjob"),),
            note="one's own exports only (404)",
        ),
        Endpoint(
            "register:export_file",
            (get("own", path("/register/exports/{pk}/file/"), "exportjob"),),
            note="one's own exports only (404)",
        ),
        Endpoint(
            "register:households",
            (
                get(
                    "records",
                    path("/register/units/{pk}/"),
                    "unit",
                    levels=BOOKS,
                    listing=("household",),
                ),
            ),
        ),
        Endpoint(
            "register:unit_events",
            (
                get(
                    "records",
                    book_events("/register/units/{pk}/events/"),
                    "unit",
                    levels=BOOKS,
                    listing=("event", "person"),
                ),
            ),
            note="a book's events in a period (every period here), persons as privacy shows",
        ),
        Endpoint(
            "register:unit_events_xlsx",
            (
                get(
                    "persons", book_events("/register/units/{pk}/events.xlsx"), "unit", levels=BOOKS
                ),
            ),
            note="personal data exported: the keepers of the book only, logged",
        ),
        Endpoint(
            "register:household_create",
            (
                get("register", path("/register/units/{pk}/households/new/"), "unit", levels=BOOKS),
                send(
                    "register",
                    post("/register/units/{pk}/households/new/", household_form),
                    "unit",
                    levels=BOOKS,
                ),
            ),
        ),
        Endpoint(
            "register:collection",
            (
                get(
                    "register",
                    lambda ctx, obj: Req(
                        f"/register/units/{obj.pk if obj else 0}/collection/{ctx.day:%Y-%m}/",
                        ctx.query(),
                    ),
                    "unit",
                    levels=VILLAGE,
                    shows="records",
                ),
                send(
                    "register",
                    collection_post,
                    "person",
                    note="for a stranger: through a village the caller keeps",
                ),
            ),
        ),
        Endpoint(
            "register:collection_sync",
            (
                get(
                    "register",
                    lambda ctx, obj: Req(
                        f"/register/units/{obj.pk if obj else 0}/collection/{ctx.day:%Y-%m}/sync/",
                        ctx.query(),
                    ),
                    "unit",
                    levels=VILLAGE,
                    serves=False,
                    refused=frozenset({403, 404, 405}),
                ),
                send(
                    "register",
                    sync_post,
                    "person",
                    status_judged=False,
                    note="a batch: a stranger's form is refused in the answer (the words "
                    "of the form, nothing told), the village's address by 404/403",
                ),
            ),
        ),
        Endpoint(
            "register:event_check",
            (
                get("register", path("/register/units/{pk}/check/"), "unit", levels=VILLAGE),
                send(
                    "register",
                    check_post,
                    "person",
                    writes=False,
                    note="the rules' answer about a person: only for one's own (404)",
                ),
            ),
        ),
        Endpoint(
            "register:review",
            (
                get(
                    "accept",
                    lambda ctx, obj: Req(
                        f"/register/units/{obj.pk if obj else 0}/review/",
                        ctx.query(month=f"{ctx.day:%Y-%m}"),
                    ),
                    "unit",
                    levels=BOOKS,
                    shows="records",
                ),
                send("accept", review_post, "unit", levels=BOOKS, shows="records"),
            ),
        ),
        Endpoint(
            "register:close",
            (
                get(
                    "accept",
                    path("/register/units/{pk}/close/"),
                    "unit",
                    levels=COMMUNE,
                    shows="records",
                ),
                send(
                    "accept",
                    post("/register/units/{pk}/close/", lambda c, o: {"year": c.day.year - 1}),
                    "unit",
                    levels=COMMUNE,
                    shows="records",
                ),
            ),
        ),
        Endpoint(
            "register:household",
            (
                get(
                    "records",
                    path("/register/households/{pk}/"),
                    "household",
                ),
            ),
        ),
        Endpoint(
            "register:person_add",
            (
                get("register", path("/register/households/{pk}/persons/new/"), "household"),
                send(
                    "register",
                    post("/register/households/{pk}/persons/new/", person_form),
                    "household",
                ),
            ),
        ),
        Endpoint("register:person", (get("records", path("/register/persons/{pk}/"), "person"),)),
        Endpoint(
            "register:person_reveal",
            (
                get("records", path("/register/persons/{pk}/reveal/"), "person"),
                send(
                    "reveal",
                    post(
                        "/register/persons/{pk}/reveal/",
                        lambda c, o: {"reason": "Xác minh theo đơn của công dân"},
                    ),
                    "person",
                    shows="records",
                    writes=False,
                    note="opens the full record for a reason (kept in the session)",
                ),
            ),
        ),
        Endpoint(
            "register:person_export",
            (get("sight", path("/register/persons/{pk}/export.xlsx"), "person"),),
            note="the person's data in full: only to those who see them in full",
        ),
        Endpoint(
            "register:unit_access_log",
            (
                get(
                    "accesslog",
                    path("/register/units/{pk}/access-log/"),
                    "unit",
                    levels=BOOKS,
                    shows="accesslog",
                ),
            ),
            note="commune officers (and the administrator)",
        ),
        Endpoint(
            "register:access_log",
            (get("admin", plain("/register/access-log/")),),
            note=ADMIN_ONLY,
        ),
        Endpoint(
            "register:access_log_xlsx",
            (get("admin", plain("/register/access-log.xlsx")),),
            note=ADMIN_ONLY,
        ),
        Endpoint(
            "register:event",
            (
                get("records", path("/register/events/{pk}/"), "event"),
                send(
                    "register",
                    post(
                        "/register/events/{pk}/",
                        lambda c, o: {"note": "Sửa thử", "reason": "Sửa theo biên bản"},
                    ),
                    "event",
                ),
            ),
        ),
        Endpoint(
            "register:event_correct",
            (
                get("register", path("/register/events/{pk}/correct/"), "event", shows="records"),
                send(
                    "register",
                    post(
                        "/register/events/{pk}/correct/",
                        lambda c, o: {"method": "pill", "reason": "Sửa theo biên bản"},
                    ),
                    "event",
                    shows="records",
                ),
            ),
            note="those who may edit the event's person; a closed year needs 'accept' too",
        ),
        Endpoint(
            "register:event_withdraw",
            (
                get("register", path("/register/events/{pk}/withdraw/"), "event", shows="records"),
                send(
                    "register",
                    post("/register/events/{pk}/withdraw/", lambda c, o: {"reason": "Ghi trùng"}),
                    "event",
                    shows="records",
                ),
            ),
            note="withdraws (deletes) the event, keeping its trail",
        ),
        Endpoint(
            "register:person_correct",
            (
                get("register", path("/register/persons/{pk}/correct/"), "person"),
                send(
                    "register",
                    post(
                        "/register/persons/{pk}/correct/",
                        lambda c, o: {"ethnicity": "Tày", "reason": "Theo căn cước"},
                    ),
                    "person",
                ),
            ),
            note="names and ID numbers only on the form of those who see the person in full",
        ),
        Endpoint(
            "register:quality",
            (
                get(
                    "records",
                    path("/register/units/{pk}/quality/"),
                    "unit",
                    levels=CHANGEABLE,
                    shows="records",
                ),
            ),
            note="the data-quality screen of a commune or a district; names only in full sight",
        ),
        Endpoint(
            "register:outlier_follow",
            (
                get(
                    "register",
                    path("/register/units/{pk}/quality/outliers/"),
                    "unit",
                    levels=CHANGEABLE,
                    serves=False,
                ),
                send(
                    "register",
                    post("/register/units/{pk}/quality/outliers/", outlier_data),
                    "unit",
                    levels=CHANGEABLE,
                    shows="records",
                    note="the world has no outlying month: allowed, it answers that nothing "
                    "was marked (tests/register/test_quality.py marks one)",
                ),
            ),
            note="POST only (GET 404)",
        ),
        Endpoint(
            "register:flag_follow",
            (
                get(
                    "register",
                    flag_follow_req,
                    "unit",
                    levels=VILLAGE,
                    prepare=_flag_on_unit,
                    serves=False,
                ),
                send(
                    "register",
                    flag_follow_req,
                    "unit",
                    levels=VILLAGE,
                    prepare=_flag_on_unit,
                    shows="records",
                ),
            ),
            note="POST only (GET 404); a flag of the village, made for the probe; 404 to who "
            "does not read the village's records",
        ),
        # ---------------------------------------------------------------- projections
        Endpoint(
            "projections:list", (get("login", plain("/projections/"), listing=("projection",)),)
        ),
        Endpoint(
            "projections:new",
            (
                get("login", plain("/projections/new/")),
                send(
                    "plans",
                    post("/projections/new/", projection_form),
                    "unit",
                    levels=ABOVE_VILLAGE,
                    inside_once=True,
                ),
            ),
            note="the form lists one's own units; the unit posted is checked on the base date",
        ),
        Endpoint(
            "projections:detail",
            (
                get("view", path("/projections/{pk}/"), "projection"),
                send("plans", post("/projections/{pk}/", scenario_form), "projection"),
            ),
        ),
        Endpoint(
            "projections:export",
            (get("view", path("/projections/{pk}/export.xlsx"), "projection"),),
        ),
        Endpoint(
            "projections:compare",
            (get("view", compare_req("/projections/compare/"), "projection"),),
        ),
        Endpoint(
            "projections:compare_export",
            (get("view", compare_req("/projections/compare/export.xlsx"), "projection"),),
        ),
        Endpoint("projections:lifetables", (get("login", plain("/projections/life-tables/")),)),
        Endpoint(
            "projections:lifetable_new",
            (
                get("plans", plain("/projections/life-tables/new/")),
                send("plans", post("/projections/life-tables/new/", lambda c, o: dict(LIFE_TABLE))),
            ),
            note="anyone who plans somewhere",
        ),
        # ---------------------------------------------------------------- indicators
        Endpoint(
            "indicators:home",
            (get("login", plain("/indicators/"), refused=frozenset({403})),),
            note="redirects to one's own top unit",
        ),
        Endpoint("indicators:definitions", (get("login", plain("/indicators/definitions/")),)),
        Endpoint("indicators:unit", (get("view", path("/indicators/units/{pk}/"), "unit"),)),
        Endpoint(
            "indicators:ranking_xlsx",
            (get("view", path("/indicators/units/{pk}/ranking.xlsx"), "unit"),),
        ),
        Endpoint(
            "indicators:children_geojson",
            (get("view", dashboard("/indicators/units/{pk}/children.geojson"), "unit"),),
        ),
        Endpoint(
            "indicators:entered",
            (
                get("population", path("/indicators/units/{pk}/entered/"), "unit", levels=BOOKS),
                send(
                    "population",
                    post("/indicators/units/{pk}/entered/", entered_form),
                    "unit",
                    levels=BOOKS,
                ),
            ),
        ),
        # ---------------------------------------------------------------- data sets (issue 18)
        Endpoint("datasets:list", (get("login", plain("/datasets/")),)),
        Endpoint(
            "datasets:define",
            (
                get("indicators", plain("/datasets/define/")),
                send("indicators", post("/datasets/define/", element_form)),
            ),
            note="province officers and the administrator",
        ),
        Endpoint(
            "datasets:upload",
            (
                get("submit", plain("/datasets/upload/")),
                send(
                    "submit",
                    post("/datasets/upload/", values_table),
                    "unit",
                    levels=ABOVE_VILLAGE,
                    status_judged=False,
                    note="the unit is named in the table: refused row by row (200 with errors)",
                ),
            ),
        ),
        Endpoint(
            "datasets:entry",
            (
                get("view", data_set_url(""), "unit", levels=ABOVE_VILLAGE),
                send("submit", data_set_post, "unit", levels=ABOVE_VILLAGE),
            ),
        ),
        Endpoint(
            "datasets:completeness",
            (get("view", data_set_url("year/"), "unit", levels=ABOVE_VILLAGE),),
        ),
        Endpoint(
            "indicators:define",
            (
                get("indicators", plain("/indicators/definitions/define/")),
                send(
                    "indicators",
                    post("/indicators/definitions/define/", defined_indicator_form),
                ),
            ),
            note="province officers and the administrator",
        ),
        # report types (issue 18)
        Endpoint("reports:types", (get("login", plain("/reports/types/")),)),
        Endpoint(
            "reports:type_rows",
            (
                get("indicators", path("/reports/types/{pk}/"), "reporttype"),
                send(
                    "indicators",
                    post("/reports/types/{pk}/", lambda c, o: {"kind": "count", "count": "E60"}),
                    "reporttype",
                ),
            ),
            note="the list is read by everyone logged in; the rows edited by province officers",
        ),
        Endpoint(
            "reports:type_row",
            (
                send(
                    "indicators",
                    type_row(
                        "/reports/types/{pk}/rows/{row}/",
                        {"label_vi": "Đánh giá", "label_en": "Assessment", "position": "1"},
                    ),
                    "reporttype",
                ),
            ),
        ),
        Endpoint(
            "reports:type_row_remove",
            (send("indicators", type_row("/reports/types/{pk}/rows/{row}/remove/"), "reporttype"),),
        ),
        # ---------------------------------------------------------------- reports
        Endpoint(
            "reports:inbox",
            (get("view", inbox_req("/reports/"), "unit", listing=("report",)),),
        ),
        Endpoint(
            "reports:inbox_xlsx",
            (get("view", inbox_req("/reports/inbox.xlsx"), "unit", levels=RECEIVERS),),
        ),
        Endpoint(
            "reports:open",
            (
                get("submit", report_open_req("GET"), "report", prepare=_report_gone),
                send("submit", report_open_req("POST"), "report", prepare=_report_gone),
            ),
            note="a POST creates the report (removed first); a GET only asks, and never writes",
        ),
        Endpoint(
            "reports:detail",
            (
                get("view", path("/reports/{pk}/"), "report"),
                send(
                    "submit",
                    post("/reports/{pk}/", figure_values),
                    "report",
                    prepare=_report_status(Report.Status.DRAFT),
                ),
            ),
        ),
        Endpoint(
            "reports:figure",
            (
                send(
                    "submit",
                    post("/reports/{pk}/figures/{figure}/", figure_values),
                    "report",
                    prepare=_report_status(Report.Status.DRAFT),
                ),
            ),
        ),
        Endpoint(
            "reports:refresh",
            (
                send(
                    "submit",
                    post("/reports/{pk}/refresh/", lambda c, o: {}),
                    "report",
                    prepare=_report_status(Report.Status.DRAFT),
                ),
            ),
        ),
        Endpoint(
            "reports:submit",
            (
                send(
                    "submit",
                    post("/reports/{pk}/submit/", lambda c, o: {}),
                    "report",
                    prepare=_report_status(Report.Status.DRAFT),
                ),
            ),
        ),
        Endpoint("reports:xlsx", (get("view", path("/reports/{pk}/report.xlsx"), "report"),)),
        Endpoint("reports:pdf", (get("view", path("/reports/{pk}/report.pdf"), "report"),)),
        Endpoint("reports:review", (get("view", path("/reports/{pk}/review/"), "report"),)),
        Endpoint(
            "reports:approve",
            (
                send(
                    "approve",
                    post("/reports/{pk}/approve/", lambda c, o: {}),
                    "report",
                    prepare=_report_status(Report.Status.SUBMITTED),
                ),
            ),
        ),
        Endpoint(
            "reports:return",
            (
                send(
                    "approve",
                    post("/reports/{pk}/return/", lambda c, o: {"comment": "Sửa lại số sinh"}),
                    "report",
                    prepare=_report_status(Report.Status.SUBMITTED),
                ),
            ),
        ),
        Endpoint(
            "reports:unlock",
            (
                send(
                    "approve",
                    post("/reports/{pk}/unlock/", lambda c, o: {"comment": "Mở lại để sửa"}),
                    "report",
                    prepare=_report_status(Report.Status.APPROVED),
                ),
            ),
        ),
        Endpoint(
            "reports:waive",
            (
                send(
                    "approve",
                    post("/reports/waive/", waive_data),
                    "report",
                    prepare=_report_gone,
                ),
            ),
            note="the receiving level excuses a unit: the unit of one of the world's reports",
        ),
        Endpoint(
            "reports:waiver_remove",
            (send("approve", post("/reports/waivers/{pk}/remove/", lambda c, o: {}), "waiver"),),
        ),
        Endpoint(
            "reports:reminder_read",
            (send("own", post("/reports/reminders/{pk}/read/", lambda c, o: {}), "reminder"),),
        ),
        Endpoint(
            "reports:calendar",
            (
                get("login", plain("/reports/calendar/")),
                send(
                    "admin",
                    post(
                        "/reports/calendar/",
                        lambda c, o: {"day": "27/12/2026", "kind": "working_day", "note": "thử"},
                    ),
                ),
            ),
            note="read by everyone (deadlines are counted on it); set by the administrator",
        ),
        Endpoint(
            "reports:calendar_day_remove",
            (
                send(
                    "admin", post("/reports/calendar/{pk}/remove/", lambda c, o: {}), "calendarday"
                ),
            ),
            note=ADMIN_ONLY,
        ),
        # ---------------------------------------------------------------- accounts
        Endpoint("accounts:users", (get("admin", plain("/accounts/users/")),), note=ADMIN_ONLY),
        Endpoint(
            "accounts:user_create",
            (
                get("admin", plain("/accounts/users/new/")),
                send(
                    "admin",
                    post(
                        "/accounts/users/new/",
                        lambda c, o: {
                            "username": "matrixnew",
                            "full_name": "",
                            "email": "",
                            "phone": "",
                            "password": "a-Very-long-test-password-42",
                        },
                    ),
                ),
            ),
            note=ADMIN_ONLY,
        ),
        Endpoint(
            "accounts:user",
            (
                get("admin", path("/accounts/users/{pk}/"), "user", eligible=_user_kind),
                send(
                    "admin",
                    post("/accounts/users/{pk}/", user_edit),
                    "user",
                    eligible=_user_kind,
                ),
            ),
            note=ADMIN_ONLY,
        ),
        Endpoint(
            "accounts:reassign",
            (
                get("admin", plain("/accounts/reassign/")),
                send("admin", post("/accounts/reassign/", reassign_data)),
            ),
            note=ADMIN_ONLY,
        ),
        # ---------------------------------------------------------------- API (router names)
        *(
            Endpoint(name, (), note="an API route: judged by its operations", api=True)
            for name in (
                "unit-list",
                "unit-detail",
                "population-list",
                "population-detail",
                "plan-list",
                "plan-detail",
                "plan-allocations",
                "indicator-list",
                "indicator-detail",
                "household-list",
                "household-detail",
                "person-list",
                "person-detail",
                "person-correct",
                "event-list",
                "event-detail",
                "event-correct",
                "event-withdraw",
                "projection-list",
                "projection-detail",
                "projection-scenarios",
                "report-list",
                "report-status",
                "report-detail",
                "report-approve",
                "report-send-back",
                "report-submit",
                "report-unlock",
                "report-type-list",
                "report-type-detail",
            )
        ),
        Endpoint(
            "api-root",
            (get("login", nodate("/api/v1/"), refused=API_REFUSED),),
            note="the browsable API's root: logged-in callers",
            api=True,
        ),
        Endpoint(
            "api-token",
            (
                send(
                    "public",
                    nodate("/api/v1/auth/token/", {"username": "ctv", "password": PASSWORD}),
                ),
            ),
            note="public: a token for a user name and password (issuing one writes it)",
            api=True,
        ),
        Endpoint(
            "schema",
            (
                get(
                    "login",
                    nodate("/api/schema/"),
                    refused=API_REFUSED,
                    days=(TODAY,),
                    every_token=False,
                ),
            ),
            note="the OpenAPI schema: logged-in callers",
            api=True,
        ),
        Endpoint(
            "swagger-ui",
            (
                get(
                    "login",
                    nodate("/api/docs/"),
                    refused=API_REFUSED,
                    days=(TODAY,),
                    every_token=False,
                ),
            ),
            note="the API's documentation: logged-in callers",
            api=True,
        ),
        # ---------------------------------------------------------------- django-admin
        Endpoint("admin:index", (get("admin", nodate("/django-admin/")),), note="staff only"),
        Endpoint("admin:login", (get("public", nodate("/django-admin/login/")),), note="public"),
        Endpoint(
            "admin:logout",
            (send("login", nodate("/django-admin/logout/", {}), isolated=True, writes=False),),
            note="ends the session (a client of its own)",
        ),
        Endpoint(
            "admin:password_change",
            (get("admin", nodate("/django-admin/password_change/")),),
            note="staff only",
        ),
        Endpoint(
            "admin:password_change_done",
            (get("admin", nodate("/django-admin/password_change/done/")),),
            note="staff only",
        ),
        Endpoint(
            "admin:autocomplete",
            (get("admin", nodate("/django-admin/autocomplete/"), serves=False),),
            note="staff only (without a field to complete, 403 for the staff too)",
        ),
        Endpoint(
            "admin:jsi18n", (get("admin", nodate("/django-admin/jsi18n/")),), note="staff only"
        ),
        Endpoint(
            "admin:view_on_site",
            (
                get(
                    "admin",
                    admin_path("/django-admin/r/{ct}/{pk}/"),
                    "user",
                    eligible=_user_kind,
                    serves=False,
                ),
            ),
            note="staff only; a user has no page on the site (404)",
        ),
        Endpoint(
            "admin:app_list",
            (get("admin", nodate("/django-admin/accounts/")),),
            note="staff only",
        ),
        Endpoint(
            "django-admin/(?P<url>.*)$",
            (get("public", nodate("/django-admin/nothing-here/"), serves=False),),
            note="the admin's catch-all: 404 (or the admin's login) for everyone",
        ),
        Endpoint(
            "admin:accounts_user_simple_history",
            (
                get(
                    "admin",
                    admin_path("/django-admin/accounts/user/{pk}/history/{history}/"),
                    "user",
                    eligible=_user_kind,
                ),
            ),
            note="staff only",
        ),
        Endpoint(
            "admin:accounts_roleassignment_simple_history",
            (
                get(
                    "admin",
                    admin_path(
                        "/django-admin/accounts/roleassignment/{role}/history/{role_history}/"
                    ),
                    "user",
                    eligible=_user_kind,
                ),
            ),
            note="staff only",
        ),
        Endpoint(
            "admin:auth_user_password_change",
            (
                get(
                    "admin",
                    admin_path("/django-admin/accounts/user/{pk}/password/"),
                    "user",
                    eligible=_user_kind,
                ),
                send(
                    "admin",
                    admin_post(
                        "/django-admin/accounts/user/{pk}/password/",
                        {"password1": "a-Very-long-pw-4242", "password2": "a-Very-long-pw-4242"},
                    ),
                    "user",
                    eligible=_user_kind,
                ),
            ),
            note="staff only",
        ),
        # facilities (issue 18)
        Endpoint("facilities:home", (get("login", plain("/facilities/")),)),
        Endpoint(
            "facilities:unit",
            (
                get(
                    "view",
                    path("/facilities/unit/{pk}/"),
                    "unit",
                    levels=ABOVE_VILLAGE,
                    prepare=facility_matrix.facilities_everywhere,
                    content=facility_matrix.facilities_outside,
                ),
            ),
            note="the facilities of the communes under a unit (names checked)",
        ),
        Endpoint(
            "facilities:create",
            (
                get("villages", path("/facilities/unit/{pk}/new/"), "unit", levels=ABOVE_VILLAGE),
                send(
                    "villages",
                    post("/facilities/unit/{pk}/new/", facility_matrix.facility_form),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
        ),
        Endpoint(
            "facilities:detail",
            (
                get(
                    "view",
                    facility_matrix.facility_req("/facilities/{pk}/"),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
            note="a facility of the commune asked about",
        ),
        Endpoint(
            "facilities:edit",
            (
                get(
                    "villages",
                    facility_matrix.facility_req("/facilities/{pk}/edit/"),
                    "unit",
                    levels=COMMUNE,
                ),
                send(
                    "villages",
                    facility_matrix.facility_req(
                        "/facilities/{pk}/edit/", facility_matrix.facility_edit_form
                    ),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
        ),
        Endpoint(
            "facilities:inspect",
            (
                get(
                    "submit",
                    facility_matrix.facility_req("/facilities/{pk}/inspections/new/"),
                    "unit",
                    levels=COMMUNE,
                ),
                send(
                    "submit",
                    facility_matrix.facility_req(
                        "/facilities/{pk}/inspections/new/", facility_matrix.inspection_form
                    ),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
        ),
        Endpoint(
            "facilities:inspection_edit",
            (
                get(
                    "submit",
                    facility_matrix.inspection_req("/facilities/inspections/{pk}/edit/"),
                    "unit",
                    levels=COMMUNE,
                ),
                send(
                    "submit",
                    facility_matrix.inspection_req(
                        "/facilities/inspections/{pk}/edit/", facility_matrix.inspection_form
                    ),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
        ),
        Endpoint(
            "facilities:inspection_delete",
            (
                send(
                    "submit",
                    facility_matrix.inspection_req("/facilities/inspections/{pk}/delete/"),
                    "unit",
                    levels=COMMUNE,
                ),
            ),
            note="POST only",
        ),
    )
}
for _model, _owner, _add in (
    ("auth_group", "spare", lambda c, o: {"name": "nhóm mới"}),
    (
        "accounts_user",
        "spare",
        lambda c, o: {
            "username": "matrixadd",
            "password1": "a-Very-long-pw-4242",
            "password2": "a-Very-long-pw-4242",
            "usable_password": "true",
        },
    ),
    (
        "accounts_roleassignment",
        "ctv",
        lambda c, o: {
            "user": _spare(c),
            "role": "viewer",
            "unit": c.mw.unit_pk("HN"),
            "valid_from": "01/01/2024",
            "valid_to": "",
            "note": "",
            "created_by": "",
        },
    ),
    ("authtoken_tokenproxy", "ctv", lambda c, o: {"user": _spare(c)}),
):
    SCREENS.update(admin_site(_model, _owner, _add))

#: Files served before any URL pattern (WhiteNoise): public.
STATIC = ("/static/danso/danso.css", "/static/vendor/htmx-2.0.11.min.js")

# ------------------------------------------------------------------------ the API operations


def api(key: str, *probes: Probe, note: str = "") -> Endpoint:
    return Endpoint(key, probes, note=note, api=True)


def aget(need: str, build: Build, kind: str | None = None, **kw: Any) -> Probe:
    kw.setdefault("refused", API_REFUSED)
    return Probe("GET", need, build, kind, **kw)


def apost(need: str, build: Build, kind: str | None = None, **kw: Any) -> Probe:
    kw.setdefault("refused", API_REFUSED)
    kw.setdefault("writes", True)
    return Probe("POST", need, build, kind, **kw)


def _report_action(action: str, status: str, data: dict[str, Any] | None = None) -> Probe:
    need = "submit" if action == "submit" else "approve"
    return apost(
        need,
        post(f"/api/v1/reports/{{pk}}/{action}/", lambda c, o: dict(data or {}), json=True),
        "report",
        prepare=_report_status(status),
    )


API: dict[str, Endpoint] = {
    e.key: e
    for e in (
        api(
            "POST /api/v1/auth/token/",
            apost(
                "public",
                nodate("/api/v1/auth/token/", {"username": "ctv", "password": PASSWORD}),
            ),
            note="public (issuing a token writes it)",
        ),
        api(
            "DELETE /api/v1/auth/token/",
            note="revokes the token it is sent with (tests/accounts/test_tokens.py); the matrix "
            "sends no DELETE",
        ),
        api(
            "GET /api/v1/units/",
            aget("login", plain("/api/v1/units/", level="village"), listing=("unit",)),
            aget("login", plain("/api/v1/units/", search="Long Biên"), listing=("unit",)),
        ),
        api("GET /api/v1/units/{id}/", aget("view", path("/api/v1/units/{pk}/"), "unit")),
        api(
            "GET /api/v1/population/",
            aget("login", plain("/api/v1/population/"), listing=("figure",)),
        ),
        api(
            "POST /api/v1/population/",
            apost(
                "population",
                post(
                    "/api/v1/population/",
                    lambda c, o: {
                        "unit": o.pk if o else 0,
                        "year": c.day.year,
                        "male": 600,
                        "female": 650,
                    },
                    json=True,
                ),
                "unit",
            ),
        ),
        api(
            "GET /api/v1/population/{id}/", aget("view", path("/api/v1/population/{pk}/"), "figure")
        ),
        api("GET /api/v1/plans/", aget("login", plain("/api/v1/plans/"), listing=("plan",))),
        api("GET /api/v1/plans/{id}/", aget("below", path("/api/v1/plans/{pk}/"), "plan")),
        api(
            "GET /api/v1/plans/{id}/allocations/",
            aget("below", path("/api/v1/plans/{pk}/allocations/"), "plan", content=allocation_rows),
        ),
        api(
            "POST /api/v1/plans/{id}/allocations/",
            apost(
                "plans", post("/api/v1/plans/{pk}/allocations/", allocation_json, json=True), "plan"
            ),
        ),
        api("GET /api/v1/indicators/", aget("login", plain("/api/v1/indicators/"))),
        api(
            "GET /api/v1/indicators/{code}/",
            aget("login", path("/api/v1/indicators/{pk}/"), "indicator"),
        ),
        api(
            "GET /api/v1/households/",
            aget("login", plain("/api/v1/households/"), listing=("household",)),
        ),
        api(
            "GET /api/v1/households/{id}/",
            aget("records", path("/api/v1/households/{pk}/"), "household"),
        ),
        api("GET /api/v1/persons/", aget("login", plain("/api/v1/persons/"), listing=("person",))),
        api(
            "GET /api/v1/persons/{id}/",
            aget("records", path("/api/v1/persons/{pk}/"), "person"),
            aget(
                "reveal",
                lambda ctx, obj: Req(
                    f"/api/v1/persons/{obj.pk if obj else 0}/",
                    ctx.query(reason="Xác minh theo đơn của công dân"),
                ),
                "person",
                shows="records",
                reveals=True,
                refused=frozenset({400, 401, 403, 404}),
                note="?reason= opens the full record to an officer above the commune",
            ),
        ),
        api(
            "POST /api/v1/persons/{id}/correct/",
            apost(
                "register",
                post(
                    "/api/v1/persons/{pk}/correct/",
                    lambda c, o: {"changes": {"ethnicity": "Tày"}, "reason": "Theo căn cước"},
                    json=True,
                ),
                "person",
            ),
        ),
        api("GET /api/v1/events/", aget("login", plain("/api/v1/events/"), listing=("event",))),
        api(
            "POST /api/v1/events/",
            apost("register", post("/api/v1/events/", event_json, json=True), "person"),
        ),
        api("GET /api/v1/events/{id}/", aget("records", path("/api/v1/events/{pk}/"), "event")),
        api(
            "POST /api/v1/events/{id}/correct/",
            apost(
                "register",
                post(
                    "/api/v1/events/{pk}/correct/",
                    lambda c, o: {"changes": {"method": "pill"}, "reason": "Sửa theo biên bản"},
                    json=True,
                ),
                "event",
            ),
        ),
        api(
            "POST /api/v1/events/{id}/withdraw/",
            apost(
                "register",
                post("/api/v1/events/{pk}/withdraw/", lambda c, o: {"reason": "Ghi trùng"}, True),
                "event",
            ),
        ),
        api(
            "GET /api/v1/projections/",
            aget("login", plain("/api/v1/projections/"), listing=("projection",)),
        ),
        api(
            "POST /api/v1/projections/",
            apost(
                "plans",
                post("/api/v1/projections/", projection_json, json=True),
                "unit",
                levels=ABOVE_VILLAGE,
                inside_once=True,
            ),
        ),
        api(
            "GET /api/v1/projections/{id}/",
            aget("view", path("/api/v1/projections/{pk}/"), "projection"),
        ),
        api(
            "POST /api/v1/projections/{id}/scenarios/",
            apost(
                "plans",
                post(
                    "/api/v1/projections/{pk}/scenarios/",
                    lambda c, o: {"name": "tfr-1.5", "tfr_target": 1.5, "tfr_year": 2032},
                    json=True,
                ),
                "projection",
            ),
        ),
        api("GET /api/v1/report-types/", aget("login", plain("/api/v1/report-types/"))),
        api(
            "GET /api/v1/report-types/{code}/",
            aget("login", path("/api/v1/report-types/{pk}/"), "reporttype"),
        ),
        api("GET /api/v1/reports/", aget("login", plain("/api/v1/reports/"), listing=("report",))),
        api("GET /api/v1/reports/{id}/", aget("view", path("/api/v1/reports/{pk}/"), "report")),
        api(
            "POST /api/v1/reports/{id}/approve/", _report_action("approve", Report.Status.SUBMITTED)
        ),
        api(
            "POST /api/v1/reports/{id}/return/",
            _report_action("return", Report.Status.SUBMITTED, {"comment": "Sửa lại"}),
        ),
        api("POST /api/v1/reports/{id}/submit/", _report_action("submit", Report.Status.DRAFT)),
        api(
            "POST /api/v1/reports/{id}/unlock/",
            _report_action("unlock", Report.Status.APPROVED, {"reason": "Mở lại để sửa"}),
        ),
        api(
            "GET /api/v1/reports/status/",
            aget("view", status_req, "unit", levels=RECEIVERS),
            note="completeness under a receiving unit",
        ),
    )
}

ALL: dict[str, Endpoint] = {**SCREENS, **API}

# activities (issue 18)
# The activities of the world's plans (``matrix_world``: one per plan, in March of its
# year): read with the whole plan, changed with the plan's editors; an occurrence, a
# committee member and a meeting are made for each request, in its savepoint.


def _activity_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"name": "Hoạt động thử của ma trận", "kind": "campaign", "repeats": "monthly"}


def _occurrence_req(method: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        from danso.plans.models import Activity, ActivityOccurrence

        assert obj is not None
        activity = Activity.objects.get(pk=obj.extra["activity"])
        assert activity.start is not None
        assert activity.end is not None
        occurrence, _created = ActivityOccurrence.objects.get_or_create(
            activity=activity, start=activity.start, end=activity.end
        )
        data = {
            "held": "yes",
            "held_on": vn(activity.start.replace(day=10)),
            "sessions": "2",
            "women": "1.250",
            "note": "Thử",
        }
        return Req(
            f"/plans/{obj.pk}/activities/{activity.pk}/results/{occurrence.pk}/",
            ctx.query(),
            data if method == "POST" else None,
        )

    return build


def _committee_req(method: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        assert obj is not None
        data = {
            "action": "member",
            "member-name": "Thành viên thử",
            "member-role": "member",
            "member-active": "on",
        }
        query = ctx.query(unit=obj.pk, year=ctx.day.year)
        return Req("/plans/committee/", query, data if method == "POST" else None)

    return build


def _committee_row_req(kind: str, method: str) -> Build:
    def build(ctx: Ctx, obj: Obj | None) -> Req:
        from danso.plans.models import CommitteeMeeting, CommitteeMember

        assert obj is not None
        if kind == "member":
            row: Any = CommitteeMember.objects.create(
                unit_id=obj.pk, year=ctx.day.year, name="Thành viên thử"
            )
            data = {"name": "Thành viên đã sửa", "role": "deputy", "active": "on"}
            url = f"/plans/committee/members/{row.pk}/"
        else:
            row = CommitteeMeeting.objects.create(unit_id=obj.pk, held_on=ctx.day, chair="Chủ trì")
            data = {"held_on": vn(ctx.day), "chair": "Chủ trì", "present": "7", "absent": "1"}
            url = f"/plans/committee/meetings/{row.pk}/"
        return Req(url, ctx.query(), data if method == "POST" else None)

    return build


_ACTIVITY = "/plans/{pk}/activities/{activity}/"
_ACTIVITY_SCREENS: dict[str, Endpoint] = {
    "plans:activities": Endpoint(
        "plans:activities",
        (get("full", path("/plans/{pk}/activities/"), "plan"),),
        note="the schedule with progress and budget: the whole plan",
    ),
    "plans:activity_create": Endpoint(
        "plans:activity_create",
        (
            get("plans", path("/plans/{pk}/activities/new/"), "plan"),
            send("plans", post("/plans/{pk}/activities/new/", _activity_form), "plan"),
        ),
    ),
    "plans:activity_change": Endpoint(
        "plans:activity_change",
        (
            get("plans", path(_ACTIVITY + "edit/", "activity"), "plan"),
            send("plans", post(_ACTIVITY + "edit/", _activity_form), "plan"),
        ),
    ),
    "plans:activity_results": Endpoint(
        "plans:activity_results",
        (get("full", path(_ACTIVITY + "results/", "activity"), "plan"),),
    ),
    "plans:occurrence_record": Endpoint(
        "plans:occurrence_record",
        (
            get("plans", _occurrence_req("GET"), "plan"),
            send("plans", _occurrence_req("POST"), "plan"),
        ),
        note="an occurrence of the plan's activity, made in the request's savepoint",
    ),
    "plans:activity_counts": Endpoint(
        "plans:activity_counts",
        (
            send(
                "plans",
                post(
                    "/plans/{pk}/activities/counts/",
                    lambda c, o: {"year": str(o.extra["year"]) if o else ""},
                ),
                "plan",
            ),
        ),
        note="POST only; the results as the unit's data values",
    ),
    "plans:committee": Endpoint(
        "plans:committee",
        (
            get("view", _committee_req("GET"), "unit", levels=ABOVE_VILLAGE),
            send("plans", _committee_req("POST"), "unit", levels=ABOVE_VILLAGE),
        ),
    ),
    "plans:committee_member": Endpoint(
        "plans:committee_member",
        (
            get("plans", _committee_row_req("member", "GET"), "unit", levels=ABOVE_VILLAGE),
            send("plans", _committee_row_req("member", "POST"), "unit", levels=ABOVE_VILLAGE),
        ),
        note="a member of the unit's committee, made in the request's savepoint",
    ),
    "plans:committee_meeting": Endpoint(
        "plans:committee_meeting",
        (
            get("plans", _committee_row_req("meeting", "GET"), "unit", levels=ABOVE_VILLAGE),
            send("plans", _committee_row_req("meeting", "POST"), "unit", levels=ABOVE_VILLAGE),
        ),
        note="a meeting of the unit's committee, made in the request's savepoint",
    ),
}
SCREENS.update(_ACTIVITY_SCREENS)
ALL.update(_ACTIVITY_SCREENS)

# baselines, report duties (issue 18)
# A unit's baselines are entered by whoever edits plans on it; a plan's report duties by
# the plan's editors (a duty is made for each request, in its savepoint); the monitoring
# screen shows what ``plans.monitoring.monitor`` lets the reader see of the plan.


def _baseline_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {"indicator": "BIRTH3P", "year": "2023", "value": "6,5", "source": "Báo cáo thử"}


_DUTY_FORM = {
    "period": "quarter",
    "rule": "before_day_next",
    "day": "10",
    "month": "",
    "days": "",
    "recipient": "UBND thử",
    "text": "",
}


def _duty_req(method: str, suffix: str = "") -> Build:
    """A report duty of the plan, made in the request's savepoint, edited or deleted."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        from danso.plans.models import ReportObligation

        assert obj is not None
        duty = ReportObligation.objects.create(
            plan_id=obj.pk, period="year", rule="fixed_date", day=15, month=12
        )
        data = (_DUTY_FORM if not suffix else {}) if method == "POST" else None
        return Req(f"/plans/{obj.pk}/duties/{duty.pk}/{suffix}", ctx.query(), data)

    return build


_ISSUE_18_SCREENS: dict[str, Endpoint] = {
    "plans:baselines": Endpoint(
        "plans:baselines",
        (
            get("plans", path("/plans/baselines/{pk}/"), "unit", levels=ABOVE_VILLAGE),
            send(
                "plans",
                post("/plans/baselines/{pk}/", _baseline_form),
                "unit",
                levels=ABOVE_VILLAGE,
            ),
        ),
        note="the unit's entered baselines and the form to enter one",
    ),
    "plans:duty_create": Endpoint(
        "plans:duty_create",
        (
            get("plans", path("/plans/{pk}/duties/new/"), "plan"),
            send("plans", post("/plans/{pk}/duties/new/", lambda c, o: dict(_DUTY_FORM)), "plan"),
        ),
    ),
    "plans:duty_edit": Endpoint(
        "plans:duty_edit",
        (
            get("plans", _duty_req("GET"), "plan"),
            send("plans", _duty_req("POST"), "plan"),
        ),
        note="a duty of the plan, made in the request's savepoint",
    ),
    "plans:duty_delete": Endpoint(
        "plans:duty_delete",
        (
            get("plans", _duty_req("GET", "delete/"), "plan"),
            send("plans", _duty_req("POST", "delete/"), "plan"),
        ),
        note="asks (GET), deletes (POST) a duty made in the request's savepoint",
    ),
    "plans:monitoring": Endpoint(
        "plans:monitoring",
        (get("below", path("/plans/{pk}/monitoring/"), "plan"),),
        note="the plan's targets against the register: one's own rows below",
    ),
}
SCREENS.update(_ISSUE_18_SCREENS)
ALL.update(_ISSUE_18_SCREENS)
