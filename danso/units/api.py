"""``/api/v1/units/``: the dated tree over HTTP, in the caller's unit scope.

Every request is answered for one day (``?date=YYYY-MM-DD``, default today); a unit
outside the caller's scope is answered 404, exactly like a unit that does not exist.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request

from danso.accounts.scope import unit_scope
from danso.apibase import ID_PATTERN, ID_QUERY, query_id
from danso.units import selectors
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import UnitScope

DATE_PARAM = OpenApiParameter(
    "date", OpenApiTypes.DATE, description="The day the tree is looked at (default: today)."
)


def api_scope(request: Request) -> UnitScope:
    raw = request.query_params.get("date")
    try:
        on = date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError as error:
        raise ValidationError({"date": "use YYYY-MM-DD"}) from error
    cached = getattr(request, "_danso_api_scope", None)
    if isinstance(cached, UnitScope) and cached.on == on:
        return cached
    scope = unit_scope(request.user, on)
    request._danso_api_scope = scope  # type: ignore[attr-defined]
    return scope


class ParentSerializer(serializers.Serializer[UnitVersion]):
    id = serializers.IntegerField(source="unit_id")
    code = serializers.CharField(source="display_code")
    name = serializers.CharField()
    level = serializers.CharField(source="unit.level")


class UnitSerializer(serializers.ModelSerializer[UnitVersion]):
    id = serializers.IntegerField(source="unit_id", help_text="The unit's lasting id.")
    code = serializers.CharField(source="display_code")
    level = serializers.CharField(source="unit.level")
    valid_from = serializers.DateField(source="unit.valid_from", help_text="First day it exists.")
    valid_to = serializers.DateField(
        source="unit.valid_to",
        allow_null=True,
        help_text="Last day it exists (null: still exists).",
    )
    version_valid_from = serializers.DateField(source="valid_from")
    version_valid_to = serializers.DateField(source="valid_to", allow_null=True)
    parent_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = UnitVersion
        fields = [
            "id",
            "code",
            "name",
            "level",
            "type",
            "valid_from",
            "valid_to",
            "version_valid_from",
            "version_valid_to",
            "parent_id",
        ]


LINKS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "name": {"type": "string"},
            "level": {"type": "string"},
            "valid_from": {"type": "string", "format": "date"},
            "valid_to": {"type": "string", "format": "date", "nullable": True},
            "effective": {"type": "string", "format": "date"},
            "partial": {"type": "boolean"},
        },
    },
}


class UnitDetailSerializer(UnitSerializer):
    # "parent" shadows Field.parent only on the class; DRF moves declared fields out.
    parent = serializers.SerializerMethodField()  # type: ignore[assignment]
    predecessors = serializers.SerializerMethodField()
    successors = serializers.SerializerMethodField()

    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "parent", "predecessors", "successors"]

    @extend_schema_field(ParentSerializer(allow_null=True))
    def get_parent(self, version: UnitVersion) -> dict[str, Any] | None:
        above = selectors.ancestors(version)
        return ParentSerializer(above[-1]).data if above else None

    def _links(self, links: list[selectors.Link]) -> list[dict[str, Any]]:
        return [{**link.as_dict(), "id": link.version.unit_id} for link in links]

    @extend_schema_field(LINKS_SCHEMA)
    def get_predecessors(self, version: UnitVersion) -> list[dict[str, Any]]:
        return self._links(selectors.predecessors(version.unit))

    @extend_schema_field(LINKS_SCHEMA)
    def get_successors(self, version: UnitVersion) -> list[dict[str, Any]]:
        return self._links(selectors.successors(version.unit))


@extend_schema_view(
    list=extend_schema(
        parameters=[
            DATE_PARAM,
            OpenApiParameter("parent", ID_QUERY, description="id of the parent unit"),
            OpenApiParameter("level", OpenApiTypes.STR, enum=[lvl.value for lvl in Level]),
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="words of the name, diacritics optional"
            ),
        ]
    ),
    retrieve=extend_schema(parameters=[DATE_PARAM]),
)
class UnitViewSet(viewsets.ReadOnlyModelViewSet[UnitVersion]):
    """Administrative units as they stood on ``date``."""

    lookup_value_regex = ID_PATTERN

    serializer_class = UnitSerializer
    lookup_field = "unit_id"
    lookup_url_kwarg = "id"

    def get_serializer_class(self) -> type[serializers.BaseSerializer[UnitVersion]]:
        return UnitDetailSerializer if self.action == "retrieve" else UnitSerializer

    def get_queryset(self) -> QuerySet[UnitVersion]:
        scope = api_scope(self.request)
        rows = selectors.visible_versions(scope)
        params = self.request.query_params
        parent = query_id(self.request, "parent")
        if parent is not None:
            rows = rows.filter(parent_id=parent)
        if params.get("level"):
            if params["level"] not in {lvl.value for lvl in Level}:
                raise ValidationError({"level": [lvl.value for lvl in Level]})
            rows = rows.filter(unit__level=params["level"])
        if params.get("search"):
            ids = [v.pk for v in selectors.search_units(params["search"], scope, limit=200)]
            rows = rows.filter(pk__in=ids)
        return rows.order_by("unit__level", *selectors.CODE_ORDER)

    def get_object(self) -> UnitVersion:
        try:
            unit_id = int(self.kwargs["id"])
        except ValueError as error:
            raise NotFound from error
        try:
            return selectors.unit_on(unit_id, api_scope(self.request))
        except (selectors.UnitNotFound, selectors.UnitOutOfScope) as error:
            # The same answer whether it does not exist or is not the caller's to see.
            raise NotFound from error
