"""Hostile and broken input through every public method of ``ReturnsService`` (invariant 7).

Hypothesis picks a method from :data:`CALLS` and feeds it arbitrary values: huge,
negative, zero, NaN, infinite and float numbers; empty, blank and 10,000-character
strings; control characters, lone surrogates, mixed scripts, SQL and HTML; unknown
ids and the ids and numbers of another tenant's returns; ``None``, lists and dicts
where values belong; and value objects (lines, receipts, inspections, queries,
reasons, money) built from all of that.  Whatever happens:

(a) the only exceptions are ``crm_returns.errors.CrmReturnsError`` subclasses
    (building a value object counts: refusing there is the library refusing);
(b) the message is readable: not empty, names something in words, shows no repr
    of the library's internals, no raw control characters, and is short enough to log;
(c) a call that fails changes nothing in the store (a refused permission may add
    its one ``denied`` audit entry: the access policy records denials by design).

Every example starts from the same world (returns in each interesting state, and a
second tenant's returns to reach for), on the memory store and on a SQLite file.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import operator
import re
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_returns import (
    Actor,
    AttachmentSubject,
    CarrierEvent,
    ContactChannel,
    CycleGrouping,
    DateBasis,
    Dimension,
    Direction,
    FactQuery,
    Fault,
    HoldScope,
    Inspection,
    LineQuery,
    LineRef,
    Measure,
    Money,
    Reason,
    ReasonCategory,
    ReasonLevel,
    Receipt,
    ReportPeriod,
    ReportWindow,
    RequestedLine,
    ReturnQuery,
    ReturnRequest,
    ReturnsService,
    ReturnStatus,
    ShipmentMethod,
    ShipmentPlan,
    ShippingPayer,
    TrackingStatus,
)
from crm_returns.adapters.memory import MemoryDestination, SequentialIds
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome
from crm_returns.errors import CrmReturnsError, NotAuthorised
from crm_returns.ports import UnitOfWork
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.service.relay_settings import RelaySettings
from crm_returns.testing import Wiring, sample_wiring

OTHER_TENANT = "globex"
EVERY_ROLE = frozenset(
    {"admin", "requester", "approver", "warehouse", "inspector", "finance", "auditor"}
)
BOSS = Actor("u-boss", "老板 Boss", SAMPLE_TENANT, EVERY_ROLE)  # makes most hostile calls
DEPUTY = Actor("u-deputy", "副手 Deputy", SAMPLE_TENANT, EVERY_ROLE)  # requested the returns
ASSISTANT = Actor("u-assistant", "助理 Assistant", SAMPLE_TENANT, EVERY_ROLE)
NOBODY = Actor("u-nobody", "无权限 Nobody", SAMPLE_TENANT)  # holds no role at all
RIVAL = Actor("u-rival", "Mallory", OTHER_TENANT, EVERY_ROLE)
#: A customer through the portal (role ``customer``), the customer of the sample's SO-1001.
CUSTOMER_ACTOR = Actor("p-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
#: A customer through the host's portal, who may reach only C-1001's returns.
PORTAL_CUSTOMER = Actor("u-customer", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
MOUSE, CABLE, MONITOR = LineRef("SO-1001", "1"), LineRef("SO-1001", "2"), LineRef("SO-1001", "3")
CHAIR, LAMP = LineRef("SO-1002", "1"), LineRef("SO-1002", "2")
REFS = (MOUSE, CABLE, MONITOR, CHAIR, LAMP)

#: The longest error message that still reads in a log line or a dialog.
MESSAGE_LIMIT = 1_000


# -- the world every example starts from ----------------------------------------------


@attrs.frozen
class World:
    """Acme's returns by state and their numbers; globex's ids and numbers; a payment."""

    draft: str
    submitted: str  # waits for a manager
    approved: str  # waits for goods
    received: str  # waits for inspection
    paying: str  # one unit in repair, refund granted, a payment pending
    numbers: tuple[str, ...]
    foreign: tuple[str, ...]
    payment: str
    shipment: str = "no-such-shipment"  # a carrier pickup of ``approved`` (memory store only)

    @property
    def own(self) -> tuple[str, ...]:
        return (self.draft, self.submitted, self.approved, self.received, self.paying)


def one_line(ref: Any, units: Any, reason: str = "other", note: Any = "") -> ReturnRequest:
    """A request for one line."""
    return ReturnRequest((RequestedLine(ref, units, reason),), note)


def wire(unit_of_work: Callable[[], UnitOfWork] | None, prefix: str) -> Wiring:
    """The sample wiring on ``unit_of_work``; globex holds the same order lines as acme."""
    wiring = sample_wiring(unit_of_work=unit_of_work, ids=SequentialIds(prefix))
    for line in sample_lines(wiring.clock.now()):
        wiring.orders.add(OTHER_TENANT, line)
    return wiring


def build_world(s: ReturnsService) -> World:
    """Returns in each state that a command needs, and two of globex's."""

    def create(actor: Actor, ref: LineRef, reason: str, submit: bool = True) -> str:
        order = s.create_return(actor, one_line(ref, 1, reason))
        return s.submit_return(actor, order.id).id if submit else order.id

    received = create(DEPUTY, CABLE, "quality_defect")
    s.approve_return(ASSISTANT, received)
    s.receive_goods(BOSS, received, {CABLE: Receipt(received=1)})
    paying = create(DEPUTY, MONITOR, "quality_defect")  # a manager, then quality
    s.approve_return(BOSS, paying, "同意")
    s.approve_return(ASSISTANT, paying, "质检同意")
    s.receive_goods(BOSS, paying, {MONITOR: Receipt(received=1, serial_numbers=["MON27-0001"])})
    s.inspect_goods(BOSS, paying, {MONITOR: Inspection(accepted=1, disposition=Disposition.REPAIR)})
    s.grant_refund(BOSS, paying)
    order = s.record_refund_payment(BOSS, paying, Money(Decimal("100.00"), "CNY"), "PSP-1")
    assert order.grant is not None
    theirs = (create(RIVAL, MOUSE, "other", submit=False), create(RIVAL, LAMP, "other"))
    own = {
        "draft": create(DEPUTY, MOUSE, "wrong_order", submit=False),
        "submitted": create(DEPUTY, CHAIR, "changed_requirement"),
        "approved": create(DEPUTY, LAMP, "wrong_order"),
        "received": received,
        "paying": paying,
    }
    return World(
        **own,
        numbers=tuple(s.get_return(BOSS, rid).number for rid in own.values()),
        foreign=(*theirs, *(s.get_return(RIVAL, rid).number for rid in theirs)),
        payment=order.grant.payments[0].id,
    )


