"""Text is kept as typed, byte for byte, on every store; limits are explicit (issue 5).

Every text field a person or the host can type — the return's note, a line's
note, the comment of every command, the inspection note, the lot, reason
labels, the customer's name from the host's lines, the payment reference, the
actor's display name — goes through ``ReturnsService`` and is read back from
every place that shows it: the return, the audit trail, the relayed events, the
catalog and the stock moves.  Nothing may be trimmed, normalised (NFC), escaped
or dropped, on memory, on SQLite and on PostgreSQL.

A character that some store cannot keep must be refused up front, with
``InvalidInput``, on every store alike — not accepted in memory and lost or
failing later in SQL: a lone surrogate (no UTF-8 bytes at all) anywhere, and
NUL (PostgreSQL ``text`` refuses it) in the identifiers SQL keeps in columns.

PostgreSQL runs need ``CRM_RETURNS_TEST_POSTGRES_URL``; they are skipped
without it unless ``CRM_RETURNS_REQUIRE_POSTGRES`` is set (as in CI), and then
they fail.  The limits are documented in ``docs/input-limits.md``.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.postgres import fresh_schema, postgres_url

from crm_returns import (
    Actor,
    DeliveredLine,
    Fault,
    Inspection,
    LineQuery,
    LineRef,
    Money,
    Reason,
    ReasonCategory,
    Receipt,
    RequestedLine,
    ReturnQuery,
    ReturnRequest,
)
from crm_returns.adapters.memory import MemoryDestination, SequentialIds
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.approval_config import NAME_LIMIT, load_policy
from crm_returns.domain.queries import MAX_PAGE_SIZE
from crm_returns.domain.reasons import LABEL_LIMIT
from crm_returns.domain.refunds.payments import Payment, PaymentStatus
from crm_returns.domain.returns.lines import NOTE_LIMIT
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.domain.stock.moves import MoveReason
from crm_returns.errors import CrmReturnsError, InvalidInput, StorageError
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.service.checks import KEY_LIMIT
from crm_returns.testing import Wiring, sample_wiring

EVERY_ROLE = frozenset({"admin", "requester", "approver", "inspector", "warehouse", "finance"})
BOSS = Actor("u-boss", "Boss", SAMPLE_TENANT, EVERY_ROLE)
QA = Actor("u-qa", "QA", SAMPLE_TENANT, EVERY_ROLE)
MOUSE, MONITOR = LineRef("SO-1001", "1"), LineRef("SO-1001", "3")
START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CHAIR, LAMP = LineRef("SO-1002", "1"), LineRef("SO-1002", "2")

#: What people really type, one kind of trouble each.
SAMPLES = {
    "chinese": "退货原因：质量问题，屏幕有坏点（第二次）。",
    "emoji": "👩\u200d👩\u200d👧\u200d👦 🇨🇳 👍🏽 ✅ 🖥️",
    "combining marks": "Cafe\u0301 n\u0303 \u0915\u094d\u0937 Z\u0351\u0352",  # never NFC'd
    "right to left": "\u202eשלום مرحبا\u202c \u200fabc\u200e",
    "nul and controls": "a\x00b \x01\x07\x08\x1b[31m\x7f \x85\u2028\u2029 end",
    "outer spaces": "  leading and trailing \t ",
    "line endings": "line one\r\nline two\rline three\n",
    "invisible": "\ufeffBOM \u200bzero\u200cwidth\u200d \u00a0nbsp",
    "sql and html": '\'; DROP TABLE returns; -- "<script>alert(1)</script>" \\ %_',
    "astral planes": "𠀋𡈽𩸽 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0010fffd",
}


# -- stores ---------------------------------------------------------------------------


@attrs.frozen
class Store:
    """A sample wiring on one store, and a dump of everything the store holds."""

    name: str
    wiring: Wiring
    dump: Callable[[], object]


def _sql_dump(database: SqlDatabase) -> Callable[[], object]:
    def dump() -> object:
        with database.engine.connect() as connection:
            return {
                table.name: sorted(repr(tuple(row)) for row in connection.execute(sa.select(table)))
                for table in database.tables.metadata.sorted_tables
            }

    return dump


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store with the sample wiring on it (ids ``t-1``, ``t-2``, ...)."""
    if request.param == "memory":
        wiring = sample_wiring(ids=SequentialIds("t"))
        yield Store("memory", wiring, lambda: copy.deepcopy(wiring.database.committed))
        return
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'fidelity.db'}")
        else:
            url = postgres_url()
            schema = stack.enter_context(fresh_schema(url, "crm_returns_text"))
            database = SqlDatabase.connect(url, schema=schema)
        stack.callback(database.dispose)
        database.upgrade()
        wiring = sample_wiring(unit_of_work=database.unit_of_work, ids=SequentialIds("t"))
        yield Store(request.param, wiring, _sql_dump(database))


