"""``/api/v1/reports/`` and ``/api/v1/report-types/``: the periodic reports over HTTP.

Reports are listed and read in the caller's scope, taken on each report's tree day
(``inbox.reports_visible``, ``inbox.report_access``); a report outside it is answered
404, exactly like one that does not exist.  ``POST …/{id}/submit/``, ``approve/``,
``return/`` (``comment``) and ``unlock/`` (``reason``) run the services, which check the
caller's right again: 403 when refused, 400 with the reason when the report's state does
not allow it.  ``GET /api/v1/reports/status/?type=&period=&unit=`` gives the
completeness and timeliness of a type and period under a unit, as ``danso reports
status`` prints them.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from danso.accounts.scope import unit_scope
from danso.apibase import ID_PATTERN, ID_QUERY, query_id
from danso.bounds import MAX_ID
from danso.reports import inbox, selectors, services
from danso.reports.models import Report, ReportFigure, ReportRow, ReportText, ReportType
from danso.units.models import Unit
from danso.units.scope import Action

#: A period as the API takes it (``indicators.periods.Period.parse``), years 1000–9999.
PERIOD_PATTERN = r"^[1-9][0-9]{3}(Q[1-4]|-(0[1-9]|1[0-2])|-YTD-(0[1-9]|1[0-2]))?$"


class ReportRowSerializer(serializers.ModelSerializer[ReportRow]):
    class Meta:
        model = ReportRow
        fields = ["position", "kind", "key", "label_vi", "label_en"]


class ReportTypeSerializer(serializers.ModelSerializer[ReportType]):
    feeds = serializers.SlugRelatedField[ReportType](
        slug_field="code", read_only=True, allow_null=True
    )
    rows = ReportRowSerializer(many=True, read_only=True)

    class Meta:
        model = ReportType
        fields = [
            "code",
            "name_vi",
            "name_en",
            "form",
            "period_kind",
            "reporting_level",
            "receiving_level",
            "deadline",
            "child_columns",
            "feeds",
            "active",
            "rows",
        ]


class ReportSerializer(serializers.ModelSerializer[Report]):
    type = serializers.CharField(source="report_type.code")
    unit = serializers.IntegerField(source="unit_id")
    due = serializers.SerializerMethodField(help_text="The last day the report is on time.")

    class Meta:
        model = Report
        fields = [
            "id",
            "type",
            "unit",
            "period",
            "period_end",
            "due",
            "status",
            "submitted_at",
            "decided_at",
            "comment",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.DATE)
    def get_due(self, report: Report) -> date:
        # the view puts one calendar in the context for the whole list
        calendar = self.context.get("calendar") or selectors.working_calendar()
        return selectors.due_date(report.report_type, report.parsed_period, calendar)


class ReportFigureSerializer(serializers.ModelSerializer[ReportFigure]):
    row = serializers.CharField(source="row.key", help_text="the row's indicator or count key")
    kind = serializers.CharField(source="row.kind")
    column = serializers.IntegerField(
        source="column_id", allow_null=True, help_text="id of the unit below; null: the unit"
    )
    computed = serializers.DecimalField(
        max_digits=18, decimal_places=4, coerce_to_string=False, allow_null=True
    )
    value = serializers.DecimalField(
        max_digits=18, decimal_places=4, coerce_to_string=False, allow_null=True
    )
    corrected = serializers.BooleanField(help_text="the value differs from the computed one")

    class Meta:
        model = ReportFigure
        fields = [
            "id",
            "row",
            "kind",
            "column",
            "computed",
            "value",
            "source",
            "estimated",
            "reason",
            "corrected",
            "corrected_at",
        ]


class ReportTextSerializer(serializers.ModelSerializer[ReportText]):
    key = serializers.CharField(source="row.key")

    class Meta:
        model = ReportText
        fields = ["key", "text"]


class ReportDetailSerializer(ReportSerializer):
    figures = serializers.SerializerMethodField()
    texts = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "figures", "texts"]

    @extend_schema_field(ReportFigureSerializer(many=True))
    def get_figures(self, report: Report) -> Any:
        rows = report.figures.select_related("row").order_by("row__position", "column_id")
        return ReportFigureSerializer(rows, many=True).data

    @extend_schema_field(ReportTextSerializer(many=True))
    def get_texts(self, report: Report) -> Any:
        return ReportTextSerializer(report.texts.select_related("row"), many=True).data


class CommentSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(help_text="what must be corrected")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text="why the approved report reopens")


STATUS_RESPONSE = inline_serializer(
    "ReportStatus",
    {
        "type": serializers.CharField(),
        "period": serializers.CharField(),
        "unit": serializers.IntegerField(),
        "due": serializers.DateField(),
        "expected": serializers.IntegerField(),
        "received": serializers.IntegerField(),
        "on_time": serializers.IntegerField(),
        "completeness": serializers.FloatField(allow_null=True, help_text="% of expected"),
        "timeliness": serializers.FloatField(allow_null=True, help_text="% of expected"),
        "missing": serializers.ListField(child=serializers.CharField()),
        "late": serializers.ListField(child=serializers.CharField()),
    },
)


def _refused(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("type", OpenApiTypes.STR, description="code of the report type"),
            OpenApiParameter("period", OpenApiTypes.STR, description="2025-01, 2025Q1 or 2025"),
            OpenApiParameter("unit", ID_QUERY, description="id of the reporting unit"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=[s.value for s in Report.Status]),
        ]
    ),
    retrieve=extend_schema(responses=ReportDetailSerializer),
)
class ReportViewSet(viewsets.ReadOnlyModelViewSet[Report]):
    """Reports of the units the caller sees, newest period first; one report with its
    figures and sections; the workflow's actions."""

    lookup_value_regex = ID_PATTERN

    serializer_class = ReportSerializer

    def get_queryset(self) -> QuerySet[Report]:
        rows = inbox.reports_visible(self.request.user)
        params = self.request.query_params
        if params.get("type"):
            rows = rows.filter(report_type__code=params["type"])
        if params.get("period"):
            rows = rows.filter(period=params["period"].strip())
        unit = query_id(self.request, "unit")
        if unit is not None:
            rows = rows.filter(unit_id=unit)
        if params.get("status"):
            if params["status"] not in Report.Status.values:
                raise ValidationError({"status": Report.Status.values})
            rows = rows.filter(status=params["status"])
        return rows.order_by("-period_end", "report_type__code", "unit_id")

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "calendar": selectors.working_calendar()}

    def get_object(self) -> Report:
        try:
            report_id = int(self.kwargs["pk"])
            return inbox.report_access(self.request.user, report_id).report
        except (ValueError, Report.DoesNotExist, inbox.ReportOutOfScope) as error:
            # the same answer whether it does not exist or is not the caller's to see
            raise NotFound from error

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        return Response(ReportDetailSerializer(report, context=self.get_serializer_context()).data)

    def _done(self, report: Report) -> Response:
        report.refresh_from_db()
        return Response(ReportSerializer(report, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str | None = None) -> Response:
        """Send a draft or returned report to the level above."""
        report = self.get_object()
        try:
            services.report_submit(report=report, actor=request.user)
        except DjangoValidationError as error:
            raise _refused(error) from error
        return self._done(report)

    @extend_schema(request=None, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve a submitted report (the receiving level)."""
        report = self.get_object()
        try:
            services.report_approve(report=report, actor=request.user)
        except DjangoValidationError as error:
            raise _refused(error) from error
        return self._done(report)

    @extend_schema(request=CommentSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: str | None = None) -> Response:
        """Return a submitted report to its unit with a comment (the receiving level)."""
        report = self.get_object()
        data = CommentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.report_return(
                report=report, comment=data.validated_data["comment"], actor=request.user
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        return self._done(report)

    @extend_schema(request=ReasonSerializer, responses=ReportSerializer)
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: str | None = None) -> Response:
        """Reopen an approved report for a correction, with a reason (the receiving level)."""
        report = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.report_unlock(
                report=report, reason=data.validated_data["reason"], actor=request.user
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        return self._done(report)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "type", OpenApiTypes.STR, required=True, description="a report type's code"
            ),
            OpenApiParameter(
                "period",
                {"type": "string", "pattern": PERIOD_PATTERN},
                required=True,
                description="2025, 2025Q1, 2025-03 or 2025-YTD-06, of the type's kind",
            ),
            OpenApiParameter(
                "unit",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                required=True,
                description="id of the receiving unit",
            ),
        ],
        responses=STATUS_RESPONSE,
    )
    @action(detail=False, methods=["get"])
    def status(self, request: Request) -> Response:
        """Completeness and timeliness of a type and period under a unit: who had to
        report, who did, who did by the due date (percentages of the expected).  A type,
        unit or period that names no report (another kind of period, a unit that did not
        exist then) is 404; a malformed one 400."""
        params = request.query_params
        unit_id = query_id(request, "unit", required=True)
        text = params.get("period", "").strip()
        if not re.fullmatch(PERIOD_PATTERN, text):
            raise ValidationError(
                {"period": [_("Write the period as 2025, 2025Q1, 2025-03 or 2025-YTD-06.")]}
            )
        report_type = ReportType.objects.filter(code=params.get("type", "")).first()
        unit = Unit.objects.filter(pk=unit_id).first()
        if report_type is None or unit is None:
            raise NotFound(_("No such report type or unit."))
        try:
            period = selectors.period_of(report_type, text)
            parent = selectors.version_for(unit, period)
        except DjangoValidationError as error:
            raise NotFound(" ".join(error.messages)) from error
        if not unit_scope(request.user, selectors.tree_day(unit, period)).allows(
            Action.VIEW, parent
        ):
            raise NotFound
        found = selectors.completeness(report_type, parent, period)
        return Response(
            {
                "type": report_type.code,
                "period": str(period),
                "unit": unit.pk,
                "due": found.due,
                **found.as_dict(),
            }
        )


class ReportTypeViewSet(viewsets.ReadOnlyModelViewSet[ReportType]):
    """The report types with their rows and deadline rules (configuration)."""

    serializer_class = ReportTypeSerializer
    lookup_field = "code"
    queryset = ReportType.objects.select_related("feeds").prefetch_related("rows")
