"""/api/v1/auth/token/: a token for a user name and password (POST), and the end of the
token a request is made with (DELETE).  Passwords tried here are throttled and locked
as on the login page (danso.accounts.lockout)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from danso.accounts import lockout, tokens
from danso.accounts.models import ApiToken

#: What a token issued here is for, unless the caller says.
DEFAULT_NAME = "API"


class TokenRequestSerializer(serializers.Serializer[Any]):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(
        max_length=100, required=False, help_text="What the token is for (default: API)."
    )
    days = serializers.IntegerField(
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        required=False,
        help_text="How many days the token lives (default: the server's API_TOKEN_DAYS).",
    )


class IssuedTokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(help_text="The key: shown this once, never again.")
    id = serializers.IntegerField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """POST: a new token for a user name and password.  DELETE: revoke the token this
    request is made with."""

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        description=(
            "A new token for a user name and password; its key is in the answer, and only "
            "there.  Failed attempts are counted: too many from one address answer 429 "
            "with Retry-After, too many for one name from one address 400 until the lock "
            "ends."
        ),
        request=TokenRequestSerializer,
        responses={200: IssuedTokenSerializer},
    )
    def post(self, request: Request) -> Response:
        asked = TokenRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = asked.validated_data
        user = authenticate(request, username=data["username"], password=data["password"])
        refusal: lockout.Refusal | None = getattr(request, lockout.REFUSED, None)
        if refusal is not None and refusal.kind == "address":
            seconds = math.ceil((refusal.until - timezone.now()).total_seconds())
            return Response(
                {
                    "detail": _(
                        "Too many failed logins from this address. Try again after %(time)s."
                    )
                    % {"time": formats.time_format(timezone.localtime(refusal.until), "H:i")}
                },
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(max(seconds, 1))},
            )
        if refusal is not None:
            raise serializers.ValidationError(
                {
                    "non_field_errors": [
                        _(
                            "Too many failed logins: this account is locked until %(time)s. "
                            "Try again later or ask the administrator."
                        )
                        % {"time": formats.time_format(timezone.localtime(refusal.until), "H:i")}
                    ]
                }
            )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}
            )
        try:
            issued = tokens.api_token_issue(
                user=user, name=data.get("name") or DEFAULT_NAME, days=data.get("days"), by=user
            )
        except ValidationError as error:
            raise serializers.ValidationError({"non_field_errors": error.messages}) from error
        return Response(
            IssuedTokenSerializer(
                {
                    "token": issued.key,
                    "id": issued.token.pk,
                    "name": issued.token.name,
                    "expires_at": issued.token.expires_at,
                }
            ).data
        )

    @extend_schema(
        operation_id="auth_token_destroy",
        description="Revoke the token this request is made with.",
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked.")},
    )
    def delete(self, request: Request) -> Response:
        token = request.auth
        if isinstance(token, ApiToken):
            tokens.api_token_revoke(token=token, by=request.user)
        elif isinstance(token, Token):
            token.delete()
        else:
            return Response(
                {"detail": _("Send the token to revoke in the Authorization header.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


token_view = TokenView.as_view()
