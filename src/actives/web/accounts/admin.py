"""Admin pages for users, companies and tokens, with their audit history."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actives.web.accounts.models import ApiToken, Company, User

if TYPE_CHECKING:
    _UserAdminBase = DjangoUserAdmin[User]
else:  # the generic alias exists only in the type stubs
    _UserAdminBase = DjangoUserAdmin


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ("name", "name_ko", "business_number", "is_active", "created_at")
    search_fields = ("name", "name_ko", "business_number")
    list_filter = ("is_active",)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, _UserAdminBase):  # type: ignore[misc]
    list_display = ("username", "email", "role", "company", "is_active")
    list_filter = ("role", "company", "is_active")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Platform role"), {"fields": ("role", "company")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Platform role"), {"fields": ("role", "company")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "hint", "created_at", "last_used_at", "expires_at")
    readonly_fields = ("token_hash", "hint", "created_at", "last_used_at")
