"""``crm-returns events``: relay to the destinations of a file; dead letters, replay, purge."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.adapters.smtp_server import RecordingHandler, running_server

from crm_returns.adapters.sql import SqlDatabase
from crm_returns.cli import main
from crm_returns.cli.destinations import load_destinations
from crm_returns.domain.interactions import ContactChannel, CustomerContact
from crm_returns.errors import InvalidDestinations

RECEIVER = """
import os
from crm_returns.errors import PermanentFailure


class Receiver:
    name = "receiver"

    def deliver(self, message):
        if os.environ.get("RECEIVER_REFUSES"):
            raise PermanentFailure("HTTP 422: no such customer")
        with open(os.environ["RECEIVED"], "a", encoding="utf-8") as kept:
            kept.write(f"{message.id} {type(message.event).__name__}\\n")


def destination():
    return Receiver()
"""

#: Events of the demo: 12 of its return, 9 of the second one its last step archives.
DEMO_EVENTS = 33

DESTINATIONS = """
[[destination]]
name = "receiver"
kind = "python"
target = "receiver_for_tests:destination"
"""


@pytest.fixture
def demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[str]:
    """A SQLite file holding the demo's two returns (33 events), and a receiver module on the path.

    The demo's tenant is in the environment variable ``DEMO_TENANT``.
    """
    (tmp_path / "receiver_for_tests.py").write_text(RECEIVER, "utf-8")
    (tmp_path / "destinations.toml").write_text(DESTINATIONS, "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("RECEIVED", str(tmp_path / "received.txt"))
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert main(["demo", "--db", url, "--lang", "en"]) == 0
    tenant = re.search(r"tenant (demo-[0-9a-f]{8})", capsys.readouterr().out)
    assert tenant is not None
    monkeypatch.setenv("DEMO_TENANT", tenant.group(1))
    yield url
    sys.modules.pop("receiver_for_tests", None)


def _received(tmp_path: Path) -> list[str]:
    kept = tmp_path / "received.txt"
    return kept.read_text("utf-8").splitlines() if kept.exists() else []


def test_relay_delivers_every_event_once_then_nothing(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    relay = [
        "events",
        "relay",
        "--url",
        demo,
        "--destinations",
        str(tmp_path / "destinations.toml"),
    ]
    assert main(relay) == 0
    assert f"{DEMO_EVENTS} delivered, 0 to retry, 0 dead" in capsys.readouterr().out
    received = _received(tmp_path)
    assert len(received) == len({line.split()[0] for line in received}) == DEMO_EVENTS
    assert received[0].endswith("ReturnRequested")  # the demo starts from the customer's request
    assert received[-1].endswith("ReturnRetired")  # the demo ends by archiving a return
    assert main(relay) == 0
    assert "0 delivered" in capsys.readouterr().out
    assert len(_received(tmp_path)) == DEMO_EVENTS


def test_dead_letters_are_listed_replayed_and_then_purged(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = [
        "events",
        "relay",
        "--url",
        demo,
        "--destinations",
        str(tmp_path / "destinations.toml"),
    ]
    monkeypatch.setenv("RECEIVER_REFUSES", "1")
    assert main(relay) == 0
    capsys.readouterr()
    assert main(["events", "dead", "--url", demo]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == DEMO_EVENTS
    first = listed[0].split()[0]
    assert "receiver  dead  ReturnRequested RT-" in listed[0]
    assert listed[0].endswith("1 tries  HTTP 422: no such customer")
    monkeypatch.delenv("RECEIVER_REFUSES")
    assert main(["events", "replay", first, "--url", demo]) == 0
    assert f"{first} to receiver: pending again" in capsys.readouterr().out
    assert main(relay) == 0
    assert [line.split()[0] for line in _received(tmp_path)] == [first]
    assert main(["events", "purge", "--url", demo, "--delivered-before", "2999-01-01"]) == 0
    assert "purged 1 messages" in capsys.readouterr().out
    assert main(["events", "replay", first, "--url", demo]) == 1
    assert "no dead or unknown delivery of message" in capsys.readouterr().err


def test_a_bad_destinations_file_is_refused_naming_each_problem(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        textwrap.dedent(
            """
            [[destination]]
            name = "erp"
            kind = "webhook"
            url = "https://erp.example.com/hooks"
            secrets_env = "NO_SUCH_VARIABLE_FOR_TESTS"

            [[destination]]
            name = "erp"
            kind = "fax"
            """
        ),
        "utf-8",
    )
    assert main(["events", "relay", "--url", demo, "--destinations", str(bad)]) == 1
    said = capsys.readouterr().err
    assert "invalid destinations file" in said
    assert "destination[0].secrets_env: environment variable NO_SUCH_VARIABLE_FOR_TESTS" in said
    assert "destination[1].name: 'erp' is used twice" in said
    assert (
        "destination[1].kind: must be one of webhook, amqp, python, email, sms, not 'fax'" in said
    )
    assert _received(tmp_path) == []


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "destination: name at least one [[destination]]"),
        ("[[destination]\n", "not TOML"),
        ('[[destination]]\nkind = "python"\n', "destination[0].name: every destination needs"),
        (
            '[[destination]]\nname = "x"\nkind = "python"\ntarget = "no_such_module_here:x"\n',
            "destination[0].target: cannot load no_such_module_here:x",
        ),
        (
            '[[destination]]\nname = "x"\nkind = "python"\ntarget = "tests.cli.host_orders:LINES"',
            "destination[0].target: cannot load tests.cli.host_orders:LINES: a tuple is not "
            "callable",
        ),
        (
            '[[destination]]\nname = "hook"\nkind = "webhook"\nurl = "ftp://x"\nsecrets = "a"\n',
            "destination[0]:",
        ),
    ],
)
def test_destination_files_are_checked(text: str, problem: str) -> None:
    with pytest.raises(InvalidDestinations, match="invalid destinations file") as refused:
        load_destinations(text)
    assert problem in str(refused.value)


def test_relay_forever_stops_on_sigterm_after_its_round(demo: str, tmp_path: Path) -> None:
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), "RECEIVED": str(tmp_path / "r.txt")}
    command = [
        sys.executable,
        "-m",
        "crm_returns",
        "events",
        "relay",
        "--url",
        demo,
        "--destinations",
        str(tmp_path / "destinations.toml"),
        "--forever",
        "--idle",
        "0.1",
    ]
    relay = subprocess.Popen(  # noqa: S603 - our own command line, with test arguments
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    received = tmp_path / "r.txt"
    while not received.exists() or len(received.read_text().splitlines()) < DEMO_EVENTS:
        assert time.monotonic() < deadline, "the relay delivered nothing"
        assert relay.poll() is None, relay.communicate()
        time.sleep(0.1)
    relay.send_signal(signal.SIGTERM)
    out, err = relay.communicate(timeout=30)
    assert relay.returncode == 0, err
    assert f"stopped: {DEMO_EVENTS} delivered, 0 to retry, 0 dead" in out
    assert "relay relay-" in err  # what each round did, logged


CONTACTS = """
import os

