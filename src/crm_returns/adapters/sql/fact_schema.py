"""The tables of line facts: what reports group, kept in step with the returns.

Part of :class:`~crm_returns.adapters.sql.schema.Tables`.  ``fact_lines`` has
one row per line of a return, with the columns of
:class:`~crm_returns.domain.analytics.LineFact` that come from the return
itself; ``fact_returns`` one row per return that has an owner, feedback or a
declined request (``owner_user``, ``owner_team``, ``satisfaction``,
``decline_reason``), from its case file.  The
store writes them in the transaction that writes the return or the record
(:mod:`~crm_returns.adapters.sql.facts`), so they are never behind.

Every number is an integer, so that ``SUM`` is exact on SQLite too (which has
no decimal type): quantities in millionths of a unit
(:data:`~crm_returns.domain.money.MAX_UNIT_PLACES` places), amounts in minor
units of the row's currency, moments in microseconds since 1970-01-01 UTC
(a duration is a subtraction).  A column a fact does not know is NULL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import sqlalchemy as sa

from crm_returns.domain.analytics import MONEY_COLUMNS
from crm_returns.domain.analytics.grouping import QUANTITY_COLUMNS

__all__ = ["DATE_COLUMNS", "QUANTITY_SCALE", "TEXT_COLUMNS", "FactTables", "fact_tables"]

#: Quantities are kept in these parts of a unit.
QUANTITY_SCALE: Final = 10**6
#: The moments of a line fact, kept as microseconds since the epoch.
DATE_COLUMNS: Final = (
    "ordered_at",
    "delivered_at",
    "returned_at",
    "submitted_at",
    "approved_at",
    "goods_back_at",
    "inspected_at",
    "refund_paid_at",
    "completed_at",
)
#: The text columns of ``fact_lines`` beside its key, with their lengths.
TEXT_COLUMNS: Final[tuple[tuple[str, int | None], ...]] = (
    ("return_number", None),
    ("sku", 64),
    ("product_name", 200),
    ("product_category", 64),
    ("customer_id", 64),
    ("reason_code", 64),
    ("reason_category", 64),
    ("status", 32),
    ("currency", 3),
)


class FactTables:
    """The two fact tables of one prefix.

    Attributes:
        lines: ``fact_lines``, one row per line of a return.
        returns: ``fact_returns``, owner and satisfaction per return.
    """

    def __init__(self, lines: sa.Table, returns: sa.Table) -> None:
        self.lines = lines
        self.returns = returns


def fact_tables(
    table: Callable[..., sa.Table], tenant: Callable[[], sa.Column[str]], returns: sa.Table
) -> FactTables:
    """Make ``fact_lines`` and ``fact_returns`` with ``table`` (which names and registers them).

    Args:
        table: Makes one table from its name without the prefix and its parts.
        tenant: Makes the ``tenant_id`` column every table carries.
        returns: The ``returns`` table the line facts belong to (deleted with it).
    """
    lines = table(
        "fact_lines",
        tenant(),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("order_number", sa.String(64), nullable=False),
        sa.Column("line_id", sa.String(64), nullable=False),
        *(sa.Column(name, sa.String(length), nullable=False) for name, length in TEXT_COLUMNS),
        sa.Column("stock_location", sa.String(32)),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in QUANTITY_COLUMNS),
        *(sa.Column(name, sa.BigInteger()) for name in MONEY_COLUMNS),
        *(sa.Column(name, sa.BigInteger()) for name in DATE_COLUMNS),
        sa.PrimaryKeyConstraint("tenant_id", "return_id", "order_number", "line_id"),
        sa.ForeignKeyConstraint(
            ["tenant_id", "return_id"], [returns.c.tenant_id, returns.c.id], ondelete="CASCADE"
        ),
        # A report reads the lines of its window on one date basis.
        sa.Index(None, "tenant_id", "returned_at"),
        sa.Index(None, "tenant_id", "ordered_at"),
        sa.Index(None, "tenant_id", "refund_paid_at"),
    )
    owned = table(
        "fact_returns",
        tenant(),
        sa.Column("return_id", sa.String(), nullable=False),
        sa.Column("owner_user", sa.String(200)),
        sa.Column("owner_team", sa.String(200)),
        sa.Column("satisfaction", sa.Integer()),
        sa.Column("decline_reason", sa.String(64)),
        # No foreign key: a new return's owner is written before the return itself.
        sa.PrimaryKeyConstraint("tenant_id", "return_id"),
    )
    return FactTables(lines, owned)
