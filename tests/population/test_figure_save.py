"""One checked save: ``figure_problems`` finds every inconsistency, ``figure_save`` refuses
an inconsistent figure or a unit that did not exist in that year, and keeps history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from danso.population.models import PopulationFigure
from danso.population.services import FigureInput, figure_problems, figure_save
from tests.population.conftest import (
    FEMALE,
    FEMALE_AGES,
    MALE,
    MALE_AGES,
    TOTAL,
    ba_dinh_2025,
    consistent,
    save,
    thuong_thanh,
    truc_bach,
)

pytestmark = pytest.mark.django_db


def fields_of(problems: list[tuple[str, str]]) -> list[str]:
    return [name for name, _message in problems]


# ---------------------------------------------------------------- figure_problems


def test_a_consistent_figure_has_no_problems() -> None:
    # given a figure whose sexes and age groups add up
    figure = consistent()
    # when it is checked
    problems = figure_problems(figure)
    # then nothing is wrong
    assert problems == []


def test_total_is_completed_from_the_sexes() -> None:
    # given males and females but no total
    figure = FigureInput(year=2024, total=None, male=MALE, female=FEMALE)
    # when it is completed
    completed = figure.completed()
    # then the total is their sum, and that is consistent
    assert completed.total == TOTAL
    assert figure_problems(completed) == []


def test_sexes_are_completed_from_the_age_groups() -> None:
    # given only the age groups
    figure = FigureInput(
        year=2024, total=None, male_by_age=MALE_AGES, female_by_age=FEMALE_AGES
    ).completed()
    # then both sexes and the total follow from them
    assert (figure.male, figure.female, figure.total) == (MALE, FEMALE, TOTAL)


def test_total_without_sexes_is_required() -> None:
    # given neither a total nor both sexes
    figure = FigureInput(year=2024, total=None, male=MALE).completed()
    # then the total is reported missing
    assert "total" in fields_of(figure_problems(figure))


def test_males_plus_females_not_total_is_refused() -> None:
    # given males + females one more than the total
    figure = FigureInput(year=2024, total=TOTAL - 1, male=MALE, female=FEMALE)
    # when it is checked
    problems = figure_problems(figure)
    # then the total is wrong and the message gives the numbers
    assert fields_of(problems) == ["total"]
    assert str(TOTAL - 1) in problems[0][1]
    assert str(TOTAL) in problems[0][1]


def test_age_groups_that_do_not_add_up_are_refused() -> None:
    # given male age groups that add up to one more than the males
    ages = [*MALE_AGES[:-1], MALE_AGES[-1] + 1]
    figure = consistent(male_by_age=ages)
    # when it is checked
    problems = figure_problems(figure)
    # then only the male age groups are wrong
    assert fields_of(problems) == ["male_by_age"]
    assert str(MALE + 1) in problems[0][1]


def test_wrong_number_of_age_groups_is_refused() -> None:
    # given 17 female groups where 85+ needs 18
    figure = consistent(female_by_age=FEMALE_AGES[:-1])
    # when it is checked
    problems = figure_problems(figure)
    # then the female groups are reported, with both counts
    assert fields_of(problems) == ["female_by_age"]
    assert "18" in problems[0][1]
    assert "17" in problems[0][1]


def test_age_groups_follow_the_open_age() -> None:
    # given an open group from 80 (17 groups), the 18 groups of 85+ do not fit
    assert "male_by_age" in fields_of(figure_problems(consistent(open_age=80)))
    # but 17 groups do
    merged_m = [*MALE_AGES[:16], MALE_AGES[16] + MALE_AGES[17]]
    merged_f = [*FEMALE_AGES[:16], FEMALE_AGES[16] + FEMALE_AGES[17]]
    assert (
        figure_problems(consistent(open_age=80, male_by_age=merged_m, female_by_age=merged_f)) == []
    )


def test_an_open_age_that_is_not_allowed_is_refused() -> None:
    assert fields_of(figure_problems(consistent(open_age=83))) == ["open_age"]


@pytest.mark.parametrize("field", ["total", "male", "female"])
def test_negative_numbers_are_refused(field: str) -> None:
    # given one negative count
    figure = consistent(**{field: -5})
    # when it is checked
    problems = figure_problems(figure)
    # then that count is reported (and the sum no longer matches either)
    assert field in fields_of(problems)


def test_a_negative_age_group_is_refused() -> None:
    ages = [-1, *MALE_AGES[1:]]
    assert "male_by_age" in fields_of(figure_problems(consistent(male_by_age=ages, male=None)))


@pytest.mark.parametrize("year", [1899, 2101])
def test_a_year_out_of_range_is_refused(year: int) -> None:
    assert "year" in fields_of(figure_problems(consistent(year=year)))


def test_more_males_than_the_total_is_refused() -> None:
    # given more males than people, the females unknown
    figure = FigureInput(year=2024, total=100, male=150)
    # when it is checked
    problems = figure_problems(figure)
    # then something is reported
    assert problems != []


# ---------------------------------------------------------------- figure_save


def test_save_creates_a_figure_with_the_total_from_the_sexes() -> None:
    # given a ward and a figure without total
    ward = thuong_thanh()
    # when it is saved
    row = figure_save(
        unit=ward, figure=FigureInput(year=2024, total=None, male=MALE, female=FEMALE)
    )
    # then it is stored with the sum as total
    row.refresh_from_db()
    assert (row.unit_id, row.year, row.total, row.male, row.female) == (
        ward.pk,
        2024,
        TOTAL,
        MALE,
        FEMALE,
    )
    assert row.male_by_age is None


def test_save_refuses_an_inconsistent_figure_and_writes_nothing() -> None:
    # given a ward without figures
    ward = thuong_thanh()
    # when an inconsistent figure is saved
    with pytest.raises(ValidationError) as caught:
        figure_save(unit=ward, figure=consistent(total=TOTAL + 1))
    # then the error is on the total and nothing is stored
    assert set(caught.value.message_dict) == {"total"}
    assert not PopulationFigure.objects.filter(unit=ward).exists()


def test_save_refuses_a_2025_commune_for_2023() -> None:
    # given the Phường Ba Đình formed on 1/7/2025
    new_ward = ba_dinh_2025()
    # when figures for 2023 are saved for it
    with pytest.raises(ValidationError) as caught:
        save(new_ward, 2023)
    # then the year is refused, naming the unit
    assert set(caught.value.message_dict) == {"year"}
    assert "Phường Ba Đình" in caught.value.message_dict["year"][0]
    assert not PopulationFigure.objects.filter(unit=new_ward).exists()


def test_save_accepts_units_in_the_year_of_the_reform() -> None:
    # given a ward that closed on 30/6/2025 and the one formed on 1/7/2025
    # when both get figures for 2025
    old = save(truc_bach(), 2025)
    new = save(ba_dinh_2025(), 2025)
    # then both are stored: each existed during part of 2025
    assert old.pk is not None
    assert new.pk is not None
    # but the closed ward cannot get figures for 2026
    with pytest.raises(ValidationError):
        save(truc_bach(), 2026)


def test_replacing_a_figure_keeps_its_history() -> None:
    # given a stored figure
    ward = thuong_thanh()
    first = save(ward, 2024)
    assert first.history.count() == 1
    # when the same unit and year is saved again with other numbers
    second = figure_save(
        unit=ward, figure=FigureInput(year=2024, total=None, male=10, female=20, source="A0")
    )
    # then the row is replaced, not duplicated, and the history holds both versions
    assert second.pk == first.pk
    assert PopulationFigure.objects.filter(unit=ward, year=2024).count() == 1
    history = list(second.history.order_by("history_date").values_list("total", flat=True))
    assert history == [TOTAL, 30]
    second.refresh_from_db()
    assert (second.total, second.male_by_age, second.source) == (30, None, "A0")


def test_a_refused_replacement_leaves_the_stored_figure_alone() -> None:
    # given a stored figure
    ward = thuong_thanh()
    stored = save(ward, 2024)
    # when an inconsistent replacement is refused
    with pytest.raises(ValidationError):
        figure_save(unit=ward, figure=FigureInput(year=2024, total=5, male=1, female=1))
    # then the stored figure and its history are unchanged
    stored.refresh_from_db()
    assert stored.total == TOTAL
    assert stored.history.count() == 1
