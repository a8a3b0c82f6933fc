"""Record retirement through the service: plans, approvals, backups, holds, archive, erasure.

A return's photo goes with it: kept through archive and restore, backed up
(its bytes, base64) and deleted when the return is destroyed, and its bytes
deleted — its record kept, without its name — when its customer is erased.

The sample wiring's shop (tests/service/conftest.py) returns goods in
November 2026; the China profile keeps accounting vouchers 30 years from the
end of the fiscal year, so the clock moves 31 years on before anything is due.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from decimal import Decimal

import attrs
import pytest

from crm_returns import (
    Actor,
    AttachmentSubject,
    HoldScope,
    LineRef,
    MemoryBackups,
    PlanStatus,
    Receipt,
    RefundMethod,
    RequestedLine,
    ReturnOrder,
    ReturnQuery,
    ReturnRequest,
    ReturnsService,
)
from crm_returns.adapters.memory import MemoryAttachmentStore
from crm_returns.errors import (
    IllegalRetentionStep,
    LogTampered,
    NotFound,
    OverReturn,
    RecordArchived,
    RecordHeld,
    SeparationOfDuties,
    StorageError,
)
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

CABLE = LineRef("SO-1001", "2")  # 10 delivered
LAMP = LineRef("SO-1002", "2")  # 3 delivered, customer C-1002
ARCHIVIST = Actor("u-archivist", "档案员", SAMPLE_TENANT, {"records_manager"})
COUNSEL = Actor("u-counsel", "法务", SAMPLE_TENANT, {"legal"})
PARTNER = Actor("u-partner", "合伙人", SAMPLE_TENANT, {"legal"})
THIRTY_ONE_YEARS = timedelta(days=366 * 31)


@pytest.fixture
def backups() -> MemoryBackups:
    return MemoryBackups()


@pytest.fixture
def service(wiring: Wiring, backups: MemoryBackups) -> ReturnsService:
    """The sample service, with backups and two approvals of every plan."""
    settings = attrs.evolve(wiring.service.settings, backups=backups, plan_approvals=2)
    return ReturnsService(wiring.orders, wiring.database.unit_of_work, settings)


def closed(service: ReturnsService, w: Wiring, ref: LineRef, units: int) -> ReturnOrder:
    """A return of ``units`` of ``ref``, received and completed with store credit (paid)."""
    order = service.create_return(
        w.clerk, ReturnRequest((RequestedLine(ref, Decimal(units), "wrong_order"),))
    )
    service.submit_return(w.clerk, order.id)
    service.receive_goods(w.warehouse, order.id, {ref: Receipt(received=Decimal(units))})
    return service.complete_return(w.finance, order.id, method=RefundMethod.STORE_CREDIT)


def test_a_plan_needs_two_other_people_then_destroys_after_a_verified_backup(
    service: ReturnsService, wiring: Wiring, backups: MemoryBackups
) -> None:
    order = closed(service, wiring, CABLE, 2)
    wiring.clock.advance(THIRTY_ONE_YEARS)
    plan = service.propose_retention_plan(ARCHIVIST)
    items = service.retention_plan_items(ARCHIVIST, plan.number)
    assert {(i.key.record_class, i.key.record_id) for i in items} >= {("return_orders", order.id)}
    assert all(i.legal_basis for i in items if i.key.record_class == "return_orders")

    with pytest.raises(SeparationOfDuties):
        service.approve_retention_plan(
            Actor(ARCHIVIST.id, "档案员", SAMPLE_TENANT, {"legal"}), plan.number
        )
    once = service.approve_retention_plan(COUNSEL, plan.number)
    assert once.status is PlanStatus.PROPOSED
    with pytest.raises(SeparationOfDuties):
        service.approve_retention_plan(COUNSEL, plan.number)
    with pytest.raises(IllegalRetentionStep):
        service.apply_retention_plan(ARCHIVIST, plan.number)
    assert service.approve_retention_plan(PARTNER, plan.number).status is PlanStatus.APPROVED

    applied = service.apply_retention_plan(ARCHIVIST, plan.number)

    assert applied.status is PlanStatus.APPLIED
    reference = backups.find(plan.number)
    assert reference is not None
    assert applied.backup_checksum == reference.checksum
    backed_up = {(r["class"], r["id"]) for r in backups.read(reference)}
    assert ("return_orders", order.id) in backed_up
    with pytest.raises(NotFound):
        service.get_return(wiring.admin, order.id)
    assert service.retention_plans(ARCHIVIST)[-1] == applied  # the register keeps it
    assert service.verify_retention_log(ARCHIVIST) > 0


def test_a_plan_that_destroys_is_not_applied_without_backups(wiring: Wiring) -> None:
    service = wiring.service  # no backups configured
    closed(service, wiring, CABLE, 1)
    wiring.clock.advance(THIRTY_ONE_YEARS)
    plan = service.propose_retention_plan(ARCHIVIST)
    service.approve_retention_plan(COUNSEL, plan.number)

    with pytest.raises(IllegalRetentionStep, match="backups"):
        service.apply_retention_plan(ARCHIVIST, plan.number)
    assert service.retention_plan(ARCHIVIST, plan.number).status is PlanStatus.APPROVED


def test_an_apply_that_stopped_halfway_goes_on_from_its_last_batch(
    service: ReturnsService, wiring: Wiring, backups: MemoryBackups, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = closed(service, wiring, CABLE, 1), closed(service, wiring, CABLE, 2)
    wiring.clock.advance(THIRTY_ONE_YEARS)
    plan = service.propose_retention_plan(ARCHIVIST)
    service.approve_retention_plan(COUNSEL, plan.number)
    service.approve_retention_plan(PARTNER, plan.number)
    monkeypatch.setattr("crm_returns.service.retention_plans.PAGE", 1)

    def crash(done: int) -> None:
        raise KeyboardInterrupt  # the process dies after its first batch

    with pytest.raises(KeyboardInterrupt):
        service.apply_retention_plan(ARCHIVIST, plan.number, progress=crash)
    halfway = service.retention_plan(ARCHIVIST, plan.number)
    assert (halfway.status, halfway.applied_through) == (PlanStatus.APPLYING, 1)

    done = service.apply_retention_plan(ARCHIVIST, plan.number)

    assert (done.status, done.applied_through) == (PlanStatus.APPLIED, plan.items)
    assert done.backup == halfway.backup  # the backup was written once
    for order in (first, second):
        assert service.list_returns(wiring.admin, ReturnQuery(include_archived=True)).total == 0, (
            order
        )


def test_a_hold_keeps_a_customers_records_until_it_is_released(
    service: ReturnsService, wiring: Wiring
) -> None:
    order = closed(service, wiring, LAMP, 1)
    hold = service.place_hold(COUNSEL, HoldScope.CUSTOMER, "C-1002", "诉讼保全 (2026) 沪01民初1号")
    wiring.clock.advance(THIRTY_ONE_YEARS)

    held = service.propose_retention_plan(ARCHIVIST)
    kept = service.retention_plan_items(ARCHIVIST, held.number)

    assert all(item.return_id != order.id for item in kept)
    assert held.appraisal is not None
    assert any("held by hold" in line.reason for line in held.appraisal.lines)
    service.release_hold(COUNSEL, hold.id)
    freed = service.propose_retention_plan(ARCHIVIST)
    assert any(
        item.key.record_id == order.id
        for item in service.retention_plan_items(ARCHIVIST, freed.number)
    )


def test_an_archived_return_is_read_only_out_of_lists_and_restored_exactly(
    service: ReturnsService, wiring: Wiring
) -> None:
    order = closed(service, wiring, CABLE, 1)
    trail = service.audit_trail(wiring.admin, order.id)

    service.archive_return(ARCHIVIST, order.id)

    assert service.list_returns(wiring.admin, ReturnQuery()).total == 0
    assert service.list_returns(wiring.admin, ReturnQuery(include_archived=True)).total == 1
    assert service.get_return(wiring.admin, order.id) == order  # still readable
    with pytest.raises(RecordArchived):
        service.grant_refund(wiring.finance, order.id)
    service.restore_return(ARCHIVIST, order.id)
    assert service.get_return(wiring.admin, order.id) == order
    assert service.audit_trail(wiring.admin, order.id) == trail
    assert service.list_returns(wiring.admin, ReturnQuery()).total == 1


def test_a_return_in_progress_is_not_archived(service: ReturnsService, wiring: Wiring) -> None:
    order = service.create_return(
        wiring.clerk, ReturnRequest((RequestedLine(CABLE, Decimal(1), "wrong_order"),))
    )
    with pytest.raises(RecordHeld, match="in progress"):
        service.archive_return(ARCHIVIST, order.id)


def test_an_erasure_waits_for_open_returns_then_completes(
    service: ReturnsService, wiring: Wiring
) -> None:
    order = service.create_return(
        wiring.clerk, ReturnRequest((RequestedLine(LAMP, Decimal(1), "wrong_order"),))
    )
    waiting = service.request_erasure(ARCHIVIST, "C-1002", personal=["lina@example.com"])
    assert waiting.status.value == "scheduled"
    assert service.get_return(wiring.admin, order.id).customer_id == "C-1002"

    service.cancel_return(wiring.clerk, order.id, "客户撤回")
    (done,) = service.retry_erasures(ARCHIVIST)

    assert done.status.value == "completed"
    erased = service.get_return(wiring.admin, order.id)
    assert erased.customer_id == done.surrogate
    assert erased.customer_name == "[erased]"
    assert "C-1002" not in repr(service.retention_log(ARCHIVIST))  # the log names a digest


def test_a_destroyed_return_still_counts_against_what_may_be_returned(
    service: ReturnsService, wiring: Wiring
) -> None:
    closed(service, wiring, CABLE, 9)  # 9 of 10 cables back
    wiring.clock.advance(THIRTY_ONE_YEARS)
    plan = service.propose_retention_plan(ARCHIVIST)
    service.approve_retention_plan(COUNSEL, plan.number)
    service.approve_retention_plan(PARTNER, plan.number)
    service.apply_retention_plan(ARCHIVIST, plan.number)

    with pytest.raises(OverReturn):
        service.preview_return(
            wiring.clerk, ReturnRequest((RequestedLine(CABLE, Decimal(2), "wrong_order"),))
        )


def test_a_changed_log_entry_is_found(service: ReturnsService, wiring: Wiring) -> None:
    service.place_hold(COUNSEL, HoldScope.RETURN, "r-1", "审计")
    service.place_hold(COUNSEL, HoldScope.RETURN, "r-2", "审计")
    chain = wiring.database.committed.retention.log[SAMPLE_TENANT]
    chain[0] = attrs.evolve(chain[0], outcome="something else")

    with pytest.raises(LogTampered, match="entry 1"):
        service.verify_retention_log(ARCHIVIST)


def test_a_chinese_name_in_free_text_is_erased_too(service: ReturnsService, wiring: Wiring) -> None:
    order = service.create_return(
        wiring.clerk, ReturnRequest((RequestedLine(CABLE, Decimal(1), "wrong_order"),))
    )
    service.cancel_return(wiring.clerk, order.id, "张伟来电撤回")  # 张伟 is customer C-1001

    service.request_erasure(ARCHIVIST, "C-1001")

    comments = [entry.comment for entry in service.audit_trail(wiring.admin, order.id)]
    assert "[erased]来电撤回" in comments
    assert not any("张伟" in comment for comment in comments)


# -- a return's photo through archive, restore, destruction and erasure ----------------

PHOTO = bytes.fromhex("ffd8ffe000104a46494600010101004800480000") + bytes(64)


def _photographed(service: ReturnsService, w: Wiring, ref: LineRef) -> tuple[ReturnOrder, str]:
    """A closed return of ``ref`` with a receipt photo whose name and note name the customer."""
    order = closed(service, w, ref, 1)
    photo = service.attach_file(
        w.admin, order.id, AttachmentSubject.RECEIPT, "李娜 破损.jpg", PHOTO, note="李娜寄回"
    )
    return order, photo.id


def _stored(service: ReturnsService) -> set[str]:
    store = service.settings.attachments
    assert store is not None
    return set(store.ids(SAMPLE_TENANT))


def test_a_photo_goes_with_its_return_through_archive_restore_and_destruction(
    service: ReturnsService, wiring: Wiring, backups: MemoryBackups
) -> None:
    order, photo_id = _photographed(service, wiring, LAMP)
    files = service.attachments(wiring.admin, order.id)

    service.archive_return(ARCHIVIST, order.id)
    assert service.attachments(wiring.admin, order.id) == files  # read as before
    assert service.attachment_content(wiring.admin, order.id, photo_id) == PHOTO
    with pytest.raises(RecordArchived):
        service.attach_file(wiring.admin, order.id, AttachmentSubject.RECEIPT, "b.jpg", PHOTO)
    service.restore_return(ARCHIVIST, order.id)
    assert service.attachments(wiring.admin, order.id) == files
    assert service.attachment_content(wiring.admin, order.id, photo_id) == PHOTO

    wiring.clock.advance(THIRTY_ONE_YEARS)
    plan = service.propose_retention_plan(ARCHIVIST)
    service.approve_retention_plan(COUNSEL, plan.number)
    service.approve_retention_plan(PARTNER, plan.number)
    applied = service.apply_retention_plan(ARCHIVIST, plan.number)

    assert photo_id not in _stored(service)  # the bytes went after their record
    assert service.orphaned_attachments(ARCHIVIST) == ()
    reference = backups.find(applied.number)
    assert reference is not None
    (line,) = [r for r in backups.read(reference) if r["id"] == order.id]
    (backed_up,) = line["attachment_files"]
    assert base64.b64decode(backed_up["base64"]) == PHOTO  # the backup can bring them back
    assert backed_up["sha256"] == hashlib.sha256(PHOTO).hexdigest()
    assert [entry["kind"] for entry in line["case_records"]] == ["attachment"]
    with pytest.raises(NotFound):
        service.get_return(wiring.admin, order.id)


def test_an_erasure_deletes_the_photos_bytes_and_keeps_its_record(
    service: ReturnsService, wiring: Wiring
) -> None:
    order, photo_id = _photographed(service, wiring, LAMP)
    (before,) = service.attachments(wiring.admin, order.id)

    request = service.request_erasure(ARCHIVIST, "C-1002")

    assert request.status.value == "completed"
    assert ("attachments", 1) in request.erased
    (after,) = service.attachments(wiring.admin, order.id)
    assert (after.id, after.sha256, after.size, after.content_type) == (
        before.id,
        before.sha256,
        before.size,
        before.content_type,
    )
    assert (after.filename, after.note, after.customer_id) == ("[erased]", "", request.surrogate)
    assert photo_id not in _stored(service)
    with pytest.raises(NotFound):
        service.attachment_content(wiring.admin, order.id, photo_id)
    assert service.orphaned_attachments(ARCHIVIST) == ()


class _FailingOnce(MemoryAttachmentStore):
    """An attachment store whose first deletion fails, as a lost connection would."""

    failed = False

    def delete(self, tenant_id: str, attachment_id: str) -> bool:
        if not self.failed:
            self.failed = True
            raise StorageError("the object store did not answer")
        return super().delete(tenant_id, attachment_id)


def test_bytes_an_interrupted_erasure_left_are_deleted_when_it_runs_again(
    wiring: Wiring,
) -> None:
    store = _FailingOnce()
    settings = attrs.evolve(wiring.service.settings, attachments=store)
    service = ReturnsService(wiring.orders, wiring.database.unit_of_work, settings)
    order, photo_id = _photographed(service, wiring, LAMP)

    with pytest.raises(StorageError):
        service.request_erasure(ARCHIVIST, "C-1002")

    # The erasure committed before the bytes were deleted: the records are erased.
    assert service.get_return(wiring.admin, order.id).customer_name == "[erased]"
    assert photo_id in store.ids(SAMPLE_TENANT)
    service.reapply_erasures(ARCHIVIST)
    assert photo_id not in store.ids(SAMPLE_TENANT)
    again = service.request_erasure(ARCHIVIST, "C-1002")  # idempotent
    assert again.status.value == "completed"
