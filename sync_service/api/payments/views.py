"""v1 payments: starting a payment of an order, its status when the customer comes
back from the provider, the providers' signed webhooks, a vendor's balance, refunds
and the staff payout report."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_domain.payments import selectors, services
from shared_domain.payments.money import to_major
from sync_service.api.payments import serializers as s
from sync_service.api.permissions import IsCustomer, IsStaff, IsVendor, current_user
from sync_service.api.schema import errors
from sync_service.api.strict import validated


def _start_json(start: services.PaymentStart) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference": start.reference,
        "provider": start.provider,
        "status": start.status,
        "amount": start.amount,
        "currency": start.currency,
    }
    if start.provider == "stripe":
        body["client_secret"] = start.client_secret
    else:
        body["authorization_url"] = start.authorization_url
    return body


class OrderPaymentsApi(APIView):
    permission_classes = (IsCustomer,)

    @extend_schema(
        operation_id="order_payment_start",
        tags=["payments"],
        request=s.PaymentStartIn,
        responses={
            201: s.PaymentStartOut,
            200: s.PaymentStartOut,
            **errors(
                e400="validation_error (details.provider)",
                e401="not_authenticated",
                e403="permission_denied (not a customer)",
                e404="not_found (also for other customers' orders)",
                e409="order_not_payable (details.status), payment_in_progress (another "
                "provider's attempt is open: details.provider, details.reference)",
                e502="payment_provider_error (the provider refused)",
                e503="payment_provider_unavailable (try again; nothing is charged twice)",
            ),
        },
    )
    def post(self, request: Request, order_id: int) -> Response:
        """Pay for one of your unpaid orders with a provider: 201 with the attempt
        (Paystack: `authorization_url` to send the customer to; Stripe:
        `client_secret` for Stripe.js). Asking again while the attempt is open
        returns it (200) instead of opening a second charge. The order becomes
        `paid` once the provider's signed webhook is processed."""
        data = validated(s.PaymentStartIn, request.data)
        start = services.payment_start(
            customer=current_user(request), order_id=order_id, provider=data["provider"]
        )
        code = status.HTTP_201_CREATED if start.created else status.HTTP_200_OK
        return Response(_start_json(start), status=code)


class PaymentWebhookApi(APIView):
    # The signature is the authentication; DRF views are CSRF-exempt without sessions.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    # The provider adapter reads the raw body (the signature covers its exact bytes).
    parser_classes = ()

    @extend_schema(
        operation_id="payment_webhook",
        tags=["payments"],
        request=None,
        responses={
            200: s.PaymentWebhookReceiptOut,
            **errors(
                e400="invalid_payload (signed, but not the provider's JSON; nothing stored)",
                e401="invalid_signature (missing, wrong, or a Stripe timestamp outside "
                "the tolerance; nothing stored)",
                e404="unknown_provider",
                e413="payload_too_large",
            ),
        },
        auth=[],
    )
    def post(self, request: Request, provider: str) -> Response:
        """A provider reports a payment event. Paystack signs with
        `x-paystack-signature` (hex HMAC-SHA512 of the raw body with the secret key);
        Stripe with `Stripe-Signature: t=…,v1=…` (HMAC-SHA256 of "{t}.{body}" with the
        webhook secret, 300 s tolerance). A verified event is stored and processed in
        the background; a redelivered one is acknowledged and does nothing."""
        receipt = services.payment_webhook_receive(
            provider=provider, headers=dict(request.headers), body=request.body
        )
        return Response({"received": True, "duplicate": receipt.duplicate})


class VendorBalanceApi(APIView):
    permission_classes = (IsVendor,)

    @extend_schema(
        operation_id="vendor_balance",
        tags=["payments"],
        responses={
            200: s.VendorBalanceOut,
            **errors(e401="not_authenticated", e403="permission_denied (not a vendor)"),
        },
    )
    def get(self, request: Request) -> Response:
        """What the marketplace owes you, per currency: the sum of your ledger entries
        (sales, less commission, refunds and payouts)."""
        balances = selectors.vendor_balance_for(vendor=current_user(request))
        return Response(
            {
                "balances": [
                    {
                        "currency": b.currency,
                        "balance": str(to_major(b.amount, b.currency)),
                        "balance_minor": b.amount,
                        "entries": b.entries,
                    }
                    for b in balances
                ]
            }
        )


