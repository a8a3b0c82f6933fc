"""Erasing a customer's personal data (PIPL 第四十七条, GDPR art. 17), keeping the facts.

An erasure request names one customer.  Every kept record that names them —
returns, audit entries, outbox messages, and the host's records through the
host-record port — is changed: the customer's id becomes a **surrogate**, and
their name and the free text written about them are removed, while amounts,
dates, quantities and document numbers stay exactly as they were.  Records
the law still needs are kept in that form, storage-only, and destroyed when
their retention runs; a record under a legal hold is refused, with the hold as
the reason.

The request keeps no raw personal data: it names the customer by a digest
(:func:`subject_digest`), which is also what finds the customer's records again
to re-apply the erasure after a restore from a backup.  The surrogate is made
from the digest, so that a re-applied erasure writes the same surrogate.

::

    pending ──done──▶ completed            (every record erased)
       ├──────some refused──▶ partly_refused
       ├──────all refused───▶ refused
       └──────some wait─────▶ scheduled ──done──▶ completed / partly_refused
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final, TypeVar

import attrs

from crm_returns.domain._checks import moment
from crm_returns.domain.returns.order import ReturnOrder

__all__ = [
    "ERASED_TEXT",
    "ErasureRequest",
    "ErasureStatus",
    "Refusal",
    "blanked",
    "erased_order",
    "scrubbed",
    "subject_digest",
    "surrogate_for",
]

_T = TypeVar("_T")

#: What free text about an erased customer becomes.
ERASED_TEXT: Final = "[erased]"

#: Personal strings shorter than this are replaced only where a whole field is
#: them ("C1" inside "RT-C1-0042" is not the customer's id) — unless they are
#: not ASCII: a Chinese name has two or three characters (张伟), and is found in
#: free text from two.
_SUBSTRING_FROM = 4
_SUBSTRING_FROM_CJK = 2


def _findable(value: str) -> bool:
    """Whether ``value`` is long enough to be looked for inside free text."""
    return len(value) >= (_SUBSTRING_FROM if value.isascii() else _SUBSTRING_FROM_CJK)


def blanked(text: str, personal: Iterable[str]) -> str:
    """Plain ``text`` with every personal string that can be found in it replaced.

    What both stores apply to plain text columns (a delivery's last error), and
    :func:`scrubbed` to the free text inside values.
    """
    for value in sorted(set(personal), key=len, reverse=True):
        if _findable(value) and value in text:
            text = text.replace(value, ERASED_TEXT)
    return text


#: Fields that hold numbers and ids the law keeps; never rewritten inside.
_KEPT_FIELDS = frozenset(
    {
        "id",
        "number",
        "tenant_id",
        "return_id",
        "order_number",
        "line_id",
        "sku",
        "currency",
        "code",
        "reason_code",
        "entry_id",
        "message_id",
        # the case file's ids, digests and carriers' numbers
        "shipment_id",
        "attachment_id",
        "contact_id",
        "feedback_id",
        "event_id",
        "sha256",
        "content_type",
        "carrier",
        "tracking_number",
        "label_reference",
    }
)


class ErasureStatus(enum.Enum):
    """Where an erasure request stands."""

    PENDING = "pending"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    PARTLY_REFUSED = "partly_refused"
    REFUSED = "refused"


@attrs.frozen
class Refusal:
    """A record the request could not erase, and the law or hold that keeps it.

    Attributes:
        record: The record, ``"<class>/<id>"``.
        reason: Why, with its legal basis.
    """

    record: str
    reason: str


@attrs.frozen
class ErasureRequest:
    """A request to erase one customer's personal data.

    Attributes:
        id: The request's id.
        tenant_id: The tenant.
        number: Its readable number, such as ``ER-2026-000001``.
        subject: The customer's digest (:func:`subject_digest`), never their id.
        surrogate: What the customer's id becomes.
        status: Where it stands.
        requested_by: Who recorded it.
        requested_at: When.
        erased: Records erased, by class.
        storage_only: Records erased but kept for the law, to be destroyed
            when their retention runs.
        refusals: Records it could not erase, each with its reason.
        completed_at: When it was last carried out.
    """

    id: str
    tenant_id: str
    number: str
    subject: str
    surrogate: str
    status: ErasureStatus
    requested_by: str
    requested_at: datetime = attrs.field(validator=moment)
    erased: tuple[tuple[str, int], ...] = ()
    storage_only: int = 0
    refusals: tuple[Refusal, ...] = ()
    completed_at: datetime | None = None

    def outcome(self) -> ErasureStatus:
        """The status its erased records and refusals add up to."""
        done = sum(count for _, count in self.erased)
        if self.refusals and not done:
            return ErasureStatus.REFUSED
        if self.refusals:
            return ErasureStatus.PARTLY_REFUSED
        return ErasureStatus.COMPLETED


def subject_digest(tenant_id: str, customer_id: str) -> str:
    """A digest naming the customer without their id (SHA-256 of tenant and id)."""
    return hashlib.sha256(f"{tenant_id}\x1f{customer_id}".encode()).hexdigest()


def surrogate_for(subject: str) -> str:
    """The surrogate customer id of the customer with digest ``subject``."""
    return f"erased-{subject[:20]}"


def _rewrite(text: str, personal: tuple[str, ...], surrogate: str, field: str) -> str:
    if text in personal:
        return surrogate if field.endswith("customer_id") else ERASED_TEXT
    if field in _KEPT_FIELDS:
        return text
    return blanked(text, personal)


def _walk(value: Any, personal: tuple[str, ...], surrogate: str, field: str) -> Any:
    if isinstance(value, str):
        return _rewrite(value, personal, surrogate, field)
    if isinstance(value, tuple):
        return tuple(_walk(item, personal, surrogate, field) for item in value)
    if attrs.has(type(value)):
        changes = {}
        for attribute in attrs.fields(type(value)):
            if not attribute.init:
                continue
            old = getattr(value, attribute.name)
            new = _walk(old, personal, surrogate, attribute.name)
            if new is not old:
                changes[attribute.name.lstrip("_")] = new
        return attrs.evolve(value, **changes) if changes else value
    return value


def scrubbed(value: _T, personal: Iterable[str], surrogate: str) -> _T:
    """``value`` with every personal string replaced; amounts, dates and numbers kept.

    A field that is wholly a personal string becomes the surrogate (a
    ``customer_id``) or :data:`ERASED_TEXT`; a personal string of at least
    four characters inside free text is replaced by :data:`ERASED_TEXT`.
    Ids and document numbers are never rewritten inside.  Works on any attrs
    value (a return, an audit entry, an event), through tuples.
    """
    wanted = tuple(sorted({p for p in personal if p}, key=len, reverse=True))
    return _walk(value, wanted, surrogate, "") if wanted else value


def erased_order(order: ReturnOrder, surrogate: str, personal: Iterable[str] = ()) -> ReturnOrder:
    """``order`` with its customer erased: surrogate id, no name, no free text about them.

    The return's note and its lines' notes are removed whole: they are what
    the customer or the clerk wrote about the customer.
    """
    named = (order.customer_id, order.customer_name, *personal)
    kept_lines = tuple(attrs.evolve(line, note="") if line.note else line for line in order.lines)
    cleared = attrs.evolve(order, note="", lines=kept_lines)
    return scrubbed(cleared, named, surrogate)
