"""``ReturnsService``: one method per use case of the return workflow.

Each command opens a unit of work, loads what it needs, lets the domain
decide, and saves the new state, its audit entries, outbox messages, stock
moves and journal entries in one transaction.  A command that raises has
changed nothing.  Queries return immutable values.

The methods are grouped by stage of the workflow, one module each:
``choosing`` (search, preview, create, edit), ``approving``, ``goods``,
``refunds``, ``books``, ``reasons``, ``reading``, ``ownership`` (owners and
deadlines), ``events`` (the relay:
``delivery``), ``retention`` (holds, archive, the operation log; erasure:
``erasure``; sweeps and plans: ``retention_plans``, applying them:
``retention_apply``), ``shipments`` and ``tracking`` (return shipments and
tracking), ``interactions`` (the contact log and feedback; the contact log of
notifications: ``notified``), and the customer's side (``requests`` for the
customer, ``deciding_requests`` for staff), ``evidence`` (photos and files); the command
template they share is ``template``, and every optional part of the wiring is
one :class:`~crm_returns.ServiceSettings` value (``settings``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import TracebackType

from crm_returns.errors import InvalidInput
from crm_returns.service.approving import Approving
from crm_returns.service.books import Books
from crm_returns.service.choosing import Choosing
from crm_returns.service.deciding_requests import RequestDecisions
from crm_returns.service.erasure import Erasures
from crm_returns.service.events import Events
from crm_returns.service.evidence import Evidence
from crm_returns.service.goods import Goods
from crm_returns.service.interactions import Interactions
from crm_returns.service.ownership import Ownership
from crm_returns.service.reading import Reading
from crm_returns.service.reasons import Reasons
from crm_returns.service.refunds import Refunds
from crm_returns.service.reports import Reports
from crm_returns.service.requests import CustomerRequests
from crm_returns.service.retention_apply import PlanApplying
from crm_returns.service.shipments import Shipments
from crm_returns.service.sql_types import Connection

__all__ = ["ReturnsService"]


class ReturnsService(
    CustomerRequests,
    RequestDecisions,
    Choosing,
    Approving,
    Goods,
    Refunds,
    Books,
    Reasons,
    Reading,
    Events,
    Erasures,
    PlanApplying,
    Shipments,
    Interactions,
    Ownership,
    Evidence,
    Reports,
):
    """The return workflow (退库 / 退货), wired to ports.

    Build one with :func:`~crm_returns.in_memory_service` or
    :func:`~crm_returns.sql_service`, or by hand from your own adapters.  A
    service is a context manager: leaving the ``with`` block closes it.

    Args:
        orders: The host's delivered order lines.
        unit_of_work: Makes a new unit of work for each command.
        settings: Every optional part (clock, ids, time zone, access policy,
            default reasons, approval policy, eligibility rules, refund policy,
            chart of accounts, number formats); the defaults of
            :class:`~crm_returns.ServiceSettings` when not given.
        on_close: Called once by :meth:`close`, to release what the wiring
            opened (:func:`~crm_returns.sql_service` passes the database's
            ``dispose``, unless the engine is the host's).
        join_transaction: Makes :meth:`in_transaction` work: given the host's
            connection, a context manager yielding a factory of units of work
            in its transaction (:func:`~crm_returns.sql_service` passes the
            database's ``in_transaction``).

    Raises:
        InvalidInput: ``settings`` is not a :class:`~crm_returns.ServiceSettings`.
    """

    @contextlib.contextmanager
    def in_transaction(self, connection: Connection) -> Iterator[ReturnsService]:
        """A service whose commands run in the host's own transaction, on ``connection``.

        For a service of :func:`~crm_returns.sql_service` built over the host's
        engine: the host begins a transaction, changes its own rows, runs one
        or several commands through the service given here, and commits —
        then everything is kept — or rolls back, and nothing is, neither the
        host's rows nor the returns, their claims, audit entries and outbox
        messages::

            with engine.begin() as connection, service.in_transaction(connection) as scoped:
                connection.execute(mark_order_returning)
                order = scoped.create_return(actor, request)
                scoped.submit_return(actor, order.id)

        Each command is a savepoint in the host's transaction: one that fails
        (with any ``crm_returns`` error) undoes its own work only, and the
        host's transaction goes on.  The library never commits or rolls back
        the host's transaction.  Denied attempts are written to the audit trail
        in the host's transaction too, and leave with it if it is rolled back.
        Events are relayed only once committed: a relay
        (:meth:`relay`) over this service's database picks them up after the
        host's commit.

        Args:
            connection: A SQLAlchemy ``Connection`` of the engine the service
                was built with, in a transaction the host began (with an ORM
                ``Session``: ``session.connection()``).

        Yields:
            The service to run the commands with, usable inside the block only.

        Raises:
            InvalidInput: The service cannot join a host's transaction (it
                keeps returns in memory, or is itself in one), or
                ``connection`` is not a connection of its engine in a transaction.
        """
        join = self._join_transaction
        if join is None:
            raise InvalidInput(
                "this service cannot join a host's transaction: a SQL service (sql_service) "
                "can, outside the with block of one"
            )
        with join(connection) as unit_of_work:
            yield ReturnsService(self._orders, unit_of_work, self.settings)

    def close(self) -> None:
        """Release what the wiring opened (a SQL database's connections); idempotent.

        The service must not be used afterwards.
        """
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close()

    def __enter__(self) -> ReturnsService:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
