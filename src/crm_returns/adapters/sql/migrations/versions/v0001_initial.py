"""Initial schema: returns, line claims, audit, outbox, reasons, counters, ledgers, idempotency.

Every name starts with the database's table prefix (``crm_returns_`` unless
told otherwise), which :func:`~crm_returns.adapters.sql.migrate.upgrade` hands
to the migration environment.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 09:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crm_returns.adapters.sql.migrate import migration_prefix
from crm_returns.adapters.sql.types import Document, ExactDecimal, Instant

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def _seq() -> sa.Column[int]:
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def _table(name: str) -> sa.sql.elements.quoted_name:
    """The table ``name`` with the prefix, always quoted."""
    return sa.quoted_name(f"{migration_prefix()}{name}", quote=True)


def upgrade() -> None:
    """Create every table of the SQL store."""
    p = migration_prefix()
    returns = op.create_table(
        _table("returns"),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("created_at", Instant(), nullable=False),
        sa.Column("updated_at", Instant(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{p}returns")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f(f"uq_{p}returns_tenant_id_number")),
    )
    op.create_index(
        op.f(f"ix_{p}returns_tenant_id_created_at_number"),
        _table("returns"),
        ["tenant_id", "created_at", "number"],
    )
    op.create_index(
        op.f(f"ix_{p}returns_tenant_id_customer_id"),
        _table("returns"),
        ["tenant_id", "customer_id"],
    )

    op.create_table(
        _table("return_lines"),
        _tenant(),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("claimed", ExactDecimal(), nullable=False),
        sa.Column("refunded_units", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "return_id", "order_number", "line_id", name=op.f(f"pk_{p}return_lines")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "return_id"],
            [returns.c.tenant_id, returns.c.id],
            name=op.f(f"fk_{p}return_lines_tenant_id_return_id_{p}returns"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f(f"ix_{p}return_lines_tenant_id_order_number_line_id_return_id"),
        _table("return_lines"),
        ["tenant_id", "order_number", "line_id", "return_id"],
    )
    op.create_index(
        op.f(f"ix_{p}return_lines_tenant_id_reason_code"),
        _table("return_lines"),
        ["tenant_id", "reason_code"],
    )

    op.create_table(
        _table("line_claims"),
        _tenant(),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("delivered", ExactDecimal(), nullable=False),
        sa.Column("claimed", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "order_number", "line_id", name=op.f(f"pk_{p}line_claims")
        ),
        sa.CheckConstraint(
            "CAST(claimed AS NUMERIC) <= CAST(delivered AS NUMERIC)",
            name=op.f(f"ck_{p}line_claims_within_delivered"),
        ),
        sa.CheckConstraint(
            "CAST(claimed AS NUMERIC) >= 0", name=op.f(f"ck_{p}line_claims_claimed_not_negative")
        ),
    )

    op.create_table(
        _table("audit_entries"),
        _seq(),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{p}audit_entries")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{p}audit_entries_tenant_id_id")),
    )
    op.create_index(
        op.f(f"ix_{p}audit_entries_tenant_id_return_id_seq"),
        _table("audit_entries"),
        ["tenant_id", "return_id", "seq"],
    )

    op.create_table(
        _table("outbox"),
        _seq(),
        sa.Column("id", sa.String(), nullable=False),
        _tenant(),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("created_at", Instant(), nullable=False),
        sa.Column("delivered_at", Instant()),  # nullable: not delivered yet
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{p}outbox")),
        sa.UniqueConstraint("id", name=op.f(f"uq_{p}outbox_id")),
    )
    op.create_index(
        op.f(f"ix_{p}outbox_delivered_at_seq"), _table("outbox"), ["delivered_at", "seq"]
    )

    op.create_table(
        _table("reason_catalogs"),
        _tenant(),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f(f"pk_{p}reason_catalogs")),
    )

    op.create_table(
        _table("sequences"),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f(f"pk_{p}sequences")),
    )

    op.create_table(
        _table("stock_moves"),
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
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{p}stock_moves")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{p}stock_moves_tenant_id_id")),
    )
    op.create_index(
        op.f(f"ix_{p}stock_moves_tenant_id_sku"), _table("stock_moves"), ["tenant_id", "sku"]
    )
    op.create_index(
        op.f(f"ix_{p}stock_moves_tenant_id_return_id"),
        _table("stock_moves"),
        ["tenant_id", "return_id"],
    )

    entries = op.create_table(
        _table("journal_entries"),
        _seq(),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{p}journal_entries")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{p}journal_entries_tenant_id_id")),
    )
    op.create_index(
        op.f(f"ix_{p}journal_entries_tenant_id_at"), _table("journal_entries"), ["tenant_id", "at"]
    )
    op.create_index(
        op.f(f"ix_{p}journal_entries_tenant_id_return_id"),
        _table("journal_entries"),
        ["tenant_id", "return_id"],
    )

    op.create_table(
        _table("journal_postings"),
        _tenant(),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "entry_id", "position", name=op.f(f"pk_{p}journal_postings")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entry_id"],
            [entries.c.tenant_id, entries.c.id],
            name=op.f(f"fk_{p}journal_postings_tenant_id_entry_id_{p}journal_entries"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f(f"ix_{p}journal_postings_tenant_id_account_code"),
        _table("journal_postings"),
        ["tenant_id", "account_code"],
    )

    op.create_table(
        _table("idempotency_keys"),
        _tenant(),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f(f"pk_{p}idempotency_keys")),
    )


def downgrade() -> None:
    """Drop every table of the SQL store, and all the data in them."""
    for table in (
        "idempotency_keys",
        "journal_postings",
        "journal_entries",
        "stock_moves",
        "sequences",
        "reason_catalogs",
        "outbox",
        "audit_entries",
        "line_claims",
        "return_lines",
        "returns",
    ):
        op.drop_table(_table(table))
