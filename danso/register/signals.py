"""Signals the register sends for changes made without saving models one by one (bulk
imports, generated books), so that readers of the register (the indicators' cache) can
forget what those changes alter.  Saves of single records send Django's own signals."""

from __future__ import annotations

from django.dispatch import Signal

#: Sent after a bulk change is written, with ``units`` (the leaf units touched, or None
#: for any unit) and ``since`` (the earliest day touched, or None for any day).
register_changed = Signal()
