from __future__ import annotations

from shared_domain.common.errors import Conflict, NotFound


class TrackingNumberTaken(Conflict):
    code = "tracking_number_taken"
    default_message = "This tracking number is already used by another shipment."


class ShipmentNotFound(NotFound):
    code = "shipment_not_found"
    default_message = "No shipment has this tracking number."


class AlreadyShipped(Conflict):
    code = "already_shipped"
    default_message = "This vendor order already has a shipment."
