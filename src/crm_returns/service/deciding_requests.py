"""Staff decide on customers' requests: the pending list, accept, decline with a reason.

Accepting submits the customer's draft into the approval workflow (the
customer requested it, so they can never approve it: separation of duties
holds as for any return).  Declining rejects it with a decline reason of
``ServiceSettings.decline_reasons`` and a message to the customer, whom the
notifications tell (``request-declined``).
"""

from __future__ import annotations

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import MAX_PAGE_SIZE, Page, ReturnQuery
from crm_returns.domain.requests import deciding
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.order import ReturnOrder, Transition
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import IllegalTransition
from crm_returns.ports import UnitOfWork
from crm_returns.service.checks import checked_id, checked_text
from crm_returns.service.template import ServiceCore

__all__ = ["RequestDecisions"]

P = Permission


class RequestDecisions(ServiceCore):
    """List the customers' pending requests; accept or decline each."""

    def pending_requests(
        self, actor: Actor, *, offset: int = 0, limit: int = 50
    ) -> Page[ReturnOrder]:
        """Returns customers asked for that wait for a decision, oldest first.

        Each is a draft; its ``note`` is the customer's.

        Raises:
            NotAuthorised: The actor may not decide requests.
            InvalidInput: The page is out of range.
        """
        actor = self._authorise(actor, P.DECIDE_REQUESTS)
        ReturnQuery(offset=offset, limit=limit)  # checks the page before any reading
        pending: list[ReturnOrder] = []
        with self._uow() as uow:
            query = ReturnQuery(
                statuses=frozenset({ReturnStatus.DRAFT}), limit=MAX_PAGE_SIZE, with_total=False
            )
            while True:
                page = uow.returns.search(actor.tenant_id, query)
                for order in page.items:
                    record = uow.casefile.find(actor.tenant_id, RequestRecord, order.id)
                    if record is not None and record.status is RequestStatus.PENDING:
                        pending.append(order)
                if page.next_cursor is None:
                    break
                query = attrs.evolve(query, after=page.next_cursor)
        allowed = [o for o in pending if self._listed(actor, P.DECIDE_REQUESTS, o)]
        allowed.sort(key=lambda order: (order.created_at, order.number))
        return Page.of(allowed, offset, limit)

    def accept_request(
        self,
        actor: Actor,
        return_id: str,
        comment: str = "",
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Accept a customer's request: the return is submitted into the approval workflow.

        Args:
            actor: Staff deciding (role ``customer_service`` or ``approver``).
            return_id: The requested return.
            comment: Why, for the audit trail (the customer never sees it).
            idempotency_key: A retry with the same key returns the first result.

        Raises:
            NotFound: The tenant has no such return.
            IllegalTransition: The return was not requested by its customer, or
                the request was already decided or withdrawn.
            NotAuthorised: The actor may not decide requests.
        """
        comment = checked_text(comment, "comment")

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            record = self._pending(uow, order, "accept")
            transition, accepted = deciding.accept(
                order, record, actor, self._clock.now(), self._policy, comment
            )
            uow.casefile.update(accepted, expected_version=record.version)
            return transition

        return self._change(
            actor,
            return_id,
            decide,
            needs=P.DECIDE_REQUESTS,
            command="accept_request",
            payload=(comment,),
            key=idempotency_key,
        )

    def decline_request(
        self,
        actor: Actor,
        return_id: str,
        reason: str,
        message: str,
        *,
        idempotency_key: str | None = None,
    ) -> ReturnOrder:
        """Decline a customer's request with a decline reason and a message to them.

        The return is rejected (it claims nothing any more) and the customer is
        notified (rule ``request-declined`` of the default notification rules).

        Args:
            actor: Staff deciding.
            return_id: The requested return.
            reason: A decline reason's code of ``settings.decline_reasons``,
                such as ``outside_window``.
            message: What the customer reads, in their words.
            idempotency_key: A retry with the same key returns the first result.

        Raises:
            NotFound: No such return, or no such decline reason.
            ReasonNotSelectable: The decline reason is retired.
            IllegalTransition: The return was not requested by its customer, or
                the request was already decided or withdrawn.
            InvalidInput: The message is blank or too long.
            NotAuthorised: The actor may not decide requests.
        """
        code = checked_id(reason, "decline reason")
        message = checked_text(message, "message")

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            record = self._pending(uow, order, "decline")
            chosen = self.settings.decline_reasons.choose(code)
            transition, declined = deciding.decline(
                order, record, actor, self._clock.now(), chosen, message
            )
            uow.casefile.update(declined, expected_version=record.version)
            return transition

        return self._change(
            actor,
            return_id,
            decide,
            needs=P.DECIDE_REQUESTS,
            command="decline_request",
            payload=(code, message),
            key=idempotency_key,
        )

    @staticmethod
    def _pending(uow: UnitOfWork, order: ReturnOrder, verb: str) -> RequestRecord:
        record = uow.casefile.find(order.tenant_id, RequestRecord, order.id)
        if record is None:
            raise IllegalTransition(
                order.number, order.status.value, verb, "its customer did not request it"
            )
        return record
