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
    path("payments/<str:reference>", views.PaymentStatusApi.as_view(), name="payment-status"),
    path("vendor/balance", views.VendorBalanceApi.as_view(), name="vendor-balance"),
    path("staff/payouts", views.StaffPayoutsApi.as_view(), name="staff-payouts"),
    path(
        "staff/orders/<int:order_id>/refunds",
        views.StaffOrderRefundsApi.as_view(),
        name="staff-order-refunds",
    ),
    path(
        "vendor/orders/<int:vendor_order_id>/refunds",
        views.VendorOrderRefundsApi.as_view(),
        name="vendor-order-refunds",
    ),
]
