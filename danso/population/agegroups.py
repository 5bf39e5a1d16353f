"""Five-year age groups with an open last group, with no Django import."""

from __future__ import annotations

DEFAULT_OPEN_AGE = 85
ALLOWED_OPEN_AGES = (60, 65, 70, 75, 80, 85, 90, 95, 100)


def group_labels(open_age: int = DEFAULT_OPEN_AGE) -> list[str]:
    """``["0-4", "5-9", ..., "80-84", "85+"]`` for ``open_age`` 85."""
    if open_age not in ALLOWED_OPEN_AGES:
        raise ValueError(f"the open age group must start at one of {ALLOWED_OPEN_AGES}")
    return [f"{a}-{a + 4}" for a in range(0, open_age, 5)] + [f"{open_age}+"]


def open_age_of(labels: list[str]) -> int | None:
    """The open age of a set of labels as written by ``group_labels``, or None."""
    for open_age in ALLOWED_OPEN_AGES:
        if labels == group_labels(open_age):
            return open_age
    return None
