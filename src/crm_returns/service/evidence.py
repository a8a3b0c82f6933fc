"""Photos and files on returns: attach them, list them, read them back.

The bytes go to the attachment store (``ServiceSettings.attachments``), what
is known about them to the case file (an :class:`~crm_returns.Attachment`
record) with an :class:`~crm_returns.AttachmentAdded` event for the audit
trail and the outbox.  The content type is detected from the bytes
(:func:`crm_returns.evidence.detect_content_type`), never taken from the
file's name, and the attachment rules (``ServiceSettings.attachment_rules``)
decide whether the file is kept.

The store has no share in the unit of work's transaction: the bytes are
written first, then the record.  If writing the record fails, the bytes are
removed again at once; if the commit itself fails (or the process dies), they
stay without a record — an orphan that :meth:`Evidence.orphaned_attachments`
lists, for the host to delete.

Who may do what:

- staff with ``add_attachments`` attach files to any subject (request,
  receipt, inspection); staff with ``view_returns`` list and read them;
- a customer acting for themselves (``Actor.customer_id``, ``request_return``)
  attaches photos to their own request while it waits (the return is a
  draft), and with ``follow_returns`` lists and reads the files of their
  request — never staff's receipt and inspection files, whose notes are
  internal.  Another customer's return does not exist for them
  (:class:`~crm_returns.errors.NotFound`).
"""

from __future__ import annotations

import contextlib

from crm_returns.domain.actors import Actor
from crm_returns.domain.casefile.events import AttachmentAdded
from crm_returns.domain.evidence.records import Attachment, AttachmentSubject
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit
from crm_returns.domain.returns.states import ReturnStatus
from crm_returns.errors import (
    ConcurrencyConflict,
    IllegalTransition,
    InvalidInput,
    NotAuthorised,
    NotFound,
    RecordArchived,
    StorageError,
)
from crm_returns.evidence import detect_content_type, sha256_of
from crm_returns.ports import UnitOfWork
from crm_returns.ports.attachments import AttachmentStore
from crm_returns.service.checks import checked_actor, checked_id, checked_value
from crm_returns.service.template import ServiceCore

__all__ = ["Evidence"]


def _bytes_of(data: object) -> bytes:
    if isinstance(data, bytearray | memoryview):
        return bytes(data)
    if not isinstance(data, bytes):
        raise InvalidInput(f"a file's content must be bytes, got {type(data).__name__}")
    return data


