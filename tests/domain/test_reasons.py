"""The reason taxonomy: category → reason, localised labels, and a tenant's changes to it."""

from __future__ import annotations

import pytest

from crm_returns.domain.reasons import (
    DEFAULT_CATALOG,
    Fault,
    Labels,
    Reason,
    ReasonCatalog,
    ReasonCategory,
)
from crm_returns.errors import InvalidInput, NotFound, ReasonInUse, ReasonNotSelectable

PACKAGING = ReasonCategory("packaging", {"en": "Packaging", "zh-CN": "包装原因"})
TORN_BOX = Reason(
    "torn_box", "packaging", {"en": "Torn box", "zh-CN": "包装破损"}, Fault.SELLER, False
)


def test_default_catalog_offers_the_five_common_reasons_in_chinese() -> None:
    labels = [reason.labels.get("zh-CN") for reason in DEFAULT_CATALOG.selectable()]
    assert labels == ["质量问题", "需求变更", "订单错误", "运输损坏", "其他"]


def test_default_catalog_labels_every_reason_in_english_too() -> None:
    labels = [reason.labels.get("en") for reason in DEFAULT_CATALOG.reasons]
    assert labels == [
        "Quality problem",
        "Changed requirement",
        "Wrong order",
        "Damaged in transit",
        "Other",
    ]


def test_every_default_reason_sits_in_a_category_of_the_catalog() -> None:
    for reason in DEFAULT_CATALOG.reasons:
        assert DEFAULT_CATALOG.category(reason.category).code == reason.category


@pytest.mark.parametrize(
    ("code", "fault"),
    [
        ("quality_defect", Fault.SELLER),
        ("changed_requirement", Fault.CUSTOMER),
        ("wrong_order", Fault.SELLER),
        ("damaged_in_transit", Fault.CARRIER),
        ("other", Fault.CUSTOMER),
    ],
)
def test_default_reasons_say_who_is_at_fault(code: str, fault: Fault) -> None:
    assert DEFAULT_CATALOG.choose(code).fault is fault


def test_a_label_missing_in_a_locale_falls_back_to_english() -> None:
    labels = Labels((("en", "Torn box"), ("zh-CN", "包装破损")))
    assert labels.get("fr") == "Torn box"
    assert labels.get("zh-CN") == "包装破损"


# -- choosing ------------------------------------------------------------------------


def test_a_leaf_reason_can_be_chosen() -> None:
    reason = DEFAULT_CATALOG.choose("quality_defect")
    assert reason.code == "quality_defect"
    assert reason.category == "quality"


@pytest.mark.parametrize("category", ["quality", "customer", "order", "logistics", "general"])
def test_a_category_cannot_be_chosen_as_a_reason(category: str) -> None:
    with pytest.raises(ReasonNotSelectable, match=category):
        DEFAULT_CATALOG.choose(category)


def test_choosing_an_unknown_code_is_not_found() -> None:
    with pytest.raises(NotFound) as raised:
        DEFAULT_CATALOG.choose("bored_of_it")
    assert raised.value.key == "bored_of_it"


def test_a_retired_reason_stays_readable_but_cannot_be_chosen() -> None:
    catalog = DEFAULT_CATALOG.retired("changed_requirement")
    old = catalog.reason("changed_requirement")
    assert old.retired
    assert old.labels.get("zh-CN") == "需求变更"
    with pytest.raises(ReasonNotSelectable, match="retired"):
        catalog.choose("changed_requirement")
    assert "changed_requirement" not in [reason.code for reason in catalog.selectable()]


def test_retiring_changes_a_new_catalog_not_the_old_one() -> None:
    DEFAULT_CATALOG.retired("other")
    assert DEFAULT_CATALOG.choose("other").retired is False


def test_retiring_an_unknown_reason_is_not_found() -> None:
    with pytest.raises(NotFound):
        DEFAULT_CATALOG.retired("nope")


# -- changing the catalog ------------------------------------------------------------


def test_relabelling_changes_the_labels_and_nothing_else() -> None:
    catalog = DEFAULT_CATALOG.relabelled("quality_defect", {"en": "Defective", "zh-CN": "产品缺陷"})
    before, after = DEFAULT_CATALOG.reason("quality_defect"), catalog.reason("quality_defect")
    assert after.labels.get("zh-CN") == "产品缺陷"
    assert after.labels.get("en") == "Defective"
    assert (after.code, after.category, after.fault, after.requires_inspection) == (
        before.code,
        before.category,
        before.fault,
        before.requires_inspection,
    )
    assert [r.code for r in catalog.reasons] == [r.code for r in DEFAULT_CATALOG.reasons]


def test_relabelling_an_unknown_reason_is_not_found() -> None:
    with pytest.raises(NotFound):
        DEFAULT_CATALOG.relabelled("nope", {"en": "x", "zh-CN": "x"})


