from django.urls import path

from sync_service.api.catalog import views

urlpatterns = [
    path("categories", views.CategoryTreeApi.as_view(), name="categories"),
    path("products", views.ProductListApi.as_view(), name="products"),
    path("products/<int:product_id>", views.ProductDetailApi.as_view(), name="product"),
    path(
        "products/<int:product_id>/reviews",
        views.ProductReviewsApi.as_view(),
        name="product-reviews",
    ),
]
