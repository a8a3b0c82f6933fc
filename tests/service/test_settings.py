"""One wiring value: ServiceSettings reaches every way of building a service."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import attrs
import pytest
import sqlalchemy as sa
from tests.adapters.postgres import fresh_schema, postgres_url

import crm_returns as cr
from crm_returns.adapters.memory import ManualClock, SequentialIds
from crm_returns.adapters.sql import SqlDatabase, create_engine
from crm_returns.errors import InvalidInput, NotAuthorised, StorageError
from crm_returns.samples import SAMPLE_TENANT, sample_lines
from crm_returns.testing import sample_wiring

LAMP = cr.LineRef("SO-1002", "2")
CHINA = timezone(timedelta(hours=8), "CST")
NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


def _orders(at: datetime) -> cr.MemoryOrderSource:
    return cr.MemoryOrderSource({SAMPLE_TENANT: sample_lines(at)})


def _request() -> cr.ReturnRequest:
    return cr.ReturnRequest([cr.RequestedLine(LAMP, 1, "wrong_order")])


def test_the_default_settings_work_out_of_the_box() -> None:
    settings = cr.ServiceSettings()
    assert settings.time_zone is UTC
    assert settings.clock.now().tzinfo is not None
    assert settings.ids.new_id() != settings.ids.new_id()
    assert settings.eligibility_rules == cr.DEFAULT_RULES
    assert settings.default_reasons is cr.DEFAULT_CATALOG
    assert settings.chart is cr.DEFAULT_CHART


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("clock", "now", r"now\(\)"),
        ("ids", 42, r"new_id\(\)"),
        ("time_zone", "Asia/Shanghai", "tzinfo"),
        ("access_policy", object(), r"allows\(\)"),
        ("default_reasons", {}, "ReasonCatalog"),
        ("approval_policy", None, "ApprovalPolicy"),
        ("eligibility_rules", "rules", "sequence of rules"),
        ("eligibility_rules", [object()], r"check\(\) method"),
        ("refund_policy", 0, "RefundPolicy"),
        ("chart", None, "ChartOfAccounts"),
        ("number_format", "RT-{seq}", "NumberFormat"),
        ("credit_note_format", None, "NumberFormat"),
    ],
)
def test_a_setting_of_the_wrong_kind_is_refused_by_name(
    field: str, value: object, named: str
) -> None:
    with pytest.raises(InvalidInput, match=named) as raised:
        cr.ServiceSettings(**{field: value})  # type: ignore[arg-type]
    assert field in str(raised.value) or field == "eligibility_rules"


def test_a_service_refuses_anything_but_settings() -> None:
    with pytest.raises(InvalidInput, match="ServiceSettings"):
        cr.in_memory_service(_orders(NOW), {"clock": None})  # type: ignore[arg-type]


def test_numbers_carry_the_day_of_the_shops_time_zone() -> None:
    # 17:30 UTC on the 26th is 01:30 on the 27th in China.
    at = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
    clerk = sample_wiring().clerk
    utc = cr.in_memory_service(_orders(at), cr.ServiceSettings(clock=ManualClock(at)))
    china = cr.in_memory_service(
        _orders(at), cr.ServiceSettings(clock=ManualClock(at), time_zone=CHINA)
    )
    assert utc.create_return(clerk, _request()).number == "RT-20261126-000001"
    assert china.create_return(clerk, _request()).number == "RT-20261127-000001"


def test_credit_notes_follow_the_settings_format_and_time_zone() -> None:
    at = datetime(2026, 11, 26, 17, 30, tzinfo=UTC)
    people = sample_wiring()
    settings = cr.ServiceSettings(
        clock=ManualClock(at),
        ids=SequentialIds(),
        time_zone=CHINA,
        credit_note_format=cr.NumberFormat("HZ-{date:%Y%m%d}-{seq:04d}", series="credit_note"),
    )
    service = cr.in_memory_service(_orders(at), settings)
    order = service.create_return(people.clerk, _request())
    service.submit_return(people.clerk, order.id)
    service.receive_goods(people.warehouse, order.id, {LAMP: cr.Receipt(received=1)})
    done = service.complete_return(people.finance, order.id)
    assert done.grant is not None
    assert done.grant.credit_note == "HZ-20261127-0001"


class OnlyAuditors:
    """A host's own access policy: auditors may read, nobody may do anything else."""

    def allows(self, actor: cr.Actor, permission: cr.Permission, order: object) -> bool:
        return "auditor" in actor.roles and permission is cr.Permission.VIEW_RETURNS

    def granted_by(self, permission: cr.Permission) -> frozenset[str]:
        return frozenset({"auditor"}) if permission is cr.Permission.VIEW_RETURNS else frozenset()


