"""Deliveries: each destination's cursor, deliveries and attempts; the outbox's txid.

The outbox no longer says whether a message was delivered (that is per
destination now); it keeps the id of the transaction that wrote each message
(``txid``; 0 on SQLite), so that the relay fans messages out in commit order.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06 18:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crm_returns.adapters.sql.migrate import migration_prefix
from crm_returns.adapters.sql.schema import current_txid
from crm_returns.adapters.sql.types import Instant

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _table(name: str) -> sa.sql.elements.quoted_name:
    """The table ``name`` with the prefix, always quoted."""
    return sa.quoted_name(f"{migration_prefix()}{name}", quote=True)


def upgrade() -> None:
    """Add the delivery tables; the outbox keeps each message's transaction id."""
    p = migration_prefix()
    op.drop_index(op.f(f"ix_{p}outbox_delivered_at_seq"), table_name=_table("outbox"))
    # On SQLite the table is made again with AUTOINCREMENT, which never hands out
    # the number of a purged message again (it would hide below a cursor).
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table(
        _table("outbox"),
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True} if sqlite else {},
    ) as outbox:
        outbox.drop_column("delivered_at")
        outbox.add_column(
            sa.Column("txid", sa.BigInteger(), nullable=False, server_default=current_txid())
        )
    op.create_index(op.f(f"ix_{p}outbox_txid_seq"), _table("outbox"), ["txid", "seq"])
    op.create_table(
        _table("delivery_cursors"),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("cursor_txid", sa.BigInteger(), nullable=False),
        sa.Column("cursor_seq", sa.BigInteger(), nullable=False),
        sa.Column("disabled_at", Instant()),
        sa.Column("disabled_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("destination", name=op.f(f"pk_{p}delivery_cursors")),
    )
    op.create_table(
        _table("deliveries"),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", Instant(), nullable=False),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_until", Instant()),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", Instant()),
        sa.PrimaryKeyConstraint("destination", "message_id", name=op.f(f"pk_{p}deliveries")),
    )
    for columns in (["destination", "status", "seq"], ["destination", "return_id", "seq"]):
        op.create_index(
            op.f(f"ix_{p}deliveries_{'_'.join(columns)}"), _table("deliveries"), columns
        )
    op.create_index(op.f(f"ix_{p}deliveries_message_id"), _table("deliveries"), ["message_id"])
    op.create_table(
        _table("delivery_attempts"),
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("relay", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f(f"pk_{p}delivery_attempts")),
    )
    op.create_index(
        op.f(f"ix_{p}delivery_attempts_destination_message_id_seq"),
        _table("delivery_attempts"),
        ["destination", "message_id", "seq"],
    )


def downgrade() -> None:
    """Drop the delivery tables; every message counts as not delivered again."""
    p = migration_prefix()
    for table in ("delivery_attempts", "deliveries", "delivery_cursors"):
        op.drop_table(_table(table))
    op.drop_index(op.f(f"ix_{p}outbox_txid_seq"), table_name=_table("outbox"))
    with op.batch_alter_table(_table("outbox")) as outbox:
        outbox.drop_column("txid")
        outbox.add_column(sa.Column("delivered_at", Instant()))
    op.create_index(
        op.f(f"ix_{p}outbox_delivered_at_seq"), _table("outbox"), ["delivered_at", "seq"]
    )
