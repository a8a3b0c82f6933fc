"""Choosing what to return: search delivered lines, preview (the confirmation view), draft."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.orders import DeliveredLine
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import LineQuery, Page
from crm_returns.domain.refunds.pricing import RefundLine, estimate
from crm_returns.domain.returns import approving, drafting
from crm_returns.domain.returns.lines import RequestedLine, ReturnLine
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.returnable import (
    ReturnableLine,
    already_returned,
    plan_line,
    refunded_before,
)
from crm_returns.errors import (
    InvalidInput,
)
from crm_returns.ports import (
    UnitOfWork,
)
from crm_returns.service.checks import (
    checked_value,
    fingerprint,
)
from crm_returns.service.commands import ReturnPreview, ReturnRequest
from crm_returns.service.ownership import give
from crm_returns.service.template import ServiceCore

__all__ = ["Choosing"]


class Choosing(ServiceCore):
    """Search returnable lines, preview a return, create a draft (batch) and edit it."""

    def search_returnable_lines(self, actor: Actor, query: LineQuery) -> Page[ReturnableLine]:
        """Delivered lines matching ``query``, each with what is still returnable."""
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        return self._returnable(actor, checked_value(query, LineQuery, "query"))

    def _returnable(self, actor: Actor, query: LineQuery) -> Page[ReturnableLine]:
        """Delivered lines matching ``query`` with what is still returnable (no permission check).

        Someone acting for a customer finds that customer's lines only, whatever they ask.
        """
        if actor.customer_id is not None:
            query = attrs.evolve(query, customer_id=actor.customer_id)
        page = self._orders.search(actor.tenant_id, query)
        refs = [line.ref for line in page.items]
        with self._uow() as uow:
            orders = uow.returns.for_lines(actor.tenant_id, refs)
            retired = uow.retention.retired_claims(actor.tenant_id, refs)
        items = tuple(
            ReturnableLine(line, already_returned(orders, line.ref) + retired.get(line.ref, 0))
            for line in page.items
        )
        return Page(items, page.total, page.offset, page.limit)

    def preview_return(self, actor: Actor, request: ReturnRequest) -> ReturnPreview:
        """Price and check a request without saving anything: the confirmation view.

        The itemised refund is what :meth:`grant_refund` books when every
        requested unit is accepted and nothing else is refunded in between.
        """
        actor = self._authorise(actor, Permission.CREATE_RETURN)
        request = checked_value(request, ReturnRequest, "request")
        with self._uow() as uow:
            customer, lines, itemised = self._plan(uow, actor, request.lines, excluding=None)
        sketch = self._sketch(actor, customer, lines)
        return ReturnPreview(
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
            refund=sketch.refund,
            steps=self._policy.steps_for(approving.approval_facts(sketch)),
            refund_lines=itemised,
        )

    def create_return(
        self, actor: Actor, request: ReturnRequest, *, idempotency_key: str | None = None
    ) -> ReturnOrder:
        """Create a draft return from a batch of lines.

        With ``idempotency_key``, a retry with the same request returns the
        return created first and creates nothing more.

        Raises:
            NotFound: A line or reason does not exist for the tenant.
            OverReturn: A quantity is above what is still returnable.
            NotEligible: An eligibility rule refuses a line.
            ReasonNotSelectable: A reason is a category or retired.
            InvalidInput: Lines of several customers or currencies, or a line twice.
            NotAuthorised: The actor may not create returns.
        """
        actor = self._authorise(actor, Permission.CREATE_RETURN)
        if not isinstance(request, ReturnRequest):
            raise InvalidInput(f"request must be a ReturnRequest, got {type(request).__name__}")
        # Only a keyed command is ever compared with a retry.
        digest = "" if idempotency_key is None else fingerprint("create_return", (request,))
        with self._uow() as uow:
            replayed = self._replayed(uow, actor, idempotency_key, "create_return", digest)
            if replayed is not None:
                return replayed
            customer, lines, _ = self._plan(uow, actor, request.lines, excluding=None)
            transition = drafting.draft(
                return_id=self._ids.new_id(),
                number=self._number(uow, actor.tenant_id, self.settings.number_format),
                actor=actor,
                at=self._clock.now(),
                customer_id=customer.customer_id,
                customer_name=customer.customer_name,
                lines=lines,
                note=request.note,
            )
            uow.returns.add(transition.order)
            self._record(uow, transition)
            if self.settings.default_team is not None:
                self._record(uow, self._to_default_team(uow, actor, transition.order))
            self._remember(uow, actor, idempotency_key, "create_return", digest, transition.order)
            uow.commit()
        return transition.order

    def _to_default_team(self, uow: UnitOfWork, actor: Actor, order: ReturnOrder) -> Transition:
        """Give a new return to the default team of the settings: an owner from the start."""
        return give(
            uow,
            order,
            actor,
            order.created_at,
            user_id=None,
            team=self.settings.default_team,
            comment="",
            new_id=self._ids.new_id,
            level=self.settings.service_level,
        )

    def edit_return(
        self,
        actor: Actor,
        return_id: str,
        lines: Sequence[RequestedLine],
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Replace the lines of a draft with ``lines`` (checked and priced afresh)."""
        request = ReturnRequest(lines=lines)

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            customer, planned, _ = self._plan(uow, actor, request.lines, excluding=order.id)
            if customer.customer_id != order.customer_id:
                raise InvalidInput(
                    f"return {order.number} is for customer {order.customer_id!r}, "
                    f"not {customer.customer_id!r}"
                )
            return drafting.edit_lines(order, actor, self._clock.now(), planned)

        return self._change(
            actor,
            return_id,
            decide,
            needs=Permission.EDIT_RETURN,
            command="edit_return",
            payload=(request,),
            key=idempotency_key,
        )

    def _plan(
        self,
        uow: UnitOfWork,
        actor: Actor,
        requested: Iterable[RequestedLine],
        excluding: str | None,
    ) -> tuple[DeliveredLine, tuple[ReturnLine, ...], tuple[RefundLine, ...]]:
        """Check and price requested lines.

        Returns the customer's first line, the priced lines and the itemised
        estimated refund.
        """
        requested = tuple(requested)
        refs = [line.ref for line in requested]
        drafting.refuse_repeated(refs)
        delivered = self._orders.get_lines(actor.tenant_id, refs)
        sources = [self._delivered(delivered, ref, actor) for ref in refs]
        first = sources[0]
        for source in sources[1:]:
            if source.customer_id != first.customer_id:
                raise InvalidInput(
                    f"lines {first.ref} and {source.ref} belong to different customers"
                )
            if source.currency != first.currency:
                raise InvalidInput(
                    f"lines {first.ref} ({first.currency}) and {source.ref} "
                    f"({source.currency}) are in different currencies"
                )
        catalog = self._catalog(uow, actor.tenant_id)
        uow.returns.lock_lines(actor.tenant_id, refs)
        history = uow.returns.for_lines(actor.tenant_id, refs)
        # Returns destroyed by retention still count: their tombstones keep their claims.
        retired = uow.retention.retired_claims(actor.tenant_id, refs)
        at = self._clock.now()
        lines = tuple(
            plan_line(
                request,
                source,
                catalog,
                already_returned(history, request.ref, excluding=excluding)
                + retired.get(request.ref, 0),
                self._rules,
                at,
            )
            for request, source in zip(requested, sources, strict=True)
        )
        priced, itemised = estimate(lines, self._refunds, refunded_before(history, refs, excluding))
        return first, priced, itemised

    def _sketch(
        self, actor: Actor, customer: DeliveredLine, lines: tuple[ReturnLine, ...]
    ) -> ReturnOrder:
        """A draft that is never saved, for previewing approval steps."""
        return drafting.draft(
            return_id="preview",
            number="preview",
            actor=actor,
            at=self._clock.now(),
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
        ).order
