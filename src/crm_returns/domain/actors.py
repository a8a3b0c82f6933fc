"""Who does things: the actor every command carries."""

from __future__ import annotations

from typing import Any

import attrs

from crm_returns.domain._checks import identifier, string_set, text

__all__ = ["Actor"]


def _optional_customer(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        identifier(64)(instance, attribute, value)


@attrs.frozen
class Actor:
    """A person or system acting on returns, as the host identifies them.

    Attributes:
        id: The host's user id.
        name: Display name, written to the audit trail.
        tenant_id: The company (tenant) the actor works for.
        roles: Role names, such as ``"approver"`` or ``"warehouse"``.
        customer_id: For a customer acting for themselves (role ``customer``,
            through the host's portal): the customer they are, of
            ``tenant_id``.  Such an actor sees and changes only that
            customer's returns.  ``None`` for staff and systems.
    """

    id: str = attrs.field(validator=identifier(64))
    name: str = attrs.field(validator=text(200))
    tenant_id: str = attrs.field(validator=identifier(64))
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)
    customer_id: str | None = attrs.field(default=None, validator=_optional_customer)

    def holds_any(self, roles: frozenset[str]) -> bool:
        """Whether the actor holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)

    def acts_for(self, customer_id: str) -> bool:
        """Whether the actor may act on ``customer_id``'s returns.

        Staff (no ``customer_id``) may, as far as this rule goes; a customer
        only on their own.
        """
        return self.customer_id is None or self.customer_id == customer_id
