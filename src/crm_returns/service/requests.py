"""The customer's side of returns: their lines, their requests, their list and timelines.

Every use case here is for an actor acting for a customer
(``Actor(customer_id=..., roles={"customer"})``, through the host's portal):
it works on that customer's lines and returns only.  A return of another
customer (or tenant) is :class:`~crm_returns.errors.NotFound`, never
``NotAuthorised``, so that a customer cannot learn that it exists.  Staff
decide on the requests in ``deciding_requests``.
"""

from __future__ import annotations

from crm_returns.domain.actors import Actor
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import LineQuery, Page, ReturnQuery
from crm_returns.domain.requests import deciding
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.requests.timeline import (
    CustomerReturn,
    CustomerTimeline,
    customer_timeline,
)
from crm_returns.domain.returns import drafting
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.returns.returnable import ReturnableLine
from crm_returns.domain.shipments.records import Shipment, TrackingUpdate
from crm_returns.errors import IllegalTransition, InvalidInput, RecordArchived
from crm_returns.ports import UnitOfWork
from crm_returns.service.checks import checked_id, checked_value, fingerprint
from crm_returns.service.choosing import Choosing
from crm_returns.service.commands import ReturnPreview, ReturnRequest

__all__ = ["CustomerRequests"]

P = Permission


