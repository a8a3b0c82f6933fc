"""``ReturnsService``: one method per use case of the return workflow.

Each command opens a unit of work, loads what it needs, lets the domain
decide, and saves the new state, its audit entries, outbox messages, stock
moves and journal entries in one transaction.  A command that raises has
changed nothing.  Queries return immutable values.

The methods are grouped by stage of the workflow, one module each:
``choosing`` (search, preview, create, edit), ``approving``, ``goods``,
``refunds``, ``books``, ``reasons``, ``reading`` and ``events``; the command
template they share is ``template``, and every optional part of the wiring is
one :class:`~crm_returns.ServiceSettings` value (``settings``).
"""

from __future__ import annotations

from types import TracebackType

from crm_returns.service.approving import Approving
from crm_returns.service.books import Books
from crm_returns.service.choosing import Choosing
from crm_returns.service.events import Events
from crm_returns.service.goods import Goods
from crm_returns.service.reading import Reading
from crm_returns.service.reasons import Reasons
from crm_returns.service.refunds import Refunds

__all__ = ["ReturnsService"]


class ReturnsService(Choosing, Approving, Goods, Refunds, Books, Reasons, Reading, Events):
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
            ``dispose``).

    Raises:
        InvalidInput: ``settings`` is not a :class:`~crm_returns.ServiceSettings`.
    """

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
