"""What ``generate`` reports: the summary of a generation (what was written, and the
figures of the generated year) and the progress callback.  Pure: no Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from danso.register.generation.figures import Figures

#: ``progress(what, done, total)``: what is being generated, communes done, communes.
Progress = Callable[[str, int, int], None]


@dataclass
class GenerationSummary:
    """What ``generate`` wrote, and the figures of the generated year."""

    root: str
    level: str
    code: str
    year: int
    seed: int
    scale: float
    opening: date
    communes: int = 0
    villages_created: int = 0
    villages_reused: int = 0
    households: int = 0
    persons: int = 0
    memberships: int = 0
    events: Counter[str] = field(default_factory=Counter)
    figures: Figures = field(default_factory=Figures)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "level": self.level,
            "code": self.code,
            "year": self.year,
            "seed": self.seed,
            "scale": self.scale,
            "opening": self.opening.isoformat(),
            "communes": self.communes,
            "villages_created": self.villages_created,
            "villages_reused": self.villages_reused,
            "households": self.households,
            "persons": self.persons,
            "memberships": self.memberships,
            "events": dict(sorted(self.events.items())),
            "events_total": sum(self.events.values()),
            "figures": self.figures.as_dict(),
            "seconds": round(self.seconds, 1),
        }
