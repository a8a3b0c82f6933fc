"""The SQLite store against the in-memory store, command by command.

The in-memory store is the reference (``tests/service/test_stateful.py``
checks what it does).  Here one random sequence of commands drives two
services wired alike — same sample orders, same start time, each with its own
manual clock moved in step, sequential ids — one on the memory store and one
on a fresh SQLite file.  Every command must give the same value on both, or
fail on both with the same error and message; after every step everything
the services can read must be identical (down to a Decimal's scale), and the
SQLite file's ``line_claims`` must hold exactly what its ``return_lines`` add
up to, never more than was delivered.

That is the net under the SQL store's fast paths: statements on the driver's
cursor, writes deferred to the next statement or the commit, the
in-transaction identity map of returns, and line claims moved by deltas.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import attrs
import sqlalchemy as sa
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    MultipleResults,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
)
from tests.service import draws

from crm_returns import (
    Actor,
    DeliveredLine,
    LineQuery,
    LineRef,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnRequest,
    ReturnStatus,
)
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.queries import MAX_PAGE_SIZE
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.errors import CrmReturnsError
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing import Wiring, sample_wiring
from crm_returns.testing.conformance import assert_identical
from crm_returns.testing.strategies import quantities_of

T = TypeVar("T")

#: Where both clocks start (the sample wiring's own default, said out loud).
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EVERYTHING = ReturnQuery(limit=MAX_PAGE_SIZE)
ALL_LINES = LineQuery(limit=MAX_PAGE_SIZE)


def _by_the_metre() -> DeliveredLine:
    """A line of cable sold by the metre, to the centimetre: quantities with two places."""
    cable = next(line for line in sample_lines(START) if line.ref == LineRef("SO-1001", "2"))
    return attrs.evolve(
        cable,
        ref=LineRef("SO-1001", "9"),
        sku="CBL-REEL",
        product_name="网线（按米）Network cable by the metre",
        quantity_delivered=Decimal("12.50"),
        unit_places=2,
    )


def _actor(wiring: Wiring, who: str) -> Actor:
    """The wiring's actor called ``who`` (``clerk``, ``approver``, ..., ``admin``)."""
    actor = getattr(wiring, who)
    assert isinstance(actor, Actor), f"the wiring has no actor {who!r}"
    return actor


def _outcome(command: Callable[[], T]) -> T | CrmReturnsError:
    """What ``command`` returned, or the error of ours it raised; anything else propagates."""
    try:
        return command()
    except CrmReturnsError as error:
        return error


def _described(outcome: object) -> str:
    if isinstance(outcome, CrmReturnsError):
        return f"raised {type(outcome).__name__}: {outcome}"
    return f"returned {outcome!r}"


