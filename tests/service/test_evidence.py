"""Photos and files on returns: detected types, limits, checksums, and who may attach what.

The sample wiring keeps attachments in a ``MemoryAttachmentStore``.  Lines and
people are described in tests/service/conftest.py: SO-1001 is 张伟's (C-1001),
SO-1002 李娜's (C-1002).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import attrs
import pytest

from crm_returns import (
    Actor,
    Attachment,
    AttachmentAdded,
    AttachmentRules,
    AttachmentSubject,
    LineRef,
    Receipt,
    RefundMethod,
    ReturnOrder,
    ReturnsService,
)
from crm_returns.adapters.memory import MemoryAttachmentStore
from crm_returns.adapters.memory.casefile import MemoryCaseFile
from crm_returns.adapters.memory.database import MemoryUnitOfWork
from crm_returns.domain.returns.states import Action
from crm_returns.errors import (
    AttachmentCorrupt,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    ConcurrencyConflict,
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    NotFound,
    RecordArchived,
    StorageError,
    TooManyAttachments,
)
from crm_returns.evidence import sha256_of
from crm_returns.samples import SAMPLE_TENANT
from crm_returns.testing import Wiring

MOUSE = LineRef("SO-1001", "1")  # C-1001 张伟
CABLE = LineRef("SO-1001", "2")
LAMP = LineRef("SO-1002", "2")  # C-1002 李娜

JPEG = bytes.fromhex("ffd8ffe000104a46494600010101004800480000") + bytes(200)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(100)
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
GIF = b"GIF89a\x01\x00\x01\x00" + bytes(20)

R, INSP, Q = AttachmentSubject.RECEIPT, AttachmentSubject.INSPECTION, AttachmentSubject.REQUEST

ZHANG = Actor("c-zhang", "张伟", SAMPLE_TENANT, {"customer"}, customer_id="C-1001")
LI = Actor("c-li", "李娜", SAMPLE_TENANT, {"customer"}, customer_id="C-1002")
ARCHIVIST = Actor("u-archivist", "档案员", SAMPLE_TENANT, {"records_manager"})

Drafted = Callable[..., ReturnOrder]


def _store(service: ReturnsService) -> MemoryAttachmentStore:
    store = service.settings.attachments
    assert isinstance(store, MemoryAttachmentStore)
    return store


def _received(wiring: Wiring, drafted: Drafted) -> ReturnOrder:
    order = drafted((CABLE, 1, "wrong_order"))
    wiring.service.submit_return(wiring.clerk, order.id)
    return wiring.service.receive_goods(
        wiring.warehouse, order.id, {CABLE: Receipt(received=Decimal(1))}
    )


def _rewired(wiring: Wiring, **settings: Any) -> ReturnsService:
    return ReturnsService(
        wiring.orders,
        wiring.database.unit_of_work,
        attrs.evolve(wiring.service.settings, **settings),
    )


# -- staff ------------------------------------------------------------------------------


def test_the_warehouse_keeps_a_photo_of_a_receipt(wiring: Wiring, drafted: Drafted) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    attached = s.attach_file(wiring.warehouse, order.id, R, "箱子.jpg", JPEG, note="外箱压坏")

    assert attached.subject is R
    assert (attached.filename, attached.note) == ("箱子.jpg", "外箱压坏")
    assert (attached.content_type, attached.size) == ("image/jpeg", len(JPEG))
    assert attached.sha256 == sha256_of(JPEG)
    assert (attached.uploaded_by, attached.return_id, attached.customer_id) == (
        wiring.warehouse.id,
        order.id,
        "C-1001",
    )
    assert attached.at == wiring.clock.now()
    assert s.attachments(wiring.clerk, order.id) == (attached,)
    assert s.attachment_content(wiring.finance, order.id, attached.id) == JPEG
    assert _store(s).ids(SAMPLE_TENANT) == [attached.id]
    # The return does not move; the audit trail and the outbox say what happened.
    assert s.get_return(wiring.clerk, order.id) == order
    entry = s.audit_trail(wiring.admin, order.id)[-1]
    assert entry.action is Action.ATTACH
    assert entry.from_status is entry.to_status is order.status
    assert ("attachment_id", attached.id) in entry.detail
    [event] = [
        m.event
        for _, m in wiring.database.committed.outbox.values()
        if isinstance(m.event, AttachmentAdded)
    ]
    assert (event.attachment_id, event.subject, event.content_type, event.sha256) == (
        attached.id,
        R,
        "image/jpeg",
        attached.sha256,
    )


def test_the_inspector_adds_inspection_photos_listed_oldest_first(
    wiring: Wiring, drafted: Drafted
) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    first = s.attach_file(wiring.warehouse, order.id, R, "a.png", PNG)
    wiring.clock.advance(timedelta(minutes=1))
    second = s.attach_file(wiring.inspector, order.id, INSP, "b.pdf", PDF, note="质检报告")
    assert s.attachments(wiring.inspector, order.id) == (first, second)
    assert s.attachment_content(wiring.inspector, order.id, second.id) == PDF


def test_the_type_comes_from_the_bytes_not_the_name(wiring: Wiring, drafted: Drafted) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    attached = s.attach_file(wiring.warehouse, order.id, R, "photo.jpg", PDF)
    assert attached.content_type == "application/pdf"
    photos_only = _rewired(wiring, attachment_rules=AttachmentRules(content_types=["image/jpeg"]))
    with pytest.raises(AttachmentTypeNotAllowed, match="application/pdf") as refused:
        photos_only.attach_file(wiring.warehouse, order.id, R, "photo.jpg", PDF)
    assert refused.value.detected == "application/pdf"
    assert s.attachments(wiring.clerk, order.id) == (attached,)


@pytest.mark.parametrize(
    ("data", "detected"),
    [(GIF, "image/gif"), (b"<svg><script/></svg>", None), (b"", None), (b"MZ" + bytes(60), None)],
    ids=["gif", "svg", "empty", "exe"],
)
def test_bytes_of_no_allowed_type_are_refused_and_nothing_is_kept(
    wiring: Wiring,
    drafted: Drafted,
    snapshot: Callable[[], object],
    data: bytes,
    detected: str | None,
) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    before = snapshot()
    with pytest.raises(AttachmentTypeNotAllowed) as refused:
        s.attach_file(wiring.warehouse, order.id, R, "photo.jpg", data)
    if detected is not None:
        assert refused.value.detected == detected
    assert snapshot() == before
    assert _store(s).ids(SAMPLE_TENANT) == []


def test_a_file_over_the_size_limit_is_refused(
    wiring: Wiring, drafted: Drafted, snapshot: Callable[[], object]
) -> None:
    order = _received(wiring, drafted)
    small = _rewired(wiring, attachment_rules=AttachmentRules(max_size=len(JPEG) - 1))
    before = snapshot()
    with pytest.raises(AttachmentTooLarge) as refused:
        small.attach_file(wiring.warehouse, order.id, R, "big.jpg", JPEG)
    assert (refused.value.size, refused.value.limit) == (len(JPEG), len(JPEG) - 1)
    assert snapshot() == before
    assert _store(small).ids(SAMPLE_TENANT) == []


def test_a_return_holds_at_most_max_per_return_files(wiring: Wiring, drafted: Drafted) -> None:
    order = _received(wiring, drafted)
    two = _rewired(wiring, attachment_rules=AttachmentRules(max_per_return=2))
    two.attach_file(wiring.warehouse, order.id, R, "1.jpg", JPEG)
    two.attach_file(wiring.warehouse, order.id, R, "2.jpg", JPEG + b"2")
    with pytest.raises(TooManyAttachments):
        two.attach_file(wiring.warehouse, order.id, R, "3.jpg", JPEG + b"3")
    assert len(two.attachments(wiring.clerk, order.id)) == 2


def test_a_retried_upload_is_kept_once(wiring: Wiring, drafted: Drafted) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    first = s.attach_file(wiring.warehouse, order.id, R, "箱子.jpg", JPEG, note="外箱压坏")
    wiring.clock.advance(timedelta(seconds=30))  # the portal timed out and sent it again

    again = s.attach_file(wiring.warehouse, order.id, R, "箱子 (1).jpg", JPEG)
    other_subject = s.attach_file(wiring.inspector, order.id, INSP, "箱子.jpg", JPEG)

    assert again == first
    assert s.attachments(wiring.clerk, order.id) == (first, other_subject)
    assert sorted(_store(s).ids(SAMPLE_TENANT)) == sorted([first.id, other_subject.id])
    attached = [e for e in s.audit_trail(wiring.admin, order.id) if e.action is Action.ATTACH]
    assert len(attached) == 2


def test_changed_bytes_are_never_served(wiring: Wiring, drafted: Drafted) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    attached = s.attach_file(wiring.warehouse, order.id, R, "box.jpg", JPEG)
    _store(s).replace_bytes(SAMPLE_TENANT, attached.id, JPEG[:-1] + b"\x01")
    with pytest.raises(AttachmentCorrupt) as corrupt:
        s.attachment_content(wiring.clerk, order.id, attached.id)
    assert corrupt.value.expected == attached.sha256


def test_a_role_without_the_permission_is_refused_and_audited(
    wiring: Wiring, drafted: Drafted
) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    for actor in (wiring.finance, wiring.clerk, wiring.approver):
        with pytest.raises(NotAuthorised, match="add_attachments"):
            s.attach_file(actor, order.id, R, "box.jpg", JPEG)
    assert _store(s).ids(SAMPLE_TENANT) == []
    denied = [e for e in s.audit_trail(wiring.admin, order.id) if e.action is Action.DENIED]
    assert [e.actor_id for e in denied] == [
        wiring.finance.id,
        wiring.clerk.id,
        wiring.approver.id,
    ]
    guest = Actor("u-guest", "guest", SAMPLE_TENANT, {"guest"})
    with pytest.raises(NotAuthorised, match="view_returns"):
        s.attachments(guest, order.id)
    with pytest.raises(NotAuthorised, match="view_returns"):
        s.attachment_content(guest, order.id, "anything")


def test_an_archived_return_takes_no_new_files(wiring: Wiring, drafted: Drafted) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    s.complete_return(wiring.finance, order.id, method=RefundMethod.STORE_CREDIT)
    s.archive_return(ARCHIVIST, order.id)
    with pytest.raises(RecordArchived):
        s.attach_file(wiring.warehouse, order.id, R, "late.jpg", JPEG)
    assert _store(s).ids(SAMPLE_TENANT) == []


def test_other_tenants_and_other_returns_are_not_found(
    wiring: Wiring, drafted: Drafted, outsider: Actor
) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    other = drafted((LAMP, 1, "wrong_order"))
    attached = s.attach_file(wiring.warehouse, order.id, R, "box.jpg", JPEG)
    with pytest.raises(NotFound):
        s.attach_file(outsider, order.id, R, "x.jpg", JPEG)
    with pytest.raises(NotFound):
        s.attachments(outsider, order.id)
    with pytest.raises(NotFound):
        s.attachment_content(outsider, order.id, attached.id)
    with pytest.raises(NotFound, match="attachment"):
        s.attachment_content(wiring.clerk, other.id, attached.id)
    with pytest.raises(NotFound, match="attachment"):
        s.attachment_content(wiring.clerk, order.id, "no-such-attachment")


@pytest.mark.parametrize(
    ("subject", "filename", "data", "note"),
    [
        ("receipt", "a.jpg", JPEG, ""),
        (R, "", JPEG, ""),
        (R, "x" * 256, JPEG, ""),
        (R, "a\ud800.jpg", JPEG, ""),
        (R, "a.jpg", "text", ""),
        (R, "a.jpg", None, ""),
        (R, "a.jpg", JPEG, "n" * 501),
        (R, 7, JPEG, ""),
    ],
    ids=["subject text", "blank name", "long name", "surrogate", "str", "None", "long note", "int"],
)
def test_bad_arguments_are_invalid_input_and_keep_nothing(
    wiring: Wiring, drafted: Drafted, subject: object, filename: object, data: object, note: object
) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    with pytest.raises(InvalidInput):
        s.attach_file(wiring.warehouse, order.id, subject, filename, data, note)  # type: ignore[arg-type]
    assert _store(s).ids(SAMPLE_TENANT) == []


def test_bytearray_and_memoryview_are_taken_as_bytes(wiring: Wiring, drafted: Drafted) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    a = s.attach_file(wiring.warehouse, order.id, R, "a.jpg", bytearray(JPEG))  # type: ignore[arg-type]
    b = s.attach_file(wiring.warehouse, order.id, R, "b.jpg", memoryview(PNG))  # type: ignore[arg-type]
    assert s.attachment_content(wiring.clerk, order.id, a.id) == JPEG
    assert s.attachment_content(wiring.clerk, order.id, b.id) == PNG


# -- customers --------------------------------------------------------------------------


def test_a_customer_adds_a_photo_to_their_own_request(wiring: Wiring, drafted: Drafted) -> None:
    s = wiring.service
    request = drafted((MOUSE, 1, "quality_defect"))  # 张伟's draft: his request
    photo = s.attach_file(ZHANG, request.id, Q, "IMG_0001.HEIC", JPEG, note="鼠标滚轮坏了")
    assert (photo.subject, photo.uploaded_by, photo.customer_id) == (Q, ZHANG.id, "C-1001")
    assert s.attachments(ZHANG, request.id) == (photo,)
    assert s.attachment_content(ZHANG, request.id, photo.id) == JPEG
    # Staff see it on the return.
    assert s.attachments(wiring.clerk, request.id) == (photo,)


def test_another_customers_return_does_not_exist_for_a_customer(
    wiring: Wiring, drafted: Drafted
) -> None:
    s = wiring.service
    theirs = drafted((LAMP, 1, "wrong_order"))  # 李娜's
    photo = s.attach_file(LI, theirs.id, Q, "lamp.jpg", JPEG)
    with pytest.raises(NotFound, match="return") as missing:
        s.attach_file(ZHANG, theirs.id, Q, "mine.jpg", JPEG)
    assert missing.value.key == theirs.id
    with pytest.raises(NotFound, match="return"):
        s.attachments(ZHANG, theirs.id)
    with pytest.raises(NotFound, match="return"):
        s.attachment_content(ZHANG, theirs.id, photo.id)
    # No denial is written either: for 张伟, the return is simply not there.
    assert all(e.action is not Action.DENIED for e in s.audit_trail(wiring.admin, theirs.id))
    assert s.attachments(LI, theirs.id) == (photo,)


def test_a_customer_attaches_to_their_request_only(wiring: Wiring, drafted: Drafted) -> None:
    s = wiring.service
    request = drafted((MOUSE, 1, "quality_defect"))
    for subject in (R, INSP):
        with pytest.raises(NotAuthorised, match="add_attachments"):
            s.attach_file(ZHANG, request.id, subject, "x.jpg", JPEG)
    s.submit_return(wiring.clerk, request.id)  # decided: no longer waiting as a request
    with pytest.raises(IllegalTransition, match="attach a file"):
        s.attach_file(ZHANG, request.id, Q, "late.jpg", JPEG)
    assert _store(s).ids(SAMPLE_TENANT) == []


def test_a_customer_sees_the_files_of_their_request_not_staffs(
    wiring: Wiring, drafted: Drafted
) -> None:
    s = wiring.service
    request = drafted((MOUSE, 1, "quality_defect"))
    photo = s.attach_file(ZHANG, request.id, Q, "mouse.jpg", JPEG)
    s.submit_return(wiring.clerk, request.id)
    s.approve_return(wiring.inspector, request.id)
    s.receive_goods(wiring.warehouse, request.id, {MOUSE: Receipt(received=Decimal(1))})
    wiring.clock.advance(timedelta(minutes=1))
    internal = s.attach_file(wiring.inspector, request.id, INSP, "qa.pdf", PDF, note="客户使用不当")
    assert s.attachments(ZHANG, request.id) == (photo,)
    with pytest.raises(NotFound, match="attachment"):
        s.attachment_content(ZHANG, request.id, internal.id)
    assert s.attachments(wiring.clerk, request.id) == (photo, internal)


def test_a_customer_without_the_customer_role_is_refused(wiring: Wiring, drafted: Drafted) -> None:
    s = wiring.service
    request = drafted((MOUSE, 1, "quality_defect"))
    roleless = attrs.evolve(ZHANG, roles=frozenset())
    with pytest.raises(NotAuthorised, match="request_return"):
        s.attach_file(roleless, request.id, Q, "x.jpg", JPEG)
    with pytest.raises(NotAuthorised, match="follow_returns"):
        s.attachments(roleless, request.id)


# -- wiring, failures and orphans -------------------------------------------------------


def test_a_service_without_a_store_says_how_to_configure_one(
    wiring: Wiring, drafted: Drafted
) -> None:
    order = _received(wiring, drafted)
    bare = _rewired(wiring, attachments=None)
    with pytest.raises(StorageError, match=r"ServiceSettings\.attachments"):
        bare.attach_file(wiring.warehouse, order.id, R, "box.jpg", JPEG)
    assert bare.attachments(wiring.clerk, order.id) == ()


def test_a_setting_that_is_no_store_is_refused() -> None:
    from crm_returns import ServiceSettings

    with pytest.raises(InvalidInput, match="attachments"):
        ServiceSettings(attachments=object())  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="attachment_rules"):
        ServiceSettings(attachment_rules={"max_size": 1})  # type: ignore[arg-type]


def test_bytes_are_taken_back_when_the_record_cannot_be_written(
    wiring: Wiring, drafted: Drafted, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, order = wiring.service, _received(wiring, drafted)

    def failing(self: MemoryCaseFile, record: object) -> None:
        raise StorageError("the database went away")

    monkeypatch.setattr(MemoryCaseFile, "add", failing)
    with pytest.raises(StorageError, match="went away"):
        s.attach_file(wiring.warehouse, order.id, R, "box.jpg", JPEG)
    assert _store(s).ids(SAMPLE_TENANT) == []


def test_bytes_left_by_a_failed_commit_are_listed_as_orphans(
    wiring: Wiring, drafted: Drafted, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, order = wiring.service, _received(wiring, drafted)
    kept = s.attach_file(wiring.warehouse, order.id, R, "kept.jpg", JPEG)
    real_commit = MemoryUnitOfWork.commit

    def failing(self: MemoryUnitOfWork) -> None:
        raise StorageError("connection lost at commit")

    monkeypatch.setattr(MemoryUnitOfWork, "commit", failing)
    with pytest.raises(StorageError, match="at commit"):
        s.attach_file(wiring.warehouse, order.id, R, "lost.jpg", PNG)
    monkeypatch.setattr(MemoryUnitOfWork, "commit", real_commit)

    [orphan] = s.orphaned_attachments(ARCHIVIST)
    assert orphan != kept.id
    assert sorted(_store(s).ids(SAMPLE_TENANT)) == sorted([kept.id, orphan])
    assert s.attachments(wiring.clerk, order.id) == (kept,)
    with pytest.raises(NotAuthorised, match="manage_retention"):
        s.orphaned_attachments(wiring.warehouse)
    assert _store(s).delete(SAMPLE_TENANT, orphan) is True
    assert s.orphaned_attachments(ARCHIVIST) == ()


def test_an_id_generator_that_repeats_never_touches_recorded_bytes(
    wiring: Wiring, drafted: Drafted
) -> None:
    order = _received(wiring, drafted)

    class Stuck:
        def new_id(self) -> str:
            return "att-same"

    stuck = _rewired(wiring, ids=Stuck())
    first = stuck.attach_file(wiring.warehouse, order.id, R, "a.jpg", JPEG)
    with pytest.raises(ConcurrencyConflict):
        stuck.attach_file(wiring.warehouse, order.id, R, "b.jpg", JPEG + b"other")
    assert stuck.attachment_content(wiring.clerk, order.id, first.id) == JPEG


def test_attachment_records_are_case_file_records() -> None:
    assert Attachment.kind == "attachment"
