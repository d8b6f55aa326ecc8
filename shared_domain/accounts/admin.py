from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest

from shared_domain.accounts.models import CustomerProfile, User, VendorProfile
from shared_domain.accounts.services import user_profile_ensure, user_role_change
from shared_domain.common.admin import AuditedAdmin


class CustomerProfileInline(admin.StackedInline):
    model = CustomerProfile
    can_delete = False
    extra = 0


class VendorProfileInline(admin.StackedInline):
    model = VendorProfile
    can_delete = False
    extra = 0
    prepopulated_fields = {"slug": ("store_name",)}


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    ordering = ("id",)
    list_display = ("id", "email", "full_name", "role", "email_verified", "is_active", "is_staff")
    list_filter = ("role", "email_verified", "is_active", "is_staff")
    search_fields = ("email", "full_name")
    readonly_fields = ("date_joined", "last_login", "token_version")
    inlines = (CustomerProfileInline, VendorProfileInline)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("full_name", "role", "email_verified")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Sessions", {"fields": ("last_login", "date_joined", "token_version")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "role")}),
        ("Password", {"classes": ("wide",), "fields": ("password1", "password2")}),
    )

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # A new user gets the profile of their role from the service (see save_model);
        # profile forms on the add page would create a second one.
        return [] if obj is None else super().get_inline_instances(request, obj)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        new_role = obj.role
        if change and "role" in form.changed_data:
            # Role changes go through the service: audited, profile of the role created.
            obj.role = form.initial.get("role", obj.role)
            super().save_model(request, obj, form, change)
            user_role_change(user=obj, role=new_role, by=request.user)  # type: ignore[arg-type]
            return
        super().save_model(request, obj, form, change)
        if not change:
            user_profile_ensure(user=obj)


@admin.register(VendorProfile)
class VendorProfileAdmin(AuditedAdmin):
    list_display = ("store_name", "slug", "user", "verified", "created_at")
    list_filter = ("verified",)
    search_fields = ("store_name", "slug", "user__email")
    raw_id_fields = ("user",)
