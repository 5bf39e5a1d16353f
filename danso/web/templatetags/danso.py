"""Template filters used on every page (loaded as builtins)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy

from danso.units.codes import Level
from danso.units.models import LEVEL_LABELS
from danso.vietnamese import format_number

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    return (mapping or {}).get(key)


@register.filter
def level_label(level: str) -> str:
    try:
        return str(LEVEL_LABELS[Level(level)])
    except ValueError:
        return level


@register.filter
def vn_number(value: Any, decimals: int = 0) -> str:
    """416950 → 416.950; 0.15 → 0,15 (Vietnamese style, whatever the page language)."""
    if value is None or value == "":
        return ""
    return format_number(value, int(decimals))


@register.filter
def magnitude(value: Any) -> Any:
    """The size of a signed change: −0,15 → 0,15."""
    return abs(value) if value is not None else None


@register.filter
def pair_list(first: Any, second: Any) -> list[Any]:
    """``a|pair_list:b`` → [a, b], to loop over two things in a template."""
    return [first, second]


_CHANGE_KINDS = {
    "+": gettext_lazy("Created"),
    "~": gettext_lazy("Changed"),
    "-": gettext_lazy("Deleted"),
}


@register.filter
def change_kind(record: Any) -> str:
    """What a history record did (created, changed, deleted), in the reader's language
    (django-simple-history has no Vietnamese catalogue)."""
    return str(_CHANGE_KINDS.get(getattr(record, "history_type", ""), ""))