from crm_returns.samples import sample_contacts


def contacts():
    return sample_contacts(os.environ["DEMO_TENANT"])
"""


def _email_relay(demo: str, tmp_path: Path, port: int) -> list[str]:
    """The relay command over ``demo``, to an e-mail destination on ``port`` with rules.toml."""
    (tmp_path / "email.toml").write_text(
        textwrap.dedent(
            f"""
            [[destination]]
            name = "email"
            kind = "email"
            host = "127.0.0.1"
            port = {port}
            security = "none"
            sender = "退货中心 <returns@shop.example>"
            contacts = "contacts_for_tests:contacts"
            rules = "rules.toml"
            """
        ),
        "utf-8",
    )
    return ["events", "relay", "--url", demo, "--destinations", str(tmp_path / "email.toml")]


def test_the_email_notifier_from_a_destinations_file_sends_over_smtp(
    demo: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "contacts_for_tests.py").write_text(CONTACTS, "utf-8")
    (tmp_path / "rules.toml").write_text(
        textwrap.dedent(
            """
            [[rules]]
            event = "com.crm-returns.return.completed.v1"
            channel = "email"
            recipients = ["customer"]
            template = "return-completed"
            """
        ),
        "utf-8",
    )
    handler = RecordingHandler()
    with running_server(handler) as port:
        relay = _email_relay(demo, tmp_path, port)
        assert main(relay) == 0
    assert f"{DEMO_EVENTS} delivered" in capsys.readouterr().out
    # Only completions, by the file's rules: the demo's return and the second one.
    (to, message), (_, second) = handler.received
    assert to == ["zhang.wei@example.com"]
    assert "RT-20261127-000001" in str(message["Subject"])
    assert "RT-20261203-000001" in str(second["Subject"])
    sys.modules.pop("contacts_for_tests", None)


def test_the_relays_emails_to_a_customer_are_logged_as_contacts_with_them(
    demo: str, tmp_path: Path
) -> None:
    (tmp_path / "contacts_for_tests.py").write_text(CONTACTS, "utf-8")
    # A rule the demo's own mail step did not have: the customer hears of the delivery.
    (tmp_path / "rules.toml").write_text(
        textwrap.dedent(
            """
            [[rules]]
            event = "com.crm-returns.return.shipment-delivered.v1"
            channel = "email"
            recipients = ["customer"]
            template = "parcel-delivered"
            """
        ),
        "utf-8",
    )
    tenant = os.environ["DEMO_TENANT"]

    def automatic() -> list[CustomerContact]:
        database = SqlDatabase.connect(demo)
        try:
            with database.unit_of_work() as uow:
                kept = uow.casefile.for_customer(tenant, "C-1001", CustomerContact)
        finally:
            database.dispose()
        return [contact for contact in kept if contact.automatic]

    before = automatic()
    with running_server(RecordingHandler()) as port:
        relay = _email_relay(demo, tmp_path, port)
        assert main(relay) == 0
        assert main(relay) == 0  # nothing more to send, nothing more logged
    after = automatic()
    sys.modules.pop("contacts_for_tests", None)

    assert after[: len(before)] == before
    (new,) = after[len(before) :]
    assert (new.channel, new.summary) == (
        ContactChannel.EMAIL,
        "notification 'parcel-delivered' sent by email",
    )


def test_events_commands_on_a_database_without_the_tables_say_to_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["events", "dead", "--url", url]) == 1
    assert "crm-returns db upgrade" in capsys.readouterr().err


def test_a_webhook_without_its_secrets_is_told_what_is_missing() -> None:
    text = '[[destination]]\nname = "erp"\nkind = "webhook"\nurl = "https://erp.example.com/h"\n'
    with pytest.raises(InvalidDestinations) as refused:
        load_destinations(text)
    assert refused.value.problems == (("destination[0].secrets", "give secrets or secrets_env"),)