@attrs.frozen
class Subject:
    """A service over a fresh copy of the world, and a dump of its store.

    ``dump(True)`` leaves out "denied" audit entries.
    """

    service: ReturnsService
    dump: Callable[[bool], object]


class MemoryWorld:
    """The world in memory, copied into a fresh database for every example."""

    def __init__(self) -> None:
        wiring = wire(None, "world")
        world = build_world(wiring.service)
        plan = ShipmentPlan(method=ShipmentMethod.CARRIER_PICKUP, carrier="memory")
        shipment = wiring.service.add_shipment(BOSS, world.approved, plan)
        self.world = attrs.evolve(world, shipment=shipment.id)
        self._committed = copy.deepcopy(wiring.database.committed)

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Subject]:
        wiring = wire(None, "x")
        wiring.database.committed = copy.deepcopy(self._committed)

        def dump(without_denials: bool) -> object:
            state = attrs.asdict(copy.deepcopy(wiring.database.committed), recurse=False)
            if without_denials:
                audit = state["audit"].items()
                kept = {key: [e for e in log if e.action.value != "denied"] for key, log in audit}
                state["audit"] = {key: log for key, log in kept.items() if log}
            return state

        yield Subject(wiring.service, dump)


class SqliteWorld:
    """The world in a SQLite file, copied to a new file for every example."""

    def __init__(self, folder: Path) -> None:
        self._folder, self._copies = folder, 0
        self._template = folder / "world.db"
        database = SqlDatabase.connect(f"sqlite:///{self._template}")
        database.upgrade()
        self.world = build_world(wire(database.unit_of_work, "world").service)
        database.dispose()

    @contextlib.contextmanager
    def fresh(self) -> Iterator[Subject]:
        self._copies += 1
        path = self._folder / f"copy-{self._copies}.db"
        for suffix in ("", "-wal"):
            if Path(f"{self._template}{suffix}").exists():
                shutil.copyfile(f"{self._template}{suffix}", f"{path}{suffix}")
        database = SqlDatabase.connect(f"sqlite:///{path}")

        def dump(without_denials: bool) -> object:
            tables = {}
            with database.engine.connect() as connection:
                for table in database.tables.metadata.sorted_tables:
                    rows = [dict(row) for row in connection.execute(sa.select(table)).mappings()]
                    if table is database.tables.audit_entries and without_denials:
                        rows = [row for row in rows if row["action"] != "denied"]
                    tables[table.name] = sorted(repr(row) for row in rows)
            return tables

        try:
            yield Subject(wire(database.unit_of_work, "x").service, dump)
        finally:
            database.dispose()


@pytest.fixture(scope="module")
def memory_world() -> MemoryWorld:
    return MemoryWorld()


@pytest.fixture(scope="module")
def sqlite_world(tmp_path_factory: pytest.TempPathFactory) -> SqliteWorld:
    return SqliteWorld(tmp_path_factory.mktemp("hostile"))


# -- what a hostile caller types ------------------------------------------------------

