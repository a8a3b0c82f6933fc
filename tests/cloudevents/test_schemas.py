"""Every event type has a JSON Schema in the package, and it is what the generator writes."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from crm_returns.cloudevents import EVENT_TYPES, schema
from crm_returns.cloudevents._generate import DRAFT, documents, main, render, schema_id
from crm_returns.cloudevents._layout import write
from crm_returns.domain import events
from crm_returns.domain.casefile import events as casefile_events
from crm_returns.errors import NotFound

SHARED_DEFS = {"decimal", "line", "money", "return", "return_line", "time"}


def _shipped() -> dict[str, str]:
    folder = resources.files("crm_returns.cloudevents").joinpath("schemas")
    return {
        entry.name: entry.read_text("utf-8")
        for entry in folder.iterdir()
        if entry.name.endswith(".json")
    }


def test_every_event_class_has_a_type() -> None:
    kinds = {
        getattr(module, name)
        for module in (events, casefile_events)
        for name in module.__all__
        if issubclass(getattr(module, name), events.ReturnEvent)
    } - {events.ReturnEvent}
    assert set(EVENT_TYPES.values()) == kinds
    assert len(EVENT_TYPES) == len(kinds) >= 20


@pytest.mark.parametrize("type_name", list(EVENT_TYPES))
def test_every_event_type_has_a_valid_draft_2020_12_schema(type_name: str) -> None:
    document = schema(type_name)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == DRAFT
    assert document["$id"] == schema_id(type_name)
    assert document["properties"]["type"] == {"const": type_name}
    assert set(document["required"]) == {
        "specversion",
        "id",
        "source",
        "type",
        "subject",
        "time",
        "datacontenttype",
        "data",
    }
    assert set(document["$defs"]) == SHARED_DEFS
    data = document["properties"]["data"]
    assert data["additionalProperties"] is False
    assert set(data["required"]) == set(data["properties"])


def test_the_package_ships_one_schema_file_per_type_and_no_other() -> None:
    assert set(_shipped()) == {f"{name}.json" for name in EVENT_TYPES}


def test_the_shipped_schemas_are_what_the_generator_writes() -> None:
    # Run ``python -m crm_returns.cloudevents._generate`` when this fails.
    shipped = _shipped()
    for name, document in documents().items():
        assert shipped[f"{name}.json"] == render(document), f"{name}.json is out of date"
    assert main(["--check"]) == 0


def test_the_generator_rewrites_stale_files_and_removes_strays(tmp_path: Path) -> None:
    assert main(["--check", "--directory", str(tmp_path)]) == 1  # nothing there yet
    assert main(["--directory", str(tmp_path)]) == 0
    assert main(["--check", "--directory", str(tmp_path)]) == 0
    approved = tmp_path / "com.crm-returns.return.approved.v1.json"
    approved.write_text("{}", "utf-8")
    (tmp_path / "com.crm-returns.return.exploded.v1.json").write_text("{}", "utf-8")
    assert main(["--check", "--directory", str(tmp_path)]) == 1
    assert main(["--directory", str(tmp_path)]) == 0
    assert approved.read_text("utf-8") == render(documents()["com.crm-returns.return.approved.v1"])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(_shipped())


@pytest.mark.parametrize(
    "type_name",
    [
        "com.crm-returns.return.exploded.v1",
        "com.crm-returns.return.approved.v2",
        "../__init__",
        "",
    ],
)
def test_an_unknown_type_has_no_schema(type_name: str) -> None:
    with pytest.raises(NotFound, match="event type"):
        schema(type_name)


def test_every_type_has_the_common_data_fields_and_its_own() -> None:
    common = {
        "tenant_id",
        "return_id",
        "number",
        "customer_id",
        "actor",
        "at",
        "from_status",
        "to_status",
        "comment",
        "return",
    }
    own = {
        name: set(schema(name)["properties"]["data"]["properties"]) - common for name in EVENT_TYPES
    }
    prefix = "com.crm-returns.return."
    assert {name.removeprefix(prefix): fields for name, fields in own.items()} == {
        "drafted.v1": {"lines"},
        "requested.v1": {"lines"},
        "request-accepted.v1": set(),
        "request-declined.v1": {"reason", "reason_zh", "reason_en", "message"},
        "request-withdrawn.v1": set(),
        "lines-edited.v1": {"lines"},
        "submitted.v1": {"policy_version", "steps"},
        "approval-given.v1": {"step"},
        "approved.v1": {"step"},
        "rejected.v1": set(),
        "cancelled.v1": set(),
        "goods-received.v1": {"receipts"},
        "lines-inspected.v1": {"inspections"},
        "completed.v1": {"refund"},
        "repair-finished.v1": {"line", "units", "outcome"},
        "refund-granted.v1": {"method", "amount", "fee", "credit_note", "missing_units_refunded"},
        "refund-payment-recorded.v1": {"payment_id", "amount", "reference"},
        "refund-payment-settled.v1": {"payment_id", "status"},
        "retired.v1": {"change", "plan_number", "legal_basis"},
        "shipment-added.v1": {
            "shipment_id",
            "method",
            "carrier",
            "tracking_number",
            "paid_by",
            "cost",
        },
        "shipment-labelled.v1": {
            "shipment_id",
            "carrier",
            "tracking_number",
            "label_reference",
            "cost",
        },
        **{
            key: {
                "shipment_id",
                "carrier",
                "tracking_number",
                "event_id",
                "status",
                "occurred_at",
                "location",
                "description",
                "shipment_status",
            }
            for key in ("shipment-tracked.v1", "shipment-delivered.v1", "shipment-lost.v1")
        },
        # No summary and no comment: personal text stays in the case file.
        "contact-logged.v1": {"contact_id", "channel", "direction", "contacted_at", "automatic"},
        "feedback-given.v1": {"feedback_id", "score", "commented"},
        "assigned.v1": {"from_user_id", "from_team", "to_user_id", "to_team"},
        "attachment-added.v1": {"attachment_id", "subject", "content_type", "sha256"},
    }


def test_an_actor_and_a_disposition_split_are_objects() -> None:
    data = schema("com.crm-returns.return.lines-inspected.v1")["properties"]["data"]
    assert set(data["properties"]["actor"]["properties"]) == {"id", "name"}
    inspection = data["properties"]["inspections"]["items"]
    assert "disposition" not in inspection["properties"]  # dispositions says it all
    split = inspection["properties"]["dispositions"]["items"]
    assert split["required"] == ["disposition", "units"]
    assert split["properties"]["units"] == {"$ref": "#/$defs/decimal"}


def test_a_value_without_a_json_form_is_refused() -> None:
    with pytest.raises(TypeError, match="no JSON form"):
        write(1.5)


def test_the_generator_refuses_a_type_it_does_not_know() -> None:
    from crm_returns.cloudevents._generate import _schema_of

    with pytest.raises(TypeError, match=r"Thing\.weight: no JSON form"):
        _schema_of(float, "Thing.weight")
