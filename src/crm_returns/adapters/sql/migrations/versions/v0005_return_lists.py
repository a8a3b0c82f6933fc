"""Return lists that stay fast as history grows: an index per daily list.

Every return, and a creation-date window, already had ``(tenant_id,
created_at, number)``.  A list of one status now has ``(tenant_id, status,
created_at, number)`` and a customer's list ``(tenant_id, customer_id,
created_at, number)``, which replaces ``(tenant_id, customer_id)``: each gives
its rows in list order, so that the first page, and a page after a cursor,
read that page's rows and no more.

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-25 09:00:00+00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from crm_returns.adapters.sql.migrate import migration_prefix

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_LISTED = ("created_at", "number")


def _returns() -> sa.sql.elements.quoted_name:
    """The ``returns`` table with the prefix, always quoted."""
    return sa.quoted_name(f"{migration_prefix()}returns", quote=True)


def upgrade() -> None:
    """Add the indexes of the lists by status and by customer."""
    p = migration_prefix()
    op.create_index(op.f(f"ix_{p}returns_by_status"), _returns(), ["tenant_id", "status", *_LISTED])
    op.create_index(
        op.f(f"ix_{p}returns_by_customer"), _returns(), ["tenant_id", "customer_id", *_LISTED]
    )
    op.drop_index(op.f(f"ix_{p}returns_tenant_id_customer_id"), table_name=_returns())


def downgrade() -> None:
    """Go back to the index of returns by customer alone."""
    p = migration_prefix()
    op.create_index(
        op.f(f"ix_{p}returns_tenant_id_customer_id"), _returns(), ["tenant_id", "customer_id"]
    )
    op.drop_index(op.f(f"ix_{p}returns_by_customer"), table_name=_returns())
    op.drop_index(op.f(f"ix_{p}returns_by_status"), table_name=_returns())
