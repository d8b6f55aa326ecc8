"""Writes of the shipping context. They take ids and plain data: orders calls
`shipment_create` and `shipment_mark_delivered` inside its own transaction."""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from shared_domain.common.errors import ValidationFailed
from shared_domain.common.events import publish
from shared_domain.shipping.carriers import carrier_codes, carrier_get
from shared_domain.shipping.errors import AlreadyShipped, ShipmentNotFound, TrackingNumberTaken
from shared_domain.shipping.events import TrackingUpdated
from shared_domain.shipping.models import Shipment, TrackingEvent

logger = logging.getLogger("fashionistar.shipping")

TRACKING_NUMBER_RE = re.compile(r"[A-Za-z0-9-]{1,64}")
SHIPPED = "shipped"
DELIVERED = "delivered"
_STATUS_MAX = TrackingEvent._meta.get_field("status").max_length or 32
_EXTERNAL_ID_MAX = TrackingEvent._meta.get_field("external_id").max_length or 128
_DESCRIPTION_MAX = TrackingEvent._meta.get_field("description").max_length or 255
_LOCATION_MAX = TrackingEvent._meta.get_field("location").max_length or 120


def _clean_carrier(carrier: str) -> str:
    code = carrier.strip().lower() if isinstance(carrier, str) else ""
    if code not in carrier_codes():
        raise ValidationFailed(
            details={"carrier": [f"Unknown carrier; use one of: {', '.join(carrier_codes())}."]}
        )
    return code


def _clean_tracking_number(tracking_number: str) -> str:
    number = tracking_number.strip() if isinstance(tracking_number, str) else ""
    if not TRACKING_NUMBER_RE.fullmatch(number):
        raise ValidationFailed(
            details={"tracking_number": ["Use 1 to 64 letters, digits or hyphens."]}
        )
    return number


def _ensure_unshipped(vendor_order_id: int, carrier: str, tracking_number: str) -> None:
    if Shipment.objects.filter(vendor_order_id=vendor_order_id).exists():
        raise AlreadyShipped(details={"vendor_order_id": vendor_order_id})
    if Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).exists():
        raise TrackingNumberTaken(details={"tracking_number": [tracking_number]})


@transaction.atomic
def shipment_create(*, vendor_order_id: int, carrier: str, tracking_number: str) -> Shipment:
    """The shipment of a vendor order, with its first tracking step ("shipped")."""
    code = _clean_carrier(carrier)
    number = _clean_tracking_number(tracking_number)
    _ensure_unshipped(vendor_order_id, code, number)
    try:
        # A savepoint: a racing duplicate must not break the caller's transaction.
        with transaction.atomic():
            shipment = Shipment.objects.create(
                vendor_order_id=vendor_order_id, carrier=code, tracking_number=number
            )
    except IntegrityError:
        # Lost a race to a shipment committed since the check: say which.
        _ensure_unshipped(vendor_order_id, code, number)
        raise
    TrackingEvent.objects.create(
        shipment=shipment,
        status=SHIPPED,
        description="Handed to the carrier.",
        occurred_at=shipment.shipped_at,
    )
    return shipment


@transaction.atomic
def shipment_mark_delivered(*, vendor_order_id: int) -> Shipment:
    """Mark the vendor order's shipment delivered; a second call changes nothing."""
    try:
        shipment = Shipment.objects.select_for_update().get(vendor_order_id=vendor_order_id)
    except Shipment.DoesNotExist:
        raise ShipmentNotFound(details={"vendor_order_id": vendor_order_id}) from None
    _deliver(shipment, timezone.now())
    return shipment


def _deliver(shipment: Shipment, at: datetime) -> bool:
    if shipment.status == Shipment.Status.DELIVERED:
        return False
    shipment.status = Shipment.Status.DELIVERED
    shipment.delivered_at = at
    shipment.save(update_fields=["status", "delivered_at", "updated_at"])
    return True


@transaction.atomic
def tracking_event_record(
    *,
    carrier: str,
    tracking_number: str,
    status: str,
    occurred_at: datetime,
    description: str = "",
    location: str = "",
    external_id: str = "",
) -> TrackingEvent | None:
    """Record a step a carrier reported. A redelivery (same `external_id`) records
    nothing and returns None. A "delivered" step marks the shipment delivered and
    publishes `TrackingUpdated` (once)."""
    status = status.strip().lower()
    external_id = external_id.strip()
    problems: dict[str, list[str]] = {}
    if not status or len(status) > _STATUS_MAX:
        problems["status"] = [f"Give 1 to {_STATUS_MAX} characters."]
    if len(external_id) > _EXTERNAL_ID_MAX:
        problems["id"] = [f"At most {_EXTERNAL_ID_MAX} characters."]
    if timezone.is_naive(occurred_at):
        problems["occurred_at"] = ["Give a time zone."]
    if problems:
        raise ValidationFailed(details=problems)
    try:
        shipment = Shipment.objects.select_for_update().get(
            carrier=carrier, tracking_number=tracking_number.strip()
        )
    except Shipment.DoesNotExist:
        raise ShipmentNotFound(
            details={"carrier": carrier, "tracking_number": tracking_number}
        ) from None
    # The shipment row lock serialises deliveries of one shipment, so this check holds.
    if external_id and shipment.events.filter(external_id=external_id).exists():
        return None
    event = TrackingEvent.objects.create(
        shipment=shipment,
        status=status,
        description=description.strip()[:_DESCRIPTION_MAX],
        location=location.strip()[:_LOCATION_MAX],
        occurred_at=occurred_at,
        external_id=external_id,
    )
    if status == DELIVERED and _deliver(shipment, occurred_at):
        publish(
            TrackingUpdated(
                shipment_id=shipment.pk,
                vendor_order_id=shipment.vendor_order_id,
                status=DELIVERED,
            )
        )
    return event


@dataclasses.dataclass(frozen=True)
class WebhookReceipt:
    received: int
    recorded: int
    # Updates of parcels no shipment has (a mistyped tracking number, a parcel sent
    # outside the marketplace): skipped, since the carrier's retries cannot fix them.
    unknown: int


def tracking_webhook_receive(
    *, carrier: str, headers: Mapping[str, str], body: bytes
) -> WebhookReceipt:
    """Verify and read a carrier's webhook call through its adapter, then record its
    updates in one transaction (all or none, so the carrier's retry is complete)."""
    updates = carrier_get(carrier).parse_webhook(headers, body)
    recorded = unknown = 0
    with transaction.atomic():
        # One order for every batch, so two overlapping batches lock their shipments
        # the same way round (no deadlock).
        for update in sorted(updates, key=lambda u: (u.tracking_number, u.occurred_at)):
            try:
                event = tracking_event_record(
                    carrier=carrier,
                    tracking_number=update.tracking_number,
                    status=update.status,
                    occurred_at=update.occurred_at,
                    description=update.description,
                    location=update.location,
                    external_id=update.external_id,
                )
            except ShipmentNotFound:
                logger.warning(
                    "Tracking update of unknown parcel %s %s", carrier, update.tracking_number
                )
                unknown += 1
                continue
            recorded += event is not None
    return WebhookReceipt(received=len(updates), recorded=recorded, unknown=unknown)