class Evidence(ServiceCore):
    """Use cases of photos and files: attach, list, read, find orphans."""

    def _attachment_store(self) -> AttachmentStore:
        store = self.settings.attachments
        if store is None:
            raise StorageError(
                "the service has no attachment store: set ServiceSettings.attachments "
                "(MemoryAttachmentStore in tests, LocalFileAttachmentStore or your object store)"
            )
        return store

    @staticmethod
    def _case_of(uow: UnitOfWork, actor: Actor, return_id: str) -> ReturnOrder:
        """The return, if it exists for ``actor``: another customer's is not found."""
        order = uow.returns.get(actor.tenant_id, return_id)
        if not actor.acts_for(order.customer_id):
            raise NotFound("return", return_id)
        return order

    def attach_file(
        self,
        actor: Actor,
        return_id: str,
        subject: AttachmentSubject,
        filename: str,
        data: bytes,
        note: str = "",
    ) -> Attachment:
        """Keep a photo or file on a return's request, receipt or inspection.

        The bytes are written to the attachment store first, then the record
        and an :class:`~crm_returns.AttachmentAdded` event in one transaction.
        The same bytes given again for the same subject of the same return
        (a retried upload) are kept once: the first attachment is returned.

        Args:
            actor: Staff with ``add_attachments``; or a customer acting for
                themselves with ``request_return``, on their own request only
                (subject ``REQUEST``, the return still a draft).
            return_id: The return.
            subject: What the file shows.
            filename: The name it was uploaded under: shown, never trusted
                for its type, never used as a path.
            data: The file's bytes.
            note: What it shows, in the uploader's words.

        Returns:
            The attachment as recorded: its id, detected type, size and SHA-256.

        Raises:
            InvalidInput: A bad argument (a blank or too long name or note).
            AttachmentTooLarge: Over the rules' ``max_size``.
            AttachmentTypeNotAllowed: Its bytes are of no allowed type.
            TooManyAttachments: The return has the rules' ``max_per_return``.
            NotFound: No such return, or another customer's.
            NotAuthorised: The actor may not attach this file (audited).
            IllegalTransition: A customer's return is no longer a request.
            RecordArchived: The return is archived.
            AttachmentExists: The store holds other bytes under the new id.
            StorageError: No attachment store is configured, or it failed.
        """
        actor = checked_actor(actor)
        return_id = checked_id(return_id, "return id")
        subject = checked_value(subject, AttachmentSubject, "subject")
        data = _bytes_of(data)
        store = self._attachment_store()
        customer = actor.customer_id is not None
        needs = (
            Permission.REQUEST_RETURN
            if customer and subject is AttachmentSubject.REQUEST
            else Permission.ADD_ATTACHMENTS
        )
        with self._uow() as uow:
            order = self._case_of(uow, actor, return_id)
            if uow.retention.archived(actor.tenant_id, order.id):
                raise RecordArchived(f"return {order.number} is archived: restore it to change it")
            allowed = self._allows(actor, needs, order)
            if allowed:
                if customer and order.status is not ReturnStatus.DRAFT:
                    raise IllegalTransition(
                        order.number,
                        order.status.value,
                        "attach a file",
                        "a customer adds files to a request while it waits for a decision",
                    )
                attachment, new = self._attached(uow, actor, order, subject, filename, data, note)
                if new:  # else a retried upload: the first one stands
                    self._keep(uow, store, order, actor, attachment, data)
                    uow.commit()
                return attachment
        raise self._denied(actor, needs, order)

    def _attached(
        self,
        uow: UnitOfWork,
        actor: Actor,
        order: ReturnOrder,
        subject: AttachmentSubject,
        filename: str,
        data: bytes,
        note: str,
    ) -> tuple[Attachment, bool]:
        """The attachment's record, once the rules let the bytes be kept, and whether it is new.

        The same bytes already kept for the same subject of the return are that
        attachment (a retried upload), if the rules still let them be kept.
        """
        detected, digest = detect_content_type(data), sha256_of(data)
        kept = uow.casefile.for_return(actor.tenant_id, order.id, Attachment)
        same = next((a for a in kept if (a.subject, a.sha256) == (subject, digest)), None)
        others = len(kept) - (same is not None)
        self.settings.attachment_rules.check(detected, len(data), others)
        if same is not None:
            return same, False
        made = Attachment(
            tenant_id=actor.tenant_id,
            id=self._ids.new_id(),
            return_id=order.id,
            customer_id=order.customer_id,
            at=self._clock.now(),
            subject=subject,
            filename=filename,
            content_type=detected or "",  # never blank: check() refused None
            size=len(data),
            sha256=digest,
            uploaded_by=actor.id,
            note=note,
        )
        return made, True

    def _keep(
        self,
        uow: UnitOfWork,
        store: AttachmentStore,
        order: ReturnOrder,
        actor: Actor,
        attachment: Attachment,
        data: bytes,
    ) -> None:
        """Write the bytes, then the record and its event (not yet committed)."""
        try:
            uow.casefile.get(attachment.tenant_id, Attachment, attachment.id)
        except NotFound:
            pass
        else:  # an id generator that repeats itself: never touch the bytes of that record
            raise ConcurrencyConflict(f"attachment {attachment.id}")
        store.put(
            attachment.tenant_id,
            attachment.id,
            data,
            content_type=attachment.content_type,
            sha256=attachment.sha256,
        )
        try:
            uow.casefile.add(attachment)
            event = emit(
                order,
                actor,
                attachment.at,
                AttachmentAdded,
                order.status,
                attachment_id=attachment.id,
                subject=attachment.subject,
                content_type=attachment.content_type,
                sha256=attachment.sha256,
            )
            self._record(uow, Transition(order, (event,)))
        except BaseException:
            # No record will name these bytes: take them back now rather than leave an orphan.
            with contextlib.suppress(Exception):
                store.delete(attachment.tenant_id, attachment.id)
            raise

    @staticmethod
    def _seeing(actor: Actor) -> Permission:
        """What reading attachments needs: following one's own returns, or viewing returns."""
        return Permission.FOLLOW_RETURNS if actor.customer_id else Permission.VIEW_RETURNS

    def _may_see(self, actor: Actor, order: ReturnOrder) -> NotAuthorised | None:
        needs = self._seeing(actor)
        return None if self._allows(actor, needs, order) else self._denied(actor, needs, order)

    def attachments(self, actor: Actor, return_id: str) -> tuple[Attachment, ...]:
        """The photos and files on a return, oldest first.

        Args:
            actor: Staff with ``view_returns``; or a customer with
                ``follow_returns``, who sees the files of their own request only.
            return_id: The return.

        Raises:
            InvalidInput: A bad argument.
            NotFound: No such return, or another customer's.
            NotAuthorised: The actor may not see returns, or this one (audited).
        """
        actor = checked_actor(actor)
        actor = self._authorise(actor, self._seeing(actor))
        return_id = checked_id(return_id, "return id")
        with self._uow() as uow:
            order = self._case_of(uow, actor, return_id)
            found = tuple(uow.casefile.for_return(actor.tenant_id, order.id, Attachment))
        refusal = self._may_see(actor, order)
        if refusal is not None:
            raise refusal
        if actor.customer_id is not None:
            found = tuple(a for a in found if a.subject is AttachmentSubject.REQUEST)
        return found

    def attachment_content(self, actor: Actor, return_id: str, attachment_id: str) -> bytes:
        """The bytes of one attachment, checked against the SHA-256 recorded when attached.

        Serve them with the record's ``content_type`` (detected, not claimed)
        and as a download (``Content-Disposition: attachment``).

        Args:
            actor: As for :meth:`attachments`.
            return_id: The return.
            attachment_id: The attachment.

        Raises:
            InvalidInput: A bad argument.
            NotFound: No such return or attachment on it (for a customer: not
                on their request), or the store has lost the bytes.
            NotAuthorised: The actor may not see the return (audited).
            AttachmentCorrupt: The stored bytes changed since they were attached.
            StorageError: No attachment store is configured, or it failed.
        """
        actor = checked_actor(actor)
        actor = self._authorise(actor, self._seeing(actor))
        return_id = checked_id(return_id, "return id")
        attachment_id = checked_id(attachment_id, "attachment id")
        store = self._attachment_store()
        with self._uow() as uow:
            order = self._case_of(uow, actor, return_id)
            record = uow.casefile.get(actor.tenant_id, Attachment, attachment_id)
        hidden = actor.customer_id is not None and record.subject is not AttachmentSubject.REQUEST
        if record.return_id != order.id or hidden:
            raise NotFound("attachment", attachment_id)
        refusal = self._may_see(actor, order)
        if refusal is not None:
            raise refusal
        return store.get(actor.tenant_id, record.id, sha256=record.sha256)

    def orphaned_attachments(self, actor: Actor) -> tuple[str, ...]:
        """Ids the attachment store holds bytes under that no attachment record names.

        Bytes are orphaned when a command fails after they were written (a
        lost connection at commit, a crash), or when their record was
        destroyed and the bytes were not.  An upload in progress is listed
        for an instant too: delete (``store.delete``) only ids that a run
        some minutes earlier listed as well.

        Args:
            actor: Someone with ``manage_retention``.

        Raises:
            InvalidInput: A bad actor.
            NotAuthorised: The actor may not (audited).
            StorageError: No attachment store is configured, or it failed.
        """
        actor = self._authorise(actor, Permission.MANAGE_RETENTION)
        stored = self._attachment_store().ids(actor.tenant_id)
        orphans: list[str] = []
        with self._uow() as uow:
            for attachment_id in stored:
                try:
                    uow.casefile.get(actor.tenant_id, Attachment, attachment_id)
                except NotFound:
                    orphans.append(attachment_id)
        return tuple(sorted(orphans))
