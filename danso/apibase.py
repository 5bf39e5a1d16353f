"""What every API viewset shares: ids that fit the database, pages of a bounded size.

A path id is matched by ``ID_PATTERN`` (at most 18 digits: every id fits a 64-bit
integer), so that ``/api/v1/units/54305526657598112791527424/`` is a 404 like any unknown
id instead of an overflow in the database; a query-string id goes through ``query_id``.
``BoundedPagination`` caps ``limit`` and answers an offset past the end with an empty
page (SQLite cannot take an offset beyond 64 bits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, overload

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from danso.bounds import ID_PATTERN, MAX_ID, YEARS
from danso.params import id_param

__all__ = ["ID_PATTERN", "ID_QUERY", "YEAR_QUERY", "BoundedPagination", "query_id"]

#: The schema of an id in a query string (``query_id``): what the OpenAPI schema promises
#: is what the endpoint accepts.
ID_QUERY: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
#: The schema of a year in a query string (``danso.params.year_param``).
YEAR_QUERY: dict[str, Any] = {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]}


@overload
def query_id(request: Request, name: str, *, required: Literal[True]) -> int: ...
@overload
def query_id(request: Request, name: str, *, required: bool = False) -> int | None: ...
def query_id(request: Request, name: str, *, required: bool = False) -> int | None:
    """The positive integer id ``name`` of the query string, or None when absent (and
    not ``required``); 400 with a Vietnamese message when it is not one."""
    raw = request.query_params.get(name, "").strip()
    if not raw:
        if required:
            raise ValidationError({name: [_("This parameter is required.")]})
        return None
    value = id_param(raw)
    if value is None:
        raise ValidationError({name: [_("Give a whole number id.")]})
    return value


class BoundedPagination(LimitOffsetPagination):
    """At most ``max_limit`` rows a page; an offset past the last row gives an empty page."""

    default_limit = 100
    max_limit = 1000

    def get_offset(self, request: Request) -> int:
        offset = super().get_offset(request)
        return min(offset, MAX_ID)

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        self.request = request
        self.limit = self.get_limit(request)
        if self.limit is None:
            return None
        self.count = self.get_count(queryset)
        self.offset = min(self.get_offset(request), self.count)
        if self.count > self.limit and self.template is not None:
            self.display_page_controls = True
        if self.count == 0 or self.offset >= self.count:
            return []
        return list(queryset[self.offset : self.offset + self.limit])
