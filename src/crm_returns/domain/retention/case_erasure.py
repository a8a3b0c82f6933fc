"""Erasing a customer from the case file of their returns, keeping the facts.

Each kind of case-file record loses what the customer (or staff, about the
customer) wrote in it, whole — such text is about the customer, and erasure
could not find every personal detail inside it — and keeps its facts: times,
statuses, amounts, scores, carriers' numbers, an attachment's type, size and
SHA-256.  Then the rest is scrubbed as every record is
(:func:`~crm_returns.domain.retention.erasure.scrubbed`): the customer's id
becomes the surrogate, and every personal string left inside text is
replaced.

===============  ==============================================================
kind             removed whole
===============  ==============================================================
request          the customer's note; staff's message about the decision
tracking         the carrier's location and description (a pickup address)
attachment       the file's name (``[erased]``) and the uploader's note; the
                 bytes leave the attachment store (the service deletes them)
contact          the summary (``[erased]``, :func:`erased_contact`)
feedback         the comment (:func:`erased_feedback`); the score stays
shipment         nothing: carrier, tracking number, label, cost and payer stay
assignment       nothing: owner, team, stage and deadline stay
===============  ==============================================================

An actor id that names the customer (a customer acting for themselves, as
``requested_by`` or ``uploaded_by``) becomes the surrogate too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import attrs

from crm_returns.domain.casefile.records import CaseRecord
from crm_returns.domain.evidence.records import Attachment
from crm_returns.domain.interactions.records import CustomerContact, Feedback
from crm_returns.domain.interactions.rules import erased_contact, erased_feedback
from crm_returns.domain.requests.records import ReturnRequest
from crm_returns.domain.retention.erasure import ERASED_TEXT, blanked, scrubbed
from crm_returns.domain.shipments.records import TrackingUpdate

__all__ = ["erased_case_record"]

_R = TypeVar("_R", bound=CaseRecord)

#: Fields that hold the id of whoever acted: the customer's own when they acted themselves.
_ACTORS = ("requested_by", "decided_by", "uploaded_by", "by")


def _removed(record: CaseRecord, surrogate: str) -> dict[str, Any]:
    """The fields of ``record`` that hold free text about the customer, as erasure leaves them."""
    match record:
        case ReturnRequest():
            return {"note": "", "message": ""}
        case TrackingUpdate():
            return {"location": "", "description": ""}
        case Attachment():
            return {"filename": ERASED_TEXT, "note": ""}
        case CustomerContact():
            return {"summary": erased_contact(record, surrogate).summary}
        case Feedback():
            return {"comment": erased_feedback(record, surrogate).comment}
    return {}


def _names(value: object, named: tuple[str, ...]) -> bool:
    """Whether ``value`` is, or holds, one of the ``named`` strings."""
    return isinstance(value, str) and (value in named or blanked(value, named) != value)


def erased_case_record(record: _R, surrogate: str, personal: Iterable[str] = ()) -> _R:
    """``record`` with its customer erased, its version raised if anything changed.

    Args:
        record: A record of the case file of one of the customer's returns.
        surrogate: What the customer's id becomes.
        personal: More strings to replace where they appear (a name, an
            e-mail address); the record's customer id is always one.

    Returns:
        The erased record (``record`` itself if it holds nothing to erase:
        a record erased before is erased again to the same value).
    """
    named = tuple(p for p in (record.customer_id, *personal) if p and p != surrogate)
    changes: dict[str, Any] = {"customer_id": surrogate, **_removed(record, surrogate)}
    changes |= {name: surrogate for name in _ACTORS if _names(getattr(record, name, None), named)}
    cleared = attrs.evolve(record, **changes)
    erased = scrubbed(cleared, named, surrogate)
    if erased == record:
        return record
    return attrs.evolve(erased, version=record.version + 1)