REFUND_ERRORS = errors(
    e400="validation_error (details.amount, details.items.<id>)",
    e401="not_authenticated",
    e403="permission_denied",
    e404="not_found",
    e409="over_refund (details.refundable), refund_not_allowed (unpaid, or the window "
    "closed), invalid_transition",
    e502="payment_provider_error",
    e503="payment_provider_unavailable (nothing refunded; try again)",
)


def _refund(request: Request, data: dict[str, Any], **where: int) -> Response:
    items: dict[int, int] = {}
    for line in data.get("items") or []:
        items[line["item_id"]] = items.get(line["item_id"], 0) + line["quantity"]
    view = services.refund_create(
        actor=current_user(request),
        amount=data.get("amount"),
        items=items or None,
        reason=data.get("reason", ""),
        **where,
    )
    return Response(s.RefundOut(view).data, status=status.HTTP_201_CREATED)


class StaffOrderRefundsApi(APIView):
    permission_classes = (IsStaff,)

    @extend_schema(
        operation_id="staff_order_refund",
        tags=["payments"],
        request=s.StaffRefundIn,
        responses={201: s.RefundOut, **REFUND_ERRORS},
    )
    def post(self, request: Request, order_id: int) -> Response:
        """Refund (part of) one vendor order of a paid order through the provider:
        `amount` (minor units), or `items` (their value; the units return to stock),
        or everything still refundable. Never more than was paid (409 over_refund)."""
        data = validated(s.StaffRefundIn, request.data)
        return _refund(request, data, order_id=order_id, vendor_order_id=data["vendor_order_id"])


class VendorOrderRefundsApi(APIView):
    permission_classes = (IsVendor,)

    @extend_schema(
        operation_id="vendor_order_refund",
        tags=["payments"],
        request=s.VendorRefundIn,
        responses={201: s.RefundOut, **REFUND_ERRORS},
    )
    def post(self, request: Request, vendor_order_id: int) -> Response:
        """Refund (part of) your own vendor order within VENDOR_REFUND_WINDOW_DAYS of
        payment (later: 409 refund_not_allowed; staff can still refund)."""
        data = validated(s.VendorRefundIn, request.data)
        return _refund(request, data, vendor_order_id=vendor_order_id)


class PaymentStatusApi(APIView):
    permission_classes = (IsCustomer,)

    @extend_schema(
        operation_id="payment_status",
        tags=["payments"],
        responses={
            200: s.PaymentStatusOut,
            **errors(
                e401="not_authenticated",
                e403="permission_denied (not a customer)",
                e404="not_found (no such reference, or another customer's)",
            ),
        },
    )
    def get(self, request: Request, reference: str) -> Response:
        """What became of a payment attempt: call it when the customer comes back from
        the provider's page (Paystack's callback_url gets `?reference=`). A pending
        attempt is verified with the provider (at most every
        PAYMENT_RETURN_VERIFY_INTERVAL seconds) and settled exactly as its webhook
        would; `pending` means ask again shortly. A provider that does not answer
        leaves it pending (never an error)."""
        found = services.payment_status_for_customer(
            customer=current_user(request), reference=reference
        )
        return Response(s.PaymentStatusOut(found).data)


class StaffPayoutsApi(APIView):
    permission_classes = (IsStaff,)

    @extend_schema(
        operation_id="staff_payouts",
        tags=["payments"],
        responses={
            200: s.PayoutReportOut,
            **errors(e401="not_authenticated", e403="permission_denied (not staff)"),
        },
    )
    def get(self, request: Request) -> Response:
        """Per vendor and currency, from the ledger: earned, paid out, the balance owed
        now, and refunds still being sent by the provider (minor units)."""
        report = selectors.payout_report()
        totals: dict[str, int] = {}
        for row in report:
            totals[row.currency] = totals.get(row.currency, 0) + row.balance
        return Response(
            {
                "vendors": [
                    {
                        "vendor": {"id": row.vendor_id, "name": row.vendor_name},
                        "currency": row.currency,
                        "earned": row.earned,
                        "paid_out": row.paid_out,
                        "balance": row.balance,
                        "balance_display": str(to_major(row.balance, row.currency)),
                        "refunds_pending": row.refunds_pending,
                    }
                    for row in report
                ],
                "totals": totals,
            }
        )
