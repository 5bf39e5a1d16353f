"""Communication days of population work (DOMAIN §7), with no Django import."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CommunicationDay:
    month: int
    day: int | None  # None: the whole month
    name_vi: str
    name_en: str

    def on(self, year: int) -> date:
        return date(year, self.month, self.day or 1)


COMMUNICATION_DAYS = (
    CommunicationDay(5, 8, "Ngày Thalassemia thế giới", "World Thalassaemia Day"),
    CommunicationDay(6, 6, "Ngày Người cao tuổi Việt Nam", "Vietnamese Elderly Day"),
    CommunicationDay(7, 11, "Ngày Dân số thế giới", "World Population Day"),
    CommunicationDay(9, 26, "Ngày Tránh thai thế giới", "World Contraception Day"),
    CommunicationDay(10, 1, "Ngày Quốc tế Người cao tuổi", "International Day of Older Persons"),
    CommunicationDay(10, 11, "Ngày Quốc tế trẻ em gái", "International Day of the Girl Child"),
    CommunicationDay(
        12, None, "Tháng hành động quốc gia về dân số", "National population action month"
    ),
    CommunicationDay(12, 26, "Ngày Dân số Việt Nam", "Vietnam Population Day"),
)


def days_between(start: date, end: date) -> list[tuple[date, CommunicationDay]]:
    """The communication days from ``start`` to ``end`` inclusive, in date order."""
    found = []
    for year in range(start.year, end.year + 1):
        for day in COMMUNICATION_DAYS:
            when = day.on(year)
            if start <= when <= end:
                found.append((when, day))
    return sorted(found, key=lambda pair: pair[0])
