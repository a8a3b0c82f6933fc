"""Reading returns, managing reasons, and delivering events."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crm_returns.domain.actors import Actor
from crm_returns.domain.audit import AuditEntry
from crm_returns.domain.queries import Page, ReturnQuery
from crm_returns.domain.reasons import Reason, ReasonCatalog, ReasonCategory
from crm_returns.domain.returns import ReturnOrder
from crm_returns.ports import EventSink
from crm_returns.service.core import ServiceCore, checked_actor, checked_text

__all__ = ["ReadingAndReasons"]


class ReadingAndReasons(ServiceCore):
    """Queries of returns, the reason catalog, and the outbox relay."""

    def reason_catalog(self, actor: Actor) -> ReasonCatalog:
        """The actor's tenant's reasons (the defaults until customised)."""
        actor = checked_actor(actor)
        with self._uow() as uow:
            return self._catalog(uow, actor.tenant_id)

    # -- reasons -------------------------------------------------------------------

    def add_reason_category(self, actor: Actor, category: ReasonCategory) -> ReasonCatalog:
        """Add a reason category to the tenant's catalog."""
        return self._change_catalog(actor, lambda catalog: catalog.with_category(category))

    def add_reason(self, actor: Actor, reason: Reason) -> ReasonCatalog:
        """Add a custom reason to the tenant's catalog."""
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
        actor = checked_actor(actor)
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
        actor = checked_actor(actor)
        return_id = checked_text(return_id, "return id")
        with self._uow() as uow:
            return uow.returns.get(actor.tenant_id, return_id)

    def find_return(self, actor: Actor, number: str) -> ReturnOrder:
        """The return with readable ``number``, such as ``RT-20261127-000042``.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = checked_actor(actor)
        number = checked_text(number, "return number")
        with self._uow() as uow:
            return uow.returns.get_by_number(actor.tenant_id, number)

    def list_returns(self, actor: Actor, query: ReturnQuery) -> Page[ReturnOrder]:
        """Returns matching ``query`` (status, customer, dates), newest first."""
        actor = checked_actor(actor)
        with self._uow() as uow:
            return uow.returns.search(actor.tenant_id, query)

    def audit_trail(self, actor: Actor, return_id: str) -> tuple[AuditEntry, ...]:
        """Who did what to a return, when and why, oldest first.

        Raises:
            NotFound: The actor's tenant has no such return.
        """
        actor = checked_actor(actor)
        return_id = checked_text(return_id, "return id")
        with self._uow() as uow:
            uow.returns.get(actor.tenant_id, return_id)
            return tuple(uow.audit.for_return(actor.tenant_id, return_id))

    # -- delivering events ---------------------------------------------------------

    def relay_events(self, sink: EventSink, limit: int = 100) -> int:
        """Hand committed events to ``sink``, oldest first; returns how many went.

        A message the sink refuses stays in the outbox for the next call, and
        so does every message after it, so that order is kept.
        """
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
        actor = checked_actor(actor)
        with self._uow() as uow:
            catalog = change(self._catalog(uow, actor.tenant_id))
            uow.reasons.put(actor.tenant_id, catalog)
            uow.commit()
        return catalog
