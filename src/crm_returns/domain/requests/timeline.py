"""The customer's timeline of a return: what they may see, in plain words.

:func:`customer_timeline` builds a :class:`CustomerTimeline` from the return,
its request, shipments, tracking updates, feedback and audit trail.  It is
made so that nothing internal can leak: it reads only whitelisted fields —
statuses, actions, times, amounts the customer is owed, the carrier and
tracking number — and copies only two pieces of free text, both written for
the customer: their own note on the request, and the message staff wrote
when declining it.  Comments, names of people, notes of staff, inspections,
costs and fees, contact summaries and carriers' descriptions never reach it,
because no field of it can hold them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.money import Money
from crm_returns.domain.requests.declining import DeclineReason, DeclineReasons
from crm_returns.domain.requests.progress import (
    MOMENT_WORDS,
    NEXT,
    NEXT_WORDS,
    PROGRESS_WORDS,
    REFUND_WORDS,
    SEEN,
    TRACKING_WORDS,
    MomentKind,
    NextStep,
    Party,
    Progress,
    said,
)
from crm_returns.domain.requests.records import RequestStatus, ReturnRequest
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.domain.shipments.records import Shipment, TrackingStatus, TrackingUpdate
from crm_returns.errors import NotFound

__all__ = [
    "CustomerLine",
    "CustomerReturn",
    "CustomerTimeline",
    "Moment",
    "MomentKind",
    "NextStep",
    "Party",
    "Progress",
    "Tracking",
    "customer_timeline",
]

S = ReturnStatus
T = TrackingStatus


@attrs.frozen
class Tracking:
    """Where the goods are, as the carrier says.

    Attributes:
        carrier: The carrier's code ("" in store).
        tracking_number: The tracking number ("" until known).
        status: The last status.
        updated_at: When it last changed.
    """

    carrier: str
    tracking_number: str
    status: TrackingStatus
    updated_at: datetime


@attrs.frozen
class Moment:
    """One thing that happened, as the customer sees it.

    Attributes:
        at: When.
        kind: What.
        tracking: The parcel's status, for a shipment moment.
        amount: The refund granted, for a refund moment.
    """

    at: datetime
    kind: MomentKind
    tracking: TrackingStatus | None = None
    amount: Money | None = None


@attrs.frozen
class CustomerLine:
    """One line of the return, as the customer sees it.

    Attributes:
        order_number: The order it comes from.
        product_name: The product.
        sku: Its SKU.
        quantity: Units asked for.
        reason_code: Why it comes back (the return reason's code).
        refund: What it is expected to refund.
    """

    order_number: str
    product_name: str
    sku: str
    quantity: Decimal
    reason_code: str
    refund: Money


@attrs.frozen(kw_only=True)
class CustomerReturn:
    """One of the customer's returns, in their list.

    Attributes:
        return_id: The return's id (to ask for its timeline).
        number: Its readable number.
        created_at: When it was made.
        progress: Where it stands.
        owed_by: Who owes the next step.
        refund: The refund expected (granted, once it is).
        request: The request's status, when the customer asked for the return.
    """

    return_id: str
    number: str
    created_at: datetime
    progress: Progress
    owed_by: Party
    refund: Money
    request: RequestStatus | None = None

    def as_dict(self, language: str) -> dict[str, Any]:
        """The entry as JSON values, in ``language``.

        Raises:
            InvalidInput: Another language.
        """
        return {
            "number": self.number,
            "created_at": self.created_at.isoformat(),
            "status": self.progress.value,
            "status_text": said(PROGRESS_WORDS[self.progress], language),
            "owed_by": self.owed_by.value,
            "refund": _money(self.refund),
            "request": None if self.request is None else self.request.value,
        }


@attrs.frozen(kw_only=True)
class CustomerTimeline:
    """A return as its customer may see it: no comment, name, cost or internal note.

    Attributes:
        return_id: The return's id.
        number: Its readable number.
        created_at: When it was made.
        progress: Where it stands.
        next_step: What happens next.
        owed_by: Who owes that step.
        refund: The refund expected (granted, once it is).
        lines: What comes back.
        request: The request's status, when the customer asked for the return.
        note: The customer's own note on their request.
        decline_reason: Why the request was declined.
        decline_message: What staff wrote to the customer when declining.
        tracking: The latest shipment, if there is one.
        feedback_score: The customer's score, once given.
        moments: What happened, oldest first.
    """

    return_id: str
    number: str
    created_at: datetime
    progress: Progress
    next_step: NextStep
    owed_by: Party
    refund: Money
    lines: tuple[CustomerLine, ...]
    request: RequestStatus | None = None
    note: str = ""
    decline_reason: DeclineReason | None = None
    decline_message: str = ""
    tracking: Tracking | None = None
    feedback_score: int | None = None
    moments: tuple[Moment, ...] = ()

    @property
    def entry(self) -> CustomerReturn:
        """The timeline as an entry of the customer's list."""
        return CustomerReturn(
            return_id=self.return_id,
            number=self.number,
            created_at=self.created_at,
            progress=self.progress,
            owed_by=self.owed_by,
            refund=self.refund,
            request=self.request,
        )

    def status_text(self, language: str) -> str:
        """Where the return stands, as a sentence in ``language`` (``"zh-CN"`` or ``"en"``).

        Raises:
            InvalidInput: Another language.
        """
        return said(PROGRESS_WORDS[self.progress], language)

    def next_step_text(self, language: str) -> str:
        """What happens next, and who does it, as a sentence in ``language``.

        Raises:
            InvalidInput: Another language.
        """
        return said(NEXT_WORDS[self.next_step], language)

    def as_dict(self, language: str) -> dict[str, Any]:
        """The timeline as JSON values (strings, numbers as strings), in ``language``.

        Raises:
            InvalidInput: Another language.
        """
        reason = self.decline_reason
        tracking = self.tracking
        return {
            "number": self.number,
            "created_at": self.created_at.isoformat(),
            "status": self.progress.value,
            "status_text": self.status_text(language),
            "next_step": self.next_step.value,
            "next_step_text": self.next_step_text(language),
            "owed_by": self.owed_by.value,
            "refund": _money(self.refund),
            "lines": [
                {
                    "order_number": line.order_number,
                    "product_name": line.product_name,
                    "sku": line.sku,
                    "quantity": str(line.quantity),
                    "reason": line.reason_code,
                    "refund": _money(line.refund),
                }
                for line in self.lines
            ],
            "request": None if self.request is None else self.request.value,
            "note": self.note,
            "decline_reason": None if reason is None else reason.label(language),
            "decline_message": self.decline_message,
            "tracking": None
            if tracking is None
            else {
                "carrier": tracking.carrier,
                "tracking_number": tracking.tracking_number,
                "status": tracking.status.value,
                "updated_at": tracking.updated_at.isoformat(),
            },
            "feedback_score": self.feedback_score,
            "moments": [
                {
                    "at": moment.at.isoformat(),
                    "kind": moment.kind.value,
                    "text": _moment_text(moment, language),
                }
                for moment in self.moments
            ],
        }

    def to_json(self, language: str) -> str:
        """:meth:`as_dict` as JSON text (keys sorted, non-ASCII kept)."""
        return json.dumps(self.as_dict(language), ensure_ascii=False, sort_keys=True)

    def render(self, language: str) -> str:
        """The timeline as plain text lines, for an e-mail or a portal page."""
        told = self.as_dict(language)
        out = [f"{self.number}: {told['status_text']}", told["next_step_text"]]
        out.append(
            f"{said(REFUND_WORDS, language)} {told['refund']['amount']} {self.refund.currency}"
        )
        if told["decline_reason"]:
            out.append(f"{told['decline_reason']}: {self.decline_message}")
        if self.tracking is not None:
            out.append(f"{self.tracking.carrier} {self.tracking.tracking_number}")
        out.extend(f"{moment['at']} {moment['text']}" for moment in told["moments"])
        return "\n".join(out)


def _money(amount: Money) -> dict[str, str]:
    return {"amount": str(amount.amount), "currency": amount.currency}


def _moment_text(moment: Moment, language: str) -> str:
    text = said(MOMENT_WORDS[moment.kind], language)
    if moment.tracking is not None:
        text = f"{text}: {said(TRACKING_WORDS[moment.tracking], language)}"
    if moment.amount is not None:
        text = f"{text}: {moment.amount.amount} {moment.amount.currency}"
    return text


# -- building it ----------------------------------------------------------------------


def _latest(shipments: Sequence[Shipment]) -> Shipment | None:
    return max(shipments, key=lambda s: (s.at, s.id), default=None)


def _progress(
    order: ReturnOrder, request: ReturnRequest | None, shipment: Shipment | None
) -> Progress:
    status = order.status
    if status is S.DRAFT:
        return Progress.REQUESTED if request is not None else Progress.IN_REVIEW
    if status is S.SUBMITTED:
        return Progress.IN_REVIEW
    if status is S.APPROVED:
        parcel = shipment.status if shipment is not None else T.PENDING
        if parcel in (T.IN_TRANSIT, T.EXCEPTION):
            return Progress.ON_THE_WAY
        if parcel is T.DELIVERED:
            return Progress.ARRIVED
        if parcel is T.LOST:
            return Progress.PARCEL_LOST
        return Progress.SEND_GOODS
    if status is S.PARTIALLY_RECEIVED:
        return Progress.RECEIVING
    if status in (S.RECEIVED, S.INSPECTED):
        return Progress.CHECKING if order.grant is None else Progress.REFUNDING
    if status is S.COMPLETED:
        return Progress.COMPLETED
    declined = request is not None and request.status is RequestStatus.DECLINED
    if status is S.REJECTED:
        return Progress.DECLINED if declined else Progress.NOT_APPROVED
    withdrawn = request is not None and request.status is RequestStatus.WITHDRAWN
    return Progress.WITHDRAWN if withdrawn else Progress.CANCELLED


def _moments(
    order: ReturnOrder,
    request: ReturnRequest | None,
    tracking: Iterable[TrackingUpdate],
    feedback: Iterable[Feedback],
    audit: Iterable[AuditEntry],
) -> tuple[Moment, ...]:
    found: list[Moment] = []
    for entry in audit:
        kind = SEEN.get(entry.action)
        if kind is None or entry.return_id != order.id:
            continue
        if kind is MomentKind.APPROVED and entry.to_status is not S.APPROVED:
            continue  # one of several approval steps: the customer waits for the last
        if kind is MomentKind.CREATED and request is not None:
            kind = MomentKind.REQUESTED
        amount = order.grant.amount if kind is MomentKind.REFUND_GRANTED and order.grant else None
        found.append(Moment(entry.at, kind, amount=amount))
    found.extend(
        Moment(update.occurred_at, MomentKind.SHIPMENT, tracking=update.status)
        for update in tracking
        if update.return_id == order.id
    )
    found.extend(
        Moment(given.at, MomentKind.FEEDBACK_GIVEN)
        for given in feedback
        if given.return_id == order.id
    )
    return tuple(sorted(found, key=lambda moment: moment.at))


def customer_timeline(
    order: ReturnOrder,
    *,
    request: ReturnRequest | None = None,
    shipments: Sequence[Shipment] = (),
    tracking: Sequence[TrackingUpdate] = (),
    feedback: Sequence[Feedback] = (),
    audit: Sequence[AuditEntry] = (),
    decline_reasons: DeclineReasons | None = None,
) -> CustomerTimeline:
    """The customer's view of ``order``, from whitelisted fields only.

    Args:
        order: The return.
        request: Its request, when the customer asked for it.
        shipments: Its shipments.
        tracking: Its tracking updates.
        feedback: The customer's feedback on it.
        audit: Its audit trail (only the actions, statuses and times are read).
        decline_reasons: The catalog a declined request's reason is looked up in.
    """
    shipment = _latest([s for s in shipments if s.return_id == order.id])
    progress = _progress(order, request, shipment)
    next_step, owed_by = NEXT[progress]
    given = [f for f in feedback if f.return_id == order.id]
    if progress is Progress.COMPLETED and not given:
        next_step, owed_by = NextStep.GIVE_FEEDBACK, Party.CUSTOMER
    reason = None
    declined = request is not None and request.status is RequestStatus.DECLINED
    if declined and request is not None and request.decline_reason and decline_reasons:
        try:
            reason = decline_reasons.reason(request.decline_reason)
        except NotFound:
            reason = None
    # A return declined, rejected or withdrawn refunds nothing: no estimate is expected.
    ended = order.status in (S.REJECTED, S.CANCELLED)
    return CustomerTimeline(
        return_id=order.id,
        number=order.number,
        created_at=order.created_at,
        progress=progress,
        next_step=next_step,
        owed_by=owed_by,
        refund=Money.zero(order.currency) if ended else order.refund,
        lines=tuple(
            CustomerLine(
                line.ref.order_number,
                line.product_name,
                line.sku,
                line.requested,
                line.reason_code,
                line.refund,
            )
            for line in order.lines
        ),
        request=None if request is None else request.status,
        note="" if request is None else request.note,
        decline_reason=reason,
        decline_message=request.message if declined and request is not None else "",
        tracking=None
        if shipment is None
        else Tracking(
            shipment.carrier, shipment.tracking_number, shipment.status, shipment.updated_at
        ),
        feedback_score=given[-1].score if given else None,
        moments=_moments(order, request, tracking, feedback, audit),
    )
