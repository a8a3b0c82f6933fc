"""Ports: everything the service needs from the outside world.

Each port is a small :class:`typing.Protocol`, except the unit of work, an
abstract base that keeps its invariant in one place: a unit of work that is
left without :meth:`UnitOfWork.commit` rolls back, so that a command either
commits all of its effects or none.  ``crm_returns.adapters.memory`` has a
reference adapter for every port.

- ``store.py`` — the host's orders, the clock and ids, and the unit of work
  over every store the service writes;
- ``delivery.py`` — the outbox, each destination's deliveries, and the
  destinations events go to;
- ``casefile.py`` — the customer side of each return (requests, shipments,
  attachments, contacts, feedback, owners), in one store;
- ``carriers.py`` — carriers: labels for return shipments, tracking events;
- ``analytics.py`` — the line facts of the returns, grouped for reports;
- ``notify.py`` — the host's contacts, and the e-mail and SMS channels;
- ``attachments.py`` — the bytes of photos and files, by tenant and id;
- ``backup.py`` — verified backups (JSON Lines with a checksum), written
  before records are destroyed; ``backup_format.py`` — their bytes, which
  every backup adapter writes alike.
"""

from crm_returns.ports.analytics import LineFacts
from crm_returns.ports.attachments import AttachmentStore
from crm_returns.ports.backup import BackupReference, Backups
from crm_returns.ports.carriers import Carrier, CarrierEvent, CarrierLabel
from crm_returns.ports.casefile import CaseFile
from crm_returns.ports.delivery import (
    Claim,
    Deliveries,
    Destination,
    DestinationState,
    Outbox,
    OutboxMessage,
)
from crm_returns.ports.notify import (
    Contact,
    ContactDirectory,
    Email,
    Mailer,
    NotificationLog,
    SentNotification,
    Sms,
    SmsGateway,
)
from crm_returns.ports.store import (
    AuditLog,
    Clock,
    IdempotencyKeys,
    IdempotentResult,
    IdGenerator,
    Journal,
    OrderSource,
    ReasonStore,
    ReturnRepository,
    Sequences,
    StockLedger,
    UnitOfWork,
)

__all__ = [
    "AttachmentStore",
    "AuditLog",
    "BackupReference",
    "Backups",
    "Carrier",
    "CarrierEvent",
    "CarrierLabel",
    "CaseFile",
    "Claim",
    "Clock",
    "Contact",
    "ContactDirectory",
    "Deliveries",
    "Destination",
    "DestinationState",
    "Email",
    "IdGenerator",
    "IdempotencyKeys",
    "IdempotentResult",
    "Journal",
    "LineFacts",
    "Mailer",
    "NotificationLog",
    "OrderSource",
    "Outbox",
    "OutboxMessage",
    "ReasonStore",
    "ReturnRepository",
    "SentNotification",
    "Sequences",
    "Sms",
    "SmsGateway",
    "StockLedger",
    "UnitOfWork",
]
