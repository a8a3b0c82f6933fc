"""Reading returns, managing reasons, and delivering events."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.reasons import Reason, ReasonCatalog, ReasonCategory
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.errors import InvalidInput, quoted
from crm_returns.ports import EventSink
from crm_returns.service.core import ServiceCore, checked_id, checked_value

__all__ = ["RELAY_LIMIT", "ReadingAndReasons"]

#: Most events one call of ``relay_events`` hands on.
RELAY_LIMIT = 10_000


class ReadingAndReasons(ServiceCore):
    """Queries of returns, the reason catalog, and the outbox relay."""

    def reason_catalog(self, actor: Actor) -> ReasonCatalog:
        """The actor's tenant's reasons (the defaults until customised)."""
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        with self._uow() as uow:
            return self._catalog(uow, actor.tenant_id)

    # -- reasons -------------------------------------------------------------------

    def add_reason_category(self, actor: Actor, category: ReasonCategory) -> ReasonCatalog:
        """Add a reason category to the tenant's catalog."""
        category = checked_value(category, ReasonCategory, "category")
        return self._change_catalog(actor, lambda catalog: catalog.with_category(category))

    def add_reason(self, actor: Actor, reason: Reason) -> ReasonCatalog:
        """Add a custom reason to the tenant's catalog."""
        reason = checked_value(reason, Reason, "reason")
        return self._change_catalog(actor, lambda catalog: catalog.with_reason(reason))

    def relabel_reason(self, actor: Actor, code: str, labels: Mapping[str, str]) -> ReasonCatalog:
        """Give reason ``code`` new labels; returns that used it show the new labels."""
        return self._change_catalog(actor, lambda catalog: catalog.relabelled(code, labels))

    def retire_reason(self, actor: Actor, code: str) -> ReasonCatalog:
        """Stop reason ``code`` from being chosen; old returns keep it."""
        return self._change_catalog(actor, lambda catalog: catalog.retired(code))

    def remove_reason(self, actor: Actor, code: str) -> ReasonCatalog:
        """Remove reason ``code``, which no return may refer to.

        Raises:
            ReasonInUse: A return refers to it; retire it instead.
        """
        actor = self._authorise(actor, Permission.MANAGE_REASONS)
        code = checked_id(code, "reason code")
        with self._uow() as uow:
            in_use = uow.returns.uses_reason(actor.tenant_id, code)
            catalog = self._catalog(uow, actor.tenant_id).without(code, in_use=in_use)
            uow.reasons.put(actor.tenant_id, catalog)
            uow.commit()
        return catalog

    # -- reading -------------------------------------------------------------------

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
        return self._readable(actor, order)

    def list_returns(self, actor: Actor, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query`` (status, customer, dates), newest first."""
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        query = checked_value(query, ReturnQuery, "query")
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

    # -- delivering events ---------------------------------------------------------

    def relay_events(self, sink: EventSink, limit: int = 100) -> int:
        """Hand committed events to ``sink``, oldest first; returns how many went.

        A message the sink refuses stays in the outbox for the next call, and
        so does every message after it, so that order is kept.

        Raises:
            InvalidInput: ``limit`` is not a whole number from 0 to :data:`RELAY_LIMIT`.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= RELAY_LIMIT:
            raise InvalidInput(
                f"limit must be a whole number from 0 to {RELAY_LIMIT}, got {quoted(limit)}"
            )
        delivered = 0
        with self._uow() as uow:
            for message in uow.outbox.pending(limit):
                try:
                    sink.publish(message)
                except Exception:  # noqa: BLE001 - any sink failure means "try later"
                    break
                uow.outbox.mark_delivered(message.id, self._clock.now())
                delivered += 1
            uow.commit()
        return delivered

    def _change_catalog(
        self, actor: Actor, change: Callable[[ReasonCatalog], ReasonCatalog]
    ) -> ReasonCatalog:
        actor = self._authorise(actor, Permission.MANAGE_REASONS)
        with self._uow() as uow:
            catalog = change(self._catalog(uow, actor.tenant_id))
            uow.reasons.put(actor.tenant_id, catalog)
            uow.commit()
        return catalog
