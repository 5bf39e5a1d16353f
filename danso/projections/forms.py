from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.numberfields import VietnameseFloatField
from danso.projections.lifetables import ALLOWED_OPEN_AGES, abridged_labels, parse_values
from danso.projections.method import (
    BUILTIN_SCENARIOS,
    MAX_YEARS,
    SCENARIO_NAME,
    Migration,
    ScenarioSpec,
)
from danso.projections.models import MIGRATION_CHOICES, LifeTable, Projection
from danso.spreadsheets import LimitError
from danso.tables import TableError, read_table
from danso.uploads import Kind, limit_message, limits, read_upload

#: What the built-in scenarios are called on screen.
SCENARIO_LABELS = {
    "constant": _("Constant rates"),
    "tfr-2.1-2030": _("TFR to 2.1 in 2030"),
    "srb-109-2030": _("SRB to 109 in 2030"),
    "tfr-2.1-srb-109-2030": _("TFR to 2.1 and SRB to 109 in 2030"),
    "zero-migration": _("Constant rates, no migration"),
}
assert set(SCENARIO_LABELS) == set(BUILTIN_SCENARIOS)


def scenario_label(name: str) -> str:
    return str(SCENARIO_LABELS.get(name, name))


class ProjectionForm(forms.Form):
    # Any unit id is accepted here: the view decides on the base date whether the person
    # may project it (403 otherwise), the list only offers the likely ones.
    unit = forms.IntegerField(label=_("Unit"), widget=forms.Select)
    base_date = forms.DateField(
        label=_("Base date"),
        help_text=_("dd/mm/yyyy — the population on this day; the units as they stood then"),
    )
    to_year = forms.IntegerField(label=_("Project to the year"), min_value=1900, max_value=2200)
    scenarios = forms.MultipleChoiceField(
        label=_("Scenarios"),
        choices=list(SCENARIO_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        initial=["constant", "tfr-2.1-2030"],
    )
    mortality = forms.ChoiceField(
        label=_("Mortality"), choices=Projection.Mortality.choices, initial="default"
    )
    life_table = forms.ModelChoiceField(
        label=_("Life table"),
        queryset=LifeTable.objects.all(),
        required=False,
        help_text=_("Only with “A life table entered in danso”."),
    )

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].widget.choices = units

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        base: date | None = data.get("base_date")
        to_year: int | None = data.get("to_year")
        if base and to_year and not 1 <= to_year - base.year <= MAX_YEARS:
            self.add_error(
                "to_year",
                _("The year must be 1 to %(max)s years after the base date.") % {"max": MAX_YEARS},
            )
        if data.get("mortality") == Projection.Mortality.TABLE and not data.get("life_table"):
            self.add_error("life_table", _("Choose the life table to use."))
        return data

    def specs(self) -> list[ScenarioSpec]:
        return [BUILTIN_SCENARIOS[name] for name in self.cleaned_data["scenarios"]]


def _numbers(text: str) -> tuple[float, ...] | None:
    if not text.strip():
        return None
    try:
        return tuple(parse_values(text))
    except ValueError as error:
        raise forms.ValidationError(str(error)) from error


class ScenarioForm(forms.Form):
    """A scenario of one's own, added to a projection."""

    name = forms.RegexField(
        label=_("Name"),
        regex=SCENARIO_NAME,
        max_length=60,
        help_text=_("Letters, digits, dots and dashes, e.g. tfr-1.9"),
    )
    tfr_target = VietnameseFloatField(
        label=_("TFR target"), required=False, min_value=0, max_value=10
    )
    tfr_year = forms.IntegerField(label=_("reached in"), required=False, min_value=1900)
    srb_target = VietnameseFloatField(
        label=_("SRB target"), required=False, min_value=50, max_value=200
    )
    srb_year = forms.IntegerField(label=_("reached in"), required=False, min_value=1900)
    migration = forms.ChoiceField(
        label=_("Migration"),
        choices=MIGRATION_CHOICES,
        initial=Migration.REGISTER.value,
    )
    migration_factor = VietnameseFloatField(
        label=_("Factor"), initial=1.0, help_text=_("With “the register's, times a factor”.")
    )
    migration_female = forms.CharField(
        label=_("Net female migrants per year, by age group"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("With “entered”: one number per age group, 0–4 first, separated by spaces."),
    )
    migration_male = forms.CharField(
        label=_("Net male migrants per year, by age group"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_migration_female(self) -> tuple[float, ...] | None:
        return _numbers(self.cleaned_data["migration_female"])

    def clean_migration_male(self) -> tuple[float, ...] | None:
        return _numbers(self.cleaned_data["migration_male"])

    def spec(self) -> ScenarioSpec:
        """The scenario, or ``forms.ValidationError`` when its parts do not fit."""
        data = self.cleaned_data
        try:
            return ScenarioSpec(
                name=data["name"],
                tfr_target=data["tfr_target"],
                tfr_year=data["tfr_year"],
                srb_target=data["srb_target"],
                srb_year=data["srb_year"],
                migration=Migration(data["migration"]),
                migration_factor=data["migration_factor"],
                migration_female=data["migration_female"],
                migration_male=data["migration_male"],
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class LifeTableForm(forms.Form):
    """A life table typed in (or pasted), or read from a table with columns
    ``age, male, female`` (.xlsx or .csv)."""

    name = forms.CharField(label=_("Name"), max_length=200)
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("e.g. Tổng cục Thống kê, Bảng sống 2019"),
    )
    kind = forms.ChoiceField(label=_("Values are"), choices=LifeTable.Kind.choices)
    open_age = forms.TypedChoiceField(
        label=_("Last age group"),
        coerce=int,
        initial=85,
        choices=[(a, f"{a}+") for a in ALLOWED_OPEN_AGES],
    )
    male = forms.CharField(
        label=_("Males"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One value per age group (0, 1–4, 5–9, …), separated by spaces or new lines."),
    )
    female = forms.CharField(
        label=_("Females"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(
        label=_("Or a table (.xlsx or .csv)"),
        required=False,
        help_text=_("Columns: age, male, female; one row per age group."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            try:
                content = read_upload(upload, Kind.LIFE_TABLE)  # its size first
                data["male"], data["female"] = _read_columns(content, upload.name)
            except (LimitError, TableError) as error:
                self.add_error("file", limit_message(error))
            except ValueError as error:
                self.add_error("file", str(error))
            return data
        for sex in ("male", "female"):
            try:
                data[sex] = parse_values(data.get(sex) or "")
            except ValueError as error:
                self.add_error(sex, str(error))
        return data

    def labels(self) -> list[str]:
        return abridged_labels(int(self["open_age"].value() or 85))


def _read_columns(content: bytes, file_name: str) -> tuple[list[float], list[float]]:
    table = read_table(content, file_name, limits=limits(Kind.LIFE_TABLE))
    headers = {h.strip().lower(): h for h in table.headers}
    missing = [c for c in ("male", "female") if c not in headers]
    if missing:
        raise ValueError(f"the table has no column {', '.join(missing)}")
    male, female = [], []
    for line, row in table.rows:
        try:
            male.append(float(str(row[headers["male"]]).replace(",", ".")))
            female.append(float(str(row[headers["female"]]).replace(",", ".")))
        except ValueError as error:
            raise ValueError(f"line {line}: {error}") from error
    return male, female
