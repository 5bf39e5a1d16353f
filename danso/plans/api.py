"""``/api/v1/plans/``: plans, their targets and allocation cells, in the caller's scope
(decided on each plan's date, see ``plans.selectors``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from danso.apibase import ID_PATTERN
from danso.indicators.models import Indicator
from danso.plans import services
from danso.plans.models import Allocation, Plan, Target
from danso.plans.selectors import Access, allocations_visible, plan_access, plans_visible
from danso.units.models import Unit


class TargetSerializer(serializers.ModelSerializer[Target]):
    indicator = serializers.CharField(source="indicator.code")

    class Meta:
        model = Target
        fields = [
            "id",
            "indicator",
            "kind",
            "value",
            "unit",
            "baseline_year",
            "tolerance",
            "condition",
            "breakdown",
        ]


class PlanSerializer(serializers.ModelSerializer[Plan]):
    unit = serializers.IntegerField(source="unit_id")

    class Meta:
        model = Plan
        fields = [
            "id",
            "unit",
            "issuer",
            "number",
            "issued_on",
            "place",
            "title",
            "period_start",
            "period_end",
            "status",
            "implements",
            "allocation_due",
            "allocation_issued_on",
        ]


class PlanDetailSerializer(PlanSerializer):
    targets = TargetSerializer(many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "targets"]


class AllocationSerializer(serializers.ModelSerializer[Allocation]):
    indicator = serializers.CharField(source="target.indicator.code", read_only=True)
    target = serializers.PrimaryKeyRelatedField(queryset=Target.objects.all())
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    unit_name = serializers.CharField(source="unit.__str__", read_only=True)

    class Meta:
        model = Allocation
        fields = [
            "id",
            "target",
            "indicator",
            "unit",
            "unit_name",
            "value",
            "breakdown",
            "source",
            "updated_at",
        ]
        read_only_fields = ["source", "updated_at"]
        validators: list[Any] = []


class PlanViewSet(viewsets.ReadOnlyModelViewSet[Plan]):
    """Plans the caller sees (all of the plan, or the rows of their own units)."""

    lookup_value_regex = ID_PATTERN

    serializer_class = PlanSerializer

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Plan]]:
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        ids = [plan.pk for plan, _access in plans_visible(self.request.user)]
        return (
            Plan.objects.filter(pk__in=ids).select_related("unit").order_by("-period_start", "pk")
        )

    @extend_schema(responses=AllocationSerializer(many=True), request=AllocationSerializer)
    @action(detail=True, methods=["get", "post"])
    def allocations(self, request: Request, pk: str | None = None) -> Response:
        """GET: the cells the caller sees; POST: set one cell (needs the right to write
        the plan)."""
        plan = self.get_object()
        if request.method == "GET":
            rows = allocations_visible(request.user, plan)
            return Response(AllocationSerializer(rows, many=True).data)
        if plan_access(request.user, plan) is not Access.EDIT:
            raise PermissionDenied("you may not change this allocation")
        serializer = AllocationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target: Target = serializer.validated_data["target"]
        if target.plan_id != plan.pk:
            raise NotFound("no such target in this plan")
        value: Decimal | None = serializer.validated_data.get("value")
        try:
            row = services.allocation_set(
                target=target,
                unit=serializer.validated_data["unit"],
                value=value,
                breakdown=serializer.validated_data.get("breakdown"),
                user=request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from error
        return Response(AllocationSerializer(row).data, status=status.HTTP_201_CREATED)


class IndicatorSerializer(serializers.ModelSerializer[Indicator]):
    # "parent" shadows Field.parent only on the class; DRF moves declared fields out.
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.code", allow_null=True, read_only=True
    )

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name_vi",
            "name_en",
            "unit",
            "direction",
            "numerator",
            "denominator",
            "decimals",
            "is_count",
            "parent",
            "valid_from_year",
            "valid_to_year",
        ]


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet[Indicator]):
    """The indicator catalogue (the same for everyone)."""

    serializer_class = IndicatorSerializer
    queryset = Indicator.objects.select_related("parent").order_by("code")
    lookup_field = "code"