def test_a_tenant_can_add_its_own_category_and_reason() -> None:
    catalog = DEFAULT_CATALOG.with_category(PACKAGING).with_reason(TORN_BOX)
    assert catalog.choose("torn_box") == TORN_BOX
    assert catalog.category("packaging") == PACKAGING
    assert catalog.selectable()[-1] == TORN_BOX
    assert len(catalog.reasons) == len(DEFAULT_CATALOG.reasons) + 1


@pytest.mark.parametrize("code", ["quality_defect", "quality"])
def test_a_reason_code_already_used_by_a_reason_or_category_is_refused(code: str) -> None:
    duplicate = Reason(code, "quality", {"en": "Again", "zh-CN": "重复"}, Fault.SELLER)
    with pytest.raises(InvalidInput, match=code):
        DEFAULT_CATALOG.with_reason(duplicate)


@pytest.mark.parametrize("code", ["quality", "other"])
def test_a_category_code_already_used_is_refused(code: str) -> None:
    with pytest.raises(InvalidInput, match=code):
        DEFAULT_CATALOG.with_category(ReasonCategory(code, {"en": "Again", "zh-CN": "重复"}))


def test_a_reason_in_an_unknown_category_is_refused() -> None:
    with pytest.raises(NotFound) as raised:
        DEFAULT_CATALOG.with_reason(TORN_BOX)
    assert raised.value.key == "packaging"


def test_a_catalog_built_with_an_orphan_reason_is_refused() -> None:
    with pytest.raises(NotFound):
        ReasonCatalog(categories=(), reasons=(TORN_BOX,))


def test_a_reason_in_use_cannot_be_removed() -> None:
    with pytest.raises(ReasonInUse, match="retire"):
        DEFAULT_CATALOG.without("other", in_use=True)


def test_a_reason_not_in_use_can_be_removed() -> None:
    catalog = DEFAULT_CATALOG.without("other", in_use=False)
    with pytest.raises(NotFound):
        catalog.reason("other")
    assert [r.code for r in catalog.reasons] == [
        "quality_defect",
        "changed_requirement",
        "wrong_order",
        "damaged_in_transit",
    ]


def test_removing_an_unknown_reason_is_not_found() -> None:
    with pytest.raises(NotFound):
        DEFAULT_CATALOG.without("nope", in_use=False)


# -- labels and codes ----------------------------------------------------------------


@pytest.mark.parametrize(
    "labels",
    [{"en": "Torn box"}, {"zh-CN": "包装破损"}, {}, {"en": "Torn box", "fr": "Boîte déchirée"}],
    ids=["no zh-CN", "no en", "none", "fr instead of zh-CN"],
)
def test_labels_must_cover_english_and_simplified_chinese(labels: dict[str, str]) -> None:
    with pytest.raises(InvalidInput, match="missing"):
        Reason("torn_box", "packaging", labels, Fault.SELLER)


@pytest.mark.parametrize("label", ["", "   ", "x" * 201])
def test_labels_must_be_non_blank_and_of_reasonable_length(label: str) -> None:
    with pytest.raises(InvalidInput, match="label"):
        ReasonCategory("packaging", {"en": "Packaging", "zh-CN": label})


def test_relabelling_with_a_missing_locale_is_refused() -> None:
    with pytest.raises(InvalidInput, match="zh-CN"):
        DEFAULT_CATALOG.relabelled("quality_defect", {"en": "Defective"})


@pytest.mark.parametrize(
    "code",
    [
        "",
        "Quality",
        "9lives",
        "_hidden",
        "with space",
        "质量",
        "a" * 65,
        "torn_box\n",
        "torn/box",
    ],
    ids=repr,
)
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(InvalidInput, match="code"):
        ReasonCategory(code, {"en": "X", "zh-CN": "X"})
    with pytest.raises(InvalidInput, match="code"):
        Reason(code, "quality", {"en": "X", "zh-CN": "X"}, Fault.SELLER)


@pytest.mark.parametrize("code", ["a", "quality-2", "v1.torn_box", "a" * 64])
def test_well_formed_codes_are_accepted(code: str) -> None:
    assert ReasonCategory(code, {"en": "X", "zh-CN": "X"}).code == code


def test_a_reasons_category_must_be_a_well_formed_code() -> None:
    with pytest.raises(InvalidInput, match="category"):
        Reason("torn_box", "Packaging", {"en": "X", "zh-CN": "X"}, Fault.SELLER)


def test_a_fault_that_is_not_a_fault_member_is_invalid_input() -> None:
    # Bad input raises the library's typed error (DESIGN invariant 7), not attrs' TypeError.
    with pytest.raises(InvalidInput, match="fault"):
        Reason("torn_box", "packaging", {"en": "X", "zh-CN": "X"}, "seller")  # type: ignore[arg-type]
