"""What each ``crm-returns retention`` command does, given its :class:`RetentionRun`.

Each action calls the service once or a few times and prints what came back;
errors of the library propagate to :mod:`crm_returns.cli.retention`, which
says them in one line.  Needs the ``cli`` extra (``rich``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from crm_returns.cli.retention import RetentionRun, acting
from crm_returns.cli.retention_tables import (
    appraisal_table,
    counts_table,
    erasure_summary,
    holds_table,
    items_table,
    log_table,
    plan_summary,
    register_table,
)
from crm_returns.domain.retention import Expiry, HoldScope, RetentionPlan
from crm_returns.errors import IllegalRetentionStep, NotFound

__all__ = ["ACTIONS", "output_console", "progress_bar"]

#: Output width when writing to a file or pipe and ``COLUMNS`` is not set.
_PIPED_WIDTH = 120


def output_console() -> Console:
    """A console on standard output, 120 columns wide when it is not a terminal."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Rich assumes 80 columns in a pipe, too narrow for the tables.
        console.width = _PIPED_WIDTH
    return console


@contextlib.contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error; yields the callable the service tells its count."""
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda done: bar.update(task, completed=done)


def _review(run: RetentionRun) -> int:
    with progress_bar(run.words.word("sweeping")) as told:
        report = run.service.review_retention(run.actor, progress=told)
    run.console.print(appraisal_table(run.words, report))
    return 0


def _show_plan(run: RetentionRun, plan: RetentionPlan, show: int) -> None:
    """The plan's summary line, its counts and its first ``show`` items."""
    words = run.words
    run.console.print(plan_summary(words, plan))
    if not plan.items:
        run.console.print(words.word("no_items", number=plan.number))
        return
    run.console.print(counts_table(words, plan))
    if show:
        items = run.service.retention_plan_items(run.actor, plan.number, limit=min(show, 500))
        run.console.print(items_table(words, plan, items))


def _plan(run: RetentionRun) -> int:
    with progress_bar(run.words.word("sweeping")) as told:
        plan = run.service.propose_retention_plan(run.actor, progress=told)
    _show_plan(run, plan, run.arguments.show)
    if plan.appraisal is not None:
        run.console.print(appraisal_table(run.words, plan.appraisal))
    return 0


def _approve(run: RetentionRun) -> int:
    plan = run.service.approve_retention_plan(run.actor, run.arguments.number)
    run.console.print(
        run.words.word(
            "plan_approved",
            number=plan.number,
            status=run.words.label(plan.status),
            given=len(plan.approvals),
            needed=plan.approvals_needed,
        )
    )
    return 0


def _cancel(run: RetentionRun) -> int:
    plan = run.service.cancel_retention_plan(run.actor, run.arguments.number)
    run.console.print(plan_summary(run.words, plan))
    return 0


def _apply(run: RetentionRun) -> int:
    words, number = run.words, run.arguments.number
    plan = run.service.retention_plan(run.actor, number)
    destroys = any(action == Expiry.DESTROY.value for _, action, _ in plan.counts)
    if destroys and run.arguments.backups is None and not plan.backup:
        raise IllegalRetentionStep(
            f"plan {number} destroys records: give --backups DIR for its verified backup"
        )
    with progress_bar(words.word("applying", number=number), total=plan.items) as told:
        plan = run.service.apply_retention_plan(run.actor, number, progress=told)
    status = words.label(plan.status)
    run.console.print(words.word("plan_applied", number=number, status=status, items=plan.items))
    if plan.counts:
        run.console.print(counts_table(words, plan))
    if plan.backup:
        run.console.print(
            words.word("backup_written", location=plan.backup, checksum=plan.backup_checksum),
            soft_wrap=True,  # people copy the path and the checksum
        )
    else:
        run.console.print(words.word("no_backup"))
    return 0


def _plans(run: RetentionRun) -> int:
    plans = run.service.retention_plans(run.actor)
    if not plans:
        run.console.print(run.words.word("no_plans"))
        return 0
    run.console.print(register_table(run.words, plans))
    return 0


