"""Retention: archived returns, legal holds, plans and their items, erasures, the log, tombstones.

Existing returns stay active (``archived`` is false for them).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-14 09:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crm_returns.adapters.sql.migrate import migration_prefix
from crm_returns.adapters.sql.types import Document, ExactDecimal, Instant

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: The new tables, children after parents (dropped in the reverse order).
_NEW_TABLES = (
    "legal_holds",
    "retention_plans",
    "retention_plan_items",
    "erasure_requests",
    "retention_log",
    "tombstones",
    "retired_claims",
)


def _table(name: str) -> sa.sql.elements.quoted_name:
    """The table ``name`` with the prefix, always quoted."""
    return sa.quoted_name(f"{migration_prefix()}{name}", quote=True)


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant_id", sa.String(64), nullable=False)


def _index(table: str, *columns: str) -> None:
    p = migration_prefix()
    op.create_index(op.f(f"ix_{p}{table}_{'_'.join(columns)}"), _table(table), list(columns))


def upgrade() -> None:
    """Add ``returns.archived`` and the retention tables."""
    p = migration_prefix()
    op.add_column(
        _table("returns"),
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        _table("legal_holds"),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("placed_at", Instant(), nullable=False),
        sa.Column("released_at", Instant()),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{p}legal_holds")),
    )
    _index("legal_holds", "tenant_id", "placed_at")
    plans = op.create_table(
        _table("retention_plans"),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{p}retention_plans")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f(f"uq_{p}retention_plans_tenant_id_number")
        ),
    )
    _index("retention_plans", "tenant_id", "proposed_at")
    op.create_table(
        _table("retention_plan_items"),
        _tenant(),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_class", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "plan_id", "position", name=op.f(f"pk_{p}retention_plan_items")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            [plans.c.tenant_id, plans.c.id],
            name=op.f(f"fk_{p}retention_plan_items_tenant_id_plan_id_{p}retention_plans"),
        ),
    )
    op.create_table(
        _table("erasure_requests"),
        _tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f(f"pk_{p}erasure_requests")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f(f"uq_{p}erasure_requests_tenant_id_number")
        ),
    )
    _index("erasure_requests", "tenant_id", "subject")
    op.create_table(
        _table("retention_log"),
        _tenant(),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "position", name=op.f(f"pk_{p}retention_log")),
    )
    op.create_table(
        _table("tombstones"),
        _tenant(),
        sa.Column("record_class", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("plan_number", sa.String(), nullable=False),
        sa.Column("destroyed_at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "record_class", "record_id", name=op.f(f"pk_{p}tombstones")
        ),
    )
    op.create_table(
        _table("retired_claims"),
        _tenant(),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("units", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint(
            "tenant_id", "order_number", "line_id", name=op.f(f"pk_{p}retired_claims")
        ),
    )


def downgrade() -> None:
    """Drop the retention tables and ``returns.archived`` (archived returns become active)."""
    for table in reversed(_NEW_TABLES):
        op.drop_table(_table(table))
    with op.batch_alter_table(_table("returns")) as returns:
        returns.drop_column("archived")
