from django.urls import path

from sync_service.api.payments import views

urlpatterns = [
    path(
        "orders/<int:order_id>/payments",
        views.OrderPaymentsApi.as_view(),
        name="order-payments",
    ),
    path(
        "payments/webhooks/<str:provider>",
        views.PaymentWebhookApi.as_view(),
        name="payment-webhook",
    ),
    path("vendor/balance", views.VendorBalanceApi.as_view(), name="vendor-balance"),
]
