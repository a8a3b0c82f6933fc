"""The same hostile numbers to the memory, SQLite and PostgreSQL stores: the same fate.

Numbers are checked before anything is stored, by the domain, so that every
store refuses exactly the same inputs.  Here one fixed sequence of commands —
each quantity a person or a host can give (to return, to approve, received,
inspected, repaired) filled with a hostile value — runs on a fresh memory
store, a SQLite file and a PostgreSQL schema, each wired alike and holding the
same few returns.  On every store, step by step:

- the outcome is the memory store's: the same value returned, down to a
  Decimal's scale, or the same error class with the same message;
- a value the grammar refuses is refused with ``InvalidInput`` (its kind
  ``InvalidQuantity`` for numbers) and leaves the store exactly as it was;
- no message shows SQL (the driver's error, if any, would stay chained).

PostgreSQL runs need ``CRM_RETURNS_TEST_POSTGRES_URL`` (see ``tests/adapters/postgres.py``).
"""

from __future__ import annotations

import contextlib
import copy
import re
from collections.abc import Callable, Iterator
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
    Inspection,
    LineRef,
    Receipt,
    RequestedLine,
    ReturnQuery,
    ReturnRequest,
    errors,
)
from crm_returns.adapters.memory import SequentialIds
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.stock.dispositions import Disposition
from crm_returns.errors import CrmReturnsError, InvalidInput, InvalidQuantity
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing import Wiring, sample_wiring
from crm_returns.testing.conformance import assert_identical

EVERY_ROLE = frozenset({"admin", "requester", "approver", "inspector", "warehouse", "finance"})
BOSS = Actor("u-boss", "Boss", SAMPLE_TENANT, EVERY_ROLE)
DEPUTY = Actor("u-deputy", "Deputy", SAMPLE_TENANT, EVERY_ROLE)  # requests, so BOSS may approve
MOUSE, CABLE = LineRef("SO-1001", "1"), LineRef("SO-1001", "2")
CHAIR, LAMP = LineRef("SO-1002", "1"), LineRef("SO-1002", "2")
REEL = LineRef("SO-1001", "9")  # cable sold by the metre, to the centimetre

#: A value, and the error the grammar refuses it with (``None``: a number it takes).
HOSTILE: tuple[tuple[str, Any, type[CrmReturnsError] | None], ...] = (
    ("Arabic-Indic three", "٣", InvalidQuantity),
    ("full-width three", "３", InvalidQuantity),
    ("underscores", "1_000", InvalidQuantity),
    ("spaces", " 3 ", InvalidQuantity),
    ("exponent text", "1e-400000", InvalidQuantity),
    ("sign", "+1", InvalidQuantity),
    ("negative text", "-1", InvalidQuantity),
    ("NaN text", "NaN", InvalidQuantity),
    ("infinity text", "Infinity", InvalidQuantity),
    ("tiny Decimal", Decimal("1E-400000"), InvalidQuantity),
    ("ten-millionth", Decimal("1E-7"), InvalidQuantity),
    ("huge Decimal", Decimal("1E+1000000"), InvalidQuantity),
    ("a trillion", 10**12, InvalidQuantity),
    ("googol", 10**100, InvalidQuantity),
    ("NaN", Decimal("NaN"), InvalidQuantity),
    ("float", 0.5, InvalidQuantity),
    ("flag", True, InvalidQuantity),
    ("None", None, InvalidQuantity),
    ("dict", {"units": 1}, InvalidQuantity),
    ("list", ["1"], InvalidQuantity),
    ("a half", Decimal("0.5"), None),  # finer than pieces, whole centimetres of cable
    ("a half as text", "0.5", None),
    ("a thousandth", Decimal("0.001"), None),  # finer than centimetres too
    ("zero with a long scale", Decimal("0E-400000"), None),
    ("one with trailing zeros", Decimal("1.0000000"), None),
    ("a hundred as an exponent", Decimal("1E+2"), None),
    ("one", "1", None),
)

#: ``(what, command)``: each takes the wiring, the prepared returns' ids and the value.
Command = Callable[[Wiring, dict[str, str], Any], object]


def _request(ref: LineRef, units: Any) -> ReturnRequest:
    return ReturnRequest((RequestedLine(ref, units, "changed_requirement"),))