SCARY_TEXT = (
    *("", " ", "\t\r\n", "\x00", "a\x00b", "\x1b[2J\x07", "\u202eevil\u202c", "\ud800"),
    *("'; DROP TABLE returns; --", "<script>alert(1)</script>", "%", "_", "*", "null"),
    *("张伟 👩\u200d👩\u200d👧 🇨🇳 مرحبا", "e\u0301", "ＳＯ-1001", "SO-1001", "1", "other"),
)
LONG_TEXT = st.builds(
    operator.mul,
    st.sampled_from(["x", "界", "😀", "\x00", " ", "a\u0301"]),
    st.sampled_from([32, 33, 64, 65, 200, 201, 2000, 2001, 10_000]),
)
TEXT = st.one_of(st.sampled_from(SCARY_TEXT), st.text(max_size=24), LONG_TEXT)
WEIRD_NUMBERS = (
    *(Decimal("NaN"), Decimal("-NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")),
    *(Decimal("-0"), Decimal("0E-30"), Decimal("-1"), Decimal("0.001"), Decimal("1E+30")),
    *(Decimal("1E+1000000"), Decimal("9E+999999"), Decimal("1E-1000000")),
    *("NaN", "-Infinity", "1e999999", "١٢", "0x10", "", " 2 ", "1,000", "1_0"),
    *(10**100, -(10**100), 0.1, float("nan"), float("inf"), True),
)
NUMBER = st.one_of(
    st.sampled_from(WEIRD_NUMBERS), st.decimals(), st.floats(), st.integers().map(str)
)
QUANTITY = st.one_of(st.integers(0, 3), st.integers(0, 3).map(Decimal), NUMBER)
JUNK = st.sampled_from([None, [], ["x"], {}, {"a": 1}, (), b"bytes", 3.5, -1, 0, True])
ANY = st.one_of(TEXT, NUMBER, JUNK)
HASHABLE = st.one_of(TEXT, st.integers(), st.none(), st.sampled_from(REFS))
MOMENT = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)), st.datetimes(), TEXT)
WHOLE = st.one_of(st.integers(-3, 600), st.sampled_from([0, 1, 500, 501, 10**20]), ANY)


def optional(strategy: st.SearchStrategy[Any], default: object = "") -> st.SearchStrategy[Any]:
    """The default, a plausible value, or anything at all."""
    return st.one_of(st.just(default), strategy, ANY)


