"""The ``danso`` command: a thin wrapper over Django's management commands.

``danso units tree ...`` is ``python manage.py units tree ...``; run ``danso help`` for
the list.  The database is the one named by ``DATABASE_URL`` (default: the embedded
SQLite file in ``var/``).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "danso"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