def host_line(wiring: Wiring, of: LineRef, **changes: Any) -> DeliveredLine:
    """The sample line ``of`` with ``changes``, given to the host's order source."""
    line = next(line for line in sample_lines(wiring.clock.now()) if line.ref == of)
    line = attrs.evolve(line, **changes)
    wiring.orders.add(SAMPLE_TENANT, line)
    return line


# -- the round trip -------------------------------------------------------------------


def type_everywhere(wiring: Wiring, text: str, lot: str, reference: str) -> list[tuple[str, Any]]:
    """Put ``text`` in every field a person types, then read back every place that shows it.

    Returns ``(where, what was read)`` pairs; ``lot`` and ``reference`` go where
    shorter limits apply.
    """
    s, clerk = wiring.service, Actor("u-clerk", text, SAMPLE_TENANT, EVERY_ROLE)
    host_line(wiring, MONITOR, customer_name=text)
    labels = {"en": text, "zh-CN": text}
    s.add_reason_category(BOSS, ReasonCategory("typed", labels))
    s.add_reason(BOSS, Reason("typed_reason", "typed", labels, Fault.SELLER))
    s.relabel_reason(BOSS, "quality_defect", labels)
    line = RequestedLine(MONITOR, 1, "quality_defect", note=text)
    mid = s.create_return(clerk, ReturnRequest((line,), note=text)).id
    s.submit_return(clerk, mid)
    s.approve_return(BOSS, mid, text)  # the manager's step
    s.approve_return(QA, mid, text)  # the quality step
    receipt = Receipt(received=1, serial_numbers=["MON27-0001"], lot=lot)
    s.receive_goods(BOSS, mid, {MONITOR: receipt}, text)
    flagged = s.inspect_goods(QA, mid, {MONITOR: Inspection(needs_review=True, note=text)}, text)
    repair = Inspection(accepted=1, disposition=Disposition.REPAIR, note=text)
    s.inspect_goods(QA, mid, {MONITOR: repair}, text)
    s.finish_repair(BOSS, mid, MONITOR, Decimal(1), Disposition.RESTOCK, text)
    granted = s.grant_refund(BOSS, mid, comment=text)
    assert granted.grant is not None
    paid = s.record_refund_payment(BOSS, mid, granted.grant.amount, reference)
    assert paid.grant is not None
    s.settle_refund_payment(BOSS, mid, paid.grant.payments[0].id, True)
    s.complete_return(BOSS, mid, text)
    rejected = s.create_return(clerk, ReturnRequest((RequestedLine(CHAIR, 1, "typed_reason"),)))
    s.submit_return(clerk, rejected.id)
    s.reject_return(BOSS, rejected.id, text)
    cancelled = s.create_return(clerk, ReturnRequest((RequestedLine(LAMP, 1, "typed_reason"),)))
    s.cancel_return(clerk, cancelled.id, text)

    order = s.get_return(BOSS, mid)
    assert s.find_return(BOSS, order.number) == order
    assert order in s.list_returns(BOSS, ReturnQuery()).items
    assert order.grant is not None
    seen: list[tuple[str, Any]] = [
        ("return note", order.note),
        ("line note", order.lines[0].note),
        ("customer name", order.customer_name),
        ("review note", flagged.lines[0].review_note),
        *((f"approval {approval.step}", approval.comment) for approval in order.approvals),
    ]
    catalog = s.reason_catalog(BOSS)
    for where in (catalog.category("typed"), catalog.reason("typed_reason")):
        seen += [(f"label {where.code} {locale}", label) for locale, label in where.labels.items]
    seen += [("quality_defect label", catalog.reason("quality_defect").labels.get("zh-CN"))]
    for rid in (mid, rejected.id, cancelled.id):
        for entry in s.audit_trail(BOSS, rid):
            seen += (
                [(f"audit {entry.action.value} comment", entry.comment)] if entry.comment else []
            )
            seen += [("audit actor name", entry.actor_name)] if entry.actor_id == clerk.id else []
    sink = MemoryDestination()
    s.relay([sink]).run_until_idle()
    for message in sink.received:
        event = message.event
        seen += [(f"{type(event).__name__} comment", event.comment)] if event.comment else []
        for _, inspection in getattr(event, "inspections", ()):
            seen += [("inspection note in the event", inspection.note)]
    shorter = [
        ("lot", order.lines[0].lot),
        ("payment reference", order.grant.payments[0].reference),
    ]
    moves = s.stock_moves(BOSS, return_id=mid)  # the receipt's move records the lot
    shorter += [("stock move lot", m.lot) for m in moves if m.reason is MoveReason.RECEIPT]
    expected = {"audit approve comment", "audit receive comment", "audit inspect comment"}
    expected |= {"audit reject comment", "audit cancel comment", "audit complete comment"}
    assert expected <= {where for where, _ in seen}, "a comment never reached the audit trail"
    return [(where, (value, text)) for where, value in seen] + [
        (where, (value, lot if "lot" in where else reference)) for where, value in shorter
    ]


