"""Carrier webhooks: a carrier's tracking updates, authenticated by its signature."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.shipping.services import tracking_webhook_receive
from sync_service.api.schema import errors


class CarrierWebhookApi(APIView):
    # The signature is the authentication; DRF views are CSRF-exempt without sessions.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    # The adapter reads the raw body (the signature covers its exact bytes).
    parser_classes = ()

    @extend_schema(
        operation_id="shipping_webhook",
        tags=["shipping"],
        request=None,
        responses={
            200: inline_serializer(
                "WebhookReceiptOut",
                {
                    "received": serializers.IntegerField(help_text="Updates in the call."),
                    "recorded": serializers.IntegerField(
                        help_text="New tracking events (a redelivered update is not new)."
                    ),
                    "unknown": serializers.IntegerField(
                        help_text="Updates of tracking numbers no shipment has (skipped)."
                    ),
                },
            ),
            **errors(
                e400="invalid_payload, validation_error",
                e401="invalid_signature",
                e404="unknown_carrier",
            ),
        },
        auth=[],
    )
    def post(self, request: Request, carrier: str) -> Response:
        """A carrier reports tracking steps. The body is the carrier's own format,
        signed as the carrier does it (local courier: `X-Carrier-Signature`, hex
        HMAC-SHA256 of the raw body). Redelivered steps are recorded once."""
        receipt = tracking_webhook_receive(
            carrier=carrier, headers=dict(request.headers), body=request.body
        )
        return Response(
            {
                "received": receipt.received,
                "recorded": receipt.recorded,
                "unknown": receipt.unknown,
            }
        )
