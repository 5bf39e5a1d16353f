"""The search for persons registered twice, run on the task queue (issue 17): on a ward
of 40,000 households ``duplicates.duplicate_candidates`` takes 18–20 s, too long for a
request.

``search_start`` records a ``DuplicateSearch`` for a unit's subtree and, once the
request's transaction has committed, enqueues ``register_duplicate_search``, which
``danso worker`` runs: the engine is ``duplicate_candidates`` itself, over the unit's
subtree as it stood on the day the asker looked at (the whole register for ``unit`` None),
and the pairs it finds are kept as ``DuplicateCandidate`` rows of that unit — new pairs
open, pairs already decided (merged, "not the same person") left as they are, open
pairs no longer found removed.  The screen lists the kept pairs and says when the search
last ran; a search already waiting or running is not queued twice.  A search whose
worker died is shown failed, as an export is (``jobs.stalled``).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from danso.register import jobs
from danso.register.duplicates import duplicate_candidates, of_unit
from danso.register.models import DuplicateCandidate, DuplicateSearch
from danso.units.models import Unit, UnitVersion, valid_on
from danso.units.scope import Action, Grant, UnitScope

logger = logging.getLogger(__name__)

#: The most pairs a search keeps (the most likely first).
KEEP_PAIRS = 5000


def search_latest(unit_id: int | None) -> DuplicateSearch | None:
    """The unit's last search as it stands, marked failed if its worker died or none
    took it up."""
    search = DuplicateSearch.objects.filter(of_unit(unit_id)).order_by("-started_at", "-pk").first()
    if search is None or search.status in jobs.FINISHED:
        return search
    # A search has the fields an export job is judged by (status, started_at, report).
    state = jobs.stalled(search, timezone.now())  # type: ignore[arg-type]
    if state == "waiting":
        _fail(
            search.pk,
            _(
                "No background worker took up the search; ask the administrator to start "
                "'danso worker', then search again."
            ),
        )
    elif state == "interrupted":
        _fail(search.pk, _("The search was interrupted; search again."))
    if state:
        search.refresh_from_db()
    return search


def search_start(*, unit: Unit | None, user: Any, on: date) -> DuplicateSearch:
    """Queue a search of ``unit``'s subtree on ``on`` (None: the whole register) asked by
    ``user``; the search already waiting or running for it, if there is one."""
    running = search_latest(unit.pk if unit else None)
    if running is not None and running.status not in jobs.FINISHED:
        return running
    search = DuplicateSearch.objects.create(
        unit=unit, on=on, requested_by=user if getattr(user, "pk", None) else None
    )
    search_id = search.pk
    transaction.on_commit(lambda: register_duplicate_search.enqueue(search_id))
    return search


def _fail(search_id: int, message: str) -> None:
    DuplicateSearch.objects.filter(pk=search_id).exclude(status__in=jobs.FINISHED).update(
        status=DuplicateSearch.Status.FAILED, report={"error": message}, finished_at=timezone.now()
    )


def _scope(unit_id: int | None, on: date) -> UnitScope:
    """The unit's subtree as it stood on ``on`` (everything for no unit)."""
    if unit_id is None:
        return UnitScope.system(on)
    version = UnitVersion.objects.filter(valid_on(on), unit_id=unit_id).first()
    if version is None:  # no such unit that day: nothing to look at
        return UnitScope(on, ())
    return UnitScope(on, (Grant(version.path, frozenset({Action.VIEW_RECORDS})),))


def search_run(search_id: int) -> str:
    """Run the search ``search_id`` if it is still waiting; returns its status."""
    claimed = DuplicateSearch.objects.filter(
        pk=search_id, status=DuplicateSearch.Status.QUEUED
    ).update(status=DuplicateSearch.Status.RUNNING, report={"runner": jobs.runner()})
    search = DuplicateSearch.objects.get(pk=search_id)
    if not claimed:
        return str(search.status)
    try:
        scope = _scope(search.unit_id, search.on)
        pairs = duplicate_candidates(scope, None, limit=KEEP_PAIRS) if scope.grants else []
        counts = _keep(search.unit_id, pairs)
    except Exception:  # the search must end, whatever went wrong; the log has it
        logger.exception("duplicate search %s failed", search_id)
        _fail(search_id, _("The search failed; try again, or tell the system administrator."))
        return str(DuplicateSearch.Status.FAILED)
    DuplicateSearch.objects.filter(pk=search_id).update(
        status=DuplicateSearch.Status.DONE, report=counts, finished_at=timezone.now()
    )
    return str(DuplicateSearch.Status.DONE)


@transaction.atomic
def _keep(unit_id: int | None, pairs: list[Any]) -> dict[str, int]:
    """Store the pairs found (see the module): in a few statements, whatever their
    number."""
    found = {(p.first.pk, p.second.pk): p for p in pairs}
    known = {
        (first, second): (pk, status)
        for pk, first, second, status in DuplicateCandidate.objects.filter(
            of_unit(unit_id)
        ).values_list("pk", "first_id", "second_id", "status")
    }
    stale = [
        pk
        for key, (pk, status) in known.items()
        if status == DuplicateCandidate.Status.OPEN and key not in found
    ]
    DuplicateCandidate.objects.filter(pk__in=stale).delete()
    now = timezone.now()
    new = [
        DuplicateCandidate(
            unit_id=unit_id,
            first_id=a,
            second_id=b,
            reason=str(pair.reason),
            score=pair.score,
            found_at=now,
        )
        for (a, b), pair in found.items()
        if (a, b) not in known
    ]
    DuplicateCandidate.objects.bulk_create(new, batch_size=500)
    still = [
        DuplicateCandidate(pk=pk, reason=str(found[key].reason), score=found[key].score)
        for key, (pk, status) in known.items()
        if status == DuplicateCandidate.Status.OPEN and key in found
    ]
    DuplicateCandidate.objects.bulk_update(still, ["reason", "score"], batch_size=500)
    return {"found": len(found), "new": len(new), "removed": len(stale)}


@task()
def register_duplicate_search(search_id: int) -> str:
    """The task the worker runs for ``search_start``; returns the search's status."""
    return search_run(search_id)