class CustomerRequests(Choosing):
    """A customer searches their lines, requests a return, withdraws it and follows it."""

    def search_my_lines(self, actor: Actor, query: LineQuery) -> Page[ReturnableLine]:
        """The customer's own delivered lines matching ``query``, with what is still returnable.

        The query's customer is always the actor's, whatever it says.

        Raises:
            NotAuthorised: The actor may not request returns.
            InvalidInput: The actor acts for no customer.
        """
        actor = self._customer(actor, P.REQUEST_RETURN)
        return self._returnable(actor, checked_value(query, LineQuery, "query"))

    def preview_my_return(self, actor: Actor, request: ReturnRequest) -> ReturnPreview:
        """Price and check a request of the customer's, saving nothing: their confirmation view.

        The preview names no approval step (how staff decide is theirs).

        Raises:
            NotFound: A line is not one of the customer's, or a reason does not exist.
            OverReturn: A quantity is above what is still returnable.
            NotEligible: An eligibility rule refuses a line.
            NotAuthorised: The actor may not request returns.
            InvalidInput: The actor acts for no customer, or the request is malformed.
        """
        actor = self._customer(actor, P.REQUEST_RETURN)
        request = checked_value(request, ReturnRequest, "request")
        with self._uow() as uow:
            customer, lines, itemised = self._plan(uow, actor, request.lines, excluding=None)
        return ReturnPreview(
            customer_id=customer.customer_id,
            customer_name=customer.customer_name,
            lines=lines,
            refund=self._sketch(actor, customer, lines).refund,
            steps=(),
            refund_lines=itemised,
        )

    def request_return(
        self, actor: Actor, request: ReturnRequest, *, idempotency_key: str | None = None
    ) -> CustomerTimeline:
        """Ask for a return of the customer's own lines; staff accept or decline it.

        The return is made as a draft that claims its units at once (so that
        nothing is returned twice), with a pending request; attach photos to it
        with ``attach_file``.  With ``idempotency_key``, a retry returns the
        request made first and makes nothing more.

        Raises:
            NotFound: A line is not one of the customer's, or a reason does not exist.
            OverReturn: A quantity is above what is still returnable.
            NotEligible: An eligibility rule refuses a line.
            ReasonNotSelectable: A reason is a category or retired.
            NotAuthorised: The actor may not request returns.
            InvalidInput: The actor acts for no customer, or the request is malformed.
            IdempotencyConflict: The key was used for another command.
        """
        actor = self._customer(actor, P.REQUEST_RETURN)
        request = checked_value(request, ReturnRequest, "request")
        digest = "" if idempotency_key is None else fingerprint("request_return", (request,))
        with self._uow() as uow:
            order = self._replayed(uow, actor, idempotency_key, "request_return", digest)
            if order is None:
                customer, lines, _ = self._plan(uow, actor, request.lines, excluding=None)
                drafted = drafting.draft(
                    return_id=self._ids.new_id(),
                    number=self._number(uow, actor.tenant_id, self.settings.number_format),
                    actor=actor,
                    at=self._clock.now(),
                    customer_id=customer.customer_id,
                    customer_name=customer.customer_name,
                    lines=lines,
                    note=request.note,
                )
                transition = deciding.as_requested(drafted)
                order = transition.order
                uow.returns.add(order)
                uow.casefile.add(deciding.open_request(order, self._ids.new_id(), request.note))
                self._record(uow, transition)
                if self.settings.default_team is not None:
                    # A customer's request is owned from the start, as a return staff make.
                    self._record(uow, self._to_default_team(uow, actor, order))
                self._remember(uow, actor, idempotency_key, "request_return", digest, order)
                uow.commit()
        return self._timeline_of(actor, order.id, P.REQUEST_RETURN)

    def withdraw_return(
        self, actor: Actor, return_id: str, *, idempotency_key: str | None = None
    ) -> CustomerTimeline:
        """Withdraw the customer's request while the goods have not left; the return is cancelled.

        Raises:
            NotFound: The customer has no such return.
            IllegalTransition: It was not requested by the customer, was declined
                or withdrawn, goods were received, or a parcel is on its way.
            RecordArchived: The return is archived.
            NotAuthorised: The actor may not request returns.
            InvalidInput: The actor acts for no customer.
        """
        actor = self._customer(actor, P.REQUEST_RETURN)
        return_id = checked_id(return_id, "return id")
        digest = "" if idempotency_key is None else fingerprint("withdraw_return", (return_id,))
        with self._uow() as uow:
            order = self._customers_return(uow, actor, return_id, P.REQUEST_RETURN)
            if self._replayed(uow, actor, idempotency_key, "withdraw_return", digest) is None:
                if uow.retention.archived(actor.tenant_id, order.id):
                    raise RecordArchived(f"return {order.number} is archived")
                record = self._request(uow, order)
                shipments = uow.casefile.for_return(actor.tenant_id, order.id, Shipment)
                transition, withdrawn = deciding.withdraw(
                    order, record, actor, self._clock.now(), shipments
                )
                uow.returns.update(transition.order, expected_version=order.version)
                uow.casefile.update(withdrawn, expected_version=record.version)
                self._record(uow, transition)
                self._remember(
                    uow, actor, idempotency_key, "withdraw_return", digest, transition.order
                )
                uow.commit()
        return self._timeline_of(actor, return_id, P.REQUEST_RETURN)

    def my_returns(
        self,
        actor: Actor,
        *,
        offset: int = 0,
        limit: int = 50,
        after: str | None = None,
        with_total: bool = True,
    ) -> Page[CustomerReturn]:
        """The customer's own returns, newest first, as they may see them.

        Page by cursor as ``list_returns`` does: each page hands out
        ``next_cursor``, and ``after=page.next_cursor`` lists the returns after
        it.  A cursor belongs to the customer whose pages handed it out.

        Args:
            actor: The customer (an actor acting for one).
            offset: Returns to skip (0 with ``after``).
            limit: Most returns on the page.
            after: A page's ``next_cursor``: list the returns after it.
            with_total: Whether the page counts every return of the customer
                (``Page.total``; ``None`` when not asked).

        Raises:
            NotAuthorised: The actor may not follow returns.
            InvalidInput: The actor acts for no customer, the page is out of
                range, or ``after`` is not a cursor of this customer's list
                (or comes with an ``offset``).
        """
        actor = self._customer(actor, P.FOLLOW_RETURNS)
        query = ReturnQuery(
            customer_id=actor.customer_id,
            offset=offset,
            limit=limit,
            after=after,
            with_total=with_total,
        )
        with self._uow() as uow:
            page = uow.returns.search(actor.tenant_id, query)
            # Only the page's returns' records: a page costs the same for a
            # customer of three returns and one of thousands.
            shown = [order.id for order in page.items]
            requests = {
                record.return_id: record
                for record in uow.casefile.for_returns(actor.tenant_id, shown, RequestRecord)
            }
            shipments: dict[str, list[Shipment]] = {}
            for shipment in uow.casefile.for_returns(actor.tenant_id, shown, Shipment):
                shipments.setdefault(shipment.return_id, []).append(shipment)
        items = tuple(
            customer_timeline(
                order, request=requests.get(order.id), shipments=shipments.get(order.id, [])
            ).entry
            for order in page.items
        )
        return Page(items, page.total, page.offset, page.limit, page.next_cursor, cursors=True)

    def return_timeline(self, actor: Actor, return_id: str) -> CustomerTimeline:
        """The customer's timeline of one of their returns: status, next step, refund, tracking.

        Raises:
            NotFound: The customer has no such return.
            NotAuthorised: The actor may not follow returns.
            InvalidInput: The actor acts for no customer.
        """
        actor = self._customer(actor, P.FOLLOW_RETURNS)
        return self._timeline_of(actor, checked_id(return_id, "return id"))

    # -- shared steps -------------------------------------------------------------------

    def _customer(self, actor: Actor, permission: Permission) -> Actor:
        """``actor`` if it acts for a customer and may use ``permission`` at all."""
        actor = self._authorise(actor, permission)
        if actor.customer_id is None:
            raise InvalidInput(
                f"actor {actor.id!r} acts for no customer: this is a customer's use case "
                "(give the Actor a customer_id)"
            )
        return actor

    def _customers_return(
        self, uow: UnitOfWork, actor: Actor, return_id: str, permission: Permission
    ) -> ReturnOrder:
        """The customer's return ``return_id``; another's does not exist for them."""
        order = self._own(actor, uow.returns.get(actor.tenant_id, return_id), return_id)
        if not self._allows(actor, permission, order):
            raise self._denied(actor, permission, order)
        return order

    @staticmethod
    def _request(uow: UnitOfWork, order: ReturnOrder) -> RequestRecord:
        record = uow.casefile.find(order.tenant_id, RequestRecord, order.id)
        if record is None:
            raise IllegalTransition(
                order.number, order.status.value, "withdraw", "the customer did not request it"
            )
        return record

    def _timeline_of(
        self, actor: Actor, return_id: str, permission: Permission = P.FOLLOW_RETURNS
    ) -> CustomerTimeline:
        """The timeline of the customer's return ``return_id``, in a unit of work of its own.

        A command that changed the return shows it with the permission it ran
        with: its change is committed, and must not be followed by a refusal.
        """
        with self._uow() as uow:
            order = self._customers_return(uow, actor, return_id, permission)
            tenant = actor.tenant_id
            return customer_timeline(
                order,
                request=uow.casefile.find(tenant, RequestRecord, order.id),
                shipments=uow.casefile.for_return(tenant, order.id, Shipment),
                tracking=uow.casefile.for_return(tenant, order.id, TrackingUpdate),
                feedback=uow.casefile.for_return(tenant, order.id, Feedback),
                audit=tuple(uow.audit.for_return(tenant, order.id)),
                decline_reasons=self.settings.decline_reasons,
            )
