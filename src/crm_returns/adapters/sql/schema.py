"""The tables: one document per stored value, plus the columns SQL must see.

Each row keeps the whole value as a JSON ``document`` (see
:mod:`~crm_returns.adapters.sql.codec`), which is what is read back, so that
every value round-trips exactly.  Beside it sit the columns that queries
filter, order and join on, that indexes cover, and that constraints check.
Every table but ``sequences`` (whose keys already name the tenant) carries
``tenant_id``, and every query filters on it.

``line_claims`` is the database's own guard against over-return: one row per
order line, holding the units delivered and the units claimed by every stored
return of the line, with ``CHECK (claimed <= delivered)``.  The store keeps it
in step on every add and update, so that even a buggy caller cannot store more
returned units than were delivered.

The library lives beside a host's own tables, so every name carries a prefix
(:data:`DEFAULT_TABLE_PREFIX`, ``crm_returns_``): the table ``returns`` is
``crm_returns_returns``.  Each :class:`~crm_returns.adapters.sql.SqlDatabase`
makes its own :class:`Tables` for its prefix; nothing is built at import.  The
names are quoted in every statement.

The Alembic migrations in ``migrations/versions`` build the same schema; a
test proves that upgrading a fresh database ends equal to
:attr:`Tables.metadata`, whatever the prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from crm_returns.adapters.sql.casefile_schema import casefile_table
from crm_returns.adapters.sql.fact_schema import fact_tables
from crm_returns.adapters.sql.retention_schema import retention_tables
from crm_returns.adapters.sql.types import Document, ExactDecimal, Instant
from crm_returns.errors import InvalidInput, quoted

__all__ = [
    "CLAIMS_CHECK",
    "DEFAULT_TABLE_PREFIX",
    "MAX_PREFIX_LENGTH",
    "NAMING_CONVENTION",
    "TABLE_NAMES",
    "Tables",
    "checked_prefix",
    "current_txid",
    "plain_identifier",
    "version_table",
]

#: What every table's name starts with unless a database is told otherwise.
DEFAULT_TABLE_PREFIX = "crm_returns_"

#: The longest prefix: the longest name it starts must fit PostgreSQL's 63 characters.
MAX_PREFIX_LENGTH = 40

#: The tables, by their names without the prefix, parents before children.
TABLE_NAMES = (
    "returns",
    "return_lines",
    "line_claims",
    "audit_entries",
    "outbox",
    "delivery_cursors",
    "deliveries",
    "delivery_attempts",
    "reason_catalogs",
    "sequences",
    "stock_moves",
    "journal_entries",
    "journal_postings",
    "idempotency_keys",
    "legal_holds",
    "retention_plans",
    "retention_plan_items",
    "erasure_requests",
    "retention_log",
    "tombstones",
    "retired_claims",
    "case_records",
    "fact_lines",
    "fact_returns",
)

#: Names constraints and indexes the same way in every database and migration.
#: PostgreSQL keeps 63 characters of a name: SQLAlchemy cuts a longer one the
#: same way in the tables and in the migrations (to 59, and 4 of a hash).
NAMING_CONVENTION: Mapping[str, str] = MappingProxyType(
    {
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Short name of the over-return check; the full name is ``ck_<prefix>line_claims_<this>``.
CLAIMS_CHECK = "within_delivered"

# Lower case, so that PostgreSQL does not fold it and nobody has to quote it.
_PLAIN = re.compile(r"[a-z_][a-z0-9_]*")


def plain_identifier(value: object, what: str, limit: int) -> str:
    """``value`` if it is a plain SQL name: lower-case letters, digits and ``_``.

    Args:
        value: The name given.
        what: What it names, for the message (``"table prefix"``, ``"schema"``).
        limit: The most characters it may have.

    Raises:
        InvalidInput: ``value`` is not a string, is empty, too long, starts
            with a digit, or has any other character.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"a {what} is a string, not {quoted(value)}")
    if len(value) > limit:
        raise InvalidInput(f"a {what} has at most {limit} characters, not {len(value)}")
    if _PLAIN.fullmatch(value) is None:
        raise InvalidInput(
            f"a {what} is lower-case letters, digits and '_', not starting with a digit: "
            f"{quoted(value)} is not"
        )
    return value


