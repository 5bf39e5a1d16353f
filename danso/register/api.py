"""``/api/v1/households/``, ``/persons/``, ``/events/``: the register in the caller's scope.

Everything goes through ``register.privacy``: a record the caller does not reach is 404;
a person is sent as the caller may see them (whole to the keepers of the book; above the
commune initials, the year of birth and a cut ID number, and ``?reason=`` of at least
ten characters opens one person whole); every answer that carries persons at a logged
sight is logged.  Events are recorded with POST through the same service (and rules) as
the monthly form: an error answers 400 naming the field, the warnings come back in the
created event's ``warnings`` (each recorded as a flag).
"""

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

from danso.apibase import ID_PATTERN
from danso.register import flagging, privacy, services
from danso.register.correction_api import EventCorrections, PersonCorrections
from danso.register.models import Event, Flag, Household, Person
from danso.register.privacy import REASON_MIN_LENGTH
from danso.register.rules import RULES
from danso.register.vocabulary import EventType
from danso.units.api import DATE_PARAM, api_scope
from danso.units.scope import Action

REASON_PARAM = OpenApiParameter(
    "reason",
    # at least REASON_MIN_LENGTH characters once the spaces around are taken off
    {"type": "string", "pattern": rf"^\s*\S[\s\S]{{{REASON_MIN_LENGTH - 2},}}\S\s*$"},
    description="Why the caller needs this person's full record (at least 10 characters; "
    "only for officers above the commune, and logged with the reason).",
)


def _sights(request: Request, reveal: dict[int, str] | None = None) -> privacy.Sights:
    return privacy.Sights(api_scope(request), request.user, reveal)


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    address = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "source_id", "number", "address", "household_type", "unit"]

    def get_address(self, household: Household) -> str:
        # An address points to a family: only its keepers read it.
        return household.address if household.pk in self.context.get("full", set()) else ""


class PersonSerializer(serializers.Serializer[Person]):
    """A person as ``privacy.shown`` gives them to the caller."""

    id = serializers.IntegerField()
    source_id = serializers.CharField()
    full_name = serializers.CharField()
    masked = serializers.BooleanField()
    sex = serializers.CharField()
    birth_date = serializers.DateField(allow_null=True)
    birth_year = serializers.IntegerField()
    birth_precision = serializers.CharField()
    marital_status = serializers.CharField()
    residence_status = serializers.CharField()
    ethnicity = serializers.CharField()
    id_number = serializers.CharField()
    registered_on = serializers.DateField()
    merged_into = serializers.IntegerField(allow_null=True)

    def to_representation(self, person: Person) -> dict[str, Any]:
        sights: privacy.Sights = self.context["sights"]
        seen = sights.show(person)
        full = seen.sight.full
        return {
            "id": person.pk,
            "source_id": person.source_id,
            "full_name": seen.name,
            "masked": seen.masked,
            "sex": person.sex,
            "birth_date": person.birth_date.isoformat() if full else None,
            "birth_year": seen.birth_year,
            "birth_precision": person.birth_precision if full else "year",
            "marital_status": person.marital_status,
            "residence_status": person.residence_status,
            "ethnicity": person.ethnicity if full else "",
            "id_number": seen.id_number,
            "registered_on": person.registered_on.isoformat(),
            "merged_into": person.merged_into_id,
        }


class EventSerializer(serializers.ModelSerializer[Event]):
    class Meta:
        model = Event
        fields = [
            "id",
            "source_id",
            "event_type",
            "event_date",
            "person",
            "unit",
            "child",
            "child_sex",
            "birth_order",
            "method",
            "supply",
            "new_acceptor",
            "spouse",
            "extra",
            "note",
        ]
        read_only_fields = ["id", "source_id", "unit", "child", "child_sex"]

    def to_representation(self, event: Event) -> dict[str, Any]:
        data = dict(super().to_representation(event))
        sights: privacy.Sights | None = self.context.get("sights")
        if sights is not None and not sights.show(event.person).sight.full:
            # Free text and the format's other columns may name people or places.
            data["note"] = ""
            data["extra"] = {}
        return data


class EventInputSerializer(serializers.Serializer[Any]):
    event_type = serializers.ChoiceField(choices=[e.value for e in EventType])
    event_date = serializers.DateField()
    person = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    child_name = serializers.CharField(required=False, allow_blank=True, default="")
    child_sex = serializers.ChoiceField(choices=["M", "F"], required=False)
    birth_order = serializers.IntegerField(required=False, min_value=1)
    method = serializers.CharField(required=False, allow_blank=True, default="")
    supply = serializers.CharField(required=False, allow_blank=True, default="")
    new_acceptor = serializers.BooleanField(required=False, allow_null=True, default=None)
    to_place = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema_view(list=extend_schema(parameters=[DATE_PARAM]))
class HouseholdViewSet(viewsets.ReadOnlyModelViewSet[Household]):
    lookup_value_regex = ID_PATTERN
    serializer_class = HouseholdSerializer

    def get_queryset(self) -> QuerySet[Household]:
        return privacy.households_visible(api_scope(self.request), self.request.user).order_by("pk")

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        full = privacy.households_visible(
            api_scope(self.request), self.request.user, Action.VIEW_PERSONS
        )
        context["full"] = _FullHouseholds(full)
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        rows = response.data.get("results", response.data) if response.data else []
        _log_bulk(
            request,
            where=privacy.Where.API_HOUSEHOLDS,
            units={row["unit"] for row in rows},
            persons=[],
            rows=len(rows),
        )
        return response


