"""Events of the customer side: requests, shipments, evidence, contacts, feedback, owners.

Each is a :class:`~crm_returns.domain.events.ReturnEvent` like the
workflow's, written to the audit trail and the outbox in the command's
transaction.  Most do not move the return (``from_status`` equals
``to_status``); their :class:`~crm_returns.domain.returns.states.Action`
says what changed in the case file.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from crm_returns.domain._checks import flag, identifier, moment, text, value_of
from crm_returns.domain.events import ReturnEvent
from crm_returns.domain.evidence.records import AttachmentSubject
from crm_returns.domain.interactions.records import ContactChannel, Direction
from crm_returns.domain.money import Money
from crm_returns.domain.orders import LineRef
from crm_returns.domain.returns.states import Action
from crm_returns.domain.shipments.records import ShipmentMethod, ShippingPayer, TrackingStatus
from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "AttachmentAdded",
    "ContactLogged",
    "FeedbackGiven",
    "RequestAccepted",
    "RequestDeclined",
    "RequestWithdrawn",
    "ReturnAssigned",
    "ReturnRequested",
    "ShipmentAdded",
    "ShipmentDelivered",
    "ShipmentLabelled",
    "ShipmentLost",
    "ShipmentTracked",
]


# -- shipments ------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ShipmentAdded(ReturnEvent):
    """A shipment was arranged for the goods of the return.

    Attributes:
        shipment_id: The shipment's id.
        method: Drop-off, carrier pickup, or in store.
        carrier: The carrier's code ("" in store).
        tracking_number: The carrier's tracking number ("" until known).
        paid_by: Who pays for the shipment.
        cost: What it costs, if known.
    """

    action: ClassVar[Action] = Action.TRACK
    shipment_id: str
    method: ShipmentMethod
    carrier: str
    tracking_number: str
    paid_by: ShippingPayer
    cost: Money | None


@attrs.frozen(kw_only=True)
class ShipmentLabelled(ReturnEvent):
    """The carrier created a shipping label for a shipment.

    Attributes:
        shipment_id: The shipment's id.
        carrier: The carrier's code.
        tracking_number: The tracking number the carrier gave.
        label_reference: The carrier's reference of the label.
        cost: What the carrier charges, if it said.
    """

    action: ClassVar[Action] = Action.TRACK
    shipment_id: str
    carrier: str
    tracking_number: str
    label_reference: str
    cost: Money | None


@attrs.frozen(kw_only=True)
class ShipmentTracked(ReturnEvent):
    """A carrier (or staff) reported where a shipment is: one new tracking update.

    Attributes:
        shipment_id: The shipment's id.
        carrier: The carrier's code.
        tracking_number: The shipment's tracking number ("" if it has none).
        event_id: The carrier's id of the update.
        status: What the update says.
        occurred_at: When it happened, as the carrier says.
        location: Where, as the carrier says.
        description: The carrier's words.
        shipment_status: The shipment's status after the update (an update
            that arrives late may leave it as it was).
    """

    action: ClassVar[Action] = Action.TRACK
    shipment_id: str
    carrier: str
    tracking_number: str
    event_id: str
    status: TrackingStatus
    occurred_at: datetime = attrs.field(validator=moment)
    location: str
    description: str
    shipment_status: TrackingStatus


@attrs.frozen(kw_only=True)
class ShipmentDelivered(ShipmentTracked):
    """A shipment reached the warehouse: the goods are there to receive.

    The update that made the shipment delivered; the warehouse is told (the
    default notification rules), and records the goods with ``receive_goods``.
    """


@attrs.frozen(kw_only=True)
class ShipmentLost(ShipmentTracked):
    """The carrier reported a shipment lost.

    Staff confirm it by recording the goods missing (``receive_goods`` with
    :func:`~crm_returns.lost_parcel_receipts`); under a refund policy with
    ``refund_missing_units`` the refund then pays for the missing units.
    """


# -- contacts and feedback ---------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ContactLogged(ReturnEvent):
    """A contact with the customer was logged; the return does not move.

    What was said stays in the contact log (it is personal text that the
    outbox would carry to every destination and that erasure could not find
    inside free text); the event says only that a contact took place.

    Attributes:
        contact_id: The contact's id in the case file.
        channel: Call, e-mail, SMS, chat or visit.
        direction: Inbound (the customer reached us) or outbound.
        contacted_at: When the contact took place (``at`` is when it was logged).
        automatic: Logged by the library for a notification it sent.
    """

    action: ClassVar[Action] = Action.CONTACT
    contact_id: str = attrs.field(validator=identifier(64))
    channel: ContactChannel = attrs.field(validator=value_of(ContactChannel))
    direction: Direction = attrs.field(validator=value_of(Direction))
    contacted_at: datetime = attrs.field(validator=moment)
    automatic: bool = attrs.field(default=False, validator=flag)


def _score(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not (isinstance(value, Decimal) and value.is_finite() and value in range(1, 6)):
        raise InvalidInput(f"{attribute.name} must be a Decimal from 1 to 5, got {quoted(value)}")


@attrs.frozen(kw_only=True)
class FeedbackGiven(ReturnEvent):
    """The customer scored a completed return; the return does not move.

    The comment stays with the feedback in the case file (it is the
    customer's own words); the event says whether there is one.

    Attributes:
        feedback_id: The feedback's id in the case file.
        score: 1 (very unhappy) to 5 (very happy), a whole number.
        commented: Whether the customer wrote a comment.
    """

    action: ClassVar[Action] = Action.FEEDBACK
    feedback_id: str = attrs.field(validator=identifier(64))
    score: Decimal = attrs.field(validator=_score)
    commented: bool = attrs.field(default=False, validator=flag)


@attrs.frozen(kw_only=True)
class ReturnAssigned(ReturnEvent):
    """A return was given an owner, or passed from one owner to another.

    Attributes:
        from_user_id: The user who owned it before (``None``: no user).
        from_team: The team that owned it before (``None``: no team).
        to_user_id: The user who owns it now (``None``: no user).
        to_team: The team that owns it now (``None``: no team).
    """

    action: ClassVar[Action] = Action.ASSIGN
    from_user_id: str | None
    from_team: str | None
    to_user_id: str | None
    to_team: str | None


@attrs.frozen(kw_only=True)
class ReturnRequested(ReturnEvent):
    """A customer asked for a return: it exists as a draft, waiting for staff.

    It takes the place of :class:`~crm_returns.ReturnDrafted` for a return the
    customer made (``from_status`` is ``None``, ``to_status`` draft).

    Attributes:
        lines: The order lines asked for.
    """

    action: ClassVar[Action] = Action.DRAFT
    lines: tuple[LineRef, ...]


@attrs.frozen(kw_only=True)
class RequestAccepted(ReturnEvent):
    """Staff accepted a customer's request; its submission follows in the same command.

    It does not move the return (draft to draft): the
    :class:`~crm_returns.ReturnSubmitted` that follows does.
    """

    action: ClassVar[Action] = Action.ACCEPT


@attrs.frozen(kw_only=True)
class RequestDeclined(ReturnEvent):
    """Staff declined a customer's request: the return is rejected before any approval.

    Attributes:
        reason: The decline reason's code, such as ``outside_window``.
        reason_zh: Its label in Chinese (zh-CN), as the catalog had it.
        reason_en: Its label in English.
        message: What staff wrote to the customer.
    """

    action: ClassVar[Action] = Action.DECLINE
    reason: str = attrs.field(validator=text(64))
    reason_zh: str = attrs.field(validator=text(200))
    reason_en: str = attrs.field(validator=text(200))
    message: str = attrs.field(default="", validator=text(2000, optional=True))


@attrs.frozen(kw_only=True)
class RequestWithdrawn(ReturnEvent):
    """The customer withdrew their request before the goods left: the return is cancelled."""

    action: ClassVar[Action] = Action.WITHDRAW


@attrs.frozen(kw_only=True)
class AttachmentAdded(ReturnEvent):
    """A photo or file was attached to the return's request, receipt or inspection.

    The file's name, size and the uploader's note stay in the case file (the
    name and note are the customer's or staff's own words, and an event
    travels to other systems).

    Attributes:
        attachment_id: The attachment's id in the case file and the attachment store.
        subject: What it shows: the request, a receipt or an inspection.
        content_type: Its type, as detected from its bytes.
        sha256: Its SHA-256 digest, lower-case hex.
    """

    action: ClassVar[Action] = Action.ATTACH
    attachment_id: str = attrs.field(validator=identifier(64))
    subject: AttachmentSubject = attrs.field(validator=value_of(AttachmentSubject))
    content_type: str = attrs.field(validator=identifier(100))
    sha256: str = attrs.field(validator=identifier(64))