def _items(run: RetentionRun) -> int:
    arguments = run.arguments
    plan = run.service.retention_plan(run.actor, arguments.number)
    items = run.service.retention_plan_items(
        run.actor, plan.number, after=arguments.after, limit=min(arguments.limit, 500)
    )
    if not items:
        run.console.print(run.words.word("no_items", number=plan.number))
        return 0
    run.console.print(items_table(run.words, plan, items))
    return 0


def _return_id(run: RetentionRun, given: str) -> tuple[str, str]:
    """The id and number of the return ``given`` names by number or by id."""
    try:
        order = run.service.find_return(run.actor, given)
    except NotFound:
        order = run.service.get_return(run.actor, given)
    return order.id, order.number


def _hold(run: RetentionRun) -> int:
    arguments = run.arguments
    if arguments.customer is not None:
        scope, target = HoldScope.CUSTOMER, arguments.customer
    elif arguments.return_ is not None:
        scope, target = HoldScope.RETURN, _return_id(run, arguments.return_)[0]
    else:
        scope, target = HoldScope.RECORD, arguments.record
    hold = run.service.place_hold(run.actor, scope, target, arguments.reason, until=arguments.until)
    words = run.words
    run.console.print(
        words.word("hold_placed", id=hold.id, scope=words.label(hold.scope), target=hold.target)
    )
    return 0


def _release(run: RetentionRun) -> int:
    hold = run.service.release_hold(run.actor, run.arguments.hold_id)
    run.console.print(run.words.word("hold_released", id=hold.id))
    return 0


def _holds(run: RetentionRun) -> int:
    holds = run.service.legal_holds(run.actor)
    if not holds:
        run.console.print(run.words.word("no_holds"))
        return 0
    run.console.print(holds_table(run.words, holds))
    return 0


def _archive(run: RetentionRun) -> int:
    return_id, number = _return_id(run, run.arguments.return_)
    run.service.archive_return(run.actor, return_id)
    run.console.print(run.words.word("archived", number=number))
    return 0


def _restore(run: RetentionRun) -> int:
    return_id, number = _return_id(run, run.arguments.return_)
    run.service.restore_return(run.actor, return_id)
    run.console.print(run.words.word("restored", number=number))
    return 0


def _erase(run: RetentionRun) -> int:
    request = run.service.request_erasure(
        run.actor, run.arguments.customer, personal=run.arguments.personal
    )
    run.console.print(erasure_summary(run.words, request))
    return 0


def _log(run: RetentionRun) -> int:
    entries = run.service.retention_log(
        run.actor, after=run.arguments.after, limit=min(run.arguments.limit, 500)
    )
    if not entries:
        run.console.print(run.words.word("no_log"))
        return 0
    run.console.print(log_table(run.words, entries))
    return 0


def _verify_log(run: RetentionRun) -> int:
    """Check one tenant's log, or every tenant's; :class:`LogTampered` names the entry."""
    words, arguments = run.words, run.arguments
    if arguments.tenant is not None:
        tenants = [arguments.tenant]
    else:
        with run.unit_of_work() as uow:
            tenants = list(uow.retention.log_tenants())
    total = 0
    for tenant in tenants:
        count = run.service.verify_retention_log(acting(arguments, tenant))
        run.console.print(words.word("log_verified", tenant=tenant, count=count))
        total += count
    if arguments.tenant is None:
        run.console.print(words.word("logs_verified", tenants=len(tenants), count=total))
    return 0


#: Each command's action, by name.
ACTIONS: dict[str, Callable[[RetentionRun], int]] = {
    "review": _review,
    "plan": _plan,
    "approve": _approve,
    "apply": _apply,
    "cancel": _cancel,
    "plans": _plans,
    "items": _items,
    "hold": _hold,
    "release": _release,
    "holds": _holds,
    "archive": _archive,
    "restore": _restore,
    "erase": _erase,
    "log": _log,
    "verify-log": _verify_log,
}
