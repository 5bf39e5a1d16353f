"""What the scope matrix (``tests/privacy``) needs to ask the facilities' screens: a
facility (and an inspection of it) made, in the request's savepoint, in the commune the
matrix asks about, and the forms' payloads.  ``tests/privacy/endpoints.py`` lists the
screens with these builders; the request types are imported when a request is built,
since that module imports this one."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from danso.facilities.models import Facility, Inspection
from danso.units.codes import Level

if TYPE_CHECKING:
    from tests.privacy.endpoints import Ctx, Req
    from tests.privacy.matrix_world import Obj

Payload = Callable[["Ctx", "Obj | None"], dict[str, Any]]
TAG = "Phòng khám ma trận [{key}]"


def _facility(ctx: Ctx, obj: Obj | None) -> Facility:
    assert obj is not None
    return Facility.objects.create(
        unit_id=obj.pk, name=f"Phòng khám thử {obj.name}", services=["ultrasound"]
    )


def _request(ctx: Ctx, url: str, data: Payload | None, obj: Obj | None) -> Req:
    from tests.privacy.endpoints import Req

    return Req(url, ctx.query(), data(ctx, obj) if data is not None else None)


def facility_req(template: str, data: Payload | None = None) -> Callable[[Ctx, Obj | None], Req]:
    """``template`` ("/facilities/{pk}/") for a facility of the commune asked about."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        return _request(ctx, template.format(pk=_facility(ctx, obj).pk), data, obj)

    return build


def inspection_req(template: str, data: Payload | None = None) -> Callable[[Ctx, Obj | None], Req]:
    """``template`` for an inspection, on the day looked at, of a facility of the
    commune asked about."""

    def build(ctx: Ctx, obj: Obj | None) -> Req:
        inspection = Inspection.objects.create(
            facility=_facility(ctx, obj),
            date=ctx.day,
            team="Đoàn kiểm tra thử",
            inspected_by=ctx.mw.base.users["admin"],
        )
        return _request(ctx, template.format(pk=inspection.pk), data, obj)

    return build


def facility_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {
        "commune": obj.pk,
        "name": "Phòng khám siêu âm thử",
        "address": "",
        "ownership": "private",
        "services": ["ultrasound"],
        "active": "on",
    }


def facility_edit_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {key: value for key, value in facility_form(ctx, obj).items() if key != "commune"}


def inspection_form(ctx: Ctx, obj: Obj | None) -> dict[str, Any]:
    return {
        "date": f"{ctx.day:%d/%m/%Y}",
        "team": "Đoàn kiểm tra thử",
        "checklist": ["notice_posted"],
        "violation": "on",
        "violation_kind": "disclosure",
        "fine": "1.000.000",
    }


def facilities_everywhere(ctx: Ctx, obj: Obj) -> None:
    """A facility in every commune of the world (made in the request's savepoint)."""
    for key, unit in ctx.mw.units.items():
        if unit.level == Level.COMMUNE:
            Facility.objects.create(unit=unit, name=TAG.format(key=key))


def facilities_outside(ctx: Ctx, obj: Obj | None, response: Any) -> list[str]:
    """The facilities of communes outside the caller's reach that the answer names."""
    from tests.privacy.endpoints import body_text

    text = body_text(response)
    reached = ctx.reached()
    return [
        f"lists the facility of {key}"
        for key, unit in ctx.mw.units.items()
        if unit.level == Level.COMMUNE
        and key not in reached
        and TAG.format(key=key).casefold() in text
    ]