def _log_bulk(
    request: Request, *, where: str, units: set[int], persons: list[int], rows: int
) -> None:
    """A page of persons' data sent through the API is a bulk read: logged like an export,
    for every reader (the keepers of the book included), with its persons and units."""
    if rows:
        privacy.log_export(
            user=request.user,
            units=units,
            persons=persons,
            where=where,
            path=request.get_full_path(),
            description=f"API: {rows} dòng",
            rows=rows,
        )


class _FullHouseholds:
    """``pk in full``: is the household one the caller keeps?  (Asked row by row.)"""

    def __init__(self, households: QuerySet[Household]) -> None:
        self.households = households
        self.known: dict[int, bool] = {}

    def __contains__(self, pk: object) -> bool:
        if not isinstance(pk, int):
            return False
        if pk not in self.known:
            self.known[pk] = self.households.filter(pk=pk).exists()
        return self.known[pk]


@extend_schema_view(
    list=extend_schema(parameters=[DATE_PARAM]),
    retrieve=extend_schema(parameters=[DATE_PARAM, REASON_PARAM]),
)
class PersonViewSet(PersonCorrections, viewsets.ReadOnlyModelViewSet[Person]):
    lookup_value_regex = ID_PATTERN
    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        return privacy.persons_visible(api_scope(self.request), self.request.user).order_by("pk")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        persons = list(page if page is not None else self.get_queryset())
        sights = _sights(request)
        sights.prime(persons)
        data = PersonSerializer(persons, many=True, context={"sights": sights}).data  # type: ignore[arg-type]
        ids = [p.pk for p in persons]
        _log_bulk(
            request,
            where=privacy.Where.API_PERSONS,
            units=privacy.units_of_persons(ids),
            persons=ids,
            rows=len(ids),
        )
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        reason = request.query_params.get("reason", "").strip()
        reveal: dict[int, str] = {}
        if reason:
            problem = privacy.reason_problem(reason)
            if problem:
                raise ValidationError({"reason": problem})
            if not _sights(request).may_reveal(person):
                raise PermissionDenied(_("You may not open this person's full record."))
            reveal = {person.pk: reason}
        sights = _sights(request, reveal)
        data = PersonSerializer(person, context={"sights": sights}).data
        sights.log(where=privacy.Where.API_PERSON, path=request.get_full_path())
        return Response(data)


@extend_schema_view(list=extend_schema(parameters=[DATE_PARAM]))
class EventViewSet(
    EventCorrections,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Event],
):
    lookup_value_regex = ID_PATTERN
    serializer_class = EventSerializer

    def get_queryset(self) -> QuerySet[Event]:
        return (
            privacy.events_visible(api_scope(self.request), self.request.user)
            .select_related("person")
            .order_by("event_date", "pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        context["sights"] = _sights(self.request)
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        events = list(page if page is not None else self.get_queryset())
        data = self.get_serializer(events, many=True).data
        _log_bulk(
            request,
            where=privacy.Where.API_EVENTS,
            units={event.unit_id for event in events},
            persons=sorted({event.person_id for event in events}),
            rows=len(events),
        )
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        event = self.get_object()
        sights = _sights(request)
        data = EventSerializer(event, context={"sights": sights}).data
        sights.log(where=privacy.Where.API_EVENTS, path=request.get_full_path())
        return Response(data)

    @extend_schema(
        request=EventInputSerializer,
        responses=EventSerializer,
        description="Record an event through the register's rules: an error answers 400 "
        "naming the field; the created event comes back with `warnings`, a list of "
        "`{rule, field, message}` (each recorded as a data-quality flag).",
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = EventInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        person = Person.objects.filter(pk=data["person"]).first()
        scope = api_scope(request)
        if person is None or not privacy.person_allows(
            scope, person, Action.VIEW_RECORDS, request.user
        ):
            raise NotFound
        if not privacy.person_allows(scope, person, Action.EDIT_REGISTER, request.user):
            raise PermissionDenied(_("You may not record events for this person."))
        kind = EventType(data["event_type"])
        child = None
        if kind is EventType.BIRTH:
            child = services.PersonInput(
                data["child_name"] or "(chưa đặt tên)",
                data.get("child_sex", ""),
                data["event_date"],
                relation="con",
            )
        try:
            event = services.event_record(
                person=person,
                user=request.user,
                data=services.EventInput(
                    kind,
                    data["event_date"],
                    note=data["note"],
                    child=child,
                    birth_order=data.get("birth_order"),
                    method=data["method"],
                    supply=data["supply"],
                    new_acceptor=data["new_acceptor"],
                    to_place=data["to_place"],
                ),
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError(
                    {API_FIELDS.get(k, k): v for k, v in error.message_dict.items()}
                ) from error
            raise ValidationError(error.messages) from error
        data = dict(EventSerializer(event, context={"sights": _sights(request)}).data)
        data["warnings"] = event_warnings(event)
        return Response(data, status=status.HTTP_201_CREATED)


#: The fields of the API's input that the rules' columns (the exchange format's) name.
API_FIELDS = {"person_id": "person", "child_person_id": "child_name"}


def event_warnings(event: Event) -> list[dict[str, str]]:
    """The rules' warnings recorded on an event (its flags), for the API's answer."""
    flags = event.flags.filter(kind=Flag.Kind.RULE).order_by("pk")
    return [
        {
            "rule": flag.rule,
            "field": API_FIELDS.get(RULES[flag.rule].field, RULES[flag.rule].field)
            if flag.rule in RULES
            else "",
            "message": flagging.flag_message(flag),
        }
        for flag in flags
    ]
