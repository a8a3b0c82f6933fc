"""A SQLite file the demo ran on, and ``crm-returns report`` run over it, for the report tests.

The demo leaves two completed returns of its tenant (``demo-…``): 张伟's
RT-20261127-000001 (a mouse for a quality problem, three cables for a changed
requirement, a monitor damaged in transit: 2232.82 CNY) and 李娜's
RT-20261203-000001 (a desk lamp damaged in transit: 199.00 CNY).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from crm_returns import RequestedLine, ReturnRequest
from crm_returns.adapters.sql import SqlDatabase
from crm_returns.adapters.system import UuidIds
from crm_returns.cli import main
from crm_returns.cli.wiring import wire_demo
from crm_returns.domain.orders import LineRef

#: Every return of the demo was made in these local days (Asia/Shanghai).
WINDOW = ("--from", "2026-11-01", "--to", "2026-12-31")
#: When the reports are made, unless a test says otherwise.
AT = ("--at", "2026-12-07T12:00+08:00")


@attrs.frozen
class Stored:
    """A database the demo ran on.

    Attributes:
        url: Its SQLAlchemy URL.
        tenant: The demo's tenant in it.
    """

    url: str
    tenant: str


@attrs.frozen
class Ran:
    """What one command did: its exit status and what it printed."""

    status: int
    out: str
    err: str


def stored_demo(directory: Path) -> Stored:
    """Run the demo into a new SQLite file in ``directory`` (no chart), and say where."""
    url = f"sqlite:///{directory / 'returns.db'}"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main(["demo", "--db", url, "--lang", "en", "--chart", ""]) == 0
    found = re.search(r"tenant (demo-[0-9a-f]{8})", printed.getvalue())
    assert found is not None
    return Stored(url, found.group(1))


def add_requests(stored: Stored) -> None:
    """张伟 asks to return a mouse (declined: outside the window) and a cable (left pending).

    Both are requested on 2026-11-27, when the demo's story starts.
    """
    database = SqlDatabase.connect(stored.url)
    try:
        wiring = wire_demo(tenant=stored.tenant, unit_of_work=database.unit_of_work, ids=UuidIds())
        service, staff = wiring.service, wiring.staff
        for line_id, reason in (("1", "quality_defect"), ("2", "changed_requirement")):
            line = RequestedLine(LineRef("SO-1001", line_id), Decimal(1), reason, "")
            asked = service.request_return(staff.customer, ReturnRequest(lines=(line,)))
            if line_id == "1":
                service.decline_request(
                    staff.agent, asked.return_id, "outside_window", "Sorry, too late."
                )
    finally:
        database.dispose()


def report(
    stored: Stored, capsys: pytest.CaptureFixture[str], name: str, *options: str, lang: str = "en"
) -> Ran:
    """Run ``crm-returns report name`` over ``stored`` with ``options``."""
    argv = ["report", name, "--db", stored.url, "--tenant", stored.tenant, "--lang", lang]
    status = main([*argv, *options])
    out, err = capsys.readouterr()
    return Ran(status, out, err)


@contextlib.contextmanager
def no_file_left(directory: Path) -> Iterator[None]:
    """Checks that the block leaves ``directory`` as it found it."""
    before = sorted(directory.iterdir())
    yield
    assert sorted(directory.iterdir()) == before