COMMANDS: tuple[tuple[str, Command], ...] = (
    ("return pieces", lambda w, r, v: w.service.create_return(DEPUTY, _request(MOUSE, v))),
    ("return metres", lambda w, r, v: w.service.create_return(DEPUTY, _request(REEL, v))),
    ("preview", lambda w, r, v: w.service.preview_return(DEPUTY, _request(LAMP, v))),
    ("edit", lambda w, r, v: w.service.edit_return(DEPUTY, r["draft"], _request(MOUSE, v).lines)),
    ("approve", lambda w, r, v: w.service.approve_return(BOSS, r["submitted"], "", {CHAIR: v})),
    ("receive pieces", lambda w, r, v: w.service.receive_goods(BOSS, r["approved"], {LAMP: Receipt(received=v)})),  # noqa: E501
    ("receive metres", lambda w, r, v: w.service.receive_goods(BOSS, r["metres"], {REEL: Receipt(received=v)})),  # noqa: E501
    ("missing metres", lambda w, r, v: w.service.receive_goods(BOSS, r["metres"], {REEL: Receipt(missing=v)})),  # noqa: E501
    ("inspect", lambda w, r, v: w.service.inspect_goods(BOSS, r["received"], {CABLE: Inspection(accepted=v)})),  # noqa: E501
    ("reject", lambda w, r, v: w.service.inspect_goods(BOSS, r["received"], {CABLE: Inspection(rejected=v)})),  # noqa: E501
    ("repair", lambda w, r, v: w.service.finish_repair(BOSS, r["repair"], MOUSE, v)),
)  # fmt: skip

#: Values of the wrong type where lines and statuses are named (typed Any: passed anyway).
REF_AS_DICT: Any = {"order_number": "SO-1001", "line_id": "1"}
STATUSES_WITH_A_LIST: Any = [["draft"]]
RECEIPTS_BY_TEXT: Any = {"SO-1002/2": Receipt(received=1)}
QUANTITIES_AS_A_LIST: Any = [(CHAIR, 1)]

WRONG_TYPES: tuple[tuple[str, Command], ...] = (
    ("a dict as a line reference", lambda w, r, v: RequestedLine(REF_AS_DICT, 1, "other")),
    ("a list among statuses", lambda w, r, v: w.service.list_returns(BOSS, ReturnQuery(statuses=STATUSES_WITH_A_LIST))),  # noqa: E501
    ("receipts keyed by text", lambda w, r, v: w.service.receive_goods(BOSS, r["approved"], RECEIPTS_BY_TEXT)),  # noqa: E501
    ("approved quantities as a list", lambda w, r, v: w.service.approve_return(BOSS, r["submitted"], "", QUANTITIES_AS_A_LIST)),  # noqa: E501
)  # fmt: skip

_SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|FROM|WHERE)\b|\[SQL|\[parameters")


def _reel() -> DeliveredLine:
    """Network cable by the metre: 12.50 m delivered, whole centimetres."""
    cable = next(line for line in sample_lines() if line.ref == CABLE)
    return attrs.evolve(
        cable,
        ref=REEL,
        sku="CBL-REEL",
        product_name="网线（按米）Network cable by the metre",
        quantity_delivered=Decimal("12.50"),
        unit_places=2,
    )


def prepare(wiring: Wiring) -> dict[str, str]:
    """The returns the commands act on, by the state they wait in: their ids."""
    wiring.orders.add(SAMPLE_TENANT, _reel())
    s = wiring.service

    def submitted(ref: LineRef, units: object, reason: str = "changed_requirement") -> str:
        order = s.create_return(DEPUTY, ReturnRequest((RequestedLine(ref, units, reason),)))
        return s.submit_return(DEPUTY, order.id).id

    ids = {
        "draft": s.create_return(DEPUTY, _request(MOUSE, 1)).id,
        "submitted": submitted(CHAIR, 1),  # 2,399.00: waits for a manager
        "approved": submitted(LAMP, 2),
        "metres": submitted(REEL, "5.25"),
        "received": submitted(CABLE, 3, "quality_defect"),  # needs inspection
        "repair": submitted(MOUSE, 2, "quality_defect"),
    }
    for key in ("received", "repair"):
        s.approve_return(BOSS, ids[key])  # the quality step
    s.receive_goods(BOSS, ids["received"], {CABLE: Receipt(received=3)})
    s.receive_goods(BOSS, ids["repair"], {MOUSE: Receipt(received=2)})
    s.inspect_goods(
        BOSS, ids["repair"], {MOUSE: Inspection(accepted=2, disposition=Disposition.REPAIR)}
    )
    return ids


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


def memory_store() -> Store:
    wiring = sample_wiring(ids=SequentialIds("n"))
    return Store("memory", wiring, lambda: copy.deepcopy(wiring.database.committed))


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, empty store with the sample wiring on it (ids ``n-1``, ``n-2``, ...)."""
    if request.param == "memory":
        yield memory_store()
        return
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            database = SqlDatabase.connect(f"sqlite:///{tmp_path / 'numbers.db'}")
        else:
            url = postgres_url()
            schema = stack.enter_context(fresh_schema(url, "crm_returns_numbers"))
            database = SqlDatabase.connect(url, schema=schema)
        stack.callback(database.dispose)
        database.upgrade()
        wiring = sample_wiring(unit_of_work=database.unit_of_work, ids=SequentialIds("n"))
        yield Store(request.param, wiring, _sql_dump(database))


Outcome = tuple[str, object]  # ("returned", value) or (error class, message)


def run(store: Store) -> list[tuple[str, Outcome]]:
    """Every command with every hostile value, in one fixed order, on ``store``.

    Each refusal is checked on the spot: the library's error, readable without
    SQL, and nothing changed in the store.
    """
    ids = prepare(store.wiring)
    cases = [
        (f"{what} {label}", command, value)
        for what, command in COMMANDS
        for label, value, _ in HOSTILE
    ] + [(what, command, None) for what, command in WRONG_TYPES]
    outcomes = []
    for case, command, value in cases:
        before = store.dump()
        try:
            outcome: Outcome = ("returned", command(store.wiring, ids, value))
        except CrmReturnsError as error:
            message = str(error)
            assert not _SQL.search(message), f"{store.name}, {case}: SQL in {message!r}"
            assert store.dump() == before, f"{store.name}, {case}: refused, but changed the store"
            outcome = (type(error).__name__, message)
        outcomes.append((case, outcome))
    return outcomes


def test_every_store_meets_hostile_numbers_as_memory_does(store: Store) -> None:
    expected = run(memory_store())
    actual = run(store)
    assert [case for case, _ in actual] == [case for case, _ in expected]
    for (case, got), (_, wanted) in zip(actual, expected, strict=True):
        assert got[0] == wanted[0], f"{store.name}, {case}: {got} where memory gave {wanted}"
        if got[0] == "returned":
            assert_identical(got[1], wanted[1], f"{store.name}, {case}")
        else:
            assert got == wanted, f"{store.name}, {case}"


def test_the_grammar_refuses_what_it_says_on_every_store(store: Store) -> None:
    """Each value the grammar refuses is refused by every command, with its kind of error."""
    outcomes = dict(run(store))
    for what, _ in COMMANDS:
        for label, _, refused in HOSTILE:
            if refused is not None:
                kind, message = outcomes[f"{what} {label}"]
                assert kind == refused.__name__, f"{store.name}, {what} {label}: {kind} {message}"
    for what, _ in WRONG_TYPES:
        kind, message = outcomes[what]
        assert issubclass(getattr(errors, kind), InvalidInput), (
            f"{store.name}, {what}: {kind} {message}"
        )


@pytest.mark.parametrize(
    ("what", "units", "finest"),
    [
        ("return pieces", Decimal("0.5"), "whole units"),
        ("return metres", Decimal("0.001"), "at most 2 decimal places"),
        ("approve", "0.5", "whole units"),
        ("receive pieces", "0.5", "whole units"),
        ("receive metres", Decimal("0.001"), "at most 2 decimal places"),
        ("missing metres", Decimal("0.005"), "at most 2 decimal places"),
        ("inspect", Decimal("0.5"), "whole units"),
        ("reject", Decimal("0.5"), "whole units"),
        ("repair", Decimal("0.5"), "whole units"),
    ],
)
def test_a_quantity_finer_than_the_lines_unit_is_refused_on_every_store(
    store: Store, what: str, units: object, finest: str
) -> None:
    ids = prepare(store.wiring)
    before = store.dump()
    with pytest.raises(InvalidQuantity, match=f"is finer than its unit allows \\({finest}\\)"):
        dict(COMMANDS)[what](store.wiring, ids, units)
    assert store.dump() == before


def test_metres_are_returned_received_and_claimed_to_the_centimetre(store: Store) -> None:
    ids = prepare(store.wiring)
    s = store.wiring.service
    order = s.receive_goods(BOSS, ids["metres"], {REEL: Receipt(received="2.75", missing="0.50")})
    line = order.line(REEL)
    assert (line.received, line.missing, line.awaiting_receipt) == (
        Decimal("2.75"),
        Decimal("0.50"),
        Decimal("2.00"),
    )
    assert line.unit_places == 2
    more = s.create_return(DEPUTY, _request(REEL, "7.25"))
    assert more.line(REEL).requested == Decimal("7.25")
    with pytest.raises(CrmReturnsError, match=r"returnable 0\.00"):
        s.create_return(DEPUTY, _request(REEL, "0.01"))
