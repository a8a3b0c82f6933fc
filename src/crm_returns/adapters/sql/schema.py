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

The Alembic migrations in ``migrations/versions`` build the same schema; a
test proves that upgrading a fresh database ends equal to :data:`metadata`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import sqlalchemy as sa

from crm_returns.adapters.sql.types import Document, ExactDecimal, Instant

__all__ = [
    "CLAIMS_CHECK",
    "audit_entries",
    "idempotency_keys",
    "journal_entries",
    "journal_postings",
    "line_claims",
    "metadata",
    "outbox",
    "reason_catalogs",
    "return_lines",
    "returns",
    "sequences",
    "stock_moves",
]

#: Names constraints and indexes the same way in every database and migration.
NAMING_CONVENTION: Mapping[str, str] = MappingProxyType(
    {
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: Short name of the over-return check; the full name is ``ck_line_claims_<this>``.
CLAIMS_CHECK = "within_delivered"

metadata = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def _seq() -> sa.Column[int]:
    # Keeps insertion order ("oldest first"); an alias of the rowid on SQLite.
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


returns = sa.Table(
    "returns",
    metadata,
    _tenant(),
    sa.Column("id", sa.String(), nullable=False),
    sa.Column("number", sa.String(), nullable=False),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("created_at", Instant(), nullable=False),
    sa.Column("updated_at", Instant(), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("document", Document, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "id"),
    sa.UniqueConstraint("tenant_id", "number"),
    sa.Index(None, "tenant_id", "created_at", "number"),
    sa.Index(None, "tenant_id", "customer_id"),
)

return_lines = sa.Table(
    "return_lines",
    metadata,
    _tenant(),
    sa.Column("return_id", sa.String(), nullable=False),
    sa.Column("order_number", sa.String(64), nullable=False),
    sa.Column("line_id", sa.String(64), nullable=False),
    sa.Column("reason_code", sa.String(64), nullable=False),
    sa.Column("claimed", ExactDecimal(), nullable=False),
    sa.Column("refunded_units", ExactDecimal(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "return_id", "order_number", "line_id"),
    sa.ForeignKeyConstraint(
        ["tenant_id", "return_id"], ["returns.tenant_id", "returns.id"], ondelete="CASCADE"
    ),
    # The returnable-quantity look-up goes through this index, never through history;
    # with return_id in it the look-up reads the index alone.
    sa.Index(None, "tenant_id", "order_number", "line_id", "return_id"),
    sa.Index(None, "tenant_id", "reason_code"),
)

line_claims = sa.Table(
    "line_claims",
    metadata,
    _tenant(),
    sa.Column("order_number", sa.String(64), nullable=False),
    sa.Column("line_id", sa.String(64), nullable=False),
    sa.Column("delivered", ExactDecimal(), nullable=False),
    sa.Column("claimed", ExactDecimal(), nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "order_number", "line_id"),
    # CAST makes SQLite compare numbers, not the text it keeps decimals in.
    sa.CheckConstraint("CAST(claimed AS NUMERIC) <= CAST(delivered AS NUMERIC)", name=CLAIMS_CHECK),
    sa.CheckConstraint("CAST(claimed AS NUMERIC) >= 0", name="claimed_not_negative"),
)

audit_entries = sa.Table(
    "audit_entries",
    metadata,
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

outbox = sa.Table(
    "outbox",
    metadata,
    _seq(),
    sa.Column("id", sa.String(), nullable=False),
    _tenant(),
    sa.Column("return_id", sa.String(), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("created_at", Instant(), nullable=False),
    sa.Column("delivered_at", Instant()),  # nullable: not delivered yet
    sa.Column("document", Document, nullable=False),
    sa.UniqueConstraint("id"),
    sa.Index(None, "delivered_at", "seq"),
)

reason_catalogs = sa.Table(
    "reason_catalogs",
    metadata,
    _tenant(),
    sa.Column("document", Document, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id"),
)

sequences = sa.Table(
    "sequences",
    metadata,
    sa.Column("key", sa.String(), nullable=False),
    sa.Column("value", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("key"),
)

stock_moves = sa.Table(
    "stock_moves",
    metadata,
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

journal_entries = sa.Table(
    "journal_entries",
    metadata,
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

journal_postings = sa.Table(
    "journal_postings",
    metadata,
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
        ["journal_entries.tenant_id", "journal_entries.id"],
        ondelete="CASCADE",
    ),
    sa.Index(None, "tenant_id", "account_code"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    _tenant(),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("command", sa.String(64), nullable=False),
    sa.Column("return_id", sa.String(), nullable=False),
    sa.Column("document", Document, nullable=False),
    sa.PrimaryKeyConstraint("tenant_id", "key"),
)
