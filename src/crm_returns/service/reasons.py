"""The tenant's reason catalog (退库原因): read it, add, relabel, retire and remove reasons."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.reasons import Reason, ReasonCatalog, ReasonCategory
from crm_returns.service.checks import (
    checked_id,
    checked_value,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Reasons"]


class Reasons(ServiceCore):
    """Read and change a tenant's reason catalog."""

    def reason_catalog(self, actor: Actor) -> ReasonCatalog:
        """The actor's tenant's reasons (the defaults until customised).

        Staff who handle returns read it with ``view_returns``; analysts read
        it with ``view_reports``, to label reasons in their reports and
        charts.  It holds codes, labels and categories: no return, nothing of
        a customer's.

        Raises:
            NotAuthorised: The actor has neither permission.
        """
        actor = self._authorise_any(actor, Permission.VIEW_RETURNS, Permission.VIEW_REPORTS)
        with self._uow() as uow:
            return self._catalog(uow, actor.tenant_id)

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

    def _change_catalog(
        self, actor: Actor, change: Callable[[ReasonCatalog], ReasonCatalog]
    ) -> ReasonCatalog:
        actor = self._authorise(actor, Permission.MANAGE_REASONS)
        with self._uow() as uow:
            catalog = change(self._catalog(uow, actor.tenant_id))
            uow.reasons.put(actor.tenant_id, catalog)
            uow.commit()
        return catalog
