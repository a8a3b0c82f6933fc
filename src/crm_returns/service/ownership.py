"""Owners and deadlines: assign a return, see who owns it and by when, list what is late.

A return's owner (a user, a team, or both) is its
:class:`~crm_returns.domain.ownership.Assignment` in the case file.  The
assignment carries the stage the return is in and its deadline, from the
service level of the settings; the command template moves them along with
the return in every command's transaction (``template._keep_deadline``), so
that the late lists read them straight from the case file's index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.casefile.events import ReturnAssigned
from crm_returns.domain.ownership import (
    Assignment,
    Deadline,
    ReturnOwner,
    ServiceLevel,
    deadline,
    followed,
)
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.queries import Keyset, Page
from crm_returns.domain.returns.order import ReturnOrder, Transition, emit
from crm_returns.domain.shipments.records import Shipment
from crm_returns.errors import InvalidInput, NotFound
from crm_returns.ports import UnitOfWork
from crm_returns.service.checks import (
    checked_id,
    checked_moment,
    checked_optional_id,
    checked_page_size,
    checked_text,
)
from crm_returns.service.template import ServiceCore

__all__ = ["Ownership", "give"]


def give(
    uow: UnitOfWork,
    order: ReturnOrder,
    actor: Actor,
    at: datetime,
    *,
    user_id: str | None,
    team: str | None,
    comment: str,
    new_id: Callable[[], str],
    level: ServiceLevel,
) -> Transition:
    """Give ``order`` to ``user_id`` and ``team`` in ``uow``, with the event that says so.

    A first assignment dates the stage the return is in from the audit trail
    (when it entered its status); a new owner takes over the stage and its
    deadline as they are: passing a return on restarts no clock.  Giving a
    return to the owner it has changes nothing and emits nothing.

    Raises:
        InvalidInput: Neither a user nor a team, or a bad id.
    """
    current = uow.casefile.find(order.tenant_id, Assignment, order.id)
    if current is not None and (current.user_id, current.team) == (user_id, team):
        return Transition(order, ())
    shipments = uow.casefile.for_return(order.tenant_id, order.id, Shipment)
    if current is None:
        fresh = Assignment(
            tenant_id=order.tenant_id,
            id=new_id(),
            return_id=order.id,
            customer_id=order.customer_id,
            at=at,
            user_id=user_id,
            team=team,
            assigned_by=actor.id,
        )
        since = _status_since(uow, order)
        uow.casefile.add(followed(fresh, order, level, shipments=shipments, at=since))
    else:
        passed = attrs.evolve(
            current, user_id=user_id, team=team, assigned_by=actor.id, version=current.version + 1
        )
        moved = followed(passed, order, level, shipments=shipments, at=at)
        uow.casefile.update(moved, expected_version=current.version)
    event = emit(
        order,
        actor,
        at,
        ReturnAssigned,
        order.status,
        comment,
        from_user_id=None if current is None else current.user_id,
        from_team=None if current is None else current.team,
        to_user_id=user_id,
        to_team=team,
    )
    return Transition(order, (event,))


def _status_since(uow: UnitOfWork, order: ReturnOrder) -> datetime:
    """When ``order`` entered its status, by its audit trail (its last change without one)."""
    entries = uow.audit.for_return(order.tenant_id, order.id)
    moves = [
        e.at for e in entries if e.to_status is order.status and e.from_status is not e.to_status
    ]
    return moves[-1] if moves else order.updated_at


def _shown(order: ReturnOrder, assignment: Assignment, at: datetime) -> ReturnOwner:
    """What a host is shown of ``order``'s owner and deadline at ``at``."""
    due = assignment.due_at
    return ReturnOwner(
        return_id=order.id,
        number=order.number,
        user_id=assignment.user_id,
        team=assignment.team,
        stage=assignment.stage,
        since=assignment.since,
        due_at=due,
        late=due is not None and at > due,
        assigned_by=assignment.assigned_by,
        assigned_at=assignment.at,
    )


def _unowned(order: ReturnOrder, due: Deadline | None, at: datetime) -> ReturnOwner:
    """What a host is shown of a return nobody owns: the deadline its stage would have."""
    return ReturnOwner(
        return_id=order.id,
        number=order.number,
        user_id=None,
        team=None,
        stage=None if due is None else due.stage,
        since=None if due is None else due.since,
        due_at=None if due is None else due.due_at,
        late=due is not None and due.late(at),
        assigned_by=None,
        assigned_at=None,
    )