def assert_kept(read: list[tuple[str, Any]]) -> None:
    lost = [f"{where}: {got!a} != {typed!a}" for where, (got, typed) in read if got != typed]
    assert not lost, "text changed on the way:\n" + "\n".join(lost)
    assert all(got.encode("utf-8") == typed.encode("utf-8") for _, (got, typed) in read)


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_typed_text_is_kept_byte_for_byte(store: Store, sample: str) -> None:
    text = SAMPLES[sample]
    assert_kept(type_everywhere(store.wiring, text, lot=text, reference=text))


def test_text_at_every_limit_is_kept(store: Store) -> None:
    """Each field filled to its limit (astral characters count as one) is accepted and kept."""

    def full(limit: int) -> str:
        return ("界😀e\u0301 \x00" * limit)[:limit]

    assert_kept(type_everywhere(store.wiring, full(LABEL_LIMIT), full(64), full(200)))
    # Notes and comments go further than labels: one return with every note at NOTE_LIMIT.
    s, note = store.wiring.service, full(NOTE_LIMIT)
    line = RequestedLine(MOUSE, 1, "wrong_order", note=note)
    created = s.create_return(
        BOSS, ReturnRequest((line,), note=note), idempotency_key="k" * KEY_LIMIT
    )
    cancelled = s.cancel_return(QA, created.id, note)
    assert (cancelled.note, cancelled.lines[0].note) == (note, note)
    assert s.audit_trail(BOSS, created.id)[-1].comment == note
    again = s.create_return(
        BOSS, ReturnRequest((line,), note=note), idempotency_key="k" * KEY_LIMIT
    )
    assert again == created


# -- what no store can keep: refused up front, everywhere ------------------------------

SURROGATE = "lone \ud83d half"  # the first half of an emoji's surrogate pair, alone


def ask(ref: LineRef = MOUSE, note: str = "", line_note: str = "") -> ReturnRequest:
    """A request for one unit of ``ref``."""
    return ReturnRequest((RequestedLine(ref, 1, "other", note=line_note),), note=note)


def prepared(wiring: Wiring) -> str:
    """A draft to act on (its id), made before the store is dumped."""
    return wiring.service.create_return(BOSS, ask()).id


Typed = Callable[[Wiring, str, str], object]  # (wiring, a draft's id, the text)

#: Every field a person types, filled with the text.
TYPED: dict[str, Typed] = {
    "return note": lambda w, d, t: w.service.create_return(BOSS, ask(note=t)),
    "line note": lambda w, d, t: w.service.create_return(BOSS, ask(line_note=t)),
    "cancel comment": lambda w, d, t: w.service.cancel_return(QA, d, t),
    "reason label": lambda w, d, t: w.service.relabel_reason(BOSS, "other", {"en": t, "zh-CN": "其"}),  # noqa: E501
    "category label": lambda w, d, t: w.service.add_reason_category(BOSS, ReasonCategory("c", {"en": t, "zh-CN": t})),  # noqa: E501
    "customer name": lambda w, d, t: w.service.create_return(BOSS, ask(host_line(w, LAMP, customer_name=t).ref)),  # noqa: E501
    "actor name": lambda w, d, t: w.service.create_return(Actor("u-x", t, SAMPLE_TENANT, EVERY_ROLE), ask()),  # noqa: E501
}  # fmt: skip


