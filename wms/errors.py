"""One error hierarchy with stable codes: the core raises, the edges translate.

The ``code`` picks the API's problem+json ``type``, the PDA message (see
``wms.messages``) and the log line. ``params`` fill the message template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"


class WmsError(Exception):
    """Base of every expected, explainable failure."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    title: ClassVar[str] = "Request could not be carried out"

    def __init__(self, detail: str | None = None, /, **params: Any) -> None:
        self.params = params
        self.detail = detail or self.title
        super().__init__(self.detail)


class ValidationFailed(WmsError):
    code = "validation_failed"
    http_status = 422
    title = "The request is not valid"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(detail or "; ".join(f"{e.field}: {e.message}" for e in errors))


class NotFound(WmsError):
    code = "not_found"
    http_status = 404
    title = "Not found"


class UnknownItem(NotFound):
    code = "unknown_item"
    title = "Unknown item"


class UnknownLocation(NotFound):
    code = "unknown_location"
    title = "Unknown location"


class UnknownUnit(WmsError):
    code = "unknown_unit"
    http_status = 422
    title = "Unknown unit of measure"


class UnknownLot(NotFound):
    code = "unknown_lot"
    title = "Unknown lot"


class UnknownContainer(NotFound):
    code = "unknown_container"
    title = "Unknown container"


class Conflict(WmsError):
    code = "conflict"
    http_status = 409
    title = "Conflict with the current state"


class InsufficientStock(Conflict):
    """Raised once for a whole batch: ``shortages`` lists every short line."""

    code = "insufficient_stock"
    title = "Not enough stock"

    def __init__(self, shortages: list[dict[str, Any]], detail: str | None = None) -> None:
        self.shortages = shortages
        first = shortages[0] if shortages else {}
        super().__init__(
            detail
            or "; ".join(
                f"{s.get('sku')} at {s.get('location')}: asked {s.get('requested')},"
                f" available {s.get('available')}"
                for s in shortages
            ),
            **first,
        )


class ReservationExceeded(Conflict):
    code = "reservation_exceeded"
    title = "Reserved quantity would exceed on hand"


class NegativeStockNotAllowed(Conflict):
    code = "negative_stock_not_allowed"
    title = "Stock would become negative"


class LocationBlocked(Conflict):
    code = "location_blocked"
    title = "Location is blocked"


class LocationNotAllowed(Conflict):
    code = "location_not_allowed"
    title = "Location not allowed here"


class AlreadyReversed(Conflict):
    code = "already_reversed"
    title = "Move was already reversed"


class IdempotencyKeyReused(WmsError):
    code = "idempotency_key_reused"
    http_status = 422
    title = "Idempotency-Key was used with a different request"


class IdempotencyKeyInFlight(Conflict):
    code = "idempotency_key_in_flight"
    title = "A request with this Idempotency-Key is still being processed"


class InvalidQuantity(WmsError):
    code = "invalid_quantity"
    http_status = 422
    title = "Invalid quantity"


class InvalidCheckDigit(WmsError):
    code = "invalid_check_digit"
    http_status = 422
    title = "Invalid check digit"


class NotRecognised(WmsError):
    code = "not_recognised"
    http_status = 422
    title = "Scan not recognised"


class AuthenticationFailed(WmsError):
    code = "authentication_failed"
    http_status = 401
    title = "Authentication required"


class NotSignedIn(AuthenticationFailed):
    """A request named a signed-in user (by id, from its session cookie) who is gone or
    inactive: a scan step, a "next task"."""

    title = "Please sign in"


class PermissionDenied(WmsError):
    code = "permission_denied"
    http_status = 403
    title = "Permission denied"


class InvalidTransition(Conflict):
    code = "invalid_transition"
    title = "This step is not allowed now"


class DeviceError(WmsError):
    """A printer or scale failed; never rolls back business work."""

    code = "device_error"
    http_status = 503
    title = "Device error"
