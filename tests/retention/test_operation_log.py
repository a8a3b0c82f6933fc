"""The operation log proves itself, and names the entry an intruder changed or removed.

After a generated history and random retention operations (holds, archives,
a released hold, an erasure, a plan proposed, approved and applied or
cancelled), the log verifies.  Then one entry is changed in the store — any
field of any entry — or one is deleted, behind the service's back, and
``verify_retention_log`` raises ``LogTampered`` naming that position.

A hash chain with nothing outside it to anchor its end cannot tell a log cut
short at its newest entry from one that ends there: deleting the newest entry
is left out here (see the report of branch ``retention-props``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.retention.histories import (
    AUDITOR,
    CUSTOMERS,
    LEGAL,
    RECORDS,
    TENANT,
    History,
    Played,
    approve,
    histories,
    play,
    service_on,
)
from tests.retention.stores import Stores

from crm_returns.domain.retention import LogEntry, Operation
from crm_returns.errors import LogTampered


def _changed(entry: LogEntry, field: str) -> LogEntry:
    """``entry`` with ``field`` changed to another value of its kind."""
    value = getattr(entry, field)
    new: Any
    if field in ("previous", "digest"):
        new = ("1" if value[0] == "0" else "0") + value[1:]
    elif field == "position":
        new = value + 1
    elif field == "at":
        new = value + timedelta(seconds=1)
    elif field == "operation":
        new = next(op for op in Operation if op is not value)
    elif field == "ids":
        new = (*value, "x")
    elif field == "counts":
        new = (*value, ("x", 1))
    else:
        new = value + "x"
    changes: dict[str, Any] = {field: new}
    return attrs.evolve(entry, **changes)


FIELDS = tuple(field.name for field in attrs.fields(LogEntry))


def _operate(played: Played, history: History, data: st.DataObject) -> None:
    """Random retention operations after the history: release, erase, plan."""
    service = played.service
    release = data.draw(st.booleans(), label="release a hold")
    if played.holds and release:
        service.release_hold(LEGAL, data.draw(st.sampled_from(played.holds), label="hold"))
    if data.draw(st.booleans(), label="erase"):
        service.request_erasure(RECORDS, data.draw(st.sampled_from(CUSTOMERS), label="customer"))
    plan = service.propose_retention_plan(RECORDS)
    if data.draw(st.booleans(), label="apply the plan"):
        approve(service, plan.number, history.approvals)
        service.apply_retention_plan(RECORDS, plan.number)
    else:
        service.cancel_retention_plan(RECORDS, plan.number)


@given(history=histories(), data=st.data())
def test_a_changed_or_deleted_entry_is_named(
    stores: Stores, history: History, data: st.DataObject
) -> None:
    with stores.fresh() as store:
        service, clock = service_on(
            store.unit_of_work, store.backups, policy=history.policy, approvals=history.approvals
        )
        played = play(service, clock, history)
        _operate(played, history, data)
        entries = service.retention_log(AUDITOR)
        assert service.verify_retention_log(AUDITOR) == len(entries) >= 2
        deleting = data.draw(st.booleans(), label="delete")
        last = len(entries) - 1 if deleting else len(entries)
        position = data.draw(st.integers(1, last), label="position")
        if deleting:
            store.delete_log_entry(TENANT, position)
        else:
            field = data.draw(st.sampled_from(FIELDS), label="field")
            entry = entries[position - 1]
            store.replace_log_entry(TENANT, position, _changed(entry, field))

        with pytest.raises(LogTampered) as tampered:
            service.verify_retention_log(AUDITOR)
        assert (tampered.value.tenant_id, tampered.value.position) == (TENANT, position)
