"""Who does things: the actor every command carries."""

from __future__ import annotations

import attrs

from crm_returns.domain._checks import identifier, string_set, text

__all__ = ["Actor"]


@attrs.frozen
class Actor:
    """A person or system acting on returns, as the host identifies them.

    Attributes:
        id: The host's user id.
        name: Display name, written to the audit trail.
        tenant_id: The company (tenant) the actor works for.
        roles: Role names, such as ``"approver"`` or ``"warehouse"``.
    """

    id: str = attrs.field(validator=identifier(64))
    name: str = attrs.field(validator=text(200))
    tenant_id: str = attrs.field(validator=identifier(64))
    roles: frozenset[str] = attrs.field(default=frozenset(), converter=string_set)

    def holds_any(self, roles: frozenset[str]) -> bool:
        """Whether the actor holds at least one of ``roles``."""
        return not self.roles.isdisjoint(roles)
