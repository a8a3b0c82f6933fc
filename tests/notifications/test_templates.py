"""Templates: every shipped one renders in both languages; a bad one fails when loaded, not sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from tests.notifications.support import lifecycle_messages

from crm_returns import (
    DEFAULT_NOTIFICATION_RULES,
    NotificationChannel,
    NotificationRule,
    NotificationRules,
    Recipient,
    load_notification_templates,
)
from crm_returns.cloudevents import event_type
from crm_returns.domain import events as ev
from crm_returns.errors import InvalidTemplates, PermanentFailure
from crm_returns.notifications import NotificationTemplates
from crm_returns.notifications._parameters import context
from crm_returns.ports import OutboxMessage

EMAIL, SMS = NotificationChannel.EMAIL, NotificationChannel.SMS
LANGUAGES = ("zh-CN", "en")


@pytest.fixture(scope="module")
def templates() -> NotificationTemplates:
    return load_notification_templates()


def uses() -> list[tuple[NotificationRule, OutboxMessage, str]]:
    """Every default rule, with every real message it applies to, in each shipped language."""
    return [
        (rule, message, language)
        for rule in DEFAULT_NOTIFICATION_RULES.rules
        for message in lifecycle_messages()
        if isinstance(message.event, rule.event)
        for language in LANGUAGES
    ]


def test_every_default_rule_meets_a_real_message() -> None:
    met = {rule for rule, _, _ in uses()}
    assert met == set(DEFAULT_NOTIFICATION_RULES.rules)


def test_every_default_template_is_shipped_in_chinese_and_english(
    templates: NotificationTemplates,
) -> None:
    for rule in DEFAULT_NOTIFICATION_RULES.rules:
        assert templates.languages(rule.template, rule.channel) == ("en", "zh-CN")


@pytest.mark.parametrize(
    ("rule", "message", "language"),
    uses(),
    ids=lambda value: getattr(value, "template", None) or getattr(value, "id", None) or value,
)
def test_every_shipped_template_renders_real_messages(
    templates: NotificationTemplates, rule: NotificationRule, message: OutboxMessage, language: str
) -> None:
    parameters = context(message, "陈经理" if language == "zh-CN" else "Chen", language)
    if rule.channel is EMAIL:
        written = templates.email(rule.template, language, parameters)
        parts = [written.subject, written.text, written.html or ""]
        assert written.html
        assert message.event.number in written.subject
        assert "\n" not in written.subject
    else:
        sms = templates.sms(rule.template, language, parameters)
        parts = [sms.text, *(value for _, value in sms.params)]
        assert sms.code.startswith("SMS_")
        assert dict(sms.params)["number"] == message.event.number
    for part in parts:
        assert part.strip()
        assert "{{" not in part
        assert "{%" not in part
    # Chinese templates write Chinese, English ones do not.
    chinese = any("\u4e00" <= char <= "\u9fff" for char in parts[0])
    assert chinese == (language == "zh-CN") or message.event.number in parts[0]


def test_labels_and_money_are_written_in_the_recipients_language(
    templates: NotificationTemplates,
) -> None:
    granted = next(m for m in lifecycle_messages() if isinstance(m.event, ev.RefundGranted))
    zh = templates.sms("refund-granted", "zh-CN", context(granted, "张伟", "zh-CN"))
    en = templates.sms("refund-granted", "en", context(granted, "Zhang", "en"))
    assert dict(zh.params)["amount"] == "¥4,056.00"
    assert dict(zh.params)["method"] == "原路退回"
    assert dict(en.params)["amount"] == "CNY 4,056.00"
    assert dict(en.params)["method"] != dict(zh.params)["method"]


def test_html_escapes_what_customers_and_staff_typed_and_the_text_keeps_it(
    templates: NotificationTemplates,
) -> None:
    rejected = next(m for m in lifecycle_messages() if isinstance(m.event, ev.ReturnRejected))
    hostile = "<script>alert('x')</script> & <b>"
    message = OutboxMessage(
        rejected.id,
        attrs.evolve(rejected.event, comment=hostile),
        attrs.evolve(rejected.summary, customer_name=hostile),
    )
    for language in LANGUAGES:
        written = templates.email("return-rejected", language, context(message, "", language))
        assert written.html is not None
        assert "<script>" not in written.html
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;" in written.html
        assert hostile in written.text


def test_the_language_falls_back_to_the_primary_one_then_chinese(
    templates: NotificationTemplates,
) -> None:
    assert templates.language_for("return-approved", EMAIL, "en") == "en"
    assert templates.language_for("return-approved", EMAIL, "en-GB") == "en"
    assert templates.language_for("return-approved", EMAIL, "fr") == "zh-CN"
    assert templates.language_for("no-such-template", EMAIL, "en") is None


# -- checked when loaded ---------------------------------------------------------------


def refused(overrides: Any, **options: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidTemplates) as caught:
        load_notification_templates(overrides, **options)
    assert str(caught.value).startswith("invalid notification templates")
    return list(caught.value.problems)


def override(language: str, template: str, channel: str, **parts: Any) -> dict[str, Any]:
    return {language: {template: {channel: parts}}}


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{{ numbr }}", "unknown parameter 'numbr'"),
        ("{{ return.refund.amout }}", "unknown parameter 'return.refund.amout'; return.refund has"),
        ("{{ return['refnd'] }}", "unknown parameter \"return['refnd']\""),
        ("{% for line in return.lines %}{{ line.skuu }}{% endfor %}", "'line.skuu'"),
        ("{% for i in inspections %}{{ i }}{% endfor %}", "unknown parameter 'inspections'"),
        ("{{ actor.title }}", "unknown parameter 'actor.title'; actor has id, name"),
        ("{{ recipient.email }}", "unknown parameter 'recipient.email'"),
        ("{{ step }}", "unknown parameter 'step'"),  # approved has a step, rejected has none
        ("{{ number | shout }}", "No filter named 'shout'"),
        ("{{ number ", "line 1: unexpected end of template"),
    ],
)
def test_a_template_that_uses_what_its_event_lacks_fails_when_loaded(
    source: str, message: str
) -> None:
    problems = refused(override("en", "return-rejected", "email", subject=source))
    assert [path for path, _ in problems] == ["en.return-rejected.email.subject"]
    assert message in problems[0][1]


def test_what_the_event_has_is_accepted_and_rendered() -> None:
    templates = load_notification_templates(
        override(
            "en",
            "return-approved",
            "email",
            subject="{{ step or 'auto' }} {{ return.lines[0].line.order_number }} {{ actor.name }}",
        )
    )
    approved = next(m for m in lifecycle_messages() if isinstance(m.event, ev.ReturnApproved))
    written = templates.email("return-approved", "en", context(approved, "", "en"))
    assert written.subject == "quality SO-1001 赵敏 (质检)"
    # The parts not overridden are the shipped ones.
    assert "Please send back" in written.text


def test_variables_a_template_sets_itself_are_its_own() -> None:
    load_notification_templates(
        override(
            "en",
            "return-rejected",
            "email",
            text=(
                "{% set who = recipient.name %}{{ who.upper() }}"
                "{% macro row(x) %}{{ x }}{% endmacro %}{{ row(number) }}"
                "{% for a, b in [(1, 2)] %}{{ a }}{{ loop.index }}{% endfor %}"
            ),
        )
    )


def test_a_template_no_rule_uses_may_only_use_what_every_event_has() -> None:
    load_notification_templates(override("en", "spare", "email", subject="{{ number }}", text="."))
    problems = refused(override("en", "spare", "email", subject="{{ steps }}", text="."))
    assert problems[0][0] == "en.spare.email.subject"
    assert "only fields every event has" in problems[0][1]


def test_a_template_serving_several_events_must_fit_each() -> None:
    rules = NotificationRules(
        [
            NotificationRule(
                event=kind, channel=EMAIL, recipients=[Recipient.customer()], template="news"
            )
            for kind in (ev.ReturnApproved, ev.ReturnRejected)
        ]
    )
    problems = refused(
        override("en", "news", "email", subject="{{ step }}", text="."),
        rules=DEFAULT_NOTIFICATION_RULES + rules,
    )
    assert problems == [
        (
            "en.news.email.subject",
            problems[0][1],
        )
    ]
    assert event_type(ev.ReturnRejected) in problems[0][1]


@pytest.mark.parametrize(
    ("overrides", "path", "message"),
    [
        (override("en", "x", "email", subject="s"), "en.x.email.text", "is required"),
        (
            override("en", "x", "email", subject="s", text="t", body="b"),
            "en.x.email.body",
            "unknown part",
        ),
        (override("en", "x", "fax", text="t"), "en.x.fax", "unknown channel"),
        (override("en", "x", "sms", text="t"), "en.x.sms.code", "is required"),
        (override("en", "x", "sms", code="", text="t"), "en.x.sms.code", "gateway's template code"),
        (
            override("en", "x", "sms", code="C", text="t", params=["a"]),
            "en.x.sms.params",
            "must be a table",
        ),
        (
            override("en", "x", "sms", code="C", text="t", params={"a b": "x"}),
            "en.x.sms.params",
            "not a parameter name",
        ),
        (
            override("en", "x", "sms", code="C", text="t", params={"n": "{{ nmber }}"}),
            "en.x.sms.params.n",
            "unknown parameter",
        ),
        (
            override("en", "x", "email", subject=3, text="t"),
            "en.x.email.subject",
            "must be template text",
        ),
        (override("EN", "x", "email", subject="s", text="t"), "EN", "is not a language code"),
        (
            override("en", "Bad Name", "email", subject="s", text="t"),
            "en.Bad Name",
            "a template name",
        ),
        ({"en": {"x": "text"}}, "en.x", "must be a table of channels"),
        ({"en": ["x"]}, "en", "must be a table of templates"),
        (["en"], "", "overrides must be a table of languages"),
    ],
)
def test_malformed_overrides_are_refused_with_their_paths(
    overrides: Any, path: str, message: str
) -> None:
    problems = refused(overrides)
    assert any(where == path and message in text for where, text in problems), problems


def test_a_folder_of_overrides_goes_through_the_same_check(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "return-approved.toml").write_text(
        '[email]\nsubject = "Approved: {{ number }} for {{ recipient.nam }}"\n', encoding="utf-8"
    )
    problems = refused(tmp_path)
    assert problems[0][0] == "en.return-approved.email.subject"
    assert "recipient.nam" in problems[0][1]
    (tmp_path / "en" / "return-approved.toml").write_text(
        '[email]\nsubject = "Approved: {{ number }}"\n', encoding="utf-8"
    )
    (tmp_path / "ja").mkdir()
    (tmp_path / "ja" / "return-approved.toml").write_text(
        '[email]\nsubject = "{{ number }} 承認"\ntext = "{{ recipient.name }} 様"\n',
        encoding="utf-8",
    )
    templates = load_notification_templates(tmp_path)
    assert templates.languages("return-approved", EMAIL) == ("en", "ja", "zh-CN")
    assert refused(tmp_path / "missing") == [
        ("", f"{str(tmp_path / 'missing')!r} is not a folder of templates")
    ]


def test_a_rule_whose_template_is_missing_fails_when_templates_meet_the_rules(
    templates: NotificationTemplates,
) -> None:
    rules = NotificationRules(
        [
            NotificationRule(
                event=ev.ReturnCancelled,
                channel=SMS,
                recipients=[Recipient.customer()],
                template="return-cancelled",
            )
        ]
    )
    with pytest.raises(InvalidTemplates) as caught:
        templates.check(rules)
    assert caught.value.problems == (
        ("rules[0]", "template 'return-cancelled' has no sms version in any language"),
    )


def test_a_template_that_fails_on_a_message_is_a_permanent_failure() -> None:
    templates = load_notification_templates(
        override("en", "return-rejected", "email", subject="{{ number | money }}")
    )
    rejected = next(m for m in lifecycle_messages() if isinstance(m.event, ev.ReturnRejected))
    with pytest.raises(
        PermanentFailure, match=r"en\.return-rejected\.email\.subject cannot be rendered"
    ):
        templates.email("return-rejected", "en", context(rejected, "", "en"))