@pytest.mark.parametrize("field", sorted(TYPED))
def test_a_lone_surrogate_is_refused_on_every_store(store: Store, field: str) -> None:
    """A lone surrogate has no UTF-8 bytes: memory kept it, SQL raised UnicodeEncodeError."""
    draft = prepared(store.wiring)
    before = store.dump()
    with pytest.raises(InvalidInput):
        TYPED[field](store.wiring, draft, SURROGATE)
    assert store.dump() == before


#: Identifiers the SQL store keeps in columns of their own (PostgreSQL ``text``: no NUL).
IDENTIFIERS: dict[str, Typed] = {
    "idempotency key": lambda w, d, t: w.service.submit_return(BOSS, d, idempotency_key=t),
    "order number": lambda w, d, t: w.service.create_return(BOSS, ask(host_line(w, LAMP, ref=LineRef(t, "1")).ref)),  # noqa: E501
    "line id": lambda w, d, t: w.service.create_return(BOSS, ask(host_line(w, LAMP, ref=LineRef("SO-9", t)).ref)),  # noqa: E501
    "customer id": lambda w, d, t: w.service.create_return(BOSS, ask(host_line(w, LAMP, customer_id=t).ref)),  # noqa: E501
    "tenant id": lambda w, d, t: w.service.create_return(Actor("u-x", "X", t, EVERY_ROLE), ask()),
}  # fmt: skip


@pytest.mark.parametrize("field", sorted(IDENTIFIERS))
def test_nul_in_a_stored_identifier_is_refused_on_every_store(store: Store, field: str) -> None:
    """Memory and SQLite kept NUL; PostgreSQL failed later with a StorageError."""
    draft = prepared(store.wiring)
    before = store.dump()
    with pytest.raises(InvalidInput):
        IDENTIFIERS[field](store.wiring, draft, "C-1\x00")
    assert store.dump() == before


#: Look-ups by text that the SQL stores compare in SQL.
LOOKUPS: dict[str, Callable[[Wiring, str], object]] = {
    "get_return": lambda w, t: w.service.get_return(BOSS, t),
    "find_return": lambda w, t: w.service.find_return(BOSS, t),
    "audit_trail": lambda w, t: w.service.audit_trail(BOSS, t),
    "submit_return": lambda w, t: w.service.submit_return(BOSS, t),
    "list_returns by customer": lambda w, t: w.service.list_returns(BOSS, ReturnQuery(customer_id=t)),  # noqa: E501
    "search lines by order": lambda w, t: w.service.search_returnable_lines(BOSS, LineQuery(order_number=t)),  # noqa: E501
    "stock_moves by sku": lambda w, t: w.service.stock_moves(BOSS, sku=t),
    "journal by account": lambda w, t: w.service.journal(BOSS, account_code=t),
    "remove_reason": lambda w, t: w.service.remove_reason(BOSS, t),
}  # fmt: skip


def _outcome(wiring: Wiring, lookup: str, text: str) -> str:
    try:
        return f"found {LOOKUPS[lookup](wiring, text)!r}"
    except CrmReturnsError as error:
        return (
            f"{type(error).__name__}: {error}"
            if isinstance(error, StorageError)
            else type(error).__name__
        )


@pytest.mark.parametrize("text", ["x\x00", "\ud800"], ids=["nul", "surrogate"])
@pytest.mark.parametrize("lookup", sorted(LOOKUPS))
def test_a_lookup_answers_alike_on_every_store(store: Store, lookup: str, text: str) -> None:
    """Text that no store can hold finds nothing, or is refused, the same way everywhere."""
    reference = sample_wiring(ids=SequentialIds("t"))
    outcome = _outcome(store.wiring, lookup, text)
    assert not outcome.startswith("StorageError"), outcome
    assert outcome == _outcome(reference, lookup, text)


# -- explicit limits: at the limit accepted (above and below), one over refused ---------


def over(limit: int) -> str:
    return "界" * (limit + 1)


def _reason(code: str) -> Reason:
    return Reason(code, "quality", {"en": "E", "zh-CN": "中"}, Fault.SELLER)


def _payment(reference: str) -> Payment:
    return Payment("p-1", Money(Decimal(1), "CNY"), PaymentStatus.PENDING, reference, START)


def _step(name: str) -> object:
    return load_policy({"version": "1", "steps": [{"name": name, "roles": "approver"}]})


