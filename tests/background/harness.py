"""Run by ``test_killed_worker.py`` in processes of their own, on a database of their own
(``DATABASE_URL``): queue a register import, run a worker that pauses inside the import's
writing (so that the test can kill it there), and tell how a job stands.

    python -m tests.background.harness enqueue BOOK
    python -m tests.background.harness pausing-worker STAGE MARKER
    python -m tests.background.harness status JOB_ID
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    from danso.register import jobs
    from danso.register.models import Event, Household, ImportJob, Person

    command, *rest = argv
    if command == "enqueue":
        job = jobs.import_start(path=Path(rest[0]), file_name="so-a0", partial=True)
        print(job.pk)
    elif command == "pausing-worker":
        stage, marker = rest
        counted = jobs._Progress.__call__

        def pausing(progress: Any, at: str, done: int, total: int) -> None:
            counted(progress, at, done, total)
            if at == stage:
                Path(marker).touch()
                time.sleep(600)  # until the test kills this process

        jobs._Progress.__call__ = pausing  # type: ignore[method-assign,assignment]
        call_command("worker", "--batch", verbosity=0)
    elif command == "status":
        job = ImportJob.objects.get(pk=rest[0])
        shown = jobs.job_progress(job)
        print(
            json.dumps(
                {
                    "status": shown["status"],
                    "report": shown["report"],
                    "persons": Person.objects.count(),
                    "households": Household.objects.count(),
                    "events": Event.objects.count(),
                }
            )
        )
    else:
        raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    main(sys.argv[1:])
