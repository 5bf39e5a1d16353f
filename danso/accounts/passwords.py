"""Password rules of danso's own, on top of Django's (settings.AUTH_PASSWORD_VALIDATORS).

Django's ``CommonPasswordValidator`` knows 20,000 passwords, nearly all English; "matkhau1"
passed it.  ``CommonVietnamesePasswordValidator`` refuses the passwords of
``common_passwords.txt`` (Vietnamese words, names, places and danso's own words; see the
file's header for where such lists come from) and ``NameAndUnitValidator`` the user's own
names and the names of the units where they hold a role.  Both compare passwords folded
(``normalized``): without case, diacritics, spaces or symbols, and also without the
digits and symbols people add at the end, so "Mật khẩu 2025!" is "matkhau".
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from danso.units.models import UnitVersion
from danso.units.naming import bare_name
from danso.vietnamese import fold

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_LEET = str.maketrans({"@": "a", "$": "s"})


def normalized(text: str) -> set[str]:
    """The forms of ``text`` compared with the lists: folded, letters and digits only
    ("p@ss w0rd" → "pssw0rd"; "@" read as "a" too → "passw0rd"), each also without its
    trailing digits ("matkhau2025" → "matkhau").  Empty forms are left out."""
    folded = fold(text)
    forms = {_NOT_ALNUM.sub("", folded), _NOT_ALNUM.sub("", folded.translate(_LEET))}
    forms |= {form.rstrip("0123456789") for form in forms}
    return {form for form in forms if form}


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """Every entry of ``common_passwords.txt``, folded."""
    entries: set[str] = set()
    for line in COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            entries.add(_NOT_ALNUM.sub("", fold(line)))
    return frozenset(entries)


class CommonVietnamesePasswordValidator:
    """Refuses a password of ``common_passwords.txt``, with digits or symbols after it or
    not."""

    def validate(self, password: str, user: Any = None) -> None:
        if normalized(password) & common_passwords():
            raise ValidationError(
                _(
                    "This password is too common: it is one of the passwords people use "
                    "most, in Vietnamese or in English."
                ),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password can't be a commonly used password, in Vietnamese or in English, "
            "even with digits after it."
        )


class NameAndUnitValidator:
    """Refuses a password that is the user's user name or full name, or the name of a
    unit where they hold a role (with or without its type word: "Phường Phúc Lợi",
    "Phúc Lợi"), folded, with digits or symbols after it or not."""

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        if normalized(password) & self.names_of(user):
            raise ValidationError(
                _(
                    "This password is your user name, your name or the name of your unit. "
                    "Choose one that others cannot guess."
                ),
                code="password_is_a_name",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password can't be your user name, your name or the name of your unit, "
            "with or without diacritics."
        )

    @staticmethod
    def names_of(user: Any) -> set[str]:
        """The folded names a password of ``user`` may not be."""
        names = [
            str(getattr(user, "username", "") or ""),
            str(getattr(user, "full_name", "") or ""),
            f"{getattr(user, 'first_name', '')}{getattr(user, 'last_name', '')}",
        ]
        if getattr(user, "pk", None):
            units = UnitVersion.objects.filter(unit__role_assignments__user=user)
            for name in units.order_by().values_list("name", flat=True).distinct():
                names += [name, bare_name(name)]
        found: set[str] = set()
        for name in names:
            folded = _NOT_ALNUM.sub("", fold(name))
            if folded:
                found.add(folded)
        return found
