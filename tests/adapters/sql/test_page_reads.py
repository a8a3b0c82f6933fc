"""A page of a list reads what is on the page, whatever the history behind it (issue 16).

The customer's own list (``my_returns``) reads the page's returns, then their
requests and parcels; the late list (``late_returns``) reads the page's
assignments, then their returns.  Each of those reads is one statement
(``casefile.for_returns``, ``returns.get_many``) through an index, so that
the statements a page sends, and the documents it decodes, stay the same
for a customer of five returns and one of sixty-five, and for a page of
five and one of twenty.  Statements are caught as they go out (a cursor
listener); documents are counted as the database's codec decodes them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.sql.query_plans import explained, sent_statement

from crm_returns import Actor
from crm_returns.adapters.memory import ManualClock, MemoryOrderSource, SequentialIds
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.sql.codec import Codec
from crm_returns.domain.casefile import CaseRecord
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.domain.requests.deciding import open_request
from crm_returns.domain.requests.records import RequestStatus
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.shipments.records import Shipment, ShipmentMethod
from crm_returns.service import ReturnsService
from crm_returns.service.settings import ServiceSettings
from crm_returns.testing.conformance._history import history

TENANT = "pages"
CUSTOMER = "C-MANY"
TEAM = "desk"
#: Returns whose case-file rows the plan tests hold.
PLANNED = 3_000
PORTAL = Actor("p-many", "常客", TENANT, frozenset({"customer"}), customer_id=CUSTOMER)
SUPERVISOR = Actor("u-lead", "主管", TENANT, frozenset({"supervisor"}))


def _return(index: int) -> ReturnOrder:
    """Return ``index`` of the customer: a real submitted return, with an order line of its own."""
    template = history().submitted
    lines = []
    for line in template.lines:
        ref = attrs.evolve(line.ref, order_number=f"SO-P-{index:05d}")
        lines.append(attrs.evolve(line, ref=ref, pricing=attrs.evolve(line.pricing, ref=ref)))
    return attrs.evolve(
        template,
        tenant_id=TENANT,
        id=f"r-{index:05d}",
        number=f"RT-P-{index:05d}",
        customer_id=CUSTOMER,
        created_at=template.created_at + timedelta(minutes=index),
        updated_at=template.created_at + timedelta(minutes=index),
        lines=tuple(lines),
    )


def _records(order: ReturnOrder) -> Iterator[CaseRecord]:
    """Its request, a parcel, and an assignment to the team that is overdue."""
    yield open_request(order, f"q-{order.id}", "")
    yield Shipment(
        tenant_id=TENANT,
        id=f"s-{order.id}",
        return_id=order.id,
        customer_id=CUSTOMER,
        at=order.created_at,
        method=ShipmentMethod.DROP_OFF,
        updated_at=order.created_at,
    )
    yield Assignment(
        tenant_id=TENANT,
        id=f"a-{order.id}",
        return_id=order.id,
        customer_id=CUSTOMER,
        at=order.created_at,
        team=TEAM,
        assigned_by="u-lead",
        stage=Stage.SHIP_BACK,
        since=order.created_at,
        due_at=order.created_at + timedelta(days=3),
    )


def _fill(database: SqlDatabase, indexes: range) -> None:
    with database.unit_of_work() as uow:
        for index in indexes:
            order = _return(index)
            uow.returns.add(order)
            for record in _records(order):
                uow.casefile.add(record)
        uow.commit()


@pytest.fixture
def service(database: SqlDatabase) -> ReturnsService:
    """The service over ``database``, its clock a year after the returns were made."""
    now = history().submitted.created_at + timedelta(days=365)
    settings = ServiceSettings(clock=ManualClock(now), ids=SequentialIds())
    return ReturnsService(MemoryOrderSource(), database.unit_of_work, settings)


@attrs.frozen
class _Reading:
    """What reading a page sent and decoded."""

    statements: int
    decoded: Counter[str]


def _read(
    database: SqlDatabase,
    monkeypatch: pytest.MonkeyPatch,
    page: Callable[[], Sequence[object]],
    expected: int,
) -> _Reading:
    sent: list[str] = []
    decoded: Counter[str] = Counter()
    decode_text = Codec.decode_text

    def counting(codec: Codec, text: str, as_type: type[Any]) -> Any:
        decoded[as_type.__name__] += 1
        return decode_text(codec, text, as_type)

    def catch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    with monkeypatch.context() as patched:
        patched.setattr(Codec, "decode_text", counting)
        sa.event.listen(database.engine, "before_cursor_execute", catch)
        try:
            items = page()
        finally:
            sa.event.remove(database.engine, "before_cursor_execute", catch)
    assert len(items) == expected, "the page is not full: it would prove nothing"
    return _Reading(len(sent), decoded)


def test_a_page_of_my_returns_reads_the_records_of_that_page_only(
    database: SqlDatabase, service: ReturnsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def page() -> Sequence[object]:
        return service.my_returns(PORTAL, limit=5, with_total=False).items

    _fill(database, range(5))
    few = _read(database, monkeypatch, page, 5)
    _fill(database, range(5, 65))
    many = _read(database, monkeypatch, page, 5)
    # The page's returns (and one more, to know whether a page follows), then
    # the requests and the parcels of the page's returns, not of all sixty-five.
    assert (few.statements, many.statements) == (3, 3)
    assert few.decoded == Counter({"ReturnOrder": 5, "ReturnRequest": 5, "Shipment": 5})
    assert many.decoded == Counter({"ReturnOrder": 6, "ReturnRequest": 5, "Shipment": 5})
    # The newest five, each with its request's status.
    entries = service.my_returns(PORTAL, limit=5).items
    assert [entry.return_id for entry in entries] == [f"r-{n:05d}" for n in range(64, 59, -1)]
    assert {entry.request for entry in entries} == {RequestStatus.PENDING}


def test_a_page_of_late_returns_reads_its_returns_in_one_statement(
    database: SqlDatabase, service: ReturnsService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def page(size: int) -> Callable[[], Sequence[object]]:
        return lambda: service.late_returns(SUPERVISOR, team=TEAM, limit=size).items

    _fill(database, range(5))
    few = _read(database, monkeypatch, page(5), 5)
    _fill(database, range(5, 65))
    many = _read(database, monkeypatch, page(5), 5)
    larger = _read(database, monkeypatch, page(20), 20)
    # The page's assignments (and one more, to know whether a page follows),
    # then their returns: two statements, whatever the page's size.
    assert (few.statements, many.statements, larger.statements) == (2, 2, 2)
    assert few.decoded == Counter({"Assignment": 5, "ReturnOrder": 5})
    assert many.decoded == Counter({"Assignment": 6, "ReturnOrder": 6})
    assert larger.decoded == Counter({"Assignment": 21, "ReturnOrder": 21})


def _index_of(database: SqlDatabase, name: str) -> str:
    return f"ix_{database.tables.prefix}{name}"


def test_the_records_of_a_page_of_returns_are_read_through_the_return_index(
    database: SqlDatabase,
) -> None:
    # Rows enough for the shape of a plan: each return's request, parcel and
    # assignment, bulk-inserted.
    records = [record for n in range(PLANNED) for record in _records(_return(n))]
    codec = Codec()
    rows = [
        {
            "tenant_id": TENANT,
            "kind": record.kind,
            "id": record.id,
            "return_id": record.return_id,
            "customer_id": record.customer_id,
            "key": record.index().key,
            "owner": None,
            "team": record.index().team,
            "due_at": record.index().due_at,
            "at": record.at,
            "version": 1,
            "document": codec.encode(record),
        }
        for record in records
    ]
    table = database.tables.case_records
    with database.engine.begin() as connection:
        connection.execute(sa.insert(table), rows)
        connection.execute(sa.text(f'ANALYZE "{table.name}"'))
    page = [f"r-{n:05d}" for n in range(100, 150)]
    statement, parameters = sent_statement(
        database, lambda uow: uow.casefile.for_returns(TENANT, page, Shipment), "shipments"
    )
    plan = explained(database, statement, parameters)
    index = _index_of(database, "case_records_tenant_id_return_id_kind_at")
    if database.engine.dialect.name == "sqlite":
        assert f"INDEX {index} (tenant_id=? AND return_id=? AND kind=?)" in plan, plan
    else:
        assert f"Index Scan using {index} " in plan, plan
        assert re.search(r"\(?return_id\)?(::text)? = ANY", plan), plan


def test_the_returns_of_a_page_are_read_by_primary_key(database: SqlDatabase) -> None:
    _fill(database, range(300))
    with database.engine.begin() as connection:
        connection.execute(sa.text(f'ANALYZE "{database.tables.returns.name}"'))
    sent: list[tuple[str, Any]] = []

    def catch(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        sent.append((statement, parameters))

    page = [f"r-{n:05d}" for n in range(100, 150)]
    sa.event.listen(database.engine, "before_cursor_execute", catch)
    try:
        with database.unit_of_work() as uow:
            found = uow.returns.get_many(TENANT, page)
    finally:
        sa.event.remove(database.engine, "before_cursor_execute", catch)
    assert sorted(found) == page
    (statement, parameters), *others = [s for s in sent if "SELECT" in s[0]]
    assert others == []
    plan = explained(database, statement, parameters)
    if database.engine.dialect.name == "sqlite":
        assert "(tenant_id=? AND id=?)" in plan, plan
        assert "SCAN" not in plan, plan
    else:
        assert f"Index Scan using pk_{database.tables.prefix}returns " in plan, plan
        assert re.search(r"\(?id\)?(::text)? = ANY", plan), plan
