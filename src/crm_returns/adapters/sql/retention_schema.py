"""The tables of record retirement: holds, plans and their items, erasures, the log, tombstones.

Part of :class:`~crm_returns.adapters.sql.schema.Tables`, which makes them
under its prefix with the rest; kept here so that each module reads in one
sitting.  Every whole value is a JSON ``document`` beside the columns queries
filter and order on, as in the other tables.
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import sqlalchemy as sa

from crm_returns.adapters.sql.types import Document, ExactDecimal, Instant

__all__ = ["RetentionTables", "retention_tables"]


@attrs.frozen
class RetentionTables:
    """The retention tables of one prefix."""

    legal_holds: sa.Table
    retention_plans: sa.Table
    retention_plan_items: sa.Table
    erasure_requests: sa.Table
    retention_log: sa.Table
    tombstones: sa.Table
    retired_claims: sa.Table


def retention_tables(
    table: Callable[..., sa.Table], tenant: Callable[[], sa.Column[str]]
) -> RetentionTables:
    """Make the retention tables with ``table`` (which names and registers them).

    Args:
        table: Makes one table from its name without the prefix and its parts.
        tenant: Makes the ``tenant_id`` column every table carries.
    """
    legal_holds = table(
        "legal_holds",
        tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("placed_at", Instant(), nullable=False),
        sa.Column("released_at", Instant()),  # nullable: in force until released
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.Index(None, "tenant_id", "placed_at"),
    )
    retention_plans = table(
        "retention_plans",
        tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("proposed_at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "number"),
        sa.Index(None, "tenant_id", "proposed_at"),
    )
    retention_plan_items = table(
        "retention_plan_items",
        tenant(),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_class", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "plan_id", "position"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "plan_id"],
            [retention_plans.c.tenant_id, retention_plans.c.id],
        ),
    )
    erasure_requests = table(
        "erasure_requests",
        tenant(),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("number", sa.String(), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested_at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "id"),
        sa.UniqueConstraint("tenant_id", "number"),
        sa.Index(None, "tenant_id", "subject"),
    )
    retention_log = table(
        "retention_log",
        tenant(),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("at", Instant(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("document", Document, nullable=False),
        # Two writers appending at once take the same position: one loses.
        sa.PrimaryKeyConstraint("tenant_id", "position"),
    )
    tombstones = table(
        "tombstones",
        tenant(),
        sa.Column("record_class", sa.String(64), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("plan_number", sa.String(), nullable=False),
        sa.Column("destroyed_at", Instant(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "record_class", "record_id"),
    )
    # Units destroyed returns claimed, per order line: line_claims keeps
    # counting them, and the returnable quantity must too.
    retired_claims = table(
        "retired_claims",
        tenant(),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        sa.Column("units", ExactDecimal(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "order_number", "line_id"),
    )
    return RetentionTables(
        legal_holds=legal_holds,
        retention_plans=retention_plans,
        retention_plan_items=retention_plan_items,
        erasure_requests=erasure_requests,
        retention_log=retention_log,
        tombstones=tombstones,
        retired_claims=retired_claims,
    )
