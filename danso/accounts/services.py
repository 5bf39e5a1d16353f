"""Writes about people: accounts and role assignments.  Audited by history.  Failed logins
are in ``lockout``, API tokens in ``tokens``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danso.accounts.models import RoleAssignment, User
from danso.accounts.policy import ROLE_LEVELS, Role
from danso.audit import recorded_user
from danso.units.codes import Level
from danso.units.models import Unit, level_label


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    is_superuser: bool = False,
    validate: bool = True,
) -> User:
    """Create an account.  The password is validated (unless ``validate`` is false, for
    the demo) and stored hashed."""
    username = username.strip()
    if not username:
        raise ValidationError(_("A user name is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The user name %(name)s is taken.") % {"name": username})
    user = User(
        username=username,
        full_name=full_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, full_name: str, email: str, phone: str, is_active: bool) -> User:
    user.full_name = full_name.strip()
    user.email = email.strip()
    user.phone = phone.strip()
    user.is_active = is_active
    user.save(update_fields=["full_name", "email", "phone", "is_active"])
    return user


def user_set_password(*, user: User, password: str) -> None:
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])


@transaction.atomic
def role_assign(
    *,
    user: User,
    role: Role | str,
    unit: Unit | None,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
    by: Any = None,
) -> RoleAssignment:
    """Give ``user`` ``role`` at ``unit`` from ``valid_from`` (to ``valid_to``).

    The unit must be of the role's level and exist on ``valid_from`` (a system
    administrator holds the role without a unit)."""
    role = Role(role)
    levels = ROLE_LEVELS[role]
    if levels is None:
        if unit is not None:
            raise ValidationError(_("A system administrator is not tied to a unit."))
    else:
        if unit is None:
            raise ValidationError(_("Choose the unit where the role is held."))
        if Level(unit.level) not in levels:
            raise ValidationError(
                _("A %(role)s is held at a unit of level: %(levels)s.")
                % {
                    "role": role.label,
                    "levels": ", ".join(level_label(lvl) for lvl in sorted(levels)),
                }
            )
        if not unit.exists_on(valid_from):
            raise ValidationError(
                _("%(unit)s does not exist on %(day)s.")
                % {"unit": str(unit), "day": f"{valid_from:%d/%m/%Y}"}
            )
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError(_("The end date comes before the start date."))
    return RoleAssignment.objects.create(
        user=user,
        role=role,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        note=note,
        created_by=recorded_user(by),
    )


def role_end(*, assignment: RoleAssignment, last_day: date) -> RoleAssignment:
    """End a role on ``last_day`` (it is kept, with its history)."""
    if last_day < assignment.valid_from:
        raise ValidationError(_("The end date comes before the start date."))
    assignment.valid_to = last_day
    assignment.save(update_fields=["valid_to", "updated_at"])
    return assignment


@transaction.atomic
def role_reassign(
    *,
    assignment: RoleAssignment,
    role: Role | str,
    unit: Unit,
    effective: date,
    reason: str,
    by: Any,
) -> RoleAssignment:
    """Move a role held at a unit that a reform closed to a unit that stands: the old
    role ends the day before ``effective``, the new one starts on it, with the reason
    and who decided (both kept in the roles' history).  An explicit act: the scope never
    hands a closed unit's successors to its roles by itself."""
    if not getattr(by, "pk", None):
        raise ValidationError(_("Say who reassigns the role."))
    if not reason.strip():
        raise ValidationError(_("Say why the role is reassigned."))
    if assignment.valid_to is not None:
        raise ValidationError(_("This role has already ended."))
    last_day = effective - timedelta(days=1)
    if last_day < assignment.valid_from:
        raise ValidationError(_("The new role must start after the old one began."))
    note = _("Reassigned from %(unit)s after a reform: %(reason)s") % {
        "unit": str(assignment.unit or ""),
        "reason": reason.strip(),
    }
    created = role_assign(
        user=assignment.user,
        role=role,
        unit=unit,
        valid_from=effective,
        note=note[:300],
        by=by,
    )
    role_end(assignment=assignment, last_day=last_day)
    return created
