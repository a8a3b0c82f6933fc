"""The case file of returns as retention sees it in SQL: counted, and erased.

A return owns its ``case_records`` rows (see
:mod:`~crm_returns.domain.retention.case_file`): its retained record counts
them by kind, its export carries them whole
(:mod:`~crm_returns.adapters.sql.retention_export`), and destroying it deletes
them (:mod:`~crm_returns.adapters.sql.retention_actions`).  Erasing a customer
rewrites each of their records through the case file's own adapter
(:class:`~crm_returns.adapters.sql.casefile.SqlCaseFile`), so that the
columns beside the document — ``customer_id`` and the unique key among them —
change with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from crm_returns.adapters.sql.casefile import SqlCaseFile
from crm_returns.adapters.sql.statements import as_text
from crm_returns.adapters.sql.transaction import Transaction
from crm_returns.domain.casefile.kinds import RECORD_KINDS
from crm_returns.domain.retention.case_erasure import erased_case_record
from crm_returns.domain.retention.case_file import case_file_counts, counted_as

__all__ = ["case_file_counts_of", "case_files", "erase_case_file"]

#: The most return ids one statement names (as ``retention_records.BATCH``, which
#: imports this module).
_BATCH = 500


def case_files(
    transaction: Transaction, tenant_id: str, return_ids: Sequence[str]
) -> dict[str, list[tuple[str, int, datetime]]]:
    """For each return of ``return_ids`` with a case file: each kind, how many, the latest time."""
    c = transaction.tables.case_records
    found: dict[str, list[tuple[str, int, datetime]]] = {}
    for start in range(0, len(return_ids), _BATCH):
        batch = return_ids[start : start + _BATCH]
        rows: Sequence[Any] = transaction.execute(
            sa.select(c.c.return_id, c.c.kind, sa.func.count(), sa.func.max(c.c.at))
            .where(c.c.tenant_id == tenant_id, c.c.return_id.in_(batch))
            .group_by(c.c.return_id, c.c.kind),
            subject="the case files of returns",
        ).all()
        for return_id, kind, count, latest in rows:
            found.setdefault(return_id, []).append((kind, int(count), latest))
    return found


def case_file_counts_of(
    transaction: Transaction, tenant_id: str, return_ids: Sequence[str]
) -> dict[str, tuple[tuple[str, int], ...]]:
    """For each return with a case file: its records' counts, by the names retention counts."""
    return {
        return_id: case_file_counts((kind, count) for kind, count, _ in kinds)
        for return_id, kinds in case_files(transaction, tenant_id, return_ids).items()
    }


def erase_case_file(
    transaction: Transaction,
    tenant_id: str,
    customer_id: str,
    surrogate: str,
    personal: Sequence[str],
) -> dict[str, int]:
    """Erase every case-file record of the customer; how many changed, by counted name."""
    c = transaction.tables.case_records
    rows: Sequence[Any] = transaction.execute(
        sa.select(c.c.kind, as_text(c.c.document)).where(
            c.c.tenant_id == tenant_id, c.c.customer_id == customer_id
        ),
        subject="the customer's case file",
    ).all()
    case_file = SqlCaseFile(transaction)
    changed: dict[str, int] = {}
    for kind, text in rows:
        record = transaction.codec.decode_text(text, RECORD_KINDS[kind])
        erased = erased_case_record(record, surrogate, personal)
        if erased != record:
            case_file.update(erased, expected_version=record.version)
            name = counted_as(kind)[1]
            changed[name] = changed.get(name, 0) + 1
    return changed
