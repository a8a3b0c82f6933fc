"""The console SMS gateway writes readably; the memory gateway keeps and fails as told."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from crm_returns.adapters.memory import MemorySmsGateway
from crm_returns.adapters.sms import ConsoleSmsGateway
from crm_returns.errors import (
    DeliveryFailed,
    OutcomeUnknown,
    PermanentFailure,
    TransientFailure,
)
from crm_returns.ports import Sms, SmsGateway

APPROVED = Sms(
    out_id="3f2a9c1e-7b4d-4e8a-9c61-0d5e2b7a4f10",
    phone="+8613800138000",
    sign_name="退货中心",
    template_code="SMS_0001",
    params=(("order", "RO-0001"), ("status", "已批准")),
    text="您的退货单 RO-0001 已批准，请在 7 天内寄回商品。",
)


def test_the_console_gateway_writes_every_field_readably() -> None:
    stream = io.StringIO()
    ConsoleSmsGateway(stream).send(APPROVED)

    assert stream.getvalue() == (
        "SMS to +8613800138000 (out_id 3f2a9c1e-7b4d-4e8a-9c61-0d5e2b7a4f10)\n"
        "  【退货中心】 template SMS_0001 {order=RO-0001, status=已批准}\n"
        "  您的退货单 RO-0001 已批准，请在 7 天内寄回商品。\n"
    )


def test_the_console_gateway_writes_one_block_per_message_in_order() -> None:
    stream = io.StringIO()
    gateway = ConsoleSmsGateway(stream)
    gateway.send(APPROVED)
    gateway.send(Sms(out_id="m-2", phone="+8613900139000", sign_name="退货中心",
                     template_code="SMS_0002", params=()))  # fmt: skip

    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("SMS to +8613800138000")
    assert lines[3:] == [
        "SMS to +8613900139000 (out_id m-2)",
        "  【退货中心】 template SMS_0002 {}",
    ]


def test_the_console_gateway_writes_to_standard_output_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ConsoleSmsGateway().send(APPROVED)

    assert "SMS to +8613800138000" in capsys.readouterr().out


def test_both_gateways_are_sms_gateways() -> None:
    gateways: list[SmsGateway] = [ConsoleSmsGateway(io.StringIO()), MemorySmsGateway()]
    assert len(gateways) == 2  # the assignment is the check (mypy)


def test_the_memory_gateway_keeps_what_it_sends_in_order() -> None:
    gateway = MemorySmsGateway()
    second = Sms(out_id="m-2", phone="+8613900139000", sign_name="s", template_code="t", params=())
    gateway.send(APPROVED)
    gateway.send(second)

    assert gateway.sent == [APPROVED, second]
    assert gateway.attempted == [APPROVED, second]


@pytest.mark.parametrize(
    "failure",
    [
        TransientFailure("isv.BUSINESS_LIMIT_CONTROL", retry_after=timedelta(minutes=1)),
        PermanentFailure("isv.MOBILE_NUMBER_ILLEGAL"),
        OutcomeUnknown("read timed out after the request was sent"),
    ],
)
def test_the_memory_gateway_fails_as_told(failure: DeliveryFailed) -> None:
    gateway = MemorySmsGateway()
    gateway.failure = failure

    with pytest.raises(type(failure)) as raised:
        gateway.send(APPROVED)

    assert raised.value is failure
    assert gateway.sent == []
    assert gateway.attempted == [APPROVED]


def test_an_unknown_outcome_shows_the_message_was_handed_over_once() -> None:
    # What a relay test checks: after OutcomeUnknown, nothing sends it again.
    gateway = MemorySmsGateway()
    gateway.failure = OutcomeUnknown("timed out")
    with pytest.raises(OutcomeUnknown):
        gateway.send(APPROVED)
    gateway.failure = None

    assert gateway.attempted == [APPROVED]
    assert gateway.sent == []


def test_the_memory_gateway_sends_again_once_the_failure_is_cleared() -> None:
    gateway = MemorySmsGateway()
    gateway.failure = TransientFailure("busy")
    with pytest.raises(TransientFailure):
        gateway.send(APPROVED)
    gateway.failure = None
    gateway.send(APPROVED)

    assert gateway.sent == [APPROVED]
    assert gateway.attempted == [APPROVED, APPROVED]


def test_the_retry_after_a_test_gives_reaches_the_caller() -> None:
    gateway = MemorySmsGateway()
    gateway.failure = TransientFailure("busy", retry_after=timedelta(seconds=30))

    with pytest.raises(TransientFailure) as raised:
        gateway.send(APPROVED)
    assert raised.value.retry_after == timedelta(seconds=30)
