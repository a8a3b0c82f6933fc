"""The case file: the customer-side records of returns (requests, shipments, contacts, ...).

Revision ID: 0004
Revises: 0003
Create Date: 2027-01-11 09:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crm_returns.adapters.sql.migrate import migration_prefix
from crm_returns.adapters.sql.types import Document, Instant

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _table(name: str) -> sa.sql.elements.quoted_name:
    """The table ``name`` with the prefix, always quoted."""
    return sa.quoted_name(f"{migration_prefix()}{name}", quote=True)


def _index(table: str, *columns: str) -> None:
    p = migration_prefix()
    op.create_index(op.f(f"ix_{p}{table}_{'_'.join(columns)}"), _table(table), list(columns))


def upgrade() -> None:
    """Add the ``case_records`` table and its indexes."""
    p = migration_prefix()
    op.create_table(
        _table("case_records"),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200)),
        sa.Column("owner", sa.String(200)),
        sa.Column("team", sa.String(200)),
        sa.Column("due_at", Instant()),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "id", name=op.f(f"pk_{p}case_records")),
        sa.UniqueConstraint(
            "tenant_id", "kind", "key", name=op.f(f"uq_{p}case_records_tenant_id_kind_key")
        ),
    )
    _index("case_records", "tenant_id", "return_id", "kind", "at")
    _index("case_records", "tenant_id", "customer_id", "kind", "at")
    _index("case_records", "tenant_id", "kind", "due_at")


def downgrade() -> None:
    """Drop the ``case_records`` table (and with it every case-file record)."""
    op.drop_table(_table("case_records"))
