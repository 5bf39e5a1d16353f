"""Corrections over the API (``register.corrections``), mixed into the register's
viewsets (``register.api``):

- ``POST /api/v1/events/{id}/correct/`` ``{"changes": {"event_date": "15/03/2024", …},
  "reason": "…"}`` — the PATCH of an event, with its reason;
- ``POST /api/v1/events/{id}/withdraw/`` ``{"reason": "…"}`` — its DELETE, with its reason;
- ``POST /api/v1/persons/{id}/correct/`` — a person's details.

The record must be in the caller's scope (404) and theirs to edit (403; in a closed year
the commune officer's).  A refused correction answers 400 with the messages by field.
The answer is the correction: kind, id, changes (before, after), amendment, who, when; a
value the caller may not see in full (a name, a note, when the person is masked to them)
is ``***``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from danso.register import corrections, privacy
from danso.register.models import Correction, Person
from danso.units.api import api_scope


class CorrectInputSerializer(serializers.Serializer[Any]):
    changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Field → new value, as in the exchange format: event_date, note, person_id, "
        "household_id (move in), child_sex, birth_order, place, from_place, to_place, "
        "to_household_id, spouse_person_id, consanguineous, expected_date, result, method, "
        "supply, new_acceptor; for a person: full_name, sex, birth_date, ethnicity, "
        "id_number, marital_status, residence_status.  Dates dd/mm/yyyy or yyyy-mm-dd.",
    )
    reason = serializers.CharField(help_text="Why the entry is corrected (kept in the trail).")


class WithdrawInputSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(help_text="Why the event is withdrawn (kept in the trail).")


class CorrectionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Correction.Kind.choices)
    target = serializers.ChoiceField(choices=Correction.Target.choices)
    source_id = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(allow_null=True)),
        help_text="Field → [before, after] (after is null for a withdrawal).",
    )
    amendment = serializers.BooleanField(help_text="The year's book was closed: an amendment.")
    reason = serializers.CharField()
    made_by = serializers.CharField()
    made_at = serializers.DateTimeField()


def _answer(request: Request, correction: Correction, person: Person) -> Response:
    data = corrections.correction_json(correction)
    if not privacy.person_sight(api_scope(request), person, request.user).full:
        data["changes"] = {
            field: ["***" if v is not None else None for v in pair]
            if field in corrections.MASKED
            else pair
            for field, pair in data["changes"].items()
        }
    return Response(data)


def _refused(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class EventCorrections:
    """``correct`` and ``withdraw`` of an event (see the module docstring)."""

    get_object: Any

    @extend_schema(request=CorrectInputSerializer, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """Correct an event (its PATCH), with a reason; in a closed year, an amendment."""
        event = self.get_object()
        given = CorrectInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            done = corrections.event_correct(
                event=event,
                changes=given.validated_data["changes"],
                reason=given.validated_data["reason"],
                actor=request.user,
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        return _answer(request, done, done.person or event.person)

    @extend_schema(request=WithdrawInputSerializer, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """Withdraw an event from the book (its DELETE), with a reason; the trail stays."""
        event = self.get_object()
        person = event.person
        given = WithdrawInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            done = corrections.event_withdraw(
                event=event, reason=given.validated_data["reason"], actor=request.user
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        return _answer(request, done, person)


class PersonCorrections:
    """``correct`` of a person's details (see the module docstring)."""

    get_object: Any

    @extend_schema(request=CorrectInputSerializer, responses=CorrectionSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """Correct a person's details (their PATCH), with a reason."""
        person = self.get_object()
        given = CorrectInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            done = corrections.person_correct(
                person=person,
                changes=given.validated_data["changes"],
                reason=given.validated_data["reason"],
                actor=request.user,
            )
        except DjangoValidationError as error:
            raise _refused(error) from error
        return _answer(request, done, person)
