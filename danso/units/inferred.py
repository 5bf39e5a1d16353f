"""Successions inferred from the official snapshots, offered to an administrator.

The reform of 1/1/2025 (communes merged under the resolutions of the Standing Committee
of the National Assembly) has no official conversion table: the snapshot of 7/5/2023
ends on 31/12/2024 and the snapshot of 4/1/2025 begins on 1/1/2025.  Where a compiled
table exists (Hà Nội, ``data/units``) it is loaded as reference data; elsewhere
``reference.infer_successions`` finds the links the two snapshots show unambiguously.

* ``inferred_propose`` stores those links as ``InferredSuccession`` rows with status
  *proposed* (called by ``imports.reference_load``, so by every ``danso setup``;
  idempotent: a link already proposed, confirmed or rejected is left as it is, and a
  commune that has a recorded succession gets no proposal);
* ``inferred_confirm`` records the real ``UnitSuccession`` (so figures, scopes and the
  villages follow it) and ``inferred_reject`` sets a proposal aside with a reason; both
  need a named person (an administrator: the callers check) and keep who and when.

Until it is confirmed an inferred link is used by nothing but these functions and the
screen and command that show them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danso.units import services
from danso.units.codes import Level
from danso.units.models import (
    InferredSuccession,
    Unit,
    UnitChange,
    UnitSuccession,
    UnitVersion,
    valid_on,
)
from danso.units.reference import (
    EntityKey,
    Manifest,
    build_plan,
    infer_successions,
    read_manifest,
)

ONE_DAY = services.ONE_DAY


def inference_days(manifest: Manifest) -> list[date]:
    """The last days after which the snapshots change with no conversion table: one
    snapshot ends, the next of the same coding scheme begins the next day, and no
    table (main or supplement) is effective then.  For the official data: 31/12/2024.
    Supplements do not remove a day: they cover some provinces, the others are inferred.
    """
    snapshots = sorted(manifest.snapshots, key=lambda s: s.valid_from)
    tables = {c.effective for c in manifest.conversions}
    days = []
    for earlier, later in pairwise(snapshots):
        if (
            earlier.valid_to is not None
            and earlier.valid_to + ONE_DAY == later.valid_from
            and earlier.scheme == later.scheme
            and later.valid_from not in tables
        ):
            days.append(earlier.valid_to)
    return days


def inferred_propose(manifest_path: Path) -> int:
    """Store the links ``reference.infer_successions`` finds for the communes that
    closed without a recorded succession; returns how many were added now."""
    manifest = read_manifest(manifest_path)
    days = inference_days(manifest)
    if not days:
        return 0
    plan = build_plan(manifest)
    added = 0
    with transaction.atomic():
        for last_day in days:
            added += _propose_after(plan.entities, last_day)
    return added


def _propose_after(entities: Any, last_day: date) -> int:
    effective = last_day + ONE_DAY
    before = _communes_on(last_day)
    after = _communes_on(effective)
    linked = set(UnitSuccession.objects.values_list("predecessor_id", flat=True))
    succeeded: set[EntityKey] = {
        key
        for key, entity in entities.items()
        if entity.level is Level.COMMUNE and before.get(key[2], (0, None))[0] in linked
    }
    added = 0
    for link in infer_successions(entities, last_day=last_day, succeeded=succeeded):
        old = before.get(link.predecessor[2])
        new = after.get(link.successor[2])
        # the database may differ from the files (changes made in danso): propose only
        # what still holds there
        if old is None or new is None or old[1] != last_day or old[0] == new[0]:
            continue
        _proposal, created = InferredSuccession.objects.get_or_create(
            predecessor_id=old[0],
            successor_id=new[0],
            effective=effective,
            defaults={
                "partial": link.partial,
                "rule": str(link.rule),
                "evidence": link.evidence[:300],
            },
        )
        added += created
    return added


def _communes_on(day: date) -> dict[str, tuple[int, date | None]]:
    """Code -> (unit id, the unit's last day) of the communes standing on ``day``."""
    return {
        code: (unit_id, last)
        for code, unit_id, last in UnitVersion.objects.filter(
            valid_on(day), unit__level=Level.COMMUNE
        ).values_list("code", "unit_id", "unit__valid_to")
    }


def _named(user: Any) -> Any:
    if not getattr(user, "pk", None):
        raise ValidationError(_("A decision on an inferred succession needs a named person."))
    return user


@transaction.atomic
def inferred_confirm(*, proposal: InferredSuccession, user: Any) -> UnitSuccession:
    """Record the succession ``proposal`` suggests, as decided by ``user``.

    The predecessor must still close the day before the link's effective date and the
    successor stand on it.  Villages that closed with the predecessor follow it when it
    now has a single whole successor (``services.villages_follow``).  A rejected
    proposal may be confirmed later; a confirmed one cannot be decided again.
    """
    actor = _named(user)
    proposal = InferredSuccession.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status == InferredSuccession.Status.CONFIRMED:
        raise ValidationError(_("This succession was already confirmed."))
    predecessor: Unit = proposal.predecessor
    successor: Unit = proposal.successor
    last_day = proposal.effective - ONE_DAY
    if predecessor.valid_to != last_day:
        raise ValidationError(
            _("%(name)s no longer closes on %(day)s.")
            % {"name": str(predecessor), "day": f"{last_day:%d/%m/%Y}"}
        )
    standing = UnitVersion.objects.filter(valid_on(proposal.effective), unit=successor).first()
    if standing is None:
        raise ValidationError(
            _("%(name)s does not exist on %(day)s.")
            % {"name": str(successor), "day": f"{proposal.effective:%d/%m/%Y}"}
        )
    old_name = (
        UnitVersion.objects.filter(valid_on(last_day), unit=predecessor).values_list(
            "name", flat=True
        )
    ).first() or str(predecessor)
    change = UnitChange.objects.create(
        kind=UnitChange.Kind.SUCCESSION,
        effective=proposal.effective,
        description=_("Inferred succession confirmed: %(old)s → %(new)s (%(rule)s)")
        % {"old": old_name, "new": standing.name, "rule": proposal.get_rule_display()},
        created_by=actor,
    )
    services._link(predecessor, successor, proposal.effective, proposal.partial, change)
    services.villages_follow(predecessor, change)
    proposal.status = InferredSuccession.Status.CONFIRMED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.succession = UnitSuccession.objects.get(
        predecessor=predecessor, successor=successor, effective=proposal.effective
    )
    proposal.save(update_fields=["status", "decided_by", "decided_at", "succession", "updated_at"])
    return proposal.succession


@transaction.atomic
def inferred_reject(*, proposal: InferredSuccession, user: Any, reason: str) -> InferredSuccession:
    """Set ``proposal`` aside, saying why; nothing else changes.  Only a proposal still
    proposed can be rejected."""
    actor = _named(user)
    if not reason.strip():
        raise ValidationError(_("Say why the proposal is rejected."))
    proposal = InferredSuccession.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != InferredSuccession.Status.PROPOSED:
        raise ValidationError(
            _("This proposal was already decided (%(status)s).")
            % {"status": proposal.get_status_display()}
        )
    proposal.status = InferredSuccession.Status.REJECTED
    proposal.decided_by = actor
    proposal.decided_at = timezone.now()
    proposal.reason = reason.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    return proposal


@transaction.atomic
def inferred_confirm_many(
    *, proposals: Iterable[InferredSuccession], user: Any
) -> list[UnitSuccession]:
    """Confirm every proposal of ``proposals`` that is not confirmed yet (a province's,
    in one go); all or nothing."""
    return [
        inferred_confirm(proposal=proposal, user=user)
        for proposal in proposals
        if proposal.status != InferredSuccession.Status.CONFIRMED
    ]
