"""Backup and restore of danso's database (``danso backup``, ``danso restore``).

- ``sqlite`` (plain Python, no Django): SQLite's online backup API, the integrity check,
  and putting a restored file in place of the live one atomically;
- ``postgresql`` (plain Python, no Django): ``pg_dump -Fc`` and ``pg_restore`` with the
  password passed in the environment, never on the command line;
- ``inspection``: what is compared about one database — row counts of every table, the
  migrations applied, the indicator engine's output for a few units and periods; run in
  a child process (``python -m danso.backup inspect``) for databases other than the
  configured one;
- ``services``: ``backup_create``, ``backup_restore`` and ``backup_verify``, which the
  commands call.

See ``docs/backup.md``.  Nothing here is imported at package level, so that the child
process can set Django up before it imports models.
"""