class MemoryAgainstSqlite(RuleBasedStateMachine):
    """Runs every command on a memory-backed and a SQLite-backed service, and compares."""

    returns = Bundle("returns")

    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="crm-returns-differential-"))
        self.database = SqlDatabase.connect(f"sqlite:///{self.folder / 'returns.db'}")
        self.database.upgrade()
        self.memory = sample_wiring(now=START)
        self.sqlite = sample_wiring(now=START, unit_of_work=self.database.unit_of_work)
        by_the_metre = _by_the_metre()
        for wiring in (self.memory, self.sqlite):
            wiring.orders.add(SAMPLE_TENANT, by_the_metre)
        self.lines = {line.ref: line for line in (*sample_lines(START), by_the_metre)}

    def teardown(self) -> None:
        # Shows, with --hypothesis-show-statistics, how far the runs got.
        page = self.memory.service.list_returns(self.memory.clerk, EVERYTHING)
        for status in sorted({order.status.value for order in page.items}):
            event(f"reached {status}")
        if any(o.grant is not None and o.grant.paid.amount > 0 for o in page.items):
            event("a refund was paid")
        self.database.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- running a command on both ------------------------------------------------

    def _both(self, what: str, command: Callable[[Wiring], T]) -> T | None:
        """Run ``command`` on both wirings; the memory result, or ``None`` if both failed alike.

        Results must be identical field by field; failures must be the same
        error class with the same message.
        """
        expected = _outcome(lambda: command(self.memory))
        actual = _outcome(lambda: command(self.sqlite))
        if isinstance(expected, CrmReturnsError) or isinstance(actual, CrmReturnsError):
            assert (type(actual), str(actual)) == (type(expected), str(expected)), (
                f"{what}: SQLite {_described(actual)}, memory {_described(expected)}"
            )
            return None
        assert_identical(actual, expected, what)
        return expected

    def _read(self, what: str, command: Callable[[Wiring], T]) -> T:
        """A read on both wirings, which must succeed and agree."""
        result = self._both(what, command)
        assert result is not None, f"{what} failed on both stores"
        return result

    def _order(self, return_id: str) -> ReturnOrder | None:
        """The return as the reference store has it (to draw sensible arguments from)."""
        found = _outcome(lambda: self.memory.service.get_return(self.memory.admin, return_id))
        return None if isinstance(found, CrmReturnsError) else found

    def _request_lines(self, data: st.DataObject) -> tuple[RequestedLine, ...]:
        """One to three lines of one customer, often asking for all that is still returnable."""
        customer = data.draw(st.sampled_from(sorted({x.customer_id for x in self.lines.values()})))
        refs = sorted(ref for ref, line in self.lines.items() if line.customer_id == customer)
        chosen = data.draw(st.lists(st.sampled_from(refs), min_size=1, max_size=3, unique=True))
        page = self.memory.service.search_returnable_lines(self.memory.clerk, ALL_LINES)
        left = {item.line.ref: item.returnable_quantity for item in page.items}
        picked = []
        for ref in chosen:
            anything = quantities_of(self.lines[ref])
            units = st.one_of(st.just(left[ref]), anything) if left[ref] else anything
            picked.append(
                RequestedLine(ref, data.draw(units), data.draw(st.sampled_from(draws.REASONS)))
            )
        return tuple(picked)

    # -- drafting and deciding ----------------------------------------------------

    @initialize(target=returns, data=st.data(), count=st.integers(1, 3))
    def first_returns(self, data: st.DataObject, count: int) -> MultipleResults[str]:
        """Start every run with a few returns, so that the rules on returns have work."""
        created = [self.create(data, "clerk", None).values for _ in range(count)]
        return multiple(*(return_id for values in created for return_id in values))

    @rule(
        target=returns,
        data=st.data(),
        who=st.sampled_from(["clerk", "clerk", "clerk", "admin", "warehouse"]),
        key=st.sampled_from([None, None, None, "k-1"]),
    )
    def create(self, data: st.DataObject, who: str, key: str | None) -> MultipleResults[str]:
        request = ReturnRequest(lines=self._request_lines(data))
        order = self._both(
            "create_return",
            lambda w: w.service.create_return(_actor(w, who), request, idempotency_key=key),
        )
        return multiple() if order is None else multiple(order.id)

    @rule(return_id=returns, data=st.data())
    def edit(self, return_id: str, data: st.DataObject) -> None:
        lines = self._request_lines(data)
        self._both("edit_return", lambda w: w.service.edit_return(w.clerk, return_id, lines))

    @rule(return_id=returns, who=st.sampled_from(["clerk", "admin", "finance"]))
    def submit(self, return_id: str, who: str) -> None:
        self._both("submit_return", lambda w: w.service.submit_return(_actor(w, who), return_id))

    @rule(
        return_id=returns,
        who=st.sampled_from(["approver", "inspector", "admin", "clerk"]),
        lower=st.booleans(),
    )
    def approve(self, return_id: str, who: str, lower: bool) -> None:
        order = self._order(return_id)
        quantities = None
        if lower and order is not None:
            quantities = {line.ref: line.approved // 2 for line in order.lines}
        self._both(
            "approve_return",
            lambda w: w.service.approve_return(_actor(w, who), return_id, "同意", quantities),
        )

    @rule(return_id=returns, who=st.sampled_from(["approver", "inspector", "clerk"]))
    def reject(self, return_id: str, who: str) -> None:
        self._both(
            "reject_return",
            lambda w: w.service.reject_return(_actor(w, who), return_id, "超出退货期"),
        )

    @rule(return_id=returns, who=st.sampled_from(["clerk", "approver", "warehouse"]))
    def cancel(self, return_id: str, who: str) -> None:
        self._both(
            "cancel_return",
            lambda w: w.service.cancel_return(_actor(w, who), return_id, "客户撤回"),
        )

    # -- goods --------------------------------------------------------------------

    @rule(return_id=returns, data=st.data())
    def receive(self, return_id: str, data: st.DataObject) -> None:
        order = self._order(return_id)
        if order is None:
            return
        line = data.draw(st.sampled_from(order.lines))
        receipt = draws.receipt(data, line)
        self._both(
            "receive_goods",
            lambda w: w.service.receive_goods(w.warehouse, return_id, {line.ref: receipt}),
        )

    @rule(return_id=returns, data=st.data())
    def inspect(self, return_id: str, data: st.DataObject) -> None:
        order = self._order(return_id)
        if order is None:
            return
        line = data.draw(st.sampled_from(order.lines))
        inspection = draws.inspection(data, line)
        self._both(
            "inspect_goods",
            lambda w: w.service.inspect_goods(w.inspector, return_id, {line.ref: inspection}),
        )

    @rule(return_id=returns, data=st.data())
    def finish_repair(self, return_id: str, data: st.DataObject) -> None:
        order = self._order(return_id)
        if order is None:
            return
        ref, units, outcome = draws.repair(data, order)
        self._both(
            "finish_repair",
            lambda w: w.service.finish_repair(w.warehouse, return_id, ref, units, outcome),
        )

    # -- money and closing ----------------------------------------------------------

    @rule(
        return_id=returns,
        method=st.sampled_from(list(RefundMethod)),
        who=st.sampled_from(["finance", "finance", "clerk"]),
        key=st.sampled_from([None, "g-1"]),
    )
    def grant(self, return_id: str, method: RefundMethod, who: str, key: str | None) -> None:
        self._both(
            "grant_refund",
            lambda w: w.service.grant_refund(
                _actor(w, who), return_id, method, "退款", idempotency_key=key
            ),
        )

    @rule(return_id=returns, data=st.data())
    def pay(self, return_id: str, data: st.DataObject) -> None:
        order = self._order(return_id)
        amount = None if order is None else draws.payment(data, order)
        if amount is None:
            return
        self._both(
            "record_refund_payment",
            lambda w: w.service.record_refund_payment(w.finance, return_id, amount, "PSP"),
        )

    @rule(return_id=returns, data=st.data())
    def settle(self, return_id: str, data: st.DataObject) -> None:
        order = self._order(return_id)
        if order is None or order.grant is None or not order.grant.payments:
            return
        payment = data.draw(st.sampled_from(order.grant.payments))
        succeeded = data.draw(st.booleans())
        self._both(
            "settle_refund_payment",
            lambda w: w.service.settle_refund_payment(w.finance, return_id, payment.id, succeeded),
        )

    @rule(
        return_id=returns,
        who=st.sampled_from(["finance", "admin", "warehouse"]),
        method=st.sampled_from(list(RefundMethod)),
    )
    def complete(self, return_id: str, who: str, method: RefundMethod) -> None:
        self._both(
            "complete_return",
            lambda w: w.service.complete_return(_actor(w, who), return_id, "", method),
        )

    @rule(return_id=returns, data=st.data())
    def move_along(self, return_id: str, data: st.DataObject) -> None:
        """Take the happy path's next step, so that runs reach the late states."""
        order = self._order(return_id)
        if order is not None:
            self._advance(order, data)

    @rule(data=st.data())
    def move_everything_along(self, data: st.DataObject) -> None:
        """Take every return one step on, so that several returns of a line finish."""
        page = self.memory.service.list_returns(self.memory.clerk, EVERYTHING)
        for order in reversed(page.items):  # oldest first
            self._advance(order, data)

    def _advance(self, order: ReturnOrder, data: st.DataObject) -> None:
        return_id = order.id
        s = ReturnStatus
        if order.status is s.DRAFT:
            self.submit(return_id, "clerk")
        elif order.status is s.SUBMITTED and order.current_step is not None:
            roles = order.current_step.roles
            who = "approver" if "approver" in roles else "inspector"
            self.approve(return_id, who, lower=False)
        elif order.status in (s.APPROVED, s.PARTIALLY_RECEIVED):
            receipts = draws.full_receipts(order)
            self._both(
                "receive_goods", lambda w: w.service.receive_goods(w.warehouse, return_id, receipts)
            )
        elif order.status is s.RECEIVED:
            inspections = draws.full_inspections(data, order)
            self._both(
                "inspect_goods",
                lambda w: w.service.inspect_goods(w.inspector, return_id, inspections),
            )
        elif order.status is s.INSPECTED:
            self.complete(return_id, "finance", data.draw(st.sampled_from(list(RefundMethod))))
        elif order.grant is not None and order.grant.outstanding.amount > 0:
            owed = order.grant.outstanding
            self._both(
                "record_refund_payment",
                lambda w: w.service.record_refund_payment(w.finance, return_id, owed),
            )

    # -- the rest of the world --------------------------------------------------------

    @rule(hours=st.integers(1, 36))
    def time_passes(self, hours: int) -> None:
        # Customer-fault windows (7 days) close within a few days of the start.
        self.memory.clock.advance(timedelta(hours=hours))
        self.sqlite.clock.advance(timedelta(hours=hours))

    @rule()
    def relay(self) -> None:
        self._both("relay", lambda w: w.relay.run_once())
        assert_identical(
            self.sqlite.destination.received, self.memory.destination.received, "delivered"
        )

    @rule(code=st.sampled_from(["other", "wrong_order"]), remove=st.booleans())
    def admin_changes_the_reasons(self, code: str, remove: bool) -> None:
        # Only two of the five reasons, so that most requests stay possible.
        if remove:
            self._both("remove_reason", lambda w: w.service.remove_reason(w.admin, code))
        else:
            self._both("retire_reason", lambda w: w.service.retire_reason(w.admin, code))

    # -- after every step: everything readable is the same ----------------------------

    @invariant()
    def returns_and_their_trails_agree(self) -> None:
        page = self._read("list_returns", lambda w: w.service.list_returns(w.clerk, EVERYTHING))
        assert page.total == len(page.items), "every return fits on the one page read"
        for order in page.items:
            self._trail(order.id)
        self._read("tenant_audit_trail", lambda w: w.service.tenant_audit_trail(w.admin))

    def _trail(self, return_id: str) -> None:
        self._read(f"audit_trail({return_id})", lambda w: w.service.audit_trail(w.clerk, return_id))

    @invariant()
    def stock_and_books_agree(self) -> None:
        self._read("stock_moves", lambda w: w.service.stock_moves(w.warehouse))
        self._read("journal", lambda w: w.service.journal(w.finance))
        self._read("trial_balance", lambda w: w.service.trial_balance(w.finance))

    @invariant()
    def returnable_quantities_agree(self) -> None:
        # Each line comes with what is already returned of it: its returnable quantity.
        page = self._read(
            "search_returnable_lines",
            lambda w: w.service.search_returnable_lines(w.clerk, ALL_LINES),
        )
        assert {item.line.ref for item in page.items} == set(self.lines)

    @invariant()
    def line_claims_are_the_sum_of_the_stored_lines(self) -> None:
        """Read the SQLite file itself: the claims table is in step with ``return_lines``."""
        line_claims, return_lines = (
            self.database.tables.line_claims,
            self.database.tables.return_lines,
        )
        with self.database.engine.connect() as connection:
            claims = {
                LineRef(row.order_number, row.line_id): (row.delivered, row.claimed)
                for row in connection.execute(
                    sa.select(line_claims).where(line_claims.c.tenant_id == SAMPLE_TENANT)
                )
            }
            stored: dict[LineRef, Decimal] = {}
            for row in connection.execute(
                sa.select(return_lines).where(return_lines.c.tenant_id == SAMPLE_TENANT)
            ):
                ref = LineRef(row.order_number, row.line_id)
                stored[ref] = stored.get(ref, Decimal(0)) + row.claimed
        assert set(stored) <= set(claims), f"lines returned without a claim: {stored} {claims}"
        orders = self.memory.service.list_returns(self.memory.clerk, EVERYTHING).items
        for ref, (delivered, claimed) in claims.items():
            assert delivered == self.lines[ref].quantity_delivered, f"{ref}: delivered {delivered}"
            assert claimed == stored.get(ref, Decimal(0)), f"{ref}: claims {claimed}, {stored}"
            assert 0 <= claimed <= delivered, f"{ref}: {claimed} of {delivered} claimed"
            # And what the reference store says the returns claim.
            expected = sum((order.claimed(ref) for order in orders), Decimal(0))
            assert claimed == expected, f"{ref}: SQLite claims {claimed}, memory {expected}"


TestMemoryAgainstSqlite = MemoryAgainstSqlite.TestCase

# Each step runs its command on both stores and reads everything back from both,
# so runs are half as long as in tests/service/test_stateful.py (25 steps locally,
# 40 on CI) and CI makes at most 100 of them.
_PROFILE = settings()  # the profile tests/conftest.py loaded
TestMemoryAgainstSqlite.settings = settings(
    _PROFILE,
    max_examples=min(_PROFILE.max_examples, 100),
    stateful_step_count=_PROFILE.stateful_step_count // 2,
)