#: Field -> (its limit, how to give one character more, what the message must name).
OVER: dict[str, tuple[int, Typed, str]] = {
    "return note": (NOTE_LIMIT, lambda w, d, t: ask(note=t), "note"),
    "line note": (NOTE_LIMIT, lambda w, d, t: ask(line_note=t), "note"),
    "inspection note": (NOTE_LIMIT, lambda w, d, t: Inspection(needs_review=True, note=t), "note"),
    "comment": (NOTE_LIMIT, lambda w, d, t: w.service.cancel_return(QA, d, t), "comment"),
    "reason label": (LABEL_LIMIT, lambda w, d, t: w.service.relabel_reason(BOSS, "other", {"en": t, "zh-CN": "其"}), "label[en]"),  # noqa: E501
    "reason code": (64, lambda w, d, t: _reason("a" * 65), "code"),
    "chosen reason code": (64, lambda w, d, t: RequestedLine(MOUSE, 1, "a" * 65), "reason_code"),
    "lot": (64, lambda w, d, t: Receipt(received=1, lot=t), "lot"),
    "payment reference": (200, lambda w, d, t: _payment(t), "reference"),
    "idempotency key": (KEY_LIMIT, lambda w, d, t: w.service.submit_return(BOSS, d, idempotency_key=t), "idempotency key"),  # noqa: E501
    "order number": (64, lambda w, d, t: LineRef(t, "1"), "order_number"),
    "line id": (64, lambda w, d, t: LineRef("SO-1", t), "line_id"),
    "actor id": (64, lambda w, d, t: Actor(t, "X", SAMPLE_TENANT), "id"),
    "actor name": (200, lambda w, d, t: Actor("u-x", t, SAMPLE_TENANT), "name"),
    "tenant id": (64, lambda w, d, t: Actor("u-x", "X", t), "tenant_id"),
    "customer id": (64, lambda w, d, t: host_line(w, MOUSE, customer_id=t), "customer_id"),
    "customer name": (200, lambda w, d, t: host_line(w, MOUSE, customer_name=t), "customer_name"),
    "sku": (64, lambda w, d, t: host_line(w, MOUSE, sku=t), "sku"),
    "product name": (200, lambda w, d, t: host_line(w, MOUSE, product_name=t), "product_name"),
    "product category": (64, lambda w, d, t: host_line(w, MOUSE, category=t), "category"),
    "search by product": (200, lambda w, d, t: LineQuery(product=t), "product"),
    "search by order": (64, lambda w, d, t: LineQuery(order_number=t), "order_number"),
    "search by customer": (64, lambda w, d, t: LineQuery(customer_id=t), "customer_id"),
    "search by category": (64, lambda w, d, t: LineQuery(category=t), "category"),
    "list by customer": (64, lambda w, d, t: ReturnQuery(customer_id=t), "customer_id"),
    "page size": (MAX_PAGE_SIZE, lambda w, d, t: ReturnQuery(limit=MAX_PAGE_SIZE + 1), "limit"),
    "policy step name": (NAME_LIMIT, lambda w, d, t: _step(t), "steps[0].name"),
}  # fmt: skip


@pytest.mark.parametrize("field", sorted(OVER))
def test_one_over_a_limit_is_refused_naming_field_and_limit(field: str) -> None:
    wiring = sample_wiring(ids=SequentialIds("t"))
    draft = prepared(wiring)
    before = copy.deepcopy(wiring.database.committed)
    limit, give, name = OVER[field]
    with pytest.raises(InvalidInput) as refused:
        give(wiring, draft, over(limit))
    message = str(refused.value)
    assert name in message, message
    assert str(limit) in message, message
    assert wiring.database.committed == before


@pytest.mark.parametrize(
    "make",
    [
        lambda: ReturnQuery(customer_id="界" * 64, limit=MAX_PAGE_SIZE),
        lambda: LineQuery(product="界" * 200, order_number="o" * 64, limit=MAX_PAGE_SIZE),
        lambda: _reason("a" * 64),
        lambda: RequestedLine(MOUSE, 1, "a" * 64),
        lambda: LineRef("界" * 64, "界" * 64),
        lambda: Actor("界" * 64, "界" * 200, "界" * 64),
        lambda: _step("界" * NAME_LIMIT),
    ],
)
def test_at_the_limit_a_value_is_accepted(make: Callable[[], object]) -> None:
    """Values the service round trip above does not fill to the limit."""
    make()
