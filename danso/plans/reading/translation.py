"""The reader's messages in the user's language, with no Django import.

Every message the reader writes (a problem, a place in the file) goes through ``_``,
with named placeholders filled after translation::

    _("%(name)s: no figure for '%(column)s'.") % {"name": name, "column": header}

Outside Django the messages stay in English.  The plans app sets Django's ``gettext``
when it starts (``PlansConfig.ready``), so that in the site they come out in the
active language; ``makemessages`` finds them through the ``_`` calls.
"""

from __future__ import annotations

from collections.abc import Callable


def _identity(message: str) -> str:
    return message


#: The function ``_`` translates with: the message as written until ``use_translator``.
TRANSLATE: Callable[[str], str] = _identity


def _(message: str) -> str:
    """``message`` in the user's language (see ``use_translator``)."""
    return TRANSLATE(message)


def use_translator(function: Callable[[str], str]) -> None:
    """Translate the reader's messages with ``function`` from now on, e.g. Django's
    ``gettext``; ``use_translator(lambda message: message)`` goes back to English."""
    global TRANSLATE  # one setting for the whole reader, made when the site starts
    TRANSLATE = function


def place(word: str, number: int) -> str:
    """Where a line of a text file or a paragraph of a Word file is: "line 12",
    "paragraph 12" (``word`` is "line" or "paragraph")."""
    if word == "paragraph":
        return _("paragraph %(number)s") % {"number": number}
    return _("line %(number)s") % {"number": number}
