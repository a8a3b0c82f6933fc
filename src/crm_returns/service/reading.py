"""Reading returns: by id or number, lists by criteria, and the audit trail (操作日志)."""

from __future__ import annotations

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.service.checks import (
    checked_id,
    checked_value,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Reading"]


class Reading(ServiceCore):
    """Get, find and list returns; read the audit trail of a return or a tenant."""

    def get_return(self, actor: Actor, return_id: str) -> ReturnOrder:
        """The return with ``return_id``.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
        return self._readable(actor, order)

    def find_return(self, actor: Actor, number: str) -> ReturnOrder:
        """The return with readable ``number``, such as ``RT-20261127-000042``.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        number = checked_id(number, "return number")
        with self._uow() as uow:
            order = uow.returns.get_by_number(actor.tenant_id, number)
        return self._readable(actor, order, number)

    def list_returns(self, actor: Actor, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query`` (status, customer, dates), newest first.

        An actor acting for a customer (``actor.customer_id``), should a host
        grant one ``view_returns``, lists that customer's returns only.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        query = checked_value(query, ReturnQuery, "query")
        if actor.customer_id is not None:
            # Someone acting for a customer lists that customer's returns, whatever they ask.
            query = attrs.evolve(query, customer_id=actor.customer_id)
        with self._uow() as uow:
            return uow.returns.search(actor.tenant_id, query)

    def audit_trail(self, actor: Actor, return_id: str) -> tuple[AuditEntry, ...]:
        """Who did what to a return, when and why, oldest first.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
            trail = tuple(uow.audit.for_return(actor.tenant_id, return_id))
        self._readable(actor, order)
        return trail

    def tenant_audit_trail(self, actor: Actor) -> tuple[AuditEntry, ...]:
        """Audit entries that concern no single return, oldest first.

        These are denied attempts to create returns, manage reasons or read the books.

        Raises:
            NotAuthorised: The actor may not read the audit trail (role ``auditor``).
        """
        actor = self._authorise(actor, Permission.VIEW_AUDIT)
        with self._uow() as uow:
            return tuple(uow.audit.for_return(actor.tenant_id, ""))
