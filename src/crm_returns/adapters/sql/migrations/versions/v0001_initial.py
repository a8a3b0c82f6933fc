"""Initial schema: returns, line claims, audit, outbox, reasons, counters, ledgers, idempotency.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 09:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

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


def upgrade() -> None:
    """Create every table of the SQL store."""
    op.create_table(
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
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_returns")),
        sa.UniqueConstraint("tenant_id", "number", name=op.f("uq_returns_tenant_id_number")),
    )
    op.create_index(
        op.f("ix_returns_tenant_id_created_at_number"),
        "returns",
        ["tenant_id", "created_at", "number"],
    )
    op.create_index(
        op.f("ix_returns_tenant_id_customer_id"), "returns", ["tenant_id", "customer_id"]
    )

    op.create_table(
        "return_lines",
        _tenant(),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("reason_code", sa.String(64), nullable=False),
        sa.Column("claimed", ExactDecimal(), nullable=False),
        sa.Column("refunded_units", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "return_id", "order_number", "line_id", name=op.f("pk_return_lines")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "return_id"],
            ["returns.tenant_id", "returns.id"],
            name=op.f("fk_return_lines_tenant_id_return_id_returns"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f("ix_return_lines_tenant_id_order_number_line_id_return_id"),
        "return_lines",
        ["tenant_id", "order_number", "line_id", "return_id"],
    )
    op.create_index(
        op.f("ix_return_lines_tenant_id_reason_code"), "return_lines", ["tenant_id", "reason_code"]
    )

    op.create_table(
        "line_claims",
        _tenant(),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("delivered", ExactDecimal(), nullable=False),
        sa.Column("claimed", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "order_number", "line_id", name=op.f("pk_line_claims")
        ),
        sa.CheckConstraint(
            "CAST(claimed AS NUMERIC) <= CAST(delivered AS NUMERIC)",
            name=op.f("ck_line_claims_within_delivered"),
        ),
        sa.CheckConstraint(
            "CAST(claimed AS NUMERIC) >= 0", name=op.f("ck_line_claims_claimed_not_negative")
        ),
    )

    op.create_table(
        "audit_entries",
        _seq(),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_audit_entries_tenant_id_id")),
    )
    op.create_index(
        op.f("ix_audit_entries_tenant_id_return_id_seq"),
        "audit_entries",
        ["tenant_id", "return_id", "seq"],
    )

    op.create_table(
        "outbox",
        _seq(),
        sa.Column("id", sa.String(), nullable=False),
        _tenant(),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("created_at", Instant(), nullable=False),
        sa.Column("delivered_at", Instant()),  # nullable: not delivered yet
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_id")),
    )
    op.create_index(op.f("ix_outbox_delivered_at_seq"), "outbox", ["delivered_at", "seq"])

    op.create_table(
        "reason_catalogs",
        _tenant(),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_reason_catalogs")),
    )

    op.create_table(
        "sequences",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sequences")),
    )

    op.create_table(
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
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_stock_moves")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_stock_moves_tenant_id_id")),
    )
    op.create_index(op.f("ix_stock_moves_tenant_id_sku"), "stock_moves", ["tenant_id", "sku"])
    op.create_index(
        op.f("ix_stock_moves_tenant_id_return_id"), "stock_moves", ["tenant_id", "return_id"]
    )

    op.create_table(
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
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_journal_entries")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f("uq_journal_entries_tenant_id_id")),
    )
    op.create_index(op.f("ix_journal_entries_tenant_id_at"), "journal_entries", ["tenant_id", "at"])
    op.create_index(
        op.f("ix_journal_entries_tenant_id_return_id"),
        "journal_entries",
        ["tenant_id", "return_id"],
    )

    op.create_table(
        "journal_postings",
        _tenant(),
        sa.Column("entry_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("account_code", sa.String(32), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("amount", ExactDecimal(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "entry_id", "position", name=op.f("pk_journal_postings")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "entry_id"],
            ["journal_entries.tenant_id", "journal_entries.id"],
            name=op.f("fk_journal_postings_tenant_id_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(
        op.f("ix_journal_postings_tenant_id_account_code"),
        "journal_postings",
        ["tenant_id", "account_code"],
    )

    op.create_table(
        "idempotency_keys",
        _tenant(),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "key", name=op.f("pk_idempotency_keys")),
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
        op.drop_table(table)
