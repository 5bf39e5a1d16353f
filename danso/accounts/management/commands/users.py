"""``danso users``: accounts and roles from the command line (system administrators).

    danso users create USERNAME --password-env VAR [--full-name ...] [--admin]
    danso users assign USERNAME --role commune_officer --level commune --code 115 \
        --from 2024-01-01 [--until ...]
    danso users end-role ROLE_ID --last-day 2025-06-30
    danso users list --format json
    danso users token USERNAME [--name "what it is for"] [--expires-days 90]
    danso users tokens [USERNAME] [--all] [--format json]
    danso users revoke-token TOKEN_ID
    danso users revoke-tokens USERNAME
    danso users unlock USERNAME

``token`` prints the new token's key once (with ``--format json``, in the document): only
its hash is kept.  ``tokens`` lists tokens without their keys, the active ones unless
``--all``.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from danso.accounts import lockout, services, tokens
from danso.accounts.models import ApiToken, RoleAssignment, User
from danso.accounts.policy import Role
from danso.audit import SYSTEM_USERNAME
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

        for name in ("list", "unlock"):
            p = sub.add_parser(name)
            if name != "list":
                p.add_argument("username")
            self._shared(p)

        p = sub.add_parser("token", help="issue an API token; its key is printed once")
        p.add_argument("username")
        p.add_argument("--name", default="", help="what the token is for")
        p.add_argument(
            "--expires-days",
            type=int,
            help=f"days the token lives (default {settings.API_TOKEN_DAYS})",
        )
        self._shared(p)

        p = sub.add_parser("tokens", help="list API tokens (never their keys)")
        p.add_argument("username", nargs="?")
        p.add_argument("--all", action="store_true", help="also the expired and revoked")
        self._shared(p)

        p = sub.add_parser("revoke-token")
        p.add_argument("token_id", type=int)
        self._shared(p)

        p = sub.add_parser("revoke-tokens", help="revoke every token of a user")
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
            for u in User.objects.exclude(username=SYSTEM_USERNAME)
            .prefetch_related("roles__unit")
            .order_by("username")
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
        issued = tokens.api_token_issue(
            user=self._person(options["username"]),
            name=options["name"] or "danso users token",
            days=options["expires_days"],
            by=actor,
        )
        self.emit(
            options,
            {**_token_row(issued.token), "token": issued.key},
            lambda: f"{issued.key}\n(shown once; expires {_local(issued.token.expires_at)})",
        )

    def do_tokens(self, options: dict[str, Any], actor: User | None) -> None:
        found = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["username"]:
            found = found.filter(user=self._person(options["username"]))
        if not options["all"]:
            found = found.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
        rows = [_token_row(t) for t in found]
        self.emit(
            options,
            {"tokens": rows},
            lambda: "\n".join(
                f"{r['id']:>5} {r['username']:<16} {r['prefix']}… {r['status']:<8} "
                f"{_local(r['expires_at'])} {r['name']}"
                for r in rows
            ),
        )

    def do_revoke_token(self, options: dict[str, Any], actor: User | None) -> None:
        token = ApiToken.objects.filter(pk=options["token_id"]).first()
        if token is None:
            raise CommandError(f"no token {options['token_id']}")
        tokens.api_token_revoke(token=token, by=actor)
        self.emit(options, _token_row(token), lambda: f"token {token.pk} revoked")

    def do_revoke_tokens(self, options: dict[str, Any], actor: User | None) -> None:
        person = self._person(options["username"])
        count = tokens.api_tokens_revoke_all(user=person, by=actor)
        self.emit(
            options,
            {"username": person.username, "revoked": count},
            lambda: f"{count} tokens of {person.username} revoked",
        )

    def do_unlock(self, options: dict[str, Any], actor: User | None) -> None:
        lockout.login_failures_clear(username=options["username"], ip="everywhere")
        self.emit(
            options, {"unlocked": options["username"]}, lambda: f"unlocked {options['username']}"
        )


def _token_row(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "username": token.user.username,
        "name": token.name,
        "prefix": token.prefix,
        "status": token.status(),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


def _local(moment: Any) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else "—"
