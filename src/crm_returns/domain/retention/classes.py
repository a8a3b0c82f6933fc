"""Record classes: what retention rules, holds, plans and the register are about.

A record class is a name.  The library's own are below; a host names its own
classes (``customers``, ``deals``, ``orders``, …) and serves them through the
host-record port (:class:`~crm_returns.ports.retention.HostRecords`), so that
the same rules, holds, plans and register govern them.  Capabilities added
later add their classes here.

A return order owns its lines, their claims, its audit entries and its stock
moves, and its case file — the customer's request, its shipments with their
tracking updates, its attachments, the contact log and the customer's
feedback: they are archived, restored and destroyed with it, and the return is
kept as long as the longest rule of any of them says.  A return's assignment
(its owner and the deadline of its stage) is part of the return order itself,
not a class: it is the return's working state, as its status is, and has no
period of its own.  Journal entries (credit
notes among them) are records of their own that refer to their return: the
return cannot be destroyed while one of them is kept.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "ATTACHMENTS",
    "AUDIT_ENTRIES",
    "CASE_FILE_CLASSES",
    "CASE_FILE_COUNTS",
    "CLASS_NAME_LIMIT",
    "CONTACTS",
    "FEEDBACK",
    "IDEMPOTENCY_KEYS",
    "JOURNAL_ENTRIES",
    "LIBRARY_CLASSES",
    "OUTBOX_MESSAGES",
    "OWNED_BY_RETURN",
    "RETURN_ORDERS",
    "RETURN_REQUESTS",
    "SHIPMENTS",
    "STOCK_MOVES",
    "RecordKey",
    "RecordState",
    "checked_class",
]

#: Return orders with their lines and line claims.
RETURN_ORDERS = "return_orders"
#: A return's audit trail (owned by the return).
AUDIT_ENTRIES = "audit_entries"
#: A return's stock moves (owned by the return).
STOCK_MOVES = "stock_moves"
#: Journal entries, credit notes among them: accounting vouchers (会计凭证).
JOURNAL_ENTRIES = "journal_entries"
#: Outbox messages with their deliveries and delivery attempts.
OUTBOX_MESSAGES = "outbox_messages"
#: Results kept to answer retried commands.
IDEMPOTENCY_KEYS = "idempotency_keys"

#: The customer's request for a return (owned by the return).
RETURN_REQUESTS = "return_requests"
#: A return's shipments with their tracking updates (owned by the return).
SHIPMENTS = "shipments"
#: The photos and files on a return, with their bytes in the attachment store (owned by the return).
ATTACHMENTS = "attachments"
#: Every contact with the customer about a return (owned by the return).
CONTACTS = "contacts"
#: The customer's satisfaction score and comment on a return (owned by the return).
FEEDBACK = "feedback"

#: The case file's classes, each owned by its return.
CASE_FILE_CLASSES = (RETURN_REQUESTS, SHIPMENTS, ATTACHMENTS, CONTACTS, FEEDBACK)

#: Each kind of case-file record (:data:`~crm_returns.domain.casefile.kinds.RECORD_KINDS`)
#: by the class whose rule keeps it, and the name its records are counted under.
#: Tracking updates go with their shipments, an assignment with its return order.
CASE_FILE_COUNTS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "request": (RETURN_REQUESTS, RETURN_REQUESTS),
        "shipment": (SHIPMENTS, SHIPMENTS),
        "tracking": (SHIPMENTS, "tracking_updates"),
        "attachment": (ATTACHMENTS, ATTACHMENTS),
        "contact": (CONTACTS, CONTACTS),
        "feedback": (FEEDBACK, FEEDBACK),
        "assignment": (RETURN_ORDERS, "return_assignments"),
    }
)

#: The library's own classes.
LIBRARY_CLASSES = (
    RETURN_ORDERS,
    AUDIT_ENTRIES,
    STOCK_MOVES,
    *CASE_FILE_CLASSES,
    JOURNAL_ENTRIES,
    OUTBOX_MESSAGES,
    IDEMPOTENCY_KEYS,
)

#: Classes that live and go with their return order.
OWNED_BY_RETURN = frozenset({AUDIT_ENTRIES, STOCK_MOVES, *CASE_FILE_CLASSES})

#: The longest class name.
CLASS_NAME_LIMIT = 64

_NAME = re.compile(r"[a-z][a-z0-9_]*")


def checked_class(value: object) -> str:
    """``value`` if it can name a record class: lower-case letters, digits and ``_``.

    Raises:
        InvalidInput: It is not such a name of at most :data:`CLASS_NAME_LIMIT` characters.
    """
    if not isinstance(value, str) or len(value) > CLASS_NAME_LIMIT or not _NAME.fullmatch(value):
        raise InvalidInput(
            "a record class is lower-case letters, digits and '_', starting with a letter, "
            f"at most {CLASS_NAME_LIMIT} characters: {quoted(value)} is not"
        )
    return value


class RecordState(enum.Enum):
    """Where a record stands in its retirement.

    Erasure is not a state: it changes a kept record (active or archived),
    replacing its personal data and keeping its amounts, dates and numbers.
    """

    #: In daily use.
    ACTIVE = "active"
    #: Kept, read-only, hidden from default lists and searches; restorable exactly.
    ARCHIVED = "archived"
    #: Gone; a tombstone and a line of the destruction register remain.
    DESTROYED = "destroyed"


@attrs.frozen(order=True)
class RecordKey:
    """Names one record.

    Attributes:
        tenant_id: The tenant.
        record_class: The record's class.
        record_id: The record's id within its class.
    """

    tenant_id: str
    record_class: str
    record_id: str

    def __str__(self) -> str:
        return f"{self.record_class}/{self.record_id}"
