"""Report consistency rules (issue 14, point 7): births = boys + girls when both are
filled, totals ≥ their parts, no negative figure, no share above 100 %; each problem
names the rows as the form numbers them, in the editor and on submit."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from danso.accounts.models import User
from danso.reports.consistency import RULES, Kind, check, report_inconsistencies
from danso.reports.models import Report, ReportType
from danso.reports.services import report_figure_set, report_open, report_submit
from danso.units.models import Unit
from tests.reports.conftest import filled

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
NAMES = {
    "births": "row 4 births",
    "births.M": "boys",
    "births.F": "girls",
    "births.order2": "second",
    "births.order3p": "third",
    "CPR": "row 30 CPR",
}


def figures(report: Report, actor: User, **values: int) -> None:
    """Set the report's own figures by row key (a dot spelt as a double underscore)."""
    for key, value in values.items():
        figure = report.figures.get(row__key=key.replace("__", "."), column__isnull=True)
        report_figure_set(
            figure=figure, value=Decimal(value), reason="Sổ A0 đối chiếu lại", actor=actor
        )


@pytest.fixture
def report(types: dict[str, ReportType], ward: Unit, people: dict[str, User]) -> Report:
    """Giang Biên's 2025Q1 report, every count filled (its 130 births: 70 boys, 60 girls)."""
    opened = report_open(
        report_type=types["commune-quarterly"], unit=ward, period="2025Q1", actor=people["ward"]
    )
    return filled(opened, people["ward"])


# ----------------------------------------------------------------------------- pure rules


def values(**given: int | None) -> dict[str, Decimal | None]:
    return {k.replace("__", "."): None if v is None else Decimal(v) for k, v in given.items()}


def test_births_equal_boys_plus_girls_when_both_are_filled() -> None:
    assert check(values(births=22, births__M=13, births__F=9), NAMES) == []
    [problem] = check(values(births=687, births__M=356, births__F=330), NAMES)
    assert problem.kind == Kind.SUM
    assert problem.added == 686
    # one part empty: it may only not exceed the total
    assert check(values(births=22, births__M=13, births__F=None), NAMES) == []
    assert check(values(births=22, births__M=30, births__F=None), NAMES)[0].kind == Kind.AT_MOST


def test_parts_of_a_total_do_not_exceed_it() -> None:
    assert check(values(births=10, births__order2=4, births__order3p=6), NAMES) == []
    [problem] = check(values(births=10, births__order2=4, births__order3p=7), NAMES)
    assert problem.kind == Kind.AT_MOST
    assert problem.added == 11


def test_negative_figures_and_shares_above_a_hundred() -> None:
    kinds = [p.kind for p in check({"CPR": Decimal("100.5")}, NAMES, frozenset({"CPR"}))]
    assert kinds == ["share"]
    assert [p.kind for p in check(values(births=-1), NAMES)] == ["negative"]


def test_the_rules_are_data_on_row_keys() -> None:
    totals = {(rule.total, rule.parts) for rule in RULES}
    assert ("births", ("births.M", "births.F")) in totals
    assert ("W", ("cpr.women",)) in totals  # women 15–49 ≥ married women 15–49
    assert ("cpr.women", ("cpr.users",)) in totals  # users of a modern method ≤ them


# ----------------------------------------------------------------------------- on submit


def test_births_687_with_356_boys_and_330_girls_cannot_be_sent(
    report: Report, people: dict[str, User]
) -> None:
    figures(report, people["ward"], births=687, births__M=356, births__F=330)
    with pytest.raises(ValidationError) as refused:
        report_submit(report=report, actor=people["ward"])
    words = " ".join(refused.value.messages)
    assert "Row 4 “Births in the period” is 687" in words
    assert "“— of which boys” under row 4 (356) + “— of which girls” under row 4 (330)" in words
    assert "add up to 686" in words
    report.refresh_from_db()
    assert report.status == "draft"


def test_births_22_with_13_boys_and_9_girls_is_sent(
    report: Report, people: dict[str, User]
) -> None:
    figures(report, people["ward"], births=22, births__M=13, births__F=9)
    assert report_submit(report=report, actor=people["ward"]).status == "submitted"


def test_an_empty_count_is_named_by_its_row(
    types: dict[str, ReportType], ward: Unit, people: dict[str, User]
) -> None:
    report = filled(
        report_open(
            report_type=types["commune-quarterly"],
            unit=ward,
            period="2025Q1",
            actor=people["ward"],
        ),
        people["ward"],
    )
    divorced = report.figures.get(row__key="divorced")
    report_figure_set(figure=divorced, value=None, actor=people["ward"])
    with pytest.raises(ValidationError) as refused:
        report_submit(report=report, actor=people["ward"])
    [message] = refused.value.messages
    assert message.startswith("1 counts of the report are empty: row ")
    assert "“Persons divorced”" in message


def test_the_refusal_is_in_vietnamese(report: Report, people: dict[str, User]) -> None:
    figures(report, people["ward"], births=687, births__M=356, births__F=330)
    with translation.override("vi"):
        problems = report_inconsistencies(report)
    assert problems == [
        "Dòng 4 “Số trẻ sinh ra trong kỳ” là 687, nhưng “— trong đó: trai” dưới dòng 4 (356)"
        " + “— trong đó: gái” dưới dòng 4 (330) cộng lại là 686."
    ]


# ----------------------------------------------------------------------------- the editor


def test_the_editor_lists_the_problems_as_the_officer_fills(
    report: Report, people: dict[str, User], client_for: Login
) -> None:
    client = client_for(people["ward"])
    births = report.figures.get(row__key="births", column__isnull=True)
    # a draft is saved with the inconsistency, which the cell's answer lists (htmx)
    cell = client.post(
        reverse("reports:figure", args=[report.pk, births.pk]),
        {f"v-{births.pk}": "687", f"r-{births.pk}": "Sổ A0"},
        headers={"HX-Request": "true"},
    ).content.decode()
    births.refresh_from_db()
    assert births.value == 687
    assert 'id="consistency" class="consistency" hx-swap-oob="true"' in cell
    assert "Dòng 4 “Số trẻ sinh ra trong kỳ” là 687" in cell
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert "Dòng 4 “Số trẻ sinh ra trong kỳ” là 687" in page
    # and sending is refused with the list
    refused = client.post(reverse("reports:submit", args=[report.pk]), follow=True)
    assert "Các số liệu không khớp nhau: hãy sửa trước khi gửi báo cáo." in refused.content.decode()
    report.refresh_from_db()
    assert report.status == "draft"
    # corrected, the list is gone
    cell = client.post(
        reverse("reports:figure", args=[report.pk, births.pk]),
        {f"v-{births.pk}": "130", f"r-{births.pk}": ""},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "Số trẻ sinh ra trong kỳ” là" not in cell
    assert 'id="consistency"' in cell  # the list, emptied
