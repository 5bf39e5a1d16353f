"""What a projection starts from: counted by hand in the register of conftest.py."""

from __future__ import annotations

import pytest

from danso.population.agegroups import group_labels
from danso.population.services import FigureInput, figure_save
from danso.projections import modeltables
from danso.projections.rates import ASSUMED_TFR
from danso.projections.services import ProjectionError, inputs_gather
from danso.units.codes import Level
from danso.units.models import Unit
from tests.conftest import unit_at
from tests.projections.conftest import BASE, Register, ngoc_thuy, version_of

pytestmark = pytest.mark.django_db
GROUP = {label: index for index, label in enumerate(group_labels(85))}


def by_group(values: tuple[float, ...]) -> dict[str, float]:
    return {label: values[i] for label, i in GROUP.items() if values[i]}


def test_the_base_population_is_who_is_registered_on_the_base_date(register: Register) -> None:
    # when the inputs of each village are gathered on 1/1/2025
    t1 = inputs_gather(version_of(register["T1"]), BASE)
    t2 = inputs_gather(version_of(register["T2"]), BASE)
    # then T1 holds its five persons by age on that day
    assert by_group(t1.inputs.female) == {"25-29": 1, "70-74": 1}
    assert by_group(t1.inputs.male) == {"0-4": 2, "35-39": 1}
    assert t1.sources["base"] == {"kind": "register", "persons": 5}
    # and T2 neither the man who died nor the one who moved out, but the woman who came
    assert by_group(t2.inputs.female) == {"0-4": 2, "25-29": 3, "30-34": 1}
    assert by_group(t2.inputs.male) == {"0-4": 1}
    # and the commune is both villages
    commune = inputs_gather(version_of(ngoc_thuy()), BASE)
    assert sum(commune.inputs.female) + sum(commune.inputs.male) == 5 + 7


def test_a_unit_with_few_births_borrows_fertility_from_the_unit_above(
    register: Register, few_births: None
) -> None:
    # given at least 3 births are needed (few_births): T1 has 1, T2 has 3
    # when their inputs are gathered
    t1 = inputs_gather(version_of(register["T1"]), BASE)
    t2 = inputs_gather(version_of(register["T2"]), BASE)
    # then T1 takes the commune's schedule and says so; T2 keeps its own
    assert t1.sources["fertility"]["borrowed"] is True
    assert t1.sources["fertility"]["unit"]["code"] == "00118"
    assert t1.sources["fertility"]["births"] == 4
    assert t1.sources["srb"]["borrowed"] is True
    assert (t1.sources["srb"]["boys"], t1.sources["srb"]["girls"]) == (2, 2)
    assert t1.inputs.srb == pytest.approx(100.0)
    assert t2.sources["fertility"]["borrowed"] is False
    assert t2.sources["fertility"]["years"] == [2023, 2024]


def test_asfr_is_births_over_woman_years_of_the_pooled_mid_years(
    register: Register, few_births: None
) -> None:
    # given T2 on 1/7/2023: Mai 27, Hoa 26, Thu 32; on 1/7/2024 the same a year older
    # and Vy 24: 4 woman-years at 25–29, 2 at 30–34, 1 at 20–24; births: two to mothers
    # of 27, one to a mother of 33
    t2 = inputs_gather(version_of(register["T2"]), BASE)
    # then
    assert by_group(t2.inputs.asfr) == {"25-29": 2 / 4, "30-34": 1 / 2}
    assert t2.inputs.tfr == pytest.approx(5.0)


def test_with_too_few_births_anywhere_the_national_assumption_is_used(register: Register) -> None:
    gathered = inputs_gather(version_of(register["T2"]), BASE)
    assert gathered.sources["fertility"]["kind"] == "assumption"
    assert gathered.inputs.tfr == pytest.approx(ASSUMED_TFR)
    assert gathered.sources["srb"]["kind"] == "assumption"


def test_with_too_few_deaths_the_model_table_is_used(register: Register) -> None:
    gathered = inputs_gather(version_of(register["T2"]), BASE)
    mortality = gathered.sources["mortality"]
    assert mortality["kind"] == "model"
    assert mortality["fallback"] is True
    assert mortality["e0_female"] == pytest.approx(modeltables.DEFAULT_E0["female"], abs=0.01)
    with pytest.raises(ProjectionError, match="quá ít người chết"):
        inputs_gather(version_of(register["T2"]), BASE, mortality="unit")


def test_migration_is_the_register_s_moves_per_year(register: Register) -> None:
    # T2: Vy (F, 24) moved in, Đức (M, 39) moved out, over 2023–2024
    gathered = inputs_gather(version_of(register["T2"]), BASE)
    assert by_group(gathered.inputs.migration_female) == {"20-24": 0.5}
    assert by_group(gathered.inputs.migration_male) == {"35-39": -0.5}
    assert gathered.sources["migration"]["net_per_year"] == 0


def thuong_thanh() -> Unit:
    return unit_at(Level.COMMUNE, "115", BASE)


def test_a_unit_without_register_starts_from_its_population_figure(db: None) -> None:
    # given Phường Thượng Thanh has no register but a 2024 figure up to 90+
    groups = len(group_labels(90))
    male, female = list(range(100, 100 + groups)), list(range(200, 200 + groups))
    figure_save(
        unit=thuong_thanh(),
        figure=FigureInput(
            year=2024,
            total=sum(male) + sum(female),
            male=sum(male),
            female=sum(female),
            open_age=90,
            male_by_age=male,
            female_by_age=female,
            source="Niên giám",
        ),
    )
    # when its inputs are gathered
    gathered = inputs_gather(version_of(thuong_thanh()), BASE)
    # then the figure is the base, its 85–89 and 90+ together, and nobody migrates
    assert gathered.sources["base"]["kind"] == "figure"
    assert gathered.sources["base"]["year"] == 2024
    assert list(gathered.inputs.female) == [*female[:17], female[17] + female[18]]
    assert gathered.sources["migration"] == {"kind": "none"}
    assert set(gathered.inputs.migration_male) == {0.0}


def test_a_unit_with_neither_register_nor_figure_cannot_be_projected(db: None) -> None:
    with pytest.raises(ProjectionError, match="chưa có số liệu dân số theo nhóm tuổi"):
        inputs_gather(version_of(thuong_thanh()), BASE)
