"""Who may do what: permissions, the default role set, and the access-policy hook.

Every use case needs one :class:`Permission` (reading the reason catalog
takes ``view_returns`` or ``view_reports``).  The default policy,
:class:`RoleBasedAccess`, grants permissions by role (:data:`DEFAULT_ROLES`);
a host replaces it with any object that has an ``allows`` method — its own
role model, a call to its identity service — through the ``access_policy``
argument of the service.  Approving also needs the waiting step's role, and
the requester of a return can never approve it: those rules live with the
approval policy and hold whatever the access policy says.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Final, Protocol

import attrs

from crm_returns.domain._checks import items_of, values_of
from crm_returns.domain.actors import Actor
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import InvalidInput, quoted

__all__ = ["ADMIN", "DEFAULT_ROLES", "AccessPolicy", "Permission", "RoleBasedAccess"]


class Permission(enum.Enum):
    """What an actor may be allowed to do; one per use case."""

    VIEW_RETURNS = "view_returns"
    CREATE_RETURN = "create_return"
    EDIT_RETURN = "edit_return"
    SUBMIT_RETURN = "submit_return"
    APPROVE_RETURN = "approve_return"
    CANCEL_RETURN = "cancel_return"
    RECEIVE_GOODS = "receive_goods"
    INSPECT_GOODS = "inspect_goods"
    FINISH_REPAIR = "finish_repair"
    GRANT_REFUND = "grant_refund"
    PAY_REFUND = "pay_refund"
    COMPLETE_RETURN = "complete_return"
    MANAGE_REASONS = "manage_reasons"
    VIEW_BOOKS = "view_books"
    VIEW_AUDIT = "view_audit"
    #: See retention plans, holds, erasure requests, the register and the log.
    VIEW_RETENTION = "view_retention"
    #: Sweep, propose and apply plans; archive and restore; record erasure requests.
    MANAGE_RETENTION = "manage_retention"
    #: Approve a retention plan (never the one who proposed it).
    APPROVE_RETENTION = "approve_retention"
    #: Place and release legal holds.
    PLACE_HOLDS = "place_holds"
    #: A customer (role ``customer``): search their own delivered lines, preview,
    #: request a return, add photos and a note, withdraw it before the goods leave.
    REQUEST_RETURN = "request_return"
    #: A customer: list their own returns and follow each on its timeline.
    FOLLOW_RETURNS = "follow_returns"
    #: A customer: give feedback on a completed return.
    GIVE_FEEDBACK = "give_feedback"
    #: Staff: accept a customer's request or decline it with a decline reason.
    DECIDE_REQUESTS = "decide_requests"
    #: Add shipments, create labels, record and ingest tracking.
    MANAGE_SHIPMENTS = "manage_shipments"
    #: Attach photos and files to requests, receipts and inspections (reading them
    #: needs ``view_returns``; a customer reads their own request's with ``follow_returns``).
    ADD_ATTACHMENTS = "add_attachments"
    #: Log contacts with the customer and read the contact log (feedback is read
    #: with ``view_returns``).
    LOG_CONTACTS = "log_contacts"
    #: Assign a return to a user or team and reassign it.
    ASSIGN_RETURNS = "assign_returns"
    #: See owners, deadlines and the late lists.
    VIEW_WORKLOAD = "view_workload"
    #: Run reports and exports over every return of the tenant (staff only).
    VIEW_REPORTS = "view_reports"


P = Permission

#: The role that may do everything.
ADMIN = "admin"

#: The default role set: role → what it may do.
DEFAULT_ROLES: Final[Mapping[str, frozenset[Permission]]] = {
    "requester": frozenset(
        {
            P.VIEW_RETURNS,
            P.CREATE_RETURN,
            P.EDIT_RETURN,
            P.SUBMIT_RETURN,
            P.CANCEL_RETURN,
            P.LOG_CONTACTS,
        }
    ),
    "approver": frozenset(
        {P.VIEW_RETURNS, P.APPROVE_RETURN, P.CANCEL_RETURN, P.DECIDE_REQUESTS, P.VIEW_WORKLOAD}
    ),
    "warehouse": frozenset(
        {
            P.VIEW_RETURNS,
            P.RECEIVE_GOODS,
            P.FINISH_REPAIR,
            P.VIEW_BOOKS,
            P.MANAGE_SHIPMENTS,
            P.ADD_ATTACHMENTS,
        }
    ),
    "inspector": frozenset(
        {P.VIEW_RETURNS, P.INSPECT_GOODS, P.FINISH_REPAIR, P.APPROVE_RETURN, P.ADD_ATTACHMENTS}
    ),
    # 客服: talks with customers, decides their requests, arranges the shipments.
    "customer_service": frozenset(
        {
            P.VIEW_RETURNS,
            P.CREATE_RETURN,
            P.EDIT_RETURN,
            P.SUBMIT_RETURN,
            P.CANCEL_RETURN,
            P.DECIDE_REQUESTS,
            P.MANAGE_SHIPMENTS,
            P.ADD_ATTACHMENTS,
            P.LOG_CONTACTS,
            P.ASSIGN_RETURNS,
            P.VIEW_WORKLOAD,
        }
    ),
    # 主管: assigns the work and watches the deadlines.
    "supervisor": frozenset(
        {P.VIEW_RETURNS, P.ASSIGN_RETURNS, P.VIEW_WORKLOAD, P.VIEW_AUDIT, P.VIEW_REPORTS}
    ),
    # 数据分析: reports, exports and charts (the reason catalog labels them); reads no return.
    "analyst": frozenset({P.VIEW_REPORTS}),
    # A customer through the host's portal (an actor with ``customer_id``): their own returns only.
    "customer": frozenset({P.REQUEST_RETURN, P.FOLLOW_RETURNS, P.GIVE_FEEDBACK}),
    "finance": frozenset(
        {
            P.VIEW_RETURNS,
            P.GRANT_REFUND,
            P.PAY_REFUND,
            P.COMPLETE_RETURN,
            P.VIEW_BOOKS,
            P.VIEW_REPORTS,
        }
    ),
    "auditor": frozenset({P.VIEW_RETURNS, P.VIEW_BOOKS, P.VIEW_AUDIT, P.VIEW_RETENTION}),
    # 档案管理员: runs the sweeps and keeps the register.
    "records_manager": frozenset(
        {P.VIEW_RETURNS, P.VIEW_AUDIT, P.VIEW_RETENTION, P.MANAGE_RETENTION}
    ),
    # Legal / compliance: holds, and the approval of what may go.
    "legal": frozenset({P.VIEW_RETURNS, P.VIEW_RETENTION, P.PLACE_HOLDS, P.APPROVE_RETENTION}),
    ADMIN: frozenset(Permission),
}


class AccessPolicy(Protocol):
    """Decides whether an actor may do something; implement ``allows`` to plug in your own."""

    def allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        """Whether ``actor`` may use ``permission`` (on ``order``, when one is concerned)."""

    def granted_by(self, permission: Permission) -> frozenset[str]:
        """Roles that grant ``permission``, for the error message (may be empty)."""


def _roles(
    value: Mapping[str, Iterable[Permission]],
) -> tuple[tuple[str, frozenset[Permission]], ...]:
    """Permissions by role, from a mapping or the pairs it was made of (``attrs.evolve``)."""
    pairs = tuple(value.items()) if isinstance(value, Mapping) else items_of(value, "roles")
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str)):
            raise InvalidInput(f"roles must map role names to permissions, got {quoted(pair)}")
    return tuple(
        sorted(
            (role, frozenset(values_of(granted, Permission, f"permissions of role {role!r}")))
            for role, granted in dict(pairs).items()
        )
    )


@attrs.frozen
class RoleBasedAccess:
    """Grants permissions by role.

    Attributes:
        roles: Role → permissions, as ``(role, permissions)`` pairs; give a
            mapping (such as :data:`DEFAULT_ROLES` extended with your own roles).
    """

    roles: tuple[tuple[str, frozenset[Permission]], ...] = attrs.field(
        default=DEFAULT_ROLES, converter=_roles
    )

    def allows(self, actor: Actor, permission: Permission, order: ReturnOrder | None) -> bool:
        """Whether one of the actor's roles grants ``permission``.

        An actor acting for a customer (``actor.customer_id``) is allowed
        nothing on another customer's return, whatever its roles.
        """
        if order is not None and not actor.acts_for(order.customer_id):
            return False
        return any(role in actor.roles and permission in granted for role, granted in self.roles)

    def granted_by(self, permission: Permission) -> frozenset[str]:
        """Roles that grant ``permission``."""
        return frozenset(role for role, granted in self.roles if permission in granted)
