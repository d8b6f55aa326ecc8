"""Reads of the catalog: the category tree, product search (one ranking for v1 and v2),
keyset pages, facets, product detail and the vendor back office. Callers import from
here; the modules are split by what they read.

Query budget (independent of page size): resolving a search's filters is one query
when the text looks like a SKU and one when a vendor is asked for (categories come
from the cached tree); then a search page is one query and facets are one; a product
detail is three.
"""

from shared_domain.catalog.selectors.backoffice import (
    InventoryRow,
    LowStockVariant,
    image_get_for_vendor,
    image_list_for_vendor,
    product_get_for_vendor,
    product_page_for_vendor,
    product_queryset_for_vendor,
    variant_count_of_vendor,
    variant_get_for_vendor,
    variant_get_owned,
    variant_list_for_vendor,
    variant_view,
    variants_low_stock_iter,
    variants_low_stock_of_vendor,
    variants_with_stock_iter,
)
from shared_domain.catalog.selectors.categories import (
    category_descendant_ids,
    category_labels,
    category_rows,
    category_tree,
    category_tree_invalidate,
)
from shared_domain.catalog.selectors.detail import product_detail, product_detail_public
from shared_domain.catalog.selectors.facets import PRICE_BANDS, product_facets
from shared_domain.catalog.selectors.fit import (
    ProductFitFacts,
    category_exists,
    product_fit_facts,
)
from shared_domain.catalog.selectors.keyset import CURSOR_KEYS, product_search_keyset
from shared_domain.catalog.selectors.read_models import (
    CursorPage,
    Facets,
    FacetValue,
    ImageView,
    ProductCard,
    ProductDetail,
    RatingSummary,
    Ref,
    SearchPage,
    VariantStock,
    VariantView,
    VendorCard,
    VendorProductPage,
    VendorProductRow,
)
from shared_domain.catalog.selectors.reviews import (
    ReviewPage,
    ReviewView,
    author_display_name,
    review_list_for_product,
)
from shared_domain.catalog.selectors.sale import (
    VariantForSale,
    variant_ids_on_sale,
    variants_for_sale,
)
from shared_domain.catalog.selectors.search import (
    ORDERINGS,
    ResolvedSearch,
    Search,
    product_search,
    search_resolve,
    text_query,
)

__all__ = [
    "CURSOR_KEYS",
    "ORDERINGS",
    "PRICE_BANDS",
    "CursorPage",
    "FacetValue",
    "Facets",
    "ImageView",
    "InventoryRow",
    "LowStockVariant",
    "ProductCard",
    "ProductDetail",
    "ProductFitFacts",
    "RatingSummary",
    "Ref",
    "ResolvedSearch",
    "ReviewPage",
    "ReviewView",
    "Search",
    "SearchPage",
    "VariantForSale",
    "VariantStock",
    "VariantView",
    "VendorCard",
    "VendorProductPage",
    "VendorProductRow",
    "author_display_name",
    "category_descendant_ids",
    "category_exists",
    "category_labels",
    "category_rows",
    "category_tree",
    "category_tree_invalidate",
    "image_get_for_vendor",
    "image_list_for_vendor",
    "product_detail",
    "product_detail_public",
    "product_facets",
    "product_fit_facts",
    "product_get_for_vendor",
    "product_page_for_vendor",
    "product_queryset_for_vendor",
    "product_search",
    "product_search_keyset",
    "review_list_for_product",
    "search_resolve",
    "text_query",
    "variant_count_of_vendor",
    "variant_get_for_vendor",
    "variant_get_owned",
    "variant_ids_on_sale",
    "variant_list_for_vendor",
    "variant_view",
    "variants_for_sale",
    "variants_low_stock_iter",
    "variants_low_stock_of_vendor",
    "variants_with_stock_iter",
]
