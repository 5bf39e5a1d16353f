"""Forms for changes to the tree; each feeds exactly one service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.units.models import UnitVersion

VILLAGE_TYPES = [
    ("thôn", "thôn"),
    ("tổ dân phố", "tổ dân phố"),
    ("ấp", "ấp"),
    ("bản", "bản"),
    ("khu phố", "khu phố"),
    ("xóm", "xóm"),
    ("buôn", "buôn"),
    ("làng", "làng"),
]
DATE_HELP = _("dd/mm/yyyy — the first day of the new state.")


class EffectiveForm(forms.Form):
    effective = forms.DateField(label=_("Effective from"), help_text=DATE_HELP)
    decision = forms.CharField(
        label=_("Legal basis"),
        required=False,
        max_length=300,
        help_text=_("e.g. Nghị quyết 1286/NQ-UBTVQH15"),
    )


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=VILLAGE_TYPES)
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("Your own code, unique among villages, e.g. the commune code and a number."),
    )
    valid_from = forms.DateField(label=_("Exists from"), help_text=_("dd/mm/yyyy"))
    decision = forms.CharField(label=_("Legal basis"), required=False, max_length=300)


class RenameForm(EffectiveForm):
    name = forms.CharField(label=_("New name"), max_length=200)
    type = forms.CharField(label=_("Type"), max_length=40)
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        required=False,
        help_text=_("Leave as it is unless the code changes too."),
    )


class ParentChoiceField(forms.ModelChoiceField[UnitVersion]):
    def label_from_instance(self, obj: UnitVersion) -> str:
        return f"{obj.name} ({obj.display_code})"


class MoveForm(EffectiveForm):
    parent = ParentChoiceField(label=_("New parent unit"), queryset=UnitVersion.objects.none())

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class MergeForm(EffectiveForm):
    INTO_THIS = "this"
    INTO_NEW = "new"
    others = forms.ModelMultipleChoiceField(
        label=_("Merge with"),
        queryset=UnitVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Result"),
        choices=[
            (INTO_THIS, _("This unit continues and takes the others in")),
            (INTO_NEW, _("A new unit replaces them all")),
        ],
        widget=forms.RadioSelect,
        initial=INTO_THIS,
    )
    new_code = forms.CharField(label=_("Code of the new unit"), required=False, max_length=20)
    new_name = forms.CharField(label=_("Name of the new unit"), required=False, max_length=200)
    new_type = forms.CharField(label=_("Type of the new unit"), required=False, max_length=40)

    def __init__(self, *args: Any, siblings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if siblings is not None:
            field = self.fields["others"]
            field.queryset = siblings  # type: ignore[attr-defined]
            field.label_from_instance = lambda v: f"{v.name} ({v.display_code})"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == self.INTO_NEW and not (
            data.get("new_code") and data.get("new_name")
        ):
            raise forms.ValidationError(_("Give the new unit a code and a name."))
        return data


class SplitForm(EffectiveForm):
    parts = forms.CharField(
        label=_("New units"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: code | name | type, e.g. 99001 | Phường An Bình | phường"),
    )
    keep_original = forms.BooleanField(
        label=_("This unit continues (only a part is split off)"), required=False
    )

    def __init__(
        self, *args: Any, children: list[UnitVersion] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.children = children or []
        for child in self.children:
            self.fields[f"child_{child.unit_id}"] = forms.IntegerField(
                label=child.name,
                min_value=0,
                initial=1,
                help_text=_("Number of the new unit it goes to (1, 2, …); 0 = stays here."),
            )

    def clean_parts(self) -> list[tuple[str, str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            cells = [c.strip() for c in line.split("|")]
            if len(cells) < 2 or not cells[0] or not cells[1]:
                raise forms.ValidationError(
                    _("Line %(n)s: write code | name | type.") % {"n": number}
                )
            rows.append((cells[0], cells[1], cells[2] if len(cells) > 2 else ""))
        return rows

    def child_destinations(self) -> dict[int, int]:
        return {
            child.unit_id: self.cleaned_data[f"child_{child.unit_id}"] for child in self.children
        }


class CloseForm(EffectiveForm):
    successors = forms.CharField(
        label=_("Successors"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Codes of the units that take it over, one per line; add ' partial' when "
            "only part of it goes there."
        ),
    )


class ConversionForm(forms.Form):
    file = forms.FileField(label=_("Conversion table (CSV)"))
    effective = forms.DateField(label=_("Effective from"), help_text=DATE_HELP)
    decision = forms.CharField(label=_("Legal basis"), required=False, max_length=300)
    dry_run = forms.BooleanField(label=_("Only check, write nothing"), required=False, initial=True)


class PlaceForm(EffectiveForm):
    """Where a village that closed with its commune stands again (``unit_move``)."""

    successor = forms.TypedChoiceField(label=_("New commune"), coerce=int, choices=[])

    def __init__(
        self, *args: Any, successors: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].choices = successors or []  # type: ignore[attr-defined]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)