def test_the_wiring_helpers_take_an_access_policy_and_default_reasons(tmp_path: Path) -> None:
    at = NOW
    reasons = cr.DEFAULT_CATALOG.relabelled("other", {"en": "Something else", "zh-CN": "别的"})
    settings = cr.ServiceSettings(access_policy=OnlyAuditors(), default_reasons=reasons)
    auditor = cr.Actor("a1", "Audrey", SAMPLE_TENANT, {"auditor"})
    clerk = sample_wiring().clerk
    with cr.sql_service(_orders(at), f"sqlite:///{tmp_path / 'r.db'}", settings) as on_sql:
        services = [cr.in_memory_service(_orders(at), settings), on_sql]
        for service in services:
            with pytest.raises(NotAuthorised):
                service.create_return(clerk, _request())
            assert (
                service.reason_catalog(auditor).reason("other").labels.get("en") == "Something else"
            )


def test_a_sql_service_closes_its_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    disposed: list[SqlDatabase] = []
    dispose = SqlDatabase.dispose

    def spy(database: SqlDatabase) -> None:
        disposed.append(database)
        dispose(database)

    monkeypatch.setattr(SqlDatabase, "dispose", spy)
    service = cr.sql_service(_orders(NOW), f"sqlite:///{tmp_path / 'r.db'}")
    service.list_returns(sample_wiring().clerk, cr.ReturnQuery())
    assert disposed == []
    with service:
        pass
    assert len(disposed) == 1
    service.close()  # idempotent
    assert len(disposed) == 1


def test_a_database_that_fails_to_migrate_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    disposed: list[SqlDatabase] = []
    monkeypatch.setattr(SqlDatabase, "dispose", lambda database: disposed.append(database))

    def refuse(database: SqlDatabase, revision: str = "head") -> None:
        raise StorageError("cannot migrate")

    monkeypatch.setattr(SqlDatabase, "upgrade", refuse)
    with pytest.raises(StorageError, match="cannot migrate"):
        cr.sql_service(_orders(NOW), f"sqlite:///{tmp_path / 'r.db'}")
    assert len(disposed) == 1


def test_a_memory_service_is_a_context_manager_too() -> None:
    with cr.in_memory_service(_orders(NOW)) as service:
        assert service.list_returns(sample_wiring().clerk, cr.ReturnQuery()).total == 0


def test_a_schema_on_sqlite_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    with pytest.raises(StorageError, match="schema"):
        cr.sql_service(_orders(NOW), f"sqlite:///{path}", schema="crm")
    assert not path.exists() or path.stat().st_size == 0


def test_settings_change_one_part_with_attrs_evolve() -> None:
    base = cr.ServiceSettings(ids=SequentialIds())
    changed = attrs.evolve(base, time_zone=CHINA)
    assert (changed.time_zone, changed.ids) == (CHINA, base.ids)


def _tables(url: str, schema: str) -> set[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(sa.inspect(connection).get_table_names(schema=schema))
    finally:
        engine.dispose()


def test_a_postgres_service_keeps_its_tables_in_the_schema_it_is_given() -> None:
    url = postgres_url()
    people = sample_wiring()
    public = _tables(url, "public")
    with fresh_schema(url, "svc") as schema:
        orders = _orders(NOW)
        settings = cr.ServiceSettings(clock=ManualClock(NOW))
        with cr.sql_service(orders, url, settings, schema=schema) as service:
            order = service.create_return(people.clerk, _request())
        assert {"crm_returns_returns", "crm_returns_outbox"} <= _tables(url, schema)
        assert _tables(url, "public") == public
        with cr.sql_service(orders, url, settings, schema=schema, migrate=False) as again:
            assert again.get_return(people.clerk, order.id).number == order.number


def test_a_sql_service_over_the_hosts_engine_leaves_the_engine_open(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    clerk = sample_wiring().clerk
    with cr.sql_service(_orders(NOW), engine) as service:
        order = service.create_return(clerk, _request())
        pool = engine.pool
    assert engine.pool is pool  # close() did not dispose of it
    with cr.sql_service(_orders(NOW), engine, migrate=False) as again:
        assert again.get_return(clerk, order.id).number == order.number
    engine.dispose()


def test_a_schema_with_the_hosts_engine_is_refused_before_anything_is_created(
    tmp_path: Path,
) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    with pytest.raises(StorageError, match="search_path"):
        cr.sql_service(_orders(NOW), engine, schema="crm")
    assert sa.inspect(engine).get_table_names() == []
    engine.dispose()


@pytest.mark.parametrize("url", [42, None, b"sqlite:///r.db"])
def test_a_url_that_is_neither_a_url_nor_an_engine_is_refused(url: object) -> None:
    with pytest.raises(InvalidInput, match="URL or an Engine"):
        cr.sql_service(_orders(NOW), url)  # type: ignore[arg-type]
