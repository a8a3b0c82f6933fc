"""Rows and document sizes per table: evidence that the baseline wrote what the store wrote."""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import sqlalchemy as sa

from crm_returns.adapters.sql import SqlDatabase

__all__ = ["Census", "take_census"]

#: Tables a lifecycle writes rows to (``sequences`` keeps one counter per series, not per return).
TABLES = (
    "returns",
    "return_lines",
    "line_claims",
    "audit_entries",
    "outbox",
    "stock_moves",
    "journal_entries",
    "journal_postings",
)


@attrs.frozen
class Census:
    """What a store holds.

    Attributes:
        rows: Rows per table.
        document_chars: Characters of JSON documents per table (tables that keep them).
    """

    rows: Mapping[str, int]
    document_chars: Mapping[str, int]

    def per_lifecycle(self, lifecycles: int) -> tuple[float, float]:
        """Rows, and document characters, per lifecycle."""
        return (
            sum(self.rows.values()) / lifecycles,
            sum(self.document_chars.values()) / lifecycles,
        )


def take_census(database: SqlDatabase) -> Census:
    """Count the rows and document characters of every table a lifecycle writes."""
    rows: dict[str, int] = {}
    chars: dict[str, int] = {}
    with database.engine.connect() as connection:
        for name in TABLES:
            table = getattr(database.tables, name)
            if "document" in table.c:
                length = sa.func.length(sa.cast(table.c.document, sa.Text))
                count, total = connection.execute(
                    sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(length), 0))
                ).one()
                chars[name] = int(total)
            else:
                count = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            rows[name] = int(count or 0)
        connection.rollback()
    return Census(rows, chars)