def checked_prefix(value: object) -> str:
    """``value`` if it can start the library's table names (see :func:`plain_identifier`).

    Raises:
        InvalidInput: It is not a plain SQL name of at most :data:`MAX_PREFIX_LENGTH`
            characters.
    """
    return plain_identifier(value, "table prefix", MAX_PREFIX_LENGTH)


def version_table(prefix: str) -> str:
    """The table in which Alembic records the revision of the tables under ``prefix``.

    A :class:`~sqlalchemy.sql.expression.quoted_name`, so that Alembic quotes it
    as the other names are quoted.
    """
    return sa.quoted_name(f"{prefix}alembic_version", quote=True)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


class current_txid(sa.sql.expression.FunctionElement[int]):  # noqa: N801 - a SQL function
    """The writing transaction's id on PostgreSQL (``pg_current_xact_id()``), 0 elsewhere.

    The relay fans out messages in the order of the transactions that wrote
    them, and only those whose transaction no open one precedes: sequence
    numbers alone would pass over a message whose transaction took its number
    early and committed late.  SQLite has one writer at a time, so its
    numbers already come in commit order.
    """

    type = sa.BigInteger()
    inherit_cache = True


@compiles(current_txid)
def _txid_anywhere(element: current_txid, compiler: Any, **kw: Any) -> str:
    return "0"


@compiles(current_txid, "postgresql")
def _txid_on_postgresql(element: current_txid, compiler: Any, **kw: Any) -> str:
    return "(pg_current_xact_id()::text::bigint)"


def _txid() -> sa.Column[int]:
    return sa.Column("txid", sa.BigInteger(), nullable=False, server_default=current_txid())


def _listed_by(column: str) -> tuple[str, ...]:
    """The columns of an index of returns listed by ``column``, newest first."""
    return ("tenant_id", column, "created_at", "number")


def _seq() -> sa.Column[int]:
    # Keeps insertion order ("oldest first"); an alias of the rowid on SQLite.
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


