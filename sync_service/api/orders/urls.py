from django.urls import path

from sync_service.api.orders import views

urlpatterns = [
    path("cart", views.CartApi.as_view(), name="cart"),
    path("cart/items", views.CartItemsApi.as_view(), name="cart-items"),
    path("cart/items/<int:item_id>", views.CartItemApi.as_view(), name="cart-item"),
    path("checkout", views.CheckoutApi.as_view(), name="checkout"),
    path("orders", views.OrdersApi.as_view(), name="orders"),
    path("orders/<int:order_id>", views.OrderApi.as_view(), name="order"),
    path("orders/<int:order_id>/cancel", views.OrderCancelApi.as_view(), name="order-cancel"),
    path(
        "orders/<int:order_id>/items/<int:item_id>/review",
        views.OrderItemReviewApi.as_view(),
        name="order-item-review",
    ),
    path("orders/<int:order_id>/returns", views.OrderReturnsApi.as_view(), name="order-returns"),
    path("vendor/returns", views.VendorReturnsApi.as_view(), name="vendor-returns"),
]
