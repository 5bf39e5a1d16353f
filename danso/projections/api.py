"""``/api/v1/projections/``: projections in the caller's scope (decided on each
projection's base date, see ``projections.selectors``): list, read, make one, add a
scenario."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from danso.accounts.scope import unit_scope
from danso.apibase import ID_PATTERN
from danso.bounds import MAX_ID
from danso.projections import selectors, services
from danso.projections.method import (
    BUILTIN_SCENARIOS,
    MAX_YEARS,
    SCENARIO_NAME,
    Migration,
    ScenarioSpec,
)
from danso.projections.models import LifeTable, Projection, Scenario
from danso.units import selectors as units
from danso.units.scope import Action


class ScenarioSerializer(serializers.ModelSerializer[Scenario]):
    class Meta:
        model = Scenario
        fields = [
            "id",
            "name",
            "tfr_target",
            "tfr_year",
            "srb_target",
            "srb_year",
            "migration",
            "migration_factor",
            "migration_female",
            "migration_male",
            "results",
        ]


class ProjectionSerializer(serializers.ModelSerializer[Projection]):
    unit = serializers.IntegerField(source="unit_id")
    scenarios = serializers.SerializerMethodField()

    class Meta:
        model = Projection
        fields = [
            "id",
            "unit",
            "base_date",
            "to_year",
            "mortality",
            "life_table",
            "sources",
            "inputs",
            "scenarios",
            "created_at",
        ]

    def get_scenarios(self, projection: Projection) -> list[dict[str, Any]]:
        """Names only in lists; the results with them when one projection is read."""
        rows = projection.scenarios.all()
        if self.context.get("full"):
            return [dict(ScenarioSerializer(s).data) for s in rows]
        return [{"id": s.pk, "name": s.name} for s in rows]


class ProjectionCreateSerializer(serializers.Serializer[Projection]):
    unit = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="id of the unit")
    base_date = serializers.DateField()
    to_year = serializers.IntegerField()
    scenarios = serializers.ListField(
        child=serializers.ChoiceField(choices=list(BUILTIN_SCENARIOS)),
        default=["constant"],
        help_text="built-in scenario names",
    )
    mortality = serializers.ChoiceField(
        choices=Projection.Mortality.choices, default=Projection.Mortality.DEFAULT
    )
    life_table = serializers.PrimaryKeyRelatedField(
        queryset=LifeTable.objects.all(), required=False, allow_null=True
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not 1 <= attrs["to_year"] - attrs["base_date"].year <= MAX_YEARS:
            raise ValidationError({"to_year": f"1 to {MAX_YEARS} years after the base date"})
        return attrs


class ScenarioCreateSerializer(serializers.Serializer[Scenario]):
    name = serializers.RegexField(SCENARIO_NAME, max_length=60)
    tfr_target = serializers.FloatField(required=False, allow_null=True)
    tfr_year = serializers.IntegerField(required=False, allow_null=True)
    srb_target = serializers.FloatField(required=False, allow_null=True)
    srb_year = serializers.IntegerField(required=False, allow_null=True)
    migration = serializers.ChoiceField(
        choices=[m.value for m in Migration], default=Migration.REGISTER.value
    )
    migration_factor = serializers.FloatField(default=1.0)
    migration_female = serializers.ListField(
        child=serializers.FloatField(), required=False, allow_null=True
    )
    migration_male = serializers.ListField(
        child=serializers.FloatField(), required=False, allow_null=True
    )


def _problem(error: services.ProjectionError) -> ValidationError:
    return ValidationError({"detail": str(error)})


class ProjectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Projection],
):
    """Projections of the units the caller sees on each projection's base date. POST
    makes one (``unit``, ``base_date``, ``to_year``, built-in ``scenarios``, ``mortality``)
    for a unit the caller plans for on the base date; ``POST …/{id}/scenarios/`` adds a
    scenario of one's own."""

    lookup_value_regex = ID_PATTERN

    serializer_class = ProjectionSerializer

    def get_queryset(self) -> QuerySet[Projection]:
        return selectors.projections_visible(self.request.user).prefetch_related("scenarios")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        projection = self._projection(int(kwargs["pk"]), Action.VIEW)
        return Response(ProjectionSerializer(projection, context={"full": True}).data)

    def _projection(self, projection_id: int, wanted: Action) -> Projection:
        try:
            return selectors.projection_for(self.request.user, projection_id, wanted)
        except Projection.DoesNotExist as error:
            raise NotFound from error
        except selectors.ProjectionOutOfScope as error:
            raise PermissionDenied("this projection is outside your units") from error

    @extend_schema(request=ProjectionCreateSerializer, responses=ProjectionSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = ProjectionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scope = unit_scope(request.user, data["base_date"])
        try:
            version = units.unit_on(data["unit"], scope, Action.EDIT_PLANS)
        except units.UnitNotFound as error:
            raise ValidationError({"unit": str(error)}) from error
        except units.UnitOutOfScope as error:
            raise PermissionDenied(str(error)) from error
        try:
            projection = services.projection_create(
                version=version,
                base_date=data["base_date"],
                to_year=data["to_year"],
                scenarios=[BUILTIN_SCENARIOS[name] for name in data["scenarios"]],
                mortality=data["mortality"],
                life_table=data.get("life_table"),
                user=request.user,
            )
        except services.ProjectionError as error:
            raise _problem(error) from error
        return Response(
            ProjectionSerializer(projection, context={"full": True}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ScenarioCreateSerializer, responses=ScenarioSerializer)
    @action(detail=True, methods=["post"])
    def scenarios(self, request: Request, pk: str | None = None) -> Response:
        projection = self._projection(int(pk or 0), Action.EDIT_PLANS)
        serializer = ScenarioCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            spec = ScenarioSpec(
                name=data["name"],
                tfr_target=data.get("tfr_target"),
                tfr_year=data.get("tfr_year"),
                srb_target=data.get("srb_target"),
                srb_year=data.get("srb_year"),
                migration=Migration(data["migration"]),
                migration_factor=data["migration_factor"],
                migration_female=_tuple(data.get("migration_female")),
                migration_male=_tuple(data.get("migration_male")),
            )
        except ValueError as error:
            raise ValidationError({"detail": str(error)}) from error
        try:
            scenario = services.scenario_add(projection=projection, spec=spec)
        except services.ProjectionError as error:
            raise _problem(error) from error
        return Response(ScenarioSerializer(scenario).data, status=status.HTTP_201_CREATED)


def _tuple(values: list[float] | None) -> tuple[float, ...] | None:
    return tuple(values) if values is not None else None
