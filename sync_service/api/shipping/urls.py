from django.urls import path

from sync_service.api.shipping import views

urlpatterns = [
    path(
        "shipping/webhooks/<str:carrier>",
        views.CarrierWebhookApi.as_view(),
        name="shipping-webhook",
    ),
]
