"""``{{ indicator.numerator|for_reader }}``: a numerator or denominator in the reader's
language.  The catalogue words them in Vietnamese (the stored words); an English reader
gets the catalogue's English while the words are still the catalogue's.  Words an
officer wrote are shown as written."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from danso.indicators.catalogue import words_in_english

register = template.Library()


@register.filter
def for_reader(text: str) -> str:
    if (get_language() or "").startswith("en"):
        return words_in_english(text)
    return text
