"""``danso worker``: run the background tasks (register imports, figures warming, the
daily reminders) as they are queued, and keep the daily schedule.

    danso worker                 # runs until stopped (Ctrl+C, SIGTERM: ends the task first)
    danso worker --batch         # runs what is queued (and due today), then stops

``make run`` starts one beside the web server; docs/deployment.md runs it under systemd.
"""

from __future__ import annotations

import logging
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from danso.background.schedule import enqueue_due
from danso.background.worker import recover, schedule_thread, worker_id


class Command(BaseCommand):
    help = "Chạy các việc nền (nhập sổ, tính sẵn số liệu, nhắc hạn báo cáo hằng ngày)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the tasks queued (and those due today), then stop",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds between two looks at the queue when it is empty (default 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for name in ("danso", "django_tasks", "django_tasks_db"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
            if not logger.handlers:
                logger.addHandler(logging.StreamHandler(self.stderr))
        recovered = recover()
        if any(recovered.values()):
            self.stderr.write(
                f"Đã đánh dấu thất bại {recovered['tasks']} việc và {recovered['imports']} "
                "lần nhập sổ của một tiến trình nền đã dừng."
            )
        worker = Worker(
            queue_names=["*"],
            interval=max(0.1, options["interval"]),
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id(),
            excluded_queue_names=[],
        )
        if options["batch"]:
            enqueue_due(timezone.localtime())
            worker.run()
            return
        _thread, stop = schedule_thread()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
