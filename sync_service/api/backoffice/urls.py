from django.urls import path

from sync_service.api.backoffice import views

urlpatterns = [
    path("vendor/products", views.VendorProductsApi.as_view(), name="vendor-products"),
    path(
        "vendor/products/<int:product_id>", views.VendorProductApi.as_view(), name="vendor-product"
    ),
    path(
        "vendor/products/<int:product_id>/publish",
        views.VendorProductPublishApi.as_view(),
        name="vendor-product-publish",
    ),
    path(
        "vendor/products/<int:product_id>/archive",
        views.VendorProductArchiveApi.as_view(),
        name="vendor-product-archive",
    ),
    path(
        "vendor/products/<int:product_id>/variants",
        views.VendorVariantsApi.as_view(),
        name="vendor-variants",
    ),
    path(
        "vendor/products/<int:product_id>/variants/<int:variant_id>",
        views.VendorVariantApi.as_view(),
        name="vendor-variant",
    ),
    path(
        "vendor/products/<int:product_id>/images",
        views.VendorImagesApi.as_view(),
        name="vendor-images",
    ),
    path(
        "vendor/products/<int:product_id>/images/reorder",
        views.VendorImageReorderApi.as_view(),
        name="vendor-images-reorder",
    ),
    path(
        "vendor/products/<int:product_id>/images/<int:image_id>",
        views.VendorImageApi.as_view(),
        name="vendor-image",
    ),
    path(
        "vendor/variants/<int:variant_id>/stock",
        views.VariantStockApi.as_view(),
        name="vendor-variant-stock",
    ),
    path("vendor/orders", views.VendorOrdersApi.as_view(), name="vendor-orders"),
    path(
        "vendor/orders/<int:vendor_order_id>",
        views.VendorOrderApi.as_view(),
        name="vendor-order",
    ),
    path(
        "vendor/orders/<int:vendor_order_id>/process",
        views.VendorOrderProcessApi.as_view(),
        name="vendor-order-process",
    ),
    path(
        "vendor/orders/<int:vendor_order_id>/ship",
        views.VendorOrderShipApi.as_view(),
        name="vendor-order-ship",
    ),
    path(
        "vendor/orders/<int:vendor_order_id>/deliver",
        views.VendorOrderDeliverApi.as_view(),
        name="vendor-order-deliver",
    ),
]
