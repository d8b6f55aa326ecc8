"""Staff pages of the catalog. Every write goes through the catalog services, as the
APIs' writes do, so category paths, the category tree cache, search vectors,
publication dates, colour families and stock rows stay right whoever edits. What the
services do not offer here (adding products and variants, which belong to a vendor
and come with stock) is read-only."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from shared_domain.catalog import services
from shared_domain.catalog.errors import NotPublishable
from shared_domain.catalog.models import Category, Product, ProductImage, ProductVariant, Review
from shared_domain.common.admin import AuditedAdmin
from shared_domain.common.audit import audit_record
from shared_domain.common.errors import DomainError


def _error_text(error: DomainError) -> str:
    details = "; ".join(
        f"{field}: {' '.join(map(str, problems)) if isinstance(problems, list) else problems}"
        for field, problems in error.details.items()
    )
    return f"{error.message} ({details})" if details else error.message


class SavedThroughServices(admin.ModelAdmin):
    """Saves and deletions call the catalog services. Listed after AuditedAdmin in a
    page's bases, so that the audit log still records them. A rule a service refuses
    rolls the whole save back and is shown on the page it came from."""

    def save_through_services(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> Model:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.save_through_services(request, obj, form, change)
        # The admin goes on with `obj` (related formsets, log entry, redirect).
        for model_field in obj._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(saved, model_field.attname))
        obj._state.adding = False
        obj._state.db = saved._state.db

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as error:
            self.message_user(request, _error_text(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


# ---------------------------------------------------------------------- categories
class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ("name", "parent", "position")

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if self.instance.pk is not None and "parent" in cleaned:
            problems = services.category_parent_problems(
                category=self.instance, parent=cleaned["parent"]
            )
            for field, field_problems in problems.items():
                self.add_error(field, field_problems)
        return cleaned


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, SavedThroughServices):
    form = CategoryForm
    list_display = ("name", "slug", "parent", "position", "depth")
    list_select_related = ("parent",)
    search_fields = ("name", "slug")
    fields = ("name", "parent", "position", "slug", "path", "depth")
    readonly_fields = ("slug", "path", "depth")

    def save_through_services(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> Model:
        data = form.cleaned_data
        if not change:
            return services.category_create(
                name=data["name"], parent=data["parent"], position=data["position"]
            )
        return services.category_update(
            category=obj,
            data={"name": data["name"], "parent": data["parent"], "position": data["position"]},
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.category_delete(category=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for category in queryset.order_by("-depth"):  # children before their parents
            self.delete_model(request, category)


# ---------------------------------------------------------------------- products
class VariantInline(admin.TabularInline):
    """Size, colour, price and active flag change through the variant service. New
    variants come with stock, so they are added in the back office; variants are
    never deleted (deactivate them), past orders refer to them."""

    model = ProductVariant
    extra = 0
    fields = ("sku", "size", "colour", "colour_family", "price_override", "is_active", "position")
    readonly_fields = ("sku", "colour_family", "position")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ImageInline(admin.TabularInline):
    """Images are shown and can be removed (moderation); adding and ordering them is
    done in the back office."""

    model = ProductImage
    extra = 0
    fields = ("url", "alt_text", "position")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Form field -> key of product_update's changes.
_PRODUCT_FIELDS = {
    "title": "title",
    "description": "description",
    "brand": "brand",
    "base_price": "price",
    "currency": "currency",
    "category": "category_id",
    "department": "department",
    "attributes": "attributes",
}
_VARIANT_FIELDS = ("size", "colour", "price_override", "is_active")


@admin.register(Product)
class ProductAdmin(AuditedAdmin, SavedThroughServices):
    """Products are created by their vendors; staff correct them here and put them on
    sale or take them off with the actions (the publishing rules apply)."""

    list_display = ("id", "title", "vendor", "status", "base_price", "currency", "category")
    list_filter = ("status", "department", "currency")
    list_select_related = ("vendor", "category")
    search_fields = ("title", "brand", "slug", "variants__sku")
    raw_id_fields = ("category",)
    fields = (
        "vendor", "title", "slug", "status", "published_at", "description", "brand",
        "department", "category", "base_price", "currency", "size_system", "attributes",
        "rating_avg", "rating_count", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = (
        "vendor", "slug", "status", "published_at", "size_system", "rating_avg",
        "rating_count", "created_at", "updated_at",
    )  # fmt: skip
    inlines = (VariantInline, ImageInline)
    actions = ("publish", "archive")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_through_services(
        self, request: HttpRequest, obj: Any, form: Any, change: bool
    ) -> Model:
        changes: dict[str, Any] = {}
        for name in form.changed_data:
            if name in _PRODUCT_FIELDS:
                value = form.cleaned_data[name]
                changes[_PRODUCT_FIELDS[name]] = (
                    (value.pk if value else None) if name == "category" else value
                )
        return services.product_update(product=obj, data=cast(services.ProductChanges, changes))

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        changed: list[tuple[Model, list[str]]] = []
        deleted: list[Model] = []
        if formset.model is ProductVariant:
            for variant_form in formset.initial_forms:
                fields = [name for name in variant_form.changed_data if name in _VARIANT_FIELDS]
                if fields:
                    services.variant_update(
                        variant=variant_form.instance,
                        data=cast(
                            services.VariantChanges,
                            {name: variant_form.cleaned_data[name] for name in fields},
                        ),
                    )
                    changed.append((variant_form.instance, fields))
        elif formset.model is ProductImage:
            for image_form in formset.deleted_forms:
                services.image_remove(image=image_form.instance)
                deleted.append(image_form.instance)
        # What the admin's change message reads (formset.save() would have set it).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = (
            [],
            changed,
            deleted,
        )

    def _each(
        self, request: HttpRequest, queryset: QuerySet[Product], action: Any, verb: str
    ) -> None:
        done = 0
        for product in queryset:
            try:
                action(product=product)
            except NotPublishable as error:
                self.message_user(request, f"{product}: {_error_text(error)}", messages.WARNING)
                continue
            audit_record(
                action="staff_edit",
                actor_id=request.user.pk,
                subject=product,
                data={"fields": ["status"]},
            )
            done += 1
        self.message_user(request, f"{verb} {done} product(s).", messages.SUCCESS)

    @admin.action(description="Put the selected products on sale")
    def publish(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._each(request, queryset, services.product_publish, "Put on sale")

    @admin.action(description="Take the selected products off sale")
    def archive(self, request: HttpRequest, queryset: QuerySet[Product]) -> None:
        self._each(request, queryset, services.product_archive, "Took off sale")


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin[Review]):
    """Read-only: a review counts in its product's rating, so removing one needs a
    service that takes it out again (there is none yet)."""

    list_display = ("id", "product", "rating", "author", "order_item_id", "created_at")
    list_filter = ("rating",)
    list_select_related = ("product", "author")
    search_fields = ("text", "product__title")
    raw_id_fields = ("product", "author")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
