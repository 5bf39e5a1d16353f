"""The administration screen for users and their role assignments (system
administrators only)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from danso.accounts import lockout, selectors, services, tokens
from danso.accounts.context import request_scope
from danso.accounts.forms import EndRoleForm, PasswordForm, RoleForm, UserCreateForm, UserEditForm
from danso.accounts.models import ApiToken, RoleAssignment, User
from danso.audit import SYSTEM_USERNAME
from danso.params import id_param
from danso.units.codes import Level
from danso.units.models import UnitVersion
from danso.units.scope import Action, UnitScope
from danso.units.selectors import UnitNotFound, resolve_code

#: Users a page of the administration screen lists.
USERS_PAGE = 100


def _require_admin(request: HttpRequest) -> None:
    if not request_scope(request).is_everything(Action.MANAGE_USERS):
        raise PermissionDenied(_("Only a system administrator manages users."))


def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    query = request.GET.get("q", "").strip()
    # The system actor of the command line is no one's account (danso.audit).
    users = (
        User.objects.exclude(username=SYSTEM_USERNAME)
        .prefetch_related("roles__unit")
        .order_by("username")
    )
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(email__icontains=query)
        )
    page = Paginator(users, USERS_PAGE).get_page(request.GET.get("page"))
    _name_role_units([role for user in page.object_list for role in user.roles.all()])
    return render(
        request,
        "accounts/users.html",
        {
            "nav": "accounts",
            "users": page.object_list,
            "page": page,
            "query": query,
            "to_reassign": len(selectors.roles_to_reassign(timezone.localdate())),
        },
    )


def _name_role_units(roles: list[RoleAssignment]) -> None:
    """Give each role its unit's latest name (``unit_label``), in one query for the page
    (``str(unit)`` would ask for each)."""
    latest: dict[int, str] = {}
    for unit_id, name in (
        UnitVersion.objects.filter(unit_id__in={r.unit_id for r in roles if r.unit_id})
        .order_by("unit_id", "-valid_from")
        .values_list("unit_id", "name")
    ):
        latest.setdefault(unit_id, name)
    for role in roles:
        role.unit_label = latest.get(role.unit_id, "") if role.unit_id else ""  # type: ignore[attr-defined]


def reassign(request: HttpRequest) -> HttpResponse:
    """The roles a reform left at a closed unit, and their reassignment to a unit that
    stands (an explicit act, with a reason, kept in the roles' history)."""
    _require_admin(request)
    today = timezone.localdate()
    rows = selectors.roles_to_reassign(today)
    if request.method == "POST":
        by_id = {row.assignment.pk: row for row in rows}
        row = by_id.get(id_param(request.POST.get("assignment")) or 0)
        if row is None:
            messages.error(request, _("This role no longer needs reassigning."))
            return redirect("accounts:reassign")
        choice = request.POST.get("candidate", "")
        candidate = next(
            (c for c in row.candidates if f"{c.role}:{c.version.unit_id}" == choice), None
        )
        if candidate is None:
            messages.error(request, _("Choose the unit the role goes to."))
            return redirect("accounts:reassign")
        try:
            services.role_reassign(
                assignment=row.assignment,
                role=candidate.role,
                unit=candidate.version.unit,
                effective=today,
                reason=request.POST.get("reason", ""),
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(user)s now holds the role at %(unit)s.")
                % {"user": row.assignment.user.username, "unit": candidate.version.name},
            )
        return redirect("accounts:reassign")
    return render(
        request,
        "accounts/reassign.html",
        {"nav": "accounts", "rows": rows, "today": today},
    )


def user_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(**form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(
                request, _("%(name)s was created. Now give them a role.") % {"name": user.username}
            )
            return redirect("accounts:user", user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"nav": "accounts", "form": form, "title": _("New user")},
    )


def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    _require_admin(request)
    person = get_object_or_404(User, pk=user_id)
    edit = UserEditForm(instance=person, prefix="edit")
    role_form = RoleForm(prefix="role")
    password_form = PasswordForm(prefix="pw")
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "edit":
            edit = UserEditForm(request.POST, instance=person, prefix="edit")
            if edit.is_valid():
                services.user_update(user=person, **edit.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect("accounts:user", person.pk)
        elif action == "role":
            role_form = RoleForm(request.POST, prefix="role")
            if role_form.is_valid() and _add_role(request, person, role_form):
                return redirect("accounts:user", person.pk)
        elif action == "password":
            password_form = PasswordForm(request.POST, prefix="pw")
            if password_form.is_valid():
                try:
                    services.user_set_password(
                        user=person, password=password_form.cleaned_data["password"]
                    )
                except ValidationError as error:
                    for message in error.messages:
                        password_form.add_error("password", message)
                else:
                    messages.success(request, _("The password was changed."))
                    return redirect("accounts:user", person.pk)
        elif action == "unlock":
            lockout.login_failures_clear(username=person.username, ip="everywhere")
            messages.success(request, _("The account was unlocked."))
            return redirect("accounts:user", person.pk)
        elif action == "revoke_token":
            token = get_object_or_404(
                ApiToken, pk=id_param(request.POST.get("token")) or 0, user=person
            )
            tokens.api_token_revoke(token=token, by=request.user)
            messages.success(request, _("The token was revoked."))
            return redirect("accounts:user", person.pk)
        elif action == "revoke_tokens":
            count = tokens.api_tokens_revoke_all(user=person, by=request.user)
            messages.success(request, _("Tokens revoked: %(count)d.") % {"count": count})
            return redirect("accounts:user", person.pk)
        elif action == "end_role":
            assignment = get_object_or_404(
                RoleAssignment, pk=id_param(request.POST.get("assignment")) or 0, user=person
            )
            end = EndRoleForm(request.POST)
            if end.is_valid():
                try:
                    services.role_end(assignment=assignment, last_day=end.cleaned_data["last_day"])
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                else:
                    messages.success(request, _("The role was ended."))
            else:
                messages.error(request, _("Write the last day as dd/mm/yyyy."))
            return redirect("accounts:user", person.pk)
    return render(
        request,
        "accounts/user.html",
        {
            "nav": "accounts",
            "person": person,
            "edit": edit,
            "role_form": role_form,
            "password_form": password_form,
            "roles": person.roles.select_related("unit", "created_by").order_by("-valid_from"),
            "locks": lockout.login_locks(username=person.username),
            "tokens": person.api_tokens.select_related("created_by", "revoked_by"),
            "legacy_token": Token.objects.filter(user=person).first(),
            "now": timezone.now(),
            "history": person.history.select_related("history_user").order_by("-history_date")[:10],
        },
    )


def _add_role(request: HttpRequest, person: User, form: RoleForm) -> bool:
    data = form.cleaned_data
    unit = None
    if data["level"] and data["code"]:
        try:
            unit = resolve_code(
                Level(data["level"]), data["code"], UnitScope.system(data["valid_from"])
            ).unit
        except UnitNotFound as error:
            form.add_error("code", str(error))
            return False
    try:
        services.role_assign(
            user=person,
            role=data["role"],
            unit=unit,
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            note=data["note"],
            by=request.user,
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return False
    messages.success(request, _("The role was added."))
    return True
