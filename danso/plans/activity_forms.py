"""Forms of the activity schedule, occurrence results and steering committee screens
(``activity_views``).  Numbers are typed the Vietnamese way (``danso.numberfields``),
dates as dd/mm/yyyy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danso.numberfields import VietnameseDecimalField, VietnameseIntegerField
from danso.plans.communication import COMMUNICATION_DAYS
from danso.plans.models import Activity, ActivityBudget, ActivityOccurrence, CommitteeMember
from danso.plans.recurrence import day_key

DATE_HINT = {"placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "numeric"}


def _date(label: str | Any, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_HINT)
    )


def _communication_choices() -> list[tuple[str, str]]:
    return [
        (day_key(d), f"{d.name_vi} ({d.day}/{d.month})" if d.day else f"{d.name_vi} ({d.month})")
        for d in COMMUNICATION_DAYS
    ]


class ActivityForm(forms.Form):
    """An activity of the schedule, entered or changed by hand, with its budget lines
    (``planned_<source>``, ``spent_<source>``, in đồng)."""

    name = forms.CharField(label=_("Activity"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    repeats = forms.ChoiceField(
        label=_("Recurs"),
        required=False,
        choices=[
            ("", _("not set (status entered by hand)")),
            *((r.value, label) for r, label in Activity.REPEAT_LABELS.items()),
        ],
    )
    communication_days = forms.MultipleChoiceField(
        label=_("On these communication days (none ticked: all of them)"),
        required=False,
        choices=_communication_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    start = _date(_("From (dd/mm/yyyy)"))
    end = _date(_("Until (dd/mm/yyyy)"))
    window = forms.CharField(
        label=_("Time as written"),
        required=False,
        max_length=200,
        help_text=_("e.g. Tháng 3 - 10/2024"),
    )
    group = forms.CharField(label=_("Group"), required=False, max_length=500)
    number = forms.CharField(label=_("Number"), required=False, max_length=20)
    lead = forms.CharField(label=_("Lead"), required=False, max_length=300)
    coordinating = forms.CharField(label=_("Coordinating"), required=False, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for source, _label in ActivityBudget.Source.choices:
            for name in ("planned", "spent"):
                self.fields[f"{name}_{source}"] = VietnameseDecimalField(
                    label=_("planned (đồng)") if name == "planned" else _("spent (đồng)"),
                    required=False,
                    min_value=Decimal(0),
                    max_digits=16,
                    decimal_places=0,
                )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The activity ends before it starts."))
        return data

    def budget_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"planned_{source}"], self[f"spent_{source}"])
            for source, label in ActivityBudget.Source.choices
        ]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.base_fields]

    def budget(self) -> dict[str, tuple[Decimal, Decimal]]:
        data = self.cleaned_data
        return {
            source: (
                data.get(f"planned_{source}") or Decimal(0),
                data.get(f"spent_{source}") or Decimal(0),
            )
            for source, _label in ActivityBudget.Source.choices
        }

    @staticmethod
    def initial_for(activity: Activity) -> dict[str, Any]:
        """The form's values for ``activity``; an imported one that recurs "hàng tháng"
        or "hàng quý" is offered that recurrence."""
        guessed = {"monthly": "monthly", "quarterly": "quarterly", "yearly": "once"}
        initial: dict[str, Any] = {
            "name": activity.name,
            "kind": activity.kind,
            "repeats": activity.repeats or guessed.get(activity.recurrence, ""),
            "communication_days": activity.communication_days,
            "start": activity.start,
            "end": activity.end,
            "window": activity.window,
            "group": activity.group,
            "number": activity.number,
            "lead": activity.lead,
            "coordinating": activity.coordinating,
        }
        for line in activity.budget_lines.all():
            initial[f"planned_{line.source}"] = line.planned
            initial[f"spent_{line.source}"] = line.spent
        return initial


class OccurrenceForm(forms.Form):
    """What one occurrence achieved (a phone's form: one column, numeric keyboards).
    A club or model asks for its clubs and members, a training for its trainees."""

    held = forms.ChoiceField(
        label=_("Was it held?"),
        choices=[("yes", _("Held")), ("no", _("Not held"))],
        widget=forms.RadioSelect,
    )
    held_on = _date(_("Date held (dd/mm/yyyy)"))
    sessions = VietnameseIntegerField(label=_("Sessions"), required=False, min_value=0)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    GROUP_LABELS = {
        "women": _("Women aged 15–49"),
        "youth": _("Adolescents and youth"),
        "men": _("Men"),
        "couples": _("Persons in couples"),
        "elderly": _("Elderly people"),
        "others": _("Others"),
    }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        extra: dict[str, Any] = {
            name: self.GROUP_LABELS[name] for name in ActivityOccurrence.GROUPS
        }
        extra["materials"] = _("Materials distributed")
        extra["media_items"] = _("Media items (news, broadcasts, posts)")
        if kind == Activity.Kind.CLUB:
            extra["clubs_running"] = _("Clubs or models running")
            extra["members"] = _("Members")
        if kind == Activity.Kind.TRAINING:
            extra["trainees"] = _("Trainees")
        for name, label in extra.items():
            self.fields[name] = VietnameseIntegerField(label=label, required=False, min_value=0)
        self.order_fields(["held", "held_on", "sessions", *extra, "note"])

    def participant_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ActivityOccurrence.GROUPS]

    def other_fields(self) -> list[forms.BoundField]:
        skip = {"held", "held_on", "sessions", "note", *ActivityOccurrence.GROUPS}
        return [self[name] for name in self.fields if name not in skip]

    def counts(self) -> dict[str, int]:
        skip = {"held", "held_on", "note"}
        return {name: self.cleaned_data.get(name) or 0 for name in self.fields if name not in skip}

    @staticmethod
    def initial_for(occurrence: ActivityOccurrence) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "held": "no" if occurrence.held is False else "yes",
            "held_on": occurrence.held_on,
            "note": occurrence.note,
            "sessions": occurrence.sessions if occurrence.held is not None else 1,
        }
        for name in (*ActivityOccurrence.GROUPS, "materials", "media_items", "clubs_running"):
            initial[name] = getattr(occurrence, name)
        initial["members"], initial["trainees"] = occurrence.members, occurrence.trainees
        return initial


class MemberForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    position = forms.CharField(
        label=_("Position"),
        required=False,
        max_length=200,
        help_text=_("e.g. Phó Chủ tịch UBND phường"),
    )
    agency = forms.CharField(label=_("Agency"), required=False, max_length=200)
    role = forms.ChoiceField(label=_("Role in the committee"), choices=CommitteeMember.Role.choices)
    order = VietnameseIntegerField(label=_("Order"), required=False, min_value=0)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class MeetingForm(forms.Form):
    held_on = _date(_("Date (dd/mm/yyyy)"), required=True)
    chair = forms.CharField(label=_("Chaired by"), max_length=200)
    present = VietnameseIntegerField(label=_("Members present"), min_value=0)
    absent = VietnameseIntegerField(label=_("Members absent"), required=False, min_value=0)
    attendance_note = forms.CharField(
        label=_("Attendance (absent members, guests)"), required=False, max_length=500
    )
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
