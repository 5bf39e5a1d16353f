"""``/api/v1/households/``, ``/persons/``, ``/events/``: the register in the caller's scope.

Names and ID numbers go only to callers whose role keeps the book (Action.VIEW_PERSONS);
others get initials, and a person read one by one is logged.  Events are recorded with
POST through the same service (and rules) as the monthly form.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from danso.register import selectors, services
from danso.register.models import Event, Household, Person
from danso.register.vocabulary import EventType
from danso.units.api import DATE_PARAM, api_scope
from danso.units.scope import Action
from danso.web.templatetags.danso import masked


class HouseholdSerializer(serializers.ModelSerializer[Household]):
    class Meta:
        model = Household
        fields = ["id", "source_id", "number", "address", "household_type", "unit"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    full_name = serializers.SerializerMethodField()
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "source_id",
            "full_name",
            "sex",
            "birth_date",
            "birth_precision",
            "marital_status",
            "residence_status",
            "ethnicity",
            "id_number",
            "registered_on",
            "merged_into",
        ]

    def _names(self) -> bool:
        return bool(self.context.get("names"))

    def get_full_name(self, person: Person) -> str:
        return person.full_name if self._names() else masked(person.full_name)

    def get_id_number(self, person: Person) -> str:
        return person.id_number if self._names() else ""


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
    serializer_class = HouseholdSerializer

    def get_queryset(self) -> QuerySet[Household]:
        return selectors.households_visible(api_scope(self.request), self.request.user).order_by(
            "pk"
        )


@extend_schema_view(list=extend_schema(parameters=[DATE_PARAM]))
class PersonViewSet(viewsets.ReadOnlyModelViewSet[Person]):
    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        households = selectors.households_visible(api_scope(self.request), self.request.user)
        return (
            Person.objects.filter(memberships__household__in=households).distinct().order_by("pk")
        )

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        households = selectors.households_visible(
            api_scope(self.request), self.request.user, Action.VIEW_PERSONS
        )
        context["names"] = households.exists()
        return context

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        names = selectors.shows_names(api_scope(request), person, request.user)
        if not names:
            selectors.log_person_access(person=person, user=request.user, what="API")
        return Response(PersonSerializer(person, context={"names": names}).data)


@extend_schema_view(list=extend_schema(parameters=[DATE_PARAM]))
class EventViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet[Event],
):
    serializer_class = EventSerializer

    def get_queryset(self) -> QuerySet[Event]:
        households = selectors.households_visible(api_scope(self.request), self.request.user)
        people = Person.objects.filter(memberships__household__in=households)
        return Event.objects.filter(person__in=people).distinct().order_by("event_date", "pk")

    @extend_schema(request=EventInputSerializer, responses=EventSerializer)
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = EventInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        person = Person.objects.filter(pk=data["person"]).first()
        scope = api_scope(request)
        if person is None or not selectors.person_allows(scope, person, Action.VIEW, request.user):
            raise NotFound
        if not selectors.person_allows(scope, person, Action.EDIT_REGISTER, request.user):
            raise PermissionDenied("you may not record events for this person")
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
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)
