"""The table of the case file: every customer-side record of a return, one row each.

Part of :class:`~crm_returns.adapters.sql.schema.Tables`, which makes it under
its prefix with the rest.  A row keeps the whole record as its JSON
``document`` (what is read back); beside it sit the columns the
:class:`~crm_returns.ports.CaseFile` port finds records by — the record's
kind and id, its return and customer, and its
:class:`~crm_returns.domain.casefile.CaseIndex` (unique key, owner, team,
deadline) — and ``version``, checked on every update.

``key`` is unique per tenant and kind where it is given: SQLite and
PostgreSQL both count NULLs as distinct, so records without a key never
collide.  Times are :class:`~crm_returns.adapters.sql.types.Instant` (UTC,
ordered as times on both databases); lists order ties by ``id`` in code-point
order (``COLLATE "C"`` on PostgreSQL), as Python sorts strings.  The overdue
lists have an index each: every record's ``(tenant_id, kind, due_at)``, one
user's ``(tenant_id, kind, owner, due_at, id)`` and one team's ``(tenant_id,
kind, team, due_at, id)``, so that a page of one owner's late returns reads
that page's rows.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from crm_returns.adapters.sql.types import Document, Instant

__all__ = ["casefile_table"]


def casefile_table(
    table: Callable[..., sa.Table], tenant: Callable[[], sa.Column[str]], prefix: str
) -> sa.Table:
    """Make the ``case_records`` table with ``table`` (which names and registers it).

    Args:
        table: Makes one table from its name without the prefix and its parts.
        tenant: Makes the ``tenant_id`` column every table carries.
        prefix: The tables' prefix, which the indexes named here start with.
    """
    return table(
        "case_records",
        tenant(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200)),  # nullable: not every record has a unique key
        sa.Column("owner", sa.String(200)),
        sa.Column("team", sa.String(200)),
        sa.Column("due_at", Instant()),  # nullable: nothing due
        sa.Column("at", Instant(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document", Document, nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "id"),
        sa.UniqueConstraint("tenant_id", "kind", "key"),
        sa.Index(None, "tenant_id", "return_id", "kind", "at"),
        sa.Index(None, "tenant_id", "customer_id", "kind", "at"),
        sa.Index(None, "tenant_id", "kind", "due_at"),
        # What one user or one team has overdue, in list order (revision 0006).
        sa.Index(f"ix_{prefix}case_records_by_user", *_overdue_of("owner")),
        sa.Index(f"ix_{prefix}case_records_by_team", *_overdue_of("team")),
    )


def _overdue_of(column: str) -> tuple[str, ...]:
    """The columns of an index of what ``column`` (owner or team) has overdue, in list order."""
    return ("tenant_id", "kind", column, "due_at", "id")
