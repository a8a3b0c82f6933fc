"""The base of every case-file record, and what a store finds it by."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from crm_returns.domain._checks import aware, identifier, moment
from crm_returns.errors import InvalidInput

__all__ = ["CaseIndex", "CaseRecord"]


def _positive(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput(f"{attribute.name} must be a whole number of at least 1, got {value!r}")


def _optional_key(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None:
        identifier(200)(instance, attribute, value)


@attrs.frozen
class CaseIndex:
    """What a store must be able to find a record by, besides its return and customer.

    Attributes:
        key: Unique among the tenant's records of the same kind when given:
            a carrier's event id (tracking is ingested once), the return's id
            (one request, one feedback, one owner per return).
        owner: The owning user, for lists per owner.
        team: The owning team, for lists per team.
        due_at: When the record is late, for lists of what is overdue.
    """

    key: str | None = attrs.field(default=None, validator=_optional_key)
    owner: str | None = attrs.field(default=None, validator=_optional_key)
    team: str | None = attrs.field(default=None, validator=_optional_key)
    due_at: datetime | None = attrs.field(default=None, validator=aware)


@attrs.frozen(kw_only=True)
class CaseRecord:
    """A record of a return's case file; subclasses add what they are about.

    Attributes:
        tenant_id: The tenant that owns the return.
        id: The record's id, unique within its tenant and kind.
        return_id: The return it belongs to.
        customer_id: The return's customer (for the customer's own view, and erasure).
        at: When it was made.
        version: Increases with every change (optimistic concurrency).
    """

    #: The record's kind, as stores and retention name it ("shipment", "contact", ...).
    kind: ClassVar[str] = ""

    tenant_id: str = attrs.field(validator=identifier(64))
    id: str = attrs.field(validator=identifier(64))
    return_id: str = attrs.field(validator=identifier(64))
    customer_id: str = attrs.field(validator=identifier(64))
    at: datetime = attrs.field(validator=moment)
    version: int = attrs.field(default=1, validator=_positive)

    def index(self) -> CaseIndex:
        """What a store finds this record by; nothing beyond its return and customer here."""
        return CaseIndex()