def mapping(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A dict keyed by order lines (known, made up, or not a LineRef at all), or anything."""
    return st.one_of(st.dictionaries(HASHABLE, values, max_size=3), ANY)


CODE = st.one_of(
    st.from_regex(r"[a-z][a-z0-9_.-]{0,8}", fullmatch=True),
    st.sampled_from(["quality", "wrong_order", "quality_defect", "a" * 64, "a" * 65]),
    TEXT,
    JUNK,
)
LABELS = st.one_of(
    st.fixed_dictionaries({"en": TEXT, "zh-CN": TEXT}), st.dictionaries(HASHABLE, ANY), ANY
)
REF = st.one_of(st.sampled_from(REFS), st.builds(LineRef, TEXT, TEXT), ANY)
CURRENCY = st.sampled_from(["CNY", "USD", "JPY", "cny", "XXX", "", None])
MONEY = st.one_of(
    st.builds(Money, st.sampled_from(["0.01", "50.00", "100.00"]).map(Decimal), st.just("CNY")),
    st.builds(Money, NUMBER, CURRENCY),
    ANY,
)
SERIALS = st.lists(st.sampled_from(["MON27-0001", "MON27-0002", "X"]))
COUNT = optional(QUANTITY, 0)
RECEIPT = st.builds(Receipt, QUANTITY, COUNT, COUNT, COUNT, optional(SERIALS, ()), optional(TEXT))
INSPECTION = st.builds(
    Inspection,
    *(QUANTITY, COUNT, optional(st.booleans(), False), optional(TEXT)),
    optional(st.sampled_from(Disposition), Disposition.RESTOCK),
    optional(st.dictionaries(st.sampled_from(Disposition), QUANTITY), ()),
    optional(st.sampled_from(RejectOutcome), RejectOutcome.KEEP_IN_QUARANTINE),
)
REQUESTED = st.builds(RequestedLine, REF, QUANTITY, CODE, note=optional(TEXT))
REQUEST = st.builds(ReturnRequest, optional(st.lists(REQUESTED, max_size=3), ()), optional(TEXT))
TEXT_OR_NONE = optional(TEXT, None)
PAGING = {"offset": optional(WHOLE, 0), "limit": optional(WHOLE, 50)}
LINE_QUERY = st.builds(
    LineQuery,
    **dict.fromkeys(("order_number", "customer_id", "product", "category"), TEXT_OR_NONE),
    **dict.fromkeys(("delivered_from", "delivered_to"), MOMENT),
    **PAGING,
)
RETURN_QUERY = st.builds(
    ReturnQuery,
    statuses=optional(st.frozensets(st.sampled_from(ReturnStatus)), frozenset()),
    customer_id=TEXT_OR_NONE,
    **dict.fromkeys(("created_from", "created_to"), MOMENT),
    **PAGING,
)
CATEGORY = st.builds(ReasonCategory, CODE, LABELS)
FAULT = optional(st.sampled_from(Fault), Fault.CUSTOMER)
REASON = st.builds(Reason, CODE, CODE, LABELS, FAULT, optional(st.booleans(), True))


# -- every public method, and what to pass it -----------------------------------------


class Draw:
    """Draws the arguments of one call, knowing the world's ids."""

    def __init__(self, data: st.DataObject, world: World) -> None:
        self.data, self.world = data, world

    def __call__(self, strategy: st.SearchStrategy[Any], label: str) -> Any:
        return self.data.draw(strategy, label=label)

    def actor(self) -> Any:
        hostile = st.builds(Actor, TEXT, TEXT, TEXT, optional(st.just(EVERY_ROLE), EVERY_ROLE))
        others = st.sampled_from([DEPUTY, NOBODY, RIVAL, PORTAL_CUSTOMER])
        return self(st.one_of(st.just(BOSS), st.just(BOSS), others, hostile, JUNK), "actor")

    def return_id(self, *, or_none: bool = False) -> Any:
        w = self.world
        ours, theirs = st.sampled_from(sorted(w.own)), st.sampled_from(w.foreign)
        numbers, none = st.sampled_from(w.numbers), st.none() if or_none else st.nothing()
        return self(st.one_of(ours, ours, numbers, theirs, TEXT, JUNK, none), "return id")

    def shipment_id(self) -> Any:
        return self(st.one_of(st.just(self.world.shipment), TEXT, JUNK), "shipment id")

    def payment_id(self) -> Any:
        return self(st.one_of(st.just(self.world.payment), TEXT, JUNK), "payment id")


@attrs.frozen
class Arg:
    """One argument: how to draw it, and its keyword when it is passed by name."""

    draw: Callable[[Draw], Any]
    keyword: str | None = None


def arg(strategy: st.SearchStrategy[Any], name: str, *, by_name: bool = False) -> Arg:
    return Arg(lambda draw: draw(strategy, name), name if by_name else None)


ACTOR, RETURN_ID, PAYMENT_ID = Arg(Draw.actor), Arg(Draw.return_id), Arg(Draw.payment_id)
RETURN_ID_OR_NONE = Arg(lambda draw: draw.return_id(or_none=True), "return_id")
KEY = arg(optional(st.text(min_size=1, max_size=8), None), "idempotency_key", by_name=True)
COMMENT = arg(optional(st.sampled_from(["ok", "同意"])), "comment")
METHOD = arg(optional(st.sampled_from(RefundMethod), RefundMethod.ORIGINAL_PAYMENT), "method")
SKU = arg(TEXT_OR_NONE, "sku", by_name=True)
START, END = arg(MOMENT, "start", by_name=True), arg(MOMENT, "end", by_name=True)
LINES = arg(optional(st.lists(REQUESTED, max_size=3), ()), "lines")
QUANTITIES = arg(optional(mapping(QUANTITY), None), "quantities")
OUTCOME = arg(optional(st.sampled_from(Disposition), Disposition.RESTOCK), "outcome")
SUCCEEDED = arg(optional(st.booleans(), True), "succeeded")
ACCOUNT = arg(TEXT_OR_NONE, "account_code", by_name=True)
DESTINATIONS = arg(
    st.one_of(
        st.lists(st.builds(MemoryDestination), max_size=1),
        st.sampled_from([None, "sink", [None], [MemoryDestination("")]]),
    ),
    "destinations",
)
RELAY_SETTINGS = arg(optional(st.builds(RelaySettings), None), "settings")
CODE_ARG, LABELS_ARG = arg(CODE, "code"), arg(LABELS, "labels")
SCOPE = arg(optional(st.sampled_from(HoldScope), HoldScope.CUSTOMER), "scope")
TARGET = arg(optional(st.sampled_from(["C-1001", "C-1002"]), "C-1001"), "target")
UNTIL = arg(optional(MOMENT, None), "until", by_name=True)
CUSTOMER = arg(optional(st.sampled_from(["C-1001", "C-1002"]), "C-1001"), "customer_id")
PERSONAL = arg(optional(st.lists(TEXT, max_size=3), ()), "personal", by_name=True)
PLAN = arg(optional(st.sampled_from(["RP-20261127-000001"]), "RP-1"), "number")
PROGRESS = arg(st.one_of(st.just(lambda done: None), JUNK), "progress", by_name=True)
REF_ARG, UNITS = arg(REF, "ref"), arg(QUANTITY, "units")
SHIPMENT_ID = Arg(Draw.shipment_id)
CARRIER = st.one_of(st.sampled_from(["memory", "manual", "ups", "Memory", ""]), TEXT, JUNK)
TRACKING_STATUS = optional(st.sampled_from(TrackingStatus), TrackingStatus.IN_TRANSIT)
PLAN_VALUE = st.one_of(
    st.builds(
        ShipmentPlan,
        method=optional(st.sampled_from(ShipmentMethod), ShipmentMethod.CARRIER_PICKUP),
        carrier=CARRIER,
        tracking_number=optional(TEXT),
        paid_by=optional(st.sampled_from(ShippingPayer), ShippingPayer.MERCHANT),
        cost=optional(MONEY, None),
    ),
    ANY,
)
CARRIER_EVENT = st.builds(
    CarrierEvent,
    event_id=TEXT,
    tracking_number=st.one_of(st.just("MEM0000000001"), TEXT),
    status=TRACKING_STATUS,
    occurred_at=MOMENT,
    location=optional(TEXT),
    description=optional(TEXT),
)
PAGE_ARGS = (arg(WHOLE, "offset", by_name=True), arg(WHOLE, "limit", by_name=True))
CURSOR = arg(optional(TEXT, None), "after", by_name=True)

SUBJECT = arg(optional(st.sampled_from(AttachmentSubject), AttachmentSubject.RECEIPT), "subject")
FILE_BYTES = arg(
    st.one_of(
        st.sampled_from([b"\xff\xd8\xff\xe0" + bytes(16), b"%PDF-1.7\n", b"GIF89a", b""]),
        st.binary(max_size=32),
        JUNK,
    ),
    "data",
)
ATTACHMENT_ID = arg(optional(TEXT, "x-1"), "attachment_id")

# Reports: windows, queries, zones and dimensions, sound or not.
ZONE = st.one_of(st.sampled_from([ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin"), UTC]), ANY)
DAY = st.one_of(st.dates(), ANY)
REPORT_WINDOW = st.one_of(
    st.builds(
        ReportWindow,
        start=st.dates(max_value=date(2026, 12, 1)),
        end=st.just(date(2026, 12, 31)),
        zone=st.sampled_from([ZoneInfo("Asia/Shanghai"), UTC]),
        basis=st.sampled_from(DateBasis),
    ),
    ANY,
)
WINDOW = arg(REPORT_WINDOW, "window")
DIMENSION = st.one_of(st.sampled_from(Dimension), ANY)
FACT_QUERY = arg(
    st.one_of(
        st.builds(
            FactQuery,
            window=REPORT_WINDOW.filter(lambda w: isinstance(w, ReportWindow)),
            period=st.one_of(st.none(), st.sampled_from(ReportPeriod)),
            by=st.lists(st.sampled_from(Dimension), max_size=2, unique=True).map(tuple),
        ),
        ANY,
    ),
    "query",
)

#: Every public method of the service, with its arguments in order.
CALLS: dict[str, tuple[Arg, ...]] = {
    "search_returnable_lines": (ACTOR, arg(optional(LINE_QUERY, LineQuery()), "query")),
    "preview_return": (ACTOR, arg(optional(REQUEST, None), "request")),
    "create_return": (ACTOR, arg(optional(REQUEST, None), "request"), KEY),
    "edit_return": (ACTOR, RETURN_ID, LINES, KEY),
    "submit_return": (ACTOR, RETURN_ID, KEY),
    "approve_return": (ACTOR, RETURN_ID, COMMENT, QUANTITIES, KEY),
    "reject_return": (ACTOR, RETURN_ID, COMMENT, KEY),
    "cancel_return": (ACTOR, RETURN_ID, COMMENT, KEY),
    "receive_goods": (ACTOR, RETURN_ID, arg(mapping(RECEIPT), "receipts"), COMMENT, KEY),
    "inspect_goods": (ACTOR, RETURN_ID, arg(mapping(INSPECTION), "inspections"), COMMENT, KEY),
    "finish_repair": (ACTOR, RETURN_ID, REF_ARG, UNITS, OUTCOME, COMMENT, KEY),
    "complete_return": (ACTOR, RETURN_ID, COMMENT, METHOD, KEY),
    "grant_refund": (ACTOR, RETURN_ID, METHOD, COMMENT, KEY),
    "record_refund_payment": (ACTOR, RETURN_ID, arg(MONEY, "amount"), COMMENT, KEY),
    "settle_refund_payment": (ACTOR, RETURN_ID, PAYMENT_ID, SUCCEEDED, KEY),
    "stock_moves": (ACTOR, RETURN_ID_OR_NONE, SKU),
    "stock_balances": (ACTOR, SKU),
    "journal": (ACTOR, RETURN_ID_OR_NONE, ACCOUNT, START, END),
    "trial_balance": (ACTOR, RETURN_ID_OR_NONE, START, END),
    "overdue_approvals": (ACTOR, arg(MOMENT, "at")),
    "reason_catalog": (ACTOR,),
    "add_reason_category": (ACTOR, arg(optional(CATEGORY, None), "category")),
    "add_reason": (ACTOR, arg(optional(REASON, None), "reason")),
    "relabel_reason": (ACTOR, CODE_ARG, LABELS_ARG),
    "retire_reason": (ACTOR, CODE_ARG),
    "remove_reason": (ACTOR, CODE_ARG),
    "get_return": (ACTOR, RETURN_ID),
    "find_return": (ACTOR, RETURN_ID),
    "list_returns": (ACTOR, arg(optional(RETURN_QUERY, None), "query")),
    "audit_trail": (ACTOR, RETURN_ID),
    "assign_return": (
        ACTOR,
        RETURN_ID,
        arg(TEXT_OR_NONE, "user_id", by_name=True),
        arg(optional(TEXT, "returns-desk"), "team", by_name=True),
        arg(optional(TEXT, ""), "comment", by_name=True),
        KEY,
    ),
    "owner_of": (ACTOR, RETURN_ID, arg(MOMENT, "at", by_name=True)),
    "late_returns": (
        ACTOR,
        arg(TEXT_OR_NONE, "user_id", by_name=True),
        arg(TEXT_OR_NONE, "team", by_name=True),
        arg(MOMENT, "at", by_name=True),
        arg(WHOLE, "limit", by_name=True),
        CURSOR,
    ),
    "tenant_audit_trail": (ACTOR,),
    # Reports (staff with view_reports; a customer is refused whatever the policy).
    "grouped_facts": (ACTOR, FACT_QUERY),
    "reasons_report": (
        ACTOR,
        WINDOW,
        arg(optional(st.sampled_from(ReasonLevel), ReasonLevel.REASON), "level", by_name=True),
        arg(optional(st.sampled_from(Measure), Measure.LINES), "measure", by_name=True),
    ),
    "decline_reasons_report": (
        ACTOR,
        WINDOW,
        arg(optional(st.sampled_from(Measure), Measure.LINES), "measure", by_name=True),
    ),
    "sku_reason_report": (ACTOR, WINDOW, arg(WHOLE, "top", by_name=True)),
    "return_rates": (
        ACTOR,
        arg(DAY, "start", by_name=True),
        arg(DAY, "end", by_name=True),
        arg(ZONE, "zone", by_name=True),
        arg(optional(st.sampled_from(ReportPeriod), ReportPeriod.MONTH), "period", by_name=True),
        arg(optional(DIMENSION, None), "by", by_name=True),
        arg(MOMENT, "at", by_name=True),
    ),
    "cycle_time_report": (
        ACTOR,
        WINDOW,
        arg(optional(st.sampled_from(CycleGrouping), CycleGrouping.ALL), "by", by_name=True),
    ),
    "frequent_returners": (ACTOR, WINDOW, arg(WHOLE, "min_returns", by_name=True)),
    "open_returns_by_age": (
        ACTOR,
        arg(ZONE, "zone", by_name=True),
        arg(MOMENT, "at", by_name=True),
    ),
    "satisfaction_report": (ACTOR, WINDOW, arg(optional(DIMENSION, None), "by", by_name=True)),
    "export_facts": (ACTOR, WINDOW),
    # The customer's side, and staff deciding on requests.
    "search_my_lines": (ACTOR, arg(optional(LINE_QUERY, LineQuery()), "query")),
    "preview_my_return": (ACTOR, arg(optional(REQUEST, None), "request")),
    "request_return": (ACTOR, arg(optional(REQUEST, None), "request"), KEY),
    "withdraw_return": (ACTOR, RETURN_ID, KEY),
    "my_returns": (
        ACTOR,
        *PAGE_ARGS,
        CURSOR,
        arg(optional(st.booleans(), True), "with_total", by_name=True),
    ),
    "return_timeline": (ACTOR, RETURN_ID),
    "pending_requests": (ACTOR, *PAGE_ARGS),
    "accept_request": (ACTOR, RETURN_ID, COMMENT, KEY),
    "decline_request": (
        ACTOR,
        RETURN_ID,
        arg(st.one_of(st.sampled_from(["other", "duplicate"]), CODE, ANY), "reason"),
        arg(optional(TEXT, "很抱歉"), "message"),
        KEY,
    ),
    "relay": (DESTINATIONS, RELAY_SETTINGS),
    "in_transaction": (arg(st.one_of(st.sampled_from([None, "connection"]), TEXT), "connection"),),
    # Retention.
    "place_hold": (ACTOR, SCOPE, TARGET, arg(optional(TEXT, "审计"), "reason"), UNTIL),
    "release_hold": (ACTOR, arg(optional(TEXT, "id-1"), "hold_id")),
    "legal_holds": (ACTOR,),
    "archive_return": (ACTOR, RETURN_ID),
    "restore_return": (ACTOR, RETURN_ID),
    "request_erasure": (ACTOR, CUSTOMER, PERSONAL),
    "retry_erasures": (ACTOR,),
    "reapply_erasures": (ACTOR,),
    "erasure_requests": (ACTOR,),
    "retention_log": (ACTOR, arg(WHOLE, "after", by_name=True), arg(WHOLE, "limit", by_name=True)),
    "verify_retention_log": (ACTOR,),
    "review_retention": (ACTOR, PROGRESS),
    "propose_retention_plan": (ACTOR, PROGRESS),
    "approve_retention_plan": (ACTOR, PLAN),
    "cancel_retention_plan": (ACTOR, PLAN),
    "apply_retention_plan": (ACTOR, PLAN, PROGRESS),
    "retention_plans": (ACTOR,),
    "retention_plan": (ACTOR, PLAN),
    # Evidence.
    "attach_file": (ACTOR, RETURN_ID, SUBJECT, arg(TEXT, "filename"), FILE_BYTES, COMMENT),
    "attachments": (ACTOR, RETURN_ID),
    "attachment_content": (ACTOR, RETURN_ID, ATTACHMENT_ID),
    "orphaned_attachments": (ACTOR,),
    "retention_plan_items": (
        ACTOR,
        PLAN,
        arg(WHOLE, "after", by_name=True),
        arg(WHOLE, "limit", by_name=True),
    ),
    # Shipments and tracking.
    "add_shipment": (ACTOR, RETURN_ID, arg(PLAN_VALUE, "plan"), COMMENT),
    "create_label": (ACTOR, RETURN_ID, SHIPMENT_ID),
    "record_tracking": (
        ACTOR,
        RETURN_ID,
        SHIPMENT_ID,
        arg(TRACKING_STATUS, "status"),
        arg(MOMENT, "occurred_at"),
        arg(optional(TEXT), "location", by_name=True),
        arg(optional(TEXT), "description", by_name=True),
    ),
    "ingest_tracking": (
        ACTOR,
        arg(CARRIER, "carrier_code"),
        arg(st.one_of(st.lists(CARRIER_EVENT, max_size=3), ANY), "events"),
    ),
    "poll_tracking": (ACTOR, RETURN_ID),
    "shipments": (ACTOR, RETURN_ID),
    "tracking": (ACTOR, RETURN_ID),
    # The contact log and feedback.
    "log_contact": (
        ACTOR,
        RETURN_ID,
        arg(optional(st.sampled_from(ContactChannel), ContactChannel.CALL), "channel"),
        arg(optional(st.sampled_from(Direction), Direction.INBOUND), "direction"),
        arg(optional(TEXT, "来电"), "summary"),
        arg(optional(MOMENT, None), "at", by_name=True),
        KEY,
    ),
    "contacts": (ACTOR, RETURN_ID),
    "give_feedback": (
        arg(st.one_of(st.just(CUSTOMER_ACTOR), ANY), "actor"),
        RETURN_ID,
        arg(WHOLE, "score"),
        COMMENT,
    ),
    "feedback": (ACTOR, RETURN_ID),
    "notification_log": (),
}


def call(service: ReturnsService, name: str, draw: Draw) -> object:
    """Draw the arguments of method ``name`` in order (building value objects), then call it.

    What it gives as a context manager (``in_transaction``) is entered and left at once.
    """
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for argument in CALLS[name]:
        value = argument.draw(draw)
        if argument.keyword is None:
            args.append(value)
        else:
            kwargs[argument.keyword] = value
    result = getattr(service, name)(*args, **kwargs)
    if isinstance(result, contextlib.AbstractContextManager):
        with result as entered:
            return entered
    if isinstance(result, Iterator):  # a streamed export: read it all
        return list(result)
    return result


# -- the properties -------------------------------------------------------------------

_INTERNALS = re.compile(r"<(crm_returns\.|bound method |function )|object at 0x[0-9a-f]+>")


def assert_readable(error: CrmReturnsError) -> None:
    """(b): the message says, in words, what is wrong, and a person can read and log it."""
    message, kind = str(error), type(error).__name__
    assert message.strip(), f"{kind} has an empty message"
    assert re.search(r"[^\W\d_]{3,}", message), f"{kind} names nothing: {message!r}"
    assert not _INTERNALS.search(message), f"{kind} shows an internal repr: {message!r}"
    raw = sorted({c for c in message if unicodedata.category(c) in ("Cc", "Cs")} - {"\n"})
    assert not raw, f"{kind} carries raw {raw!r}: {message[:300]!r}"
    assert len(message) <= MESSAGE_LIMIT, f"{kind} is {len(message)} long: {message[:300]!r}"


def hostile_calls(subject: Subject, world: World, data: st.DataObject) -> None:
    """One to three hostile calls; every failure is typed, readable, and changes nothing."""
    draw = Draw(data, world)
    for _ in range(data.draw(st.integers(1, 3), label="calls")):
        name = data.draw(st.sampled_from(sorted(CALLS)), label="method")
        before, before_denials = subject.dump(False), subject.dump(True)
        try:
            call(subject.service, name, draw)  # (a): anything else escapes and fails the test
        except CrmReturnsError as error:
            assert_readable(error)
            kind = type(error).__name__
            if isinstance(error, NotAuthorised):
                assert subject.dump(True) == before_denials, f"{name}: {kind} changed the store"
            else:
                assert subject.dump(False) == before, f"{name}: {kind} changed the store"


@settings(max_examples=250, deadline=None)
@given(data=st.data())
def test_hostile_input_on_the_memory_store(memory_world: MemoryWorld, data: st.DataObject) -> None:
    with memory_world.fresh() as subject:
        hostile_calls(subject, memory_world.world, data)


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_hostile_input_on_a_sqlite_file(sqlite_world: SqliteWorld, data: st.DataObject) -> None:
    with sqlite_world.fresh() as subject:
        hostile_calls(subject, sqlite_world.world, data)


def test_every_public_method_is_called() -> None:
    public = {
        name
        for name, _ in inspect.getmembers(ReturnsService, inspect.isfunction)
        if not name.startswith("_")
    }
    # close() takes no input: there is nothing hostile to give it.
    assert public - {"close"} == set(CALLS)


#: Small cases hypothesis finds (or needs luck to find); each must be refused cleanly.
NONE: Any = None  # typed Any: passed where a value of another type belongs
AS_LIST: Any = ["en", "zh-CN"]
OF_LOCALE_3: Any = {"en": "a", "zh-CN": "b", 3: "c"}
THREE: Any = "3"
SURROGATE, HUGE = "\ud800", Decimal("1E+1000000")
TRUE: Any = True
HALF: Any = 2.5
NAIVE: Any = datetime(2026, 1, 1)  # noqa: DTZ001 - a time without its zone, on purpose
CASES: dict[str, Callable[[ReturnsService, World], object]] = {
    "search with no query": lambda s, w: s.search_returnable_lines(BOSS, NONE),
    "preview with no request": lambda s, w: s.preview_return(BOSS, NONE),
    "list with no query": lambda s, w: s.list_returns(BOSS, NONE),
    "edit with no lines": lambda s, w: s.edit_return(BOSS, w.draft, NONE),
    "request of no lines": lambda s, w: s.create_return(BOSS, ReturnRequest(NONE)),
    "add no category": lambda s, w: s.add_reason_category(BOSS, NONE),
    "add no reason": lambda s, w: s.add_reason(BOSS, NONE),
    "relabel to None": lambda s, w: s.relabel_reason(BOSS, "other", NONE),
    "relabel to a list": lambda s, w: s.relabel_reason(BOSS, "other", AS_LIST),
    "label of locale 3": lambda s, w: s.relabel_reason(BOSS, "other", OF_LOCALE_3),
    "category labels None": lambda s, w: s.add_reason_category(BOSS, ReasonCategory("box", NONE)),
    "actor roles None": lambda s, w: s.reason_catalog(Actor("u-x", "X", SAMPLE_TENANT, NONE)),
    "statuses None": lambda s, w: s.list_returns(BOSS, ReturnQuery(statuses=NONE)),
    "serials None": lambda s, w: s.receive_goods(BOSS, w.approved, {LAMP: Receipt(1, serial_numbers=NONE)}),  # noqa: E501
    "dispositions None": lambda s, w: s.inspect_goods(BOSS, w.received, {CABLE: Inspection(1, dispositions=NONE)}),  # noqa: E501
    "1E+1000000 to return": lambda s, w: s.preview_return(BOSS, one_line(MOUSE, HUGE)),
    "1E+1000000 received": lambda s, w: s.receive_goods(BOSS, w.approved, {LAMP: Receipt(HUGE)}),
    "1E+1000000 approved": lambda s, w: s.approve_return(BOSS, w.submitted, "", {CHAIR: HUGE}),
    "1E+1000000 repaired": lambda s, w: s.finish_repair(BOSS, w.paying, MONITOR, HUGE),
    "relay batch '3'": lambda s, w: s.relay([], RelaySettings(batch=THREE)),
    "relay batch None": lambda s, w: s.relay([], RelaySettings(batch=NONE)),
    "relay batch -1": lambda s, w: s.relay([], RelaySettings(batch=-1)),
    "relay id None": lambda s, w: s.relay([], RelaySettings(relay_id=NONE)),
    "relay spin '3'": lambda s, w: s.relay([], RelaySettings(spin=THREE)),
    "relay to None": lambda s, w: s.relay(NONE),
    "surrogate in a note": lambda s, w: s.create_return(BOSS, one_line(MOUSE, 1, note=SURROGATE)),
    "surrogate in a comment": lambda s, w: s.cancel_return(BOSS, w.draft, SURROGATE),
    "surrogate in a label": lambda s, w: s.relabel_reason(BOSS, "other", {"en": SURROGATE, "zh-CN": "其他"}),  # noqa: E501
    "surrogate in a key": lambda s, w: s.submit_return(BOSS, w.draft, idempotency_key=SURROGATE),
    "surrogate in an id": lambda s, w: s.get_return(BOSS, SURROGATE),
    "10,000-character id": lambda s, w: s.get_return(BOSS, "x" * 10_000),
    "10,000-character label": lambda s, w: s.relabel_reason(BOSS, "other", {"en": "x" * 10_000, "zh-CN": "其他"}),  # noqa: E501
    "escape codes in a line": lambda s, w: s.preview_return(BOSS, one_line(LineRef("\x1b[2J", "1"), 0)),  # noqa: E501
    "score True": lambda s, w: s.give_feedback(CUSTOMER_ACTOR, w.received, TRUE),
    "score 2.5": lambda s, w: s.give_feedback(CUSTOMER_ACTOR, w.received, HALF),
    "contact channel None": lambda s, w: s.log_contact(BOSS, w.draft, NONE, Direction.INBOUND, "x"),
    "contact summary blank": lambda s, w: s.log_contact(BOSS, w.draft, ContactChannel.CALL, Direction.INBOUND, " "),  # noqa: E501
    "contact summary 2,001 long": lambda s, w: s.log_contact(BOSS, w.draft, ContactChannel.CALL, Direction.INBOUND, "x" * 2001),  # noqa: E501
    "contact at naive": lambda s, w: s.log_contact(BOSS, w.draft, ContactChannel.CALL, Direction.INBOUND, "x", at=NAIVE),  # noqa: E501
}  # fmt: skip


@pytest.mark.parametrize("store", ["memory", "sqlite"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_known_case_is_refused_cleanly(
    request: pytest.FixtureRequest, store: str, case: str
) -> None:
    where: MemoryWorld | SqliteWorld = request.getfixturevalue(f"{store}_world")
    with where.fresh() as subject:
        before = subject.dump(False)
        with pytest.raises(CrmReturnsError) as refused:
            CASES[case](subject.service, where.world)
        assert_readable(refused.value)
        assert subject.dump(False) == before
