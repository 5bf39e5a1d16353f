from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from danso.accounts.models import RoleAssignment, User


@admin.register(User)
class DansoUserAdmin(UserAdmin, SimpleHistoryAdmin):  # type: ignore[type-arg,misc]
    fieldsets = (*UserAdmin.fieldsets, ("danso", {"fields": ("full_name", "phone")}))  # type: ignore[misc]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("user", "role", "unit", "valid_from", "valid_to")
    list_filter = ("role",)
    raw_id_fields = ("unit", "user", "created_by")
