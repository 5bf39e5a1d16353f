"""PostgreSQL: ``pg_dump -Fc`` and ``pg_restore``, found on PATH.

The connection settings are handed to the tools in libpq's environment variables
(``PGHOST``, ``PGPASSWORD``…), never on their command line, where any user of the server
could read the password in the process list.  ``--no-password`` makes a tool fail rather
than wait for a password nobody will type (in cron).

Nothing here imports Django: a database's settings (the dictionary Django builds from
``DATABASE_URL``) in, files and messages out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The first bytes of a ``pg_dump -Fc`` archive.
MAGIC = b"PGDMP"

#: Django's database settings and connection options → libpq's environment variables.
_SETTINGS = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD"}
_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslpassword": "PGSSLPASSWORD",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class PostgreSQLError(Exception):
    """A backup or restore that cannot go on; the message is for the operator."""


def is_archive(path: Path) -> bool:
    with path.open("rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def tool(name: str) -> str:
    """The path of ``pg_dump`` or ``pg_restore``, or an error saying how to get it."""
    found = shutil.which(name)
    if found is None:
        raise PostgreSQLError(
            f"{name} is not on PATH: install PostgreSQL's client programs, of the server's "
            "major version or newer (Debian: apt install postgresql-client)"
        )
    return found


def environment(database: Mapping[str, Any], *, name: str | None = None) -> dict[str, str]:
    """This process's environment with libpq's variables set to ``database`` (Django's
    settings of a database), or to the database ``name`` on the same server."""
    env = dict(os.environ)
    for key, variable in _SETTINGS.items():
        value = database.get(key)
        if value:
            env[variable] = str(value)
        else:
            env.pop(variable, None)
    for key, value in (database.get("OPTIONS") or {}).items():
        if key in _OPTIONS and value not in (None, ""):
            env[_OPTIONS[key]] = str(value)
    env["PGDATABASE"] = name or str(database["NAME"])
    return env


def _run(command: list[str], env: Mapping[str, str], what: str) -> str:
    done = subprocess.run(  # noqa: S603 - a fixed program found by ``tool``, no shell
        command, env=dict(env), capture_output=True, text=True, check=False
    )
    if done.returncode:
        message = done.stderr.strip() or f"exit code {done.returncode}"
        raise PostgreSQLError(f"{what} failed: {message}")
    return done.stdout


def dump(target: Path, env: Mapping[str, str], *, snapshot: str | None = None) -> None:
    """``pg_dump -Fc`` of the database named in ``env`` into the new file ``target``,
    readable by its owner only; with ``snapshot``, exactly the data that the transaction
    which exported it sees."""
    command = [tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}"]
    if snapshot:
        command.append(f"--snapshot={snapshot}")
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    _run(command, env, "pg_dump")


def archive_tables(path: Path, env: Mapping[str, str]) -> set[str]:
    """The tables an archive holds, from its table of contents (``pg_restore --list``,
    which also fails on a truncated or foreign file)."""
    listing = _run([tool("pg_restore"), "--list", str(path)], env, "pg_restore --list")
    found: set[str] = set()
    for line in listing.splitlines():
        # "213; 1259 16390 TABLE public units_unit danso"
        words = line.split()
        if not line.startswith(";") and len(words) >= 6 and words[3] == "TABLE":
            found.add(words[5])
    return found


def restore(path: Path, env: Mapping[str, str]) -> None:
    """``pg_restore`` the archive into the database named in ``env``, in one transaction:
    on any error nothing is changed.  Objects of the archive that exist are dropped first
    (``--clean --if-exists``); objects belong to whoever restores (``--no-owner``)."""
    _run(
        [
            tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-password",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={env['PGDATABASE']}",
            str(path),
        ],
        env,
        "pg_restore",
    )
