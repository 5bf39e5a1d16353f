"""``danso users``: accounts and roles from the command line (system administrators).

    danso users create USERNAME --password-env VAR [--full-name ...] [--admin]
    danso users assign USERNAME --role commune_officer --level commune --code 115 \
        --from 2024-01-01 [--until ...]
    danso users end-role ROLE_ID --last-day 2025-06-30
    danso users list --format json
    danso users token USERNAME
    danso users unlock USERNAME
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from danso.accounts import services
from danso.accounts.models import RoleAssignment, User
from danso.accounts.policy import Role
from danso.commandline import DansoCommand, parse_day
from danso.units.codes import CLI_LEVELS, Level
from danso.units.scope import Action, UnitScope
from danso.units.selectors import UnitNotFound, resolve_code


class Command(DansoCommand):
    help = "User accounts and role assignments."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create")
        p.add_argument("username")
        p.add_argument(
            "--password-env",
            required=True,
            help="name of an environment variable holding the password",
        )
        p.add_argument("--full-name", default="")
        p.add_argument("--email", default="")
        p.add_argument("--admin", action="store_true", help="a system administrator")
        self._shared(p)

        p = sub.add_parser("assign")
        p.add_argument("username")
        p.add_argument("--role", choices=[r.value for r in Role], required=True)
        p.add_argument("--level", choices=[lvl.value for lvl in CLI_LEVELS])
        p.add_argument("--code")
        p.add_argument("--from", dest="valid_from", type=parse_day, required=True)
        p.add_argument("--until", dest="valid_to", type=parse_day)
        self._shared(p)

        p = sub.add_parser("end-role")
        p.add_argument("role_id", type=int)
        p.add_argument("--last-day", type=parse_day, required=True)
        self._shared(p)

        for name in ("list", "token", "unlock"):
            p = sub.add_parser(name)
            if name != "list":
                p.add_argument("username")
            self._shared(p)

    def _shared(self, parser: ArgumentParser) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--user", metavar="USERNAME", help="act as this administrator")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self.acting_user(options)
        if actor is not None and not self.scope(options).is_everything(Action.MANAGE_USERS):
            raise CommandError("only a system administrator manages users")
        try:
            getattr(self, f"do_{options['action'].replace('-', '_')}")(options, actor)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def _person(self, username: str) -> User:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"no user {username!r}")
        return person

    def do_create(self, options: dict[str, Any], actor: User | None) -> None:
        password = os.environ.get(options["password_env"])
        if not password:
            raise CommandError(f"the environment variable {options['password_env']} is empty")
        person = services.user_create(
            username=options["username"],
            password=password,
            full_name=options["full_name"],
            email=options["email"],
        )
        if options["admin"]:
            services.role_assign(
                user=person,
                role=Role.ADMIN,
                unit=None,
                valid_from=parse_day("2023-05-07"),
                by=actor,
            )
        self.emit(
            options,
            {"id": person.pk, "username": person.username},
            lambda: f"created {person.username}",
        )

    def do_assign(self, options: dict[str, Any], actor: User | None) -> None:
        person = self._person(options["username"])
        unit = None
        if options.get("level") and options.get("code"):
            try:
                unit = resolve_code(
                    Level(options["level"]),
                    options["code"],
                    UnitScope.system(options["valid_from"]),
                ).unit
            except UnitNotFound as error:
                raise CommandError(str(error)) from error
        role = services.role_assign(
            user=person,
            role=options["role"],
            unit=unit,
            valid_from=options["valid_from"],
            valid_to=options.get("valid_to"),
            by=actor,
        )
        self.emit(
            options,
            {"id": role.pk, "role": role.role, "unit": str(role.unit or "")},
            lambda: f"role {role.pk}: {role}",
        )

    def do_end_role(self, options: dict[str, Any], actor: User | None) -> None:
        role = RoleAssignment.objects.filter(pk=options["role_id"]).first()
        if role is None:
            raise CommandError(f"no role {options['role_id']}")
        services.role_end(assignment=role, last_day=options["last_day"])
        self.emit(
            options,
            {"id": role.pk, "valid_to": role.valid_to},
            lambda: f"role {role.pk} ends on {role.valid_to}",
        )

    def do_list(self, options: dict[str, Any], actor: User | None) -> None:
        rows: list[dict[str, Any]] = [
            {
                "username": u.username,
                "full_name": u.full_name,
                "active": u.is_active,
                "roles": [
                    {
                        "id": r.pk,
                        "role": r.role,
                        "unit": str(r.unit or ""),
                        "from": r.valid_from,
                        "until": r.valid_to,
                    }
                    for r in u.roles.all()
                ],
            }
            for u in User.objects.prefetch_related("roles__unit").order_by("username")
        ]
        self.emit(
            options,
            {"users": rows},
            lambda: "\n".join(
                f"{r['username']:<16} {r['full_name']:<30} "
                + ", ".join(f"{x['role']}@{x['unit']}" for x in r["roles"])
                for r in rows
            ),
        )

    def do_token(self, options: dict[str, Any], actor: User | None) -> None:
        token, _created = Token.objects.get_or_create(user=self._person(options["username"]))
        self.emit(options, {"token": token.key}, lambda: token.key)

    def do_unlock(self, options: dict[str, Any], actor: User | None) -> None:
        services.login_failures_clear(username=options["username"])
        self.emit(
            options, {"unlocked": options["username"]}, lambda: f"unlocked {options['username']}"
        )
