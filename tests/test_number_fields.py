"""Numbers typed the Vietnamese way in every form (issue 14, point 8): the fields of
``danso.numberfields`` and the screens that read numbers by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from danso.accounts.models import User
from danso.accounts.policy import Role
from danso.indicators.models import EnteredFigures
from danso.numberfields import VietnameseDecimalField, VietnameseFloatField, VietnameseIntegerField
from danso.population.forms import FigureForm
from danso.reports.forms import parse_figure
from danso.units.codes import Level
from danso.vietnamese import AmbiguousNumber
from tests.conftest import unit_at

ON = date(2024, 12, 31)


@pytest.fixture(autouse=True)
def in_vietnamese() -> object:
    with translation.override("vi"):
        yield


def test_a_decimal_field_reads_vietnamese_numbers_and_refuses_what_reads_two_ways() -> None:
    field = VietnameseDecimalField(required=False)
    assert field.clean("416.950") == Decimal(416950)
    assert field.clean("0,15") == Decimal("0.15")
    assert field.clean("1.234,5") == Decimal("1234.5")
    with pytest.raises(Exception, match="có thể hiểu theo hai cách"):
        field.clean("416,950")
    assert 'inputmode="decimal"' in field.widget.render("v", "")
    assert 'type="text"' in field.widget.render("v", "")


def test_an_integer_field_reads_a_count_and_refuses_a_fraction() -> None:
    field = VietnameseIntegerField(required=False, min_value=0)
    assert field.clean("416.950") == 416950
    assert field.clean("416 950") == 416950
    assert field.clean("416,950") == 416950  # a count has no decimals
    with pytest.raises(Exception, match="không phải số nguyên"):
        field.clean("0,15")
    assert 'inputmode="numeric"' in field.widget.render("v", "")


def test_a_float_field_reads_a_decimal_comma() -> None:
    assert VietnameseFloatField(required=False).clean("2,1") == pytest.approx(2.1)


def test_the_population_form_reads_416_950() -> None:
    form = FigureForm({"year": "2024", "total": "416.950", "male": "200.000", "open_age": "85"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["total"], form.cleaned_data["male"]) == (416950, 200000)


def test_a_report_figure_reads_the_one_rule() -> None:
    assert parse_figure("40.000") == 40000
    assert parse_figure("12,99") == Decimal("12.99")
    assert parse_figure(" ") is None
    with pytest.raises(AmbiguousNumber):
        parse_figure("1,500")


@pytest.mark.django_db
def test_entered_figures_name_what_is_wrong_with_a_number(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    officer = make_user("bode", Role.COMMUNE_OFFICER, Level.COMMUNE, "121", ON)
    ward = unit_at(Level.COMMUNE, "121", ON)
    url = reverse("indicators:entered", args=[ward.pk]) + "?period=2024&date=2024-12-31"
    client = client_for(officer)
    wrong = client.post(url, {"period": "2024", "P": "416,9"})
    assert "416,9 không phải số nguyên" in wrong.content.decode()
    client.post(url, {"period": "2024", "P": "416.950"})
    assert EnteredFigures.objects.get(unit=ward, period="2024").counts == {"P": 416950}