class Ownership(ServiceCore):
    """Assign returns to users and teams, see their deadlines, list what is late."""

    def assign_return(
        self,
        actor: Actor,
        return_id: str,
        *,
        user_id: str | None = None,
        team: str | None = None,
        comment: str = "",
        idempotency_key: str | None = None,
    ) -> ReturnOwner:
        """Give a return to a user, a team, or both; the audit trail says from whom to whom.

        The first owner starts the deadlines of the return's stages (from the
        settings' :class:`~crm_returns.ServiceLevel`); a later owner takes the
        return over with its current deadline.

        Args:
            actor: Who assigns it.
            return_id: The return.
            user_id: The user who will own it.
            team: The team that will own it.
            comment: Why, in the actor's words.
            idempotency_key: A retry with the same key and arguments changes nothing more.

        Raises:
            InvalidInput: Neither a user nor a team, or a bad id or comment.
            NotFound: The actor's tenant has no such return.
            NotAuthorised: The actor may not assign returns.
            RecordArchived: The return is archived.
        """
        user_id = checked_optional_id(user_id, "user id")
        team = checked_optional_id(team, "team")
        comment = checked_text(comment, "comment")
        if user_id is None and team is None:
            raise InvalidInput("a return is assigned to a user, a team, or both: name one")

        def decide(uow: UnitOfWork, order: ReturnOrder, actor: Actor) -> Transition:
            return give(
                uow,
                order,
                actor,
                self._clock.now(),
                user_id=user_id,
                team=team,
                comment=comment,
                new_id=self._ids.new_id,
                level=self.settings.service_level,
            )

        order = self._change(
            actor,
            return_id,
            decide,
            needs=Permission.ASSIGN_RETURNS,
            command="assign_return",
            payload=(user_id, team, comment),
            key=idempotency_key,
        )
        with self._uow() as uow:
            assignment = uow.casefile.find(order.tenant_id, Assignment, order.id)
        if assignment is None:  # destroyed with its return since (retention)
            raise NotFound("return", order.number)
        return _shown(order, assignment, self._clock.now())

    def owner_of(self, actor: Actor, return_id: str, *, at: datetime | None = None) -> ReturnOwner:
        """Who owns a return, the stage it is in, since when, its deadline, and whether it is late.

        A return nobody owns shows no owner, with the deadline its stage
        would have.

        Args:
            actor: Who asks.
            return_id: The return.
            at: The time to tell lateness at; now by default.

        Raises:
            NotFound: The actor's tenant has no such return.
            NotAuthorised: The actor may not view returns.
        """
        actor = self._authorise(actor, Permission.VIEW_RETURNS)
        return_id = checked_id(return_id, "return id")
        when = checked_moment(at, "at") or self._clock.now()
        due: Deadline | None = None
        with self._uow() as uow:
            order = uow.returns.get(actor.tenant_id, return_id)
            assignment = uow.casefile.find(actor.tenant_id, Assignment, order.id)
            if assignment is None:
                shipments = uow.casefile.for_return(actor.tenant_id, order.id, Shipment)
                entered = _status_since(uow, order)
                level = self.settings.service_level
                due = deadline(order, level, shipments=shipments, entered=entered)
        order = self._readable(actor, order)
        if assignment is None:
            return _unowned(order, due, when)
        return _shown(order, assignment, when)

    def late_returns(
        self,
        actor: Actor,
        *,
        user_id: str | None = None,
        team: str | None = None,
        at: datetime | None = None,
        limit: int = 50,
        after: str | None = None,
    ) -> Page[ReturnOwner]:
        """A page of the returns whose stage is overdue, earliest deadline first, then by id.

        Read a long list page by page: each page hands out ``next_cursor``
        (``None`` on the last page), and the same call with
        ``after=page.next_cursor`` lists the late returns after the last one
        on that page.  A cursor names a position (a deadline and an
        assignment), not a page: it stays good as time passes and ``at``
        moves, and belongs to the ``user_id`` and ``team`` it was handed out
        for.  Pages count nothing (``Page.total`` is ``None``).

        Args:
            actor: Who asks.
            user_id: Only the returns this user owns.
            team: Only the returns this team owns.
            at: The time to tell lateness at; now by default.
            limit: Most returns on the page (1 to ``MAX_PAGE_SIZE``).
            after: A page's ``next_cursor``: list the late returns after it.

        Raises:
            InvalidInput: A bad id, ``at`` is not a timezone-aware datetime,
                ``limit`` is out of range, or ``after`` is not a cursor of
                this list for this user and team.
            NotAuthorised: The actor may not see the workload.
        """
        actor = self._authorise(actor, Permission.VIEW_WORKLOAD)
        user_id = checked_optional_id(user_id, "user id")
        team = checked_optional_id(team, "team")
        when = checked_moment(at, "at") or self._clock.now()
        size = checked_page_size(limit)
        cursors = Keyset("late returns", user_id, team)
        position = None if after is None else cursors.position(after)
        shown: list[ReturnOwner] = []
        more = False
        with self._uow() as uow:
            while not more:
                # Returns the actor may not see are skipped, so a page reads on
                # until it is full or the list ends.
                batch: Sequence[Assignment] = uow.casefile.overdue(
                    actor.tenant_id,
                    Assignment,
                    when,
                    owner=user_id,
                    team=team,
                    after=position,
                    limit=size + 1,
                )
                # The batch's returns in one read, not one read per return.
                orders = uow.returns.get_many(actor.tenant_id, [a.return_id for a in batch])
                for assignment in batch:
                    order = orders.get(assignment.return_id)
                    if order is None:  # a return goes with its records: a broken store
                        raise NotFound("return", assignment.return_id)
                    if self._listed(actor, Permission.VIEW_RETURNS, order):
                        if len(shown) == size:  # one more to show: the page is full
                            more = True
                            break
                        shown.append(_shown(order, assignment, when))
                    position = _position(assignment)
                if len(batch) <= size:
                    break
        # After the last return read, shown or not: the next page skips no
        # return the actor may see and reads none it may not again.
        cursor = cursors.cursor_after(*position) if more and position is not None else None
        return Page(tuple(shown), None, 0, size, cursor, cursors=True)


def _position(assignment: Assignment) -> tuple[datetime, str]:
    """Where ``assignment`` stands in the overdue list: its deadline and id."""
    due = assignment.due_at
    assert due is not None  # noqa: S101  # the store lists only what is due
    return due, assignment.id
