"""v1 vendor back office: a vendor's own products, variants, images and stock, and its
parts of customers' orders. Other vendors' products and orders are 404 (their
existence is not revealed); staff see all products (orders are the vendors' own)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.catalog import selectors, services
from shared_domain.catalog.params import PRODUCT_STATUSES
from shared_domain.orders import selectors as order_selectors
from shared_domain.orders import services as order_services
from sync_service.api.backoffice import serializers as s
from sync_service.api.catalog.serializers import ImageOut, ProductDetailOut, VariantOut
from sync_service.api.orders import serializers as os
from sync_service.api.permissions import IsVendor, IsVendorOrStaff, current_user
from sync_service.api.schema import errors
from sync_service.api.strict import validated

VENDOR_ERRORS = {"e401": "not_authenticated", "e403": "permission_denied"}
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MISSING = {**VENDOR_ERRORS, "e404": "not_found (also for other vendors' products)"}


def _detail(request: Request, product_id: int) -> dict[str, Any]:
    detail = selectors.product_detail(
        queryset=selectors.product_queryset_for_vendor(user=current_user(request)),
        product_id=product_id,
    )
    return dict(ProductDetailOut(detail).data)


def _variant(variant_id: int) -> dict[str, Any]:
    return dict(VariantOut(selectors.variant_view(variant_id=variant_id)).data)


def _variant_spec(data: dict[str, Any]) -> services.VariantSpec:
    return services.VariantSpec(
        sku=data["sku"],
        size=data["size"],
        colour=data["colour"],
        stock=data.get("stock", 0),
        price_override=data.get("price"),
        is_active=data.get("is_active", True),
    )


class _BackOffice(APIView):
    permission_classes = (IsVendorOrStaff,)
    # Whose products are whose is decided by the vendor profile: load it with the user.
    auth_with_profiles = True


class VendorProductsApi(_BackOffice):
    @extend_schema(
        operation_id="vendor_products_list",
        tags=["vendor"],
        parameters=[
            OpenApiParameter("status", str, enum=PRODUCT_STATUSES),
            OpenApiParameter("q", str, description="Search your products (text or SKU)."),
            OpenApiParameter("category", str),
            OpenApiParameter("cursor", str, description="next_cursor of the previous page."),
            OpenApiParameter(
                "page_size", int, description=f"Default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}."
            ),
        ],
        responses={
            200: s.VendorProductPageOut,
            **errors(e400="validation_error", **VENDOR_ERRORS),
        },
    )
    def get(self, request: Request) -> Response:
        """Your products (staff: every vendor's), newest first, 50 a page by default."""
        query = validated(s.VendorProductListQuery, request.query_params)
        page = selectors.product_page_for_vendor(
            user=current_user(request),
            status=query.get("status"),
            q=query.get("q", ""),
            category=query.get("category") or None,
            cursor=query.get("cursor") or None,
            limit=min(query.get("page_size") or PAGE_SIZE, MAX_PAGE_SIZE),
        )
        return Response(s.VendorProductPageOut(page).data)

    @extend_schema(
        tags=["vendor"],
        request=s.ProductCreateIn,
        responses={
            201: ProductDetailOut,
            **errors(e400="validation_error", e409="sku_taken, variant_exists", **VENDOR_ERRORS),
        },
    )
    def post(self, request: Request) -> Response:
        """Create a draft product with variants, initial stock and images (vendors only)."""
        # Who may create is decided before the body is read.
        vendor_id = services.product_create_vendor(user=current_user(request))
        data = validated(s.ProductCreateIn, request.data)
        product = services.product_create(
            vendor_id=vendor_id,
            title=data["title"],
            price=data["price"],
            currency=data["currency"],
            description=data["description"],
            brand=data["brand"],
            category_id=data.get("category"),
            department=data["department"],
            size_system=data["size_system"],
            attributes=data["attributes"],
            variants=[_variant_spec(v) for v in data["variants"]],
            images=[
                services.ImageSpec(url=i["url"], alt_text=i["alt_text"]) for i in data["images"]
            ],
        )
        return Response(_detail(request, product.pk), status=status.HTTP_201_CREATED)


class VendorProductApi(_BackOffice):
    @extend_schema(tags=["vendor"], responses={200: ProductDetailOut, **errors(**MISSING)})
    def get(self, request: Request, product_id: int) -> Response:
        """One of your products, whatever its status."""
        return Response(_detail(request, product_id))

    @extend_schema(
        tags=["vendor"],
        request=s.ProductUpdateIn,
        responses={200: ProductDetailOut, **errors(e400="validation_error", **MISSING)},
    )
    def patch(self, request: Request, product_id: int) -> Response:
        """Change title, description, price, category, brand, department, attributes."""
        product = selectors.product_get_for_vendor(
            user=current_user(request), product_id=product_id
        )
        data = validated(s.ProductUpdateIn, request.data)
        if "category" in data:
            data["category_id"] = data.pop("category")
        services.product_update(product=product, data=cast(services.ProductChanges, data))
        return Response(_detail(request, product_id))


class VendorProductPublishApi(_BackOffice):
    @extend_schema(
        tags=["vendor"],
        request=None,
        responses={
            200: ProductDetailOut,
            **errors(
                e400="not_publishable (details list what is missing)",
                **{**MISSING, "e403": "email_not_verified, permission_denied"},
            ),
        },
    )
    def post(self, request: Request, product_id: int) -> Response:
        """Put the product on sale (needs a category, a price, an active variant and
        your verified email address; drafts need none of it)."""
        services.product_publish(
            product=selectors.product_get_for_vendor(
                user=current_user(request), product_id=product_id
            )
        )
        return Response(_detail(request, product_id))


class VendorProductArchiveApi(_BackOffice):
    @extend_schema(
        tags=["vendor"], request=None, responses={200: ProductDetailOut, **errors(**MISSING)}
    )
    def post(self, request: Request, product_id: int) -> Response:
        """Take the product off sale (it stays in your list and can be put on sale again)."""
        services.product_archive(
            product=selectors.product_get_for_vendor(
                user=current_user(request), product_id=product_id
            )
        )
        return Response(_detail(request, product_id))


class VendorVariantsApi(_BackOffice):
    @extend_schema(tags=["vendor"], responses={200: VariantOut(many=True), **errors(**MISSING)})
    def get(self, request: Request, product_id: int) -> Response:
        """The product's variants with stock."""
        variants = selectors.variant_list_for_vendor(
            user=current_user(request), product_id=product_id
        )
        return Response(VariantOut(variants, many=True).data)

    @extend_schema(
        tags=["vendor"],
        request=s.VariantIn,
        responses={
            201: VariantOut,
            **errors(e400="validation_error", e409="sku_taken, variant_exists", **MISSING),
        },
    )
    def post(self, request: Request, product_id: int) -> Response:
        """Add a size/colour variant with its initial stock."""
        product = selectors.product_get_for_vendor(
            user=current_user(request), product_id=product_id
        )
        variant = services.variant_add(
            product=product, spec=_variant_spec(validated(s.VariantIn, request.data))
        )
        return Response(_variant(variant.pk), status=status.HTTP_201_CREATED)


class VendorVariantApi(_BackOffice):
    @extend_schema(
        tags=["vendor"],
        request=s.VariantUpdateIn,
        responses={
            200: VariantOut,
            **errors(e400="validation_error, not_publishable", e409="variant_exists", **MISSING),
        },
    )
    def patch(self, request: Request, product_id: int, variant_id: int) -> Response:
        """Change a variant's size, colour, price or active flag."""
        variant = selectors.variant_get_for_vendor(
            user=current_user(request), product_id=product_id, variant_id=variant_id
        )
        data = validated(s.VariantUpdateIn, request.data)
        if "price" in data:
            data["price_override"] = data.pop("price")
        services.variant_update(variant=variant, data=cast(services.VariantChanges, data))
        return Response(_variant(variant.pk))

    @extend_schema(
        tags=["vendor"], responses={200: VariantOut, **errors(e400="not_publishable", **MISSING)}
    )
    def delete(self, request: Request, product_id: int, variant_id: int) -> Response:
        """Deactivate a variant: it is kept (and listed) but no longer sold."""
        variant = selectors.variant_get_for_vendor(
            user=current_user(request), product_id=product_id, variant_id=variant_id
        )
        services.variant_deactivate(variant=variant)
        return Response(_variant(variant.pk))


class VariantStockApi(_BackOffice):
    @extend_schema(
        tags=["vendor"],
        request=s.StockIn,
        responses={
            200: s.StockOut,
            **errors(e400="validation_error", e409="below_allocated", **MISSING),
        },
    )
    def put(self, request: Request, variant_id: int) -> Response:
        """Set the units on hand of one of your variants (never below those allocated)."""
        # Someone else's variant is a 404 whatever the body says.
        variant = selectors.variant_get_owned(user=current_user(request), variant_id=variant_id)
        stock = services.variant_stock_set(
            variant=variant, quantity=validated(s.StockIn, request.data)["quantity"]
        )
        return Response(s.StockOut(stock).data)


class VendorImagesApi(_BackOffice):
    @extend_schema(tags=["vendor"], responses={200: ImageOut(many=True), **errors(**MISSING)})
    def get(self, request: Request, product_id: int) -> Response:
        """The product's images in display order."""
        images = selectors.image_list_for_vendor(user=current_user(request), product_id=product_id)
        return Response(ImageOut(images, many=True).data)

    @extend_schema(
        tags=["vendor"],
        request=s.ImageIn,
        responses={201: ImageOut, **errors(e400="validation_error", **MISSING)},
    )
    def post(self, request: Request, product_id: int) -> Response:
        """Add an image (URL + alt text), after the others."""
        product = selectors.product_get_for_vendor(
            user=current_user(request), product_id=product_id
        )
        data = validated(s.ImageIn, request.data)
        image = services.image_add(product=product, url=data["url"], alt_text=data["alt_text"])
        return Response(ImageOut(image).data, status=status.HTTP_201_CREATED)


class VendorImageReorderApi(_BackOffice):
    @extend_schema(
        tags=["vendor"],
        request=s.ImageOrderIn,
        responses={200: ImageOut(many=True), **errors(e400="validation_error", **MISSING)},
    )
    def post(self, request: Request, product_id: int) -> Response:
        """Set the display order: every image id of the product, first to last."""
        product = selectors.product_get_for_vendor(
            user=current_user(request), product_id=product_id
        )
        images = services.image_reorder(
            product=product, image_ids=validated(s.ImageOrderIn, request.data)["order"]
        )
        return Response(ImageOut(images, many=True).data)


class VendorImageApi(_BackOffice):
    @extend_schema(tags=["vendor"], responses={204: None, **errors(**MISSING)})
    def delete(self, request: Request, product_id: int, image_id: int) -> Response:
        """Remove an image."""
        image = selectors.image_get_for_vendor(
            user=current_user(request), product_id=product_id, image_id=image_id
        )
        services.image_remove(image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)


# ---------------------------------------------------------------------- orders
ORDER_ERRORS = {
    "e401": "not_authenticated",
    "e403": "permission_denied (not a vendor)",
    "e404": "not_found (also for other vendors' orders)",
}
TRANSITION_ERRORS = {"e409": "invalid_transition (details.status, requested)", **ORDER_ERRORS}
SHIP_ERRORS = {
    **TRANSITION_ERRORS,
    "e409": "invalid_transition, tracking_number_taken (another shipment of the carrier)",
}


class _VendorOrders(APIView):
    permission_classes = (IsVendor,)
    auth_with_profiles = True


def _vendor_order(request: Request, vendor_order_id: int) -> Response:
    row = order_selectors.vendor_order_for_vendor(
        vendor=current_user(request), vendor_order_id=vendor_order_id
    )
    return Response(os.VendorOrderRowOut(row).data)


class VendorOrdersApi(_VendorOrders):
    @extend_schema(
        tags=["vendor"],
        operation_id="vendor_orders_list",
        parameters=[os.OrderListQuery],
        responses={
            200: os.VendorOrderPageOut,
            **errors(
                e400="validation_error (status, cursor, page_size)",
                e401="not_authenticated",
                e403="permission_denied (not a vendor)",
            ),
        },
    )
    def get(self, request: Request) -> Response:
        """Your parts of customers' orders, newest first: your lines only, the address
        to ship to, and your money (subtotal, commission, payout)."""
        query = validated(os.OrderListQuery, request.query_params)
        page = order_selectors.vendor_order_page_for_vendor(
            vendor=current_user(request),
            status=query.get("status"),
            cursor=query.get("cursor"),
            page_size=query.get("page_size"),
        )
        return Response(os.VendorOrderPageOut(page).data)


class VendorOrderApi(_VendorOrders):
    @extend_schema(
        tags=["vendor"], responses={200: os.VendorOrderRowOut, **errors(**ORDER_ERRORS)}
    )
    def get(self, request: Request, vendor_order_id: int) -> Response:
        """One of your parts of an order."""
        return _vendor_order(request, vendor_order_id)


class VendorOrderProcessApi(_VendorOrders):
    @extend_schema(
        tags=["vendor"],
        request=None,
        responses={200: os.VendorOrderRowOut, **errors(**TRANSITION_ERRORS)},
    )
    def post(self, request: Request, vendor_order_id: int) -> Response:
        """Start preparing a paid part (paid → processing)."""
        order_services.vendor_order_process(
            vendor=current_user(request), vendor_order_id=vendor_order_id
        )
        return _vendor_order(request, vendor_order_id)


class VendorOrderShipApi(_VendorOrders):
    @extend_schema(
        tags=["vendor"],
        request=os.ShipIn,
        responses={
            200: os.VendorOrderRowOut,
            **errors(e400="validation_error", **SHIP_ERRORS),
        },
    )
    def post(self, request: Request, vendor_order_id: int) -> Response:
        """Hand a paid or processing part to a carrier: its shipment is recorded."""
        vendor = current_user(request)
        # Someone else's order is a 404 whatever the body says.
        order_selectors.vendor_order_check(vendor=vendor, vendor_order_id=vendor_order_id)
        data = validated(os.ShipIn, request.data)
        order_services.vendor_order_ship(
            vendor=vendor,
            vendor_order_id=vendor_order_id,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
        )
        return _vendor_order(request, vendor_order_id)


class VendorOrderDeliverApi(_VendorOrders):
    @extend_schema(
        tags=["vendor"],
        request=None,
        responses={200: os.VendorOrderRowOut, **errors(**TRANSITION_ERRORS)},
    )
    def post(self, request: Request, vendor_order_id: int) -> Response:
        """Record that a shipped part was delivered."""
        order_services.vendor_order_deliver(
            vendor=current_user(request), vendor_order_id=vendor_order_id
        )
        return _vendor_order(request, vendor_order_id)
