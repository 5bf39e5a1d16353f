"""``/api/v1/population/``: population figures in the caller's scope (read and write)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from danso.apibase import ID_PATTERN, ID_QUERY, YEAR_QUERY, query_id
from danso.bounds import MAX_ID, YEARS
from danso.params import year_param
from danso.population.models import PopulationFigure
from danso.population.selectors import figures_visible
from danso.population.services import FigureInput, figure_save
from danso.units import selectors
from danso.units.api import DATE_PARAM, api_scope
from danso.units.scope import Action


class FigureSerializer(serializers.ModelSerializer[PopulationFigure]):
    unit = serializers.IntegerField(
        source="unit_id", min_value=1, max_value=MAX_ID, help_text="id of the unit"
    )
    year = serializers.IntegerField(min_value=YEARS[0], max_value=YEARS[1])
    male_by_age = serializers.ListField(
        child=serializers.IntegerField(min_value=0),
        allow_null=True,
        required=False,
        help_text="one count per age group of age_groups",
    )
    female_by_age = serializers.ListField(
        child=serializers.IntegerField(min_value=0), allow_null=True, required=False
    )
    age_groups = serializers.SerializerMethodField()

    class Meta:
        model = PopulationFigure
        fields = [
            "id",
            "unit",
            "year",
            "total",
            "male",
            "female",
            "open_age",
            "age_groups",
            "male_by_age",
            "female_by_age",
            "source",
            "note",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at", "age_groups"]
        extra_kwargs = {"total": {"required": False}}

    def get_age_groups(self, figure: PopulationFigure) -> list[str]:
        return [label for label, _m, _f in figure.age_rows()]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            DATE_PARAM,
            OpenApiParameter("unit", ID_QUERY, description="id of the unit"),
            OpenApiParameter("year", YEAR_QUERY),
        ]
    ),
    retrieve=extend_schema(parameters=[DATE_PARAM]),
    create=extend_schema(parameters=[DATE_PARAM]),
)
class FigureViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[PopulationFigure],
):
    """Population figures of the units the caller sees on ``date``.  POST creates or
    replaces the figure of a unit and year (checked: sexes add up, age groups add up)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = FigureSerializer

    def get_queryset(self) -> QuerySet[PopulationFigure]:
        rows = figures_visible(api_scope(self.request))
        params = self.request.query_params
        unit = query_id(self.request, "unit")
        if unit is not None:
            rows = rows.filter(unit_id=unit)
        if params.get("year"):
            year = year_param(params["year"])
            if year is None:
                raise ValidationError({"year": [_("Give a year between 1900 and 2100.")]})
            rows = rows.filter(year=year)
        return rows.order_by("unit_id", "year")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scope = api_scope(request)
        try:
            version = selectors.unit_on(data["unit_id"], scope)
        except (selectors.UnitNotFound, selectors.UnitOutOfScope) as error:
            raise NotFound from error
        if not scope.allows(Action.EDIT_POPULATION, version):
            raise PermissionDenied("you may not enter figures for this unit")
        try:
            figure = figure_save(
                unit=version.unit,
                user=request.user,
                figure=FigureInput(
                    year=data["year"],
                    total=data.get("total"),
                    male=data.get("male"),
                    female=data.get("female"),
                    open_age=data.get("open_age", 85),
                    male_by_age=data.get("male_by_age"),
                    female_by_age=data.get("female_by_age"),
                    source=data.get("source", ""),
                    note=data.get("note", ""),
                ),
            )
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(FigureSerializer(figure).data, status=status.HTTP_201_CREATED)