class Tables:
    """The library's tables under one prefix, in a :class:`~sqlalchemy.MetaData` of their own.

    Each table is an attribute named as it is without the prefix
    (``tables.returns`` is the table ``crm_returns_returns``).

    Args:
        prefix: What every name starts with.

    Raises:
        InvalidInput: ``prefix`` is not a plain SQL name (:func:`checked_prefix`).
    """

    def __init__(self, prefix: str = DEFAULT_TABLE_PREFIX) -> None:
        #: What every name starts with.
        self.prefix = checked_prefix(prefix)
        #: Every table, for ``create_all`` and comparisons with the migrations.
        self.metadata = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
        self.returns = self._table(
            "returns",
            _tenant(),
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("number", sa.String(), nullable=False),
            sa.Column("customer_id", sa.String(64), nullable=False),
            sa.Column("status", sa.String(32), nullable=False),
            sa.Column("created_at", Instant(), nullable=False),
            sa.Column("updated_at", Instant(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("document", Document, nullable=False),
            # Kept, read-only, out of lists; the document is left as it was, so
            # that restoring is exactly the identity.
            sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
            sa.PrimaryKeyConstraint("tenant_id", "id"),
            sa.UniqueConstraint("tenant_id", "number"),
            # The daily lists, each in list order (newest first, then number),
            # so that a page reads its rows and no more: every return and a
            # creation-date window; one status; one customer.
            sa.Index(None, "tenant_id", "created_at", "number"),
            sa.Index(f"ix_{self.prefix}returns_by_status", *_listed_by("status")),
            sa.Index(f"ix_{self.prefix}returns_by_customer", *_listed_by("customer_id")),
        )
        self.return_lines = self._table(
            "return_lines",
            _tenant(),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("order_number", sa.String(64), nullable=False),
            sa.Column("line_id", sa.String(64), nullable=False),
            sa.Column("reason_code", sa.String(64), nullable=False),
            sa.Column("claimed", ExactDecimal(), nullable=False),
            sa.Column("refunded_units", ExactDecimal(), nullable=False),
            sa.PrimaryKeyConstraint("tenant_id", "return_id", "order_number", "line_id"),
            sa.ForeignKeyConstraint(
                ["tenant_id", "return_id"],
                [self.returns.c.tenant_id, self.returns.c.id],
                ondelete="CASCADE",
            ),
            # The returnable-quantity look-up goes through this index, never through
            # history; with return_id in it the look-up reads the index alone.
            sa.Index(None, "tenant_id", "order_number", "line_id", "return_id"),
            sa.Index(None, "tenant_id", "reason_code"),
        )
        self.line_claims = self._table(
            "line_claims",
            _tenant(),
            sa.Column("order_number", sa.String(64), nullable=False),
            sa.Column("line_id", sa.String(64), nullable=False),
            sa.Column("delivered", ExactDecimal(), nullable=False),
            sa.Column("claimed", ExactDecimal(), nullable=False),
            sa.PrimaryKeyConstraint("tenant_id", "order_number", "line_id"),
            # CAST makes SQLite compare numbers, not the text it keeps decimals in.
            sa.CheckConstraint(
                "CAST(claimed AS NUMERIC) <= CAST(delivered AS NUMERIC)", name=CLAIMS_CHECK
            ),
            sa.CheckConstraint("CAST(claimed AS NUMERIC) >= 0", name="claimed_not_negative"),
        )
        self.audit_entries = self._table(
            "audit_entries",
            _seq(),
            _tenant(),
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("action", sa.String(32), nullable=False),
            sa.Column("actor_id", sa.String(64), nullable=False),
            sa.Column("at", Instant(), nullable=False),
            sa.Column("document", Document, nullable=False),
            sa.UniqueConstraint("tenant_id", "id"),
            sa.Index(None, "tenant_id", "return_id", "seq"),
        )
        # AUTOINCREMENT: SQLite would otherwise hand the numbers of purged messages
        # out again, below the cursors of the destinations, which would skip them.
        self.outbox = self._table(
            "outbox",
            _seq(),
            sa.Column("id", sa.String(), nullable=False),
            _tenant(),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("event_type", sa.String(64), nullable=False),
            sa.Column("created_at", Instant(), nullable=False),
            sa.Column("document", Document, nullable=False),
            _txid(),
            sa.UniqueConstraint("id"),
            sa.Index(None, "txid", "seq"),
            sqlite_autoincrement=True,
        )
        self.delivery_cursors = self._table(
            "delivery_cursors",
            sa.Column("destination", sa.String(200), nullable=False),
            sa.Column("cursor_txid", sa.BigInteger(), nullable=False),
            sa.Column("cursor_seq", sa.BigInteger(), nullable=False),
            sa.Column("disabled_at", Instant()),  # nullable: enabled
            sa.Column("disabled_reason", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("destination"),
        )
        self.deliveries = self._table(
            "deliveries",
            sa.Column("destination", sa.String(200), nullable=False),
            sa.Column("message_id", sa.String(), nullable=False),
            sa.Column("seq", sa.BigInteger(), nullable=False),
            _tenant(),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("attempts", sa.Integer(), nullable=False),
            sa.Column("due_at", Instant(), nullable=False),
            sa.Column("lease_owner", sa.String(200)),  # nullable: not leased
            sa.Column("lease_until", Instant()),
            sa.Column("last_error", sa.Text(), nullable=False),
            sa.Column("delivered_at", Instant()),  # nullable: not delivered yet
            sa.PrimaryKeyConstraint("destination", "message_id"),
            sa.Index(None, "destination", "status", "seq"),
            sa.Index(None, "destination", "return_id", "seq"),
            sa.Index(None, "message_id"),
        )
        self.delivery_attempts = self._table(
            "delivery_attempts",
            _seq(),
            sa.Column("destination", sa.String(200), nullable=False),
            sa.Column("message_id", sa.String(), nullable=False),
            sa.Column("number", sa.Integer(), nullable=False),
            sa.Column("at", Instant(), nullable=False),
            sa.Column("outcome", sa.String(16), nullable=False),
            sa.Column("error", sa.Text(), nullable=False),
            sa.Column("relay", sa.String(200), nullable=False),
            sa.Index(None, "destination", "message_id", "seq"),
        )
        self.reason_catalogs = self._table(
            "reason_catalogs",
            _tenant(),
            sa.Column("document", Document, nullable=False),
            sa.PrimaryKeyConstraint("tenant_id"),
        )
        self.sequences = self._table(
            "sequences",
            sa.Column("key", sa.String(), nullable=False),
            sa.Column("value", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
        self.stock_moves = self._table(
            "stock_moves",
            _seq(),
            _tenant(),
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("order_number", sa.String(64), nullable=False),
            sa.Column("line_id", sa.String(64), nullable=False),
            sa.Column("sku", sa.String(64), nullable=False),
            sa.Column("quantity", ExactDecimal(), nullable=False),
            sa.Column("source", sa.String(32), nullable=False),
            sa.Column("destination", sa.String(32), nullable=False),
            sa.Column("at", Instant(), nullable=False),
            sa.Column("document", Document, nullable=False),
            sa.UniqueConstraint("tenant_id", "id"),
            sa.Index(None, "tenant_id", "sku"),
            sa.Index(None, "tenant_id", "return_id"),
        )
        self.journal_entries = self._table(
            "journal_entries",
            _seq(),
            _tenant(),
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("number", sa.String(), nullable=False),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("at", Instant(), nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            sa.Column("document", Document, nullable=False),
            sa.UniqueConstraint("tenant_id", "id"),
            sa.Index(None, "tenant_id", "at"),
            sa.Index(None, "tenant_id", "return_id"),
        )
        self.journal_postings = self._table(
            "journal_postings",
            _tenant(),
            sa.Column("entry_id", sa.String(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("account_code", sa.String(32), nullable=False),
            sa.Column("side", sa.String(8), nullable=False),
            sa.Column("amount", ExactDecimal(), nullable=False),
            sa.Column("currency", sa.String(3), nullable=False),
            sa.PrimaryKeyConstraint("tenant_id", "entry_id", "position"),
            sa.ForeignKeyConstraint(
                ["tenant_id", "entry_id"],
                [self.journal_entries.c.tenant_id, self.journal_entries.c.id],
                ondelete="CASCADE",
            ),
            sa.Index(None, "tenant_id", "account_code"),
        )
        self.idempotency_keys = self._table(
            "idempotency_keys",
            _tenant(),
            sa.Column("key", sa.String(200), nullable=False),
            sa.Column("command", sa.String(64), nullable=False),
            sa.Column("return_id", sa.String(), nullable=False),
            sa.Column("document", Document, nullable=False),
            sa.PrimaryKeyConstraint("tenant_id", "key"),
        )
        self._retention_tables()
        #: The case file: the customer-side records of returns.
        self.case_records = casefile_table(self._table, _tenant, self.prefix)
        facts = fact_tables(self._table, _tenant, self.returns)
        #: Line facts, what reports group: one row per line of a return.
        self.fact_lines = facts.lines
        #: Each return's owner and the customer's score, beside its line facts.
        self.fact_returns = facts.returns

    def _retention_tables(self) -> None:
        """What retention keeps: holds, plans and their items, erasures, the log, tombstones."""
        kept = retention_tables(self._table, _tenant)
        self.legal_holds = kept.legal_holds
        self.retention_plans = kept.retention_plans
        self.retention_plan_items = kept.retention_plan_items
        self.erasure_requests = kept.erasure_requests
        self.retention_log = kept.retention_log
        self.tombstones = kept.tombstones
        self.retired_claims = kept.retired_claims

    def _table(self, name: str, *parts: Any, **options: Any) -> sa.Table:
        return sa.Table(f"{self.prefix}{name}", self.metadata, *parts, quote=True, **options)

    @property
    def version_table(self) -> str:
        """The table in which Alembic records the revision of these tables."""
        return version_table(self.prefix)

    def names(self) -> tuple[str, ...]:
        """The tables' full names, in :data:`TABLE_NAMES` order."""
        return tuple(f"{self.prefix}{name}" for name in TABLE_NAMES)
