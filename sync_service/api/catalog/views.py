"""v1 public catalog: the category tree, the product list (filters, search, keyset
pages of 50) and product detail. Same ranking as v2 search."""

from __future__ import annotations

from urllib.parse import urlencode

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.catalog.params import DEPARTMENTS, PRODUCT_SORTS, SearchParams
from shared_domain.catalog.selectors import (
    category_tree,
    product_detail_public,
    product_search_keyset,
    review_list_for_product,
)
from shared_domain.sizing.selectors import fit_signal_of_product
from sync_service.api.catalog import serializers as s
from sync_service.api.representation import represent, represent_many
from sync_service.api.schema import errors
from sync_service.api.strict import validated

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


class CategoryTreeApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(tags=["catalog"], responses={200: s.CategoryTreeOut}, auth=[])
    def get(self, request: Request) -> Response:
        """The category tree (cached)."""
        return Response({"items": category_tree()})


LIST_PARAMETERS = [
    OpenApiParameter(
        "search",
        str,
        description="Full-text query: words match as prefixes; quotes, OR and -word use web "
        "search syntax; an exact SKU matches too.",
    ),
    OpenApiParameter(
        "category", str, description="Category id or slug; includes its subcategories."
    ),
    OpenApiParameter("vendor", str, description="Vendor id or store slug."),
    OpenApiParameter("brand", str),
    OpenApiParameter(
        "size", str, many=True, description="Repeat or comma-separate: any of these sizes."
    ),
    OpenApiParameter("colour", str, many=True, description="Colour names or families."),
    OpenApiParameter("min_price", str),
    OpenApiParameter("max_price", str),
    OpenApiParameter(
        "in_stock", bool, description="Only products (and sizes/colours) with units to sell."
    ),
    OpenApiParameter("department", str, enum=DEPARTMENTS),
    OpenApiParameter(
        "ordering",
        str,
        enum=PRODUCT_SORTS,
        description="Default: relevance with a search, newest without.",
    ),
    OpenApiParameter("sort", str, enum=PRODUCT_SORTS, description="Alias of ordering."),
    OpenApiParameter("cursor", str, description="next_cursor of the previous page."),
    OpenApiParameter(
        "page_size", int, description=f"Default {PAGE_SIZE}, at most {MAX_PAGE_SIZE}."
    ),
]


class ProductListApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="products_list",
        tags=["catalog"],
        parameters=LIST_PARAMETERS,
        responses={
            200: s.ProductPageOut,
            **errors(
                e400="validation_error (unknown category or vendor, bad cursor, bad filter, "
                "min_price above max_price)"
            ),
        },
        auth=[],
    )
    def get(self, request: Request) -> Response:
        """Products on sale, filtered, searched and ordered, 50 a page (keyset cursor)."""
        data = validated(s.ProductListQuery, request.query_params)
        search = SearchParams.from_query(
            q=data.get("search", ""),
            category=data.get("category"),
            vendor=data.get("vendor"),
            brand=data.get("brand"),
            size=data.get("size"),
            colour=data.get("colour"),
            min_price=data.get("min_price"),
            max_price=data.get("max_price"),
            in_stock=data["in_stock"],
            department=data.get("department"),
            ordering=data.get("ordering"),
            sort=data.get("sort"),
        )
        limit = min(data.get("page_size") or PAGE_SIZE, MAX_PAGE_SIZE)
        page = product_search_keyset(search, limit=limit, cursor=data.get("cursor"))
        next_url = None
        if page.next_cursor:
            params = request.query_params.copy()
            params["cursor"] = page.next_cursor
            next_url = request.build_absolute_uri(
                f"{request.path}?{urlencode(list(params.lists()), doseq=True)}"
            )
        body = {
            "items": represent_many(s.ProductCardOut, page.items),
            "next_cursor": page.next_cursor,
            "next": next_url,
        }
        return Response(body)


class ProductDetailApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        tags=["catalog"],
        responses={200: s.ProductDetailFitOut, **errors(e404="not_found")},
        auth=[],
    )
    def get(self, request: Request, product_id: int) -> Response:
        """A product on sale: variants with live availability, images, vendor card,
        and its fit signal from returns (`fit_signal`)."""
        detail = product_detail_public(product_id=product_id)
        body = represent(s.ProductDetailOut, detail)
        body["fit_signal"] = represent(s.FitSignalOut, fit_signal_of_product(product_id=detail.id))
        return Response(body)


class ProductReviewsApi(APIView):
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="product_reviews",
        tags=["catalog"],
        parameters=[
            OpenApiParameter("limit", int, description="Default 20, at most 100."),
            OpenApiParameter("offset", int, description="Reviews to skip (default 0)."),
        ],
        responses={
            200: s.ReviewPageOut,
            **errors(e400="validation_error", e404="not_found"),
        },
        auth=[],
    )
    def get(self, request: Request, product_id: int) -> Response:
        """The reviews of a product on sale, newest first. The text is plain text as the
        customer wrote it: render it escaped."""
        data = validated(s.ReviewListQuery, request.query_params)
        page = review_list_for_product(
            product_id=product_id, limit=data["limit"], offset=data["offset"]
        )
        return Response(s.ReviewPageOut(page).data)
