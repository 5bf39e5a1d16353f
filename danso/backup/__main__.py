"""``python -m danso.backup inspect``: inspect the database that ``DATABASE_URL`` names
and print one JSON document (``danso.backup.inspection.inspect``).

Run by ``danso backup --verify`` for the copies it compares; not meant for operators.
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m danso.backup")
    sub = parser.add_subparsers(dest="action", required=True)
    inspect = sub.add_parser("inspect", help="row counts and figures of DATABASE_URL, as JSON")
    inspect.add_argument("--migrate", action="store_true", help="apply missing migrations first")
    inspect.add_argument("--tables", action="store_true", help="count the rows of every table")
    inspect.add_argument("--figures", default="[]", help='[{"unit", "level", "period"}, …]')
    inspect.add_argument("--snapshot", help="a PostgreSQL snapshot to read in")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danso.settings.local")
    import django

    django.setup()
    from danso.backup.inspection import inspect as run

    result = run(
        migrate=args.migrate,
        tables=args.tables,
        wanted=json.loads(args.figures),
        snapshot=args.snapshot,
    )
    json.dump(result, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main()
