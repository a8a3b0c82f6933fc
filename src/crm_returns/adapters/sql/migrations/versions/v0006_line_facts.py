"""Line facts for reports: ``fact_lines`` and ``fact_returns``, filled from what is stored.

Revision ID: 0006
Revises: 0005
Create Date: 2027-02-01 09:00:00+00:00

The rows of returns stored before this revision are made from their
documents and their shipments (and from their assignments, feedback and
requests in the case file), five hundred returns at a time, so that reports
count the whole history at once.

The lists of what one user or one team has overdue get an index each,
``(tenant_id, kind, owner, due_at, id)`` and ``(tenant_id, kind, team,
due_at, id)``, which gives their rows in list order.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from crm_returns.adapters.sql.codec import Codec
from crm_returns.adapters.sql.fact_schema import DATE_COLUMNS, TEXT_COLUMNS
from crm_returns.adapters.sql.facts import (
    decline_values,
    fact_rows,
    owner_values,
    satisfaction_values,
    shipments_of,
)
from crm_returns.adapters.sql.migrate import migration_prefix
from crm_returns.domain.analytics import MONEY_COLUMNS
from crm_returns.domain.analytics.grouping import QUANTITY_COLUMNS
from crm_returns.domain.interactions.records import Feedback
from crm_returns.domain.ownership.records import Assignment
from crm_returns.domain.requests.records import ReturnRequest as RequestRecord
from crm_returns.domain.returns.order import ReturnOrder
from crm_returns.domain.shipments.records import Shipment

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

#: Returns made into rows at a time: their ids are the parameters of one query
#: of their shipments, fewer than the 999 the oldest SQLite allows.
_BATCH = 500


def _table(name: str) -> sa.sql.elements.quoted_name:
    """The table ``name`` with the prefix, always quoted."""
    return sa.quoted_name(f"{migration_prefix()}{name}", quote=True)


def _index(table: str, *columns: str) -> None:
    p = migration_prefix()
    op.create_index(op.f(f"ix_{p}{table}_{'_'.join(columns)}"), _table(table), list(columns))


def upgrade() -> None:
    """Add the fact tables and fill them from the returns and case files stored."""
    p = migration_prefix()
    returns = sa.table(_table("returns"), sa.column("tenant_id"), sa.column("id"))
    lines = op.create_table(
        _table("fact_lines"),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        *(sa.Column(name, sa.String(length), nullable=False) for name, length in TEXT_COLUMNS),
        sa.Column("stock_location", sa.String(32)),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in QUANTITY_COLUMNS),
        *(sa.Column(name, sa.BigInteger()) for name in MONEY_COLUMNS),
        *(sa.Column(name, sa.BigInteger()) for name in DATE_COLUMNS),
        sa.PrimaryKeyConstraint(
            "tenant_id", "return_id", "order_number", "line_id", name=op.f(f"pk_{p}fact_lines")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "return_id"],
            [returns.c.tenant_id, returns.c.id],
            name=op.f(f"fk_{p}fact_lines_tenant_id_return_id_{p}returns"),
            ondelete="CASCADE",
        ),
    )
    for basis in ("returned_at", "ordered_at", "refund_paid_at"):
        _index("fact_lines", "tenant_id", basis)
    owned = op.create_table(
        _table("fact_returns"),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("owner_user", sa.String(200)),
        sa.Column("owner_team", sa.String(200)),
        sa.Column("satisfaction", sa.Integer()),
        sa.Column("decline_reason", sa.String(64)),
        sa.PrimaryKeyConstraint("tenant_id", "return_id", name=op.f(f"pk_{p}fact_returns")),
    )
    # create_table returns the table it made (its stub says it may not).
    assert lines is not None  # noqa: S101
    assert owned is not None  # noqa: S101
    _fill(lines, owned)
    for column, name in (("owner", "by_user"), ("team", "by_team")):
        op.create_index(
            op.f(f"ix_{p}case_records_{name}"),
            _table("case_records"),
            ["tenant_id", "kind", column, "due_at", "id"],
        )


def _fill(lines: sa.Table, owned: sa.Table) -> None:
    """The rows of what is stored already."""
    connection = op.get_bind()
    codec = Codec()
    returns = sa.table(_table("returns"), sa.column("document"))
    records = sa.table(
        _table("case_records"),
        sa.column("kind"),
        sa.column("tenant_id"),
        sa.column("return_id"),
        sa.column("document"),
    )
    batch: list[ReturnOrder] = []
    for (document,) in connection.execute(sa.select(sa.cast(returns.c.document, sa.Text))):
        batch.append(codec.decode_text(document, ReturnOrder))
        if len(batch) >= _BATCH:
            _fill_lines(lines, records, codec, batch)
            batch = []
    if batch:
        _fill_lines(lines, records, codec, batch)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, values in (
        (Assignment, owner_values),
        (Feedback, satisfaction_values),
        (RequestRecord, decline_values),
    ):
        chosen = sa.select(
            records.c.tenant_id, records.c.return_id, sa.cast(records.c.document, sa.Text)
        ).where(records.c.kind == kind.kind)
        for tenant_id, return_id, document in connection.execute(chosen):
            row = found.setdefault(
                (tenant_id, return_id),
                {
                    "tenant_id": tenant_id,
                    "return_id": return_id,
                    "owner_user": None,
                    "owner_team": None,
                    "satisfaction": None,
                    "decline_reason": None,
                },
            )
            row.update(values(codec.decode_text(document, kind)))  # type: ignore[arg-type]
    if found:
        connection.execute(sa.insert(owned), list(found.values()))


def _fill_lines(
    lines: sa.Table, records: sa.TableClause, codec: Codec, orders: list[ReturnOrder]
) -> None:
    """The ``fact_lines`` rows of ``orders``, with the shipments of each."""
    connection = op.get_bind()
    shipped = sa.select(
        records.c.tenant_id, records.c.return_id, sa.cast(records.c.document, sa.Text)
    ).where(
        records.c.kind == Shipment.kind,
        records.c.return_id.in_(sorted({order.id for order in orders})),
    )
    shipments: dict[tuple[str, str], list[tuple[str]]] = {}
    for tenant_id, return_id, document in connection.execute(shipped):
        shipments.setdefault((tenant_id, return_id), []).append((document,))
    rows: list[dict[str, Any]] = []
    for order in orders:
        found = shipments.get((order.tenant_id, order.id), [])
        rows += fact_rows(order, shipments_of(found, codec))
    if rows:
        connection.execute(sa.insert(lines), rows)


def downgrade() -> None:
    """Drop the fact tables (the returns and case files keep everything they held)."""
    p = migration_prefix()
    for name in ("by_team", "by_user"):
        op.drop_index(op.f(f"ix_{p}case_records_{name}"), table_name=_table("case_records"))
    op.drop_table(_table("fact_returns"))
    op.drop_table(_table("fact_lines"))
