"""Each tenant's reason catalog.

The sample lines are listed in tests/service/conftest.py.  The default
catalog has categories quality, customer, order, logistics and general, and
reasons quality_defect, changed_requirement, wrong_order, damaged_in_transit
and other.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crm_returns import (
    DEFAULT_CATALOG,
    Actor,
    Fault,
    LineRef,
    Reason,
    ReasonCategory,
    ReturnOrder,
    ReturnsService,
)
from crm_returns.errors import InvalidInput, NotFound, ReasonInUse, ReasonNotSelectable

MOUSE = LineRef("SO-1001", "1")  # 5 x 129.00, customer C-1001
CABLE = LineRef("SO-1001", "2")  # 10 x 39.90 - 19.90, customer C-1001

Drafted = Callable[..., ReturnOrder]
Snapshot = Callable[[], object]

PACKAGING = ReasonCategory("packaging", {"en": "Packaging", "zh-CN": "包装原因"})
BOX_CRUSHED = Reason(
    "box_crushed",
    "packaging",
    {"en": "Box crushed", "zh-CN": "外箱压坏"},
    Fault.CARRIER,
    requires_inspection=False,
)


# -- reasons -------------------------------------------------------------------------


def test_a_custom_reason_in_a_new_category_can_be_chosen(
    service: ReturnsService, admin: Actor, clerk: Actor, drafted: Drafted
) -> None:
    service.add_reason_category(admin, PACKAGING)
    catalog = service.add_reason(admin, BOX_CRUSHED)
    assert catalog.selectable()[-1] == BOX_CRUSHED
    assert service.reason_catalog(clerk) == catalog
    order = drafted((MOUSE, 1, "box_crushed"))
    line = order.lines[0]
    assert (line.reason_code, line.reason_category) == ("box_crushed", "packaging")
    assert line.inspection_required is False


def test_a_reason_needs_its_category_in_the_catalog(
    service: ReturnsService, admin: Actor, snapshot: Snapshot
) -> None:
    before = snapshot()
    with pytest.raises(NotFound) as missing:
        service.add_reason(admin, BOX_CRUSHED)
    assert (missing.value.kind, missing.value.key) == ("reason category", "packaging")
    assert snapshot() == before


def test_a_code_cannot_be_used_twice(service: ReturnsService, admin: Actor) -> None:
    twin = Reason("other", "general", {"en": "Other again", "zh-CN": "又一个其他"}, Fault.CUSTOMER)
    with pytest.raises(InvalidInput, match="other"):
        service.add_reason(admin, twin)
    assert service.reason_catalog(admin) == DEFAULT_CATALOG


def test_relabelling_shows_the_new_label_on_old_returns(
    service: ReturnsService, admin: Actor, clerk: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 1, "quality_defect"))
    service.relabel_reason(admin, "quality_defect", {"en": "Defective", "zh-CN": "次品"})
    stored = service.get_return(clerk, order.id)
    label = service.reason_catalog(clerk).reason(stored.lines[0].reason_code).labels
    assert (label.get("en"), label.get("zh-CN")) == ("Defective", "次品")


def test_relabelling_needs_every_locale(service: ReturnsService, admin: Actor) -> None:
    with pytest.raises(InvalidInput, match="zh-CN"):
        service.relabel_reason(admin, "quality_defect", {"en": "Defective"})
    assert service.reason_catalog(admin) == DEFAULT_CATALOG


def test_a_retired_reason_cannot_be_chosen_but_old_returns_keep_it(
    service: ReturnsService, admin: Actor, clerk: Actor, drafted: Drafted
) -> None:
    order = drafted((MOUSE, 1, "other"))
    catalog = service.retire_reason(admin, "other")
    assert "other" not in [reason.code for reason in catalog.selectable()]
    with pytest.raises(ReasonNotSelectable):
        drafted((CABLE, 1, "other"))
    stored = service.get_return(clerk, order.id)
    assert stored.lines[0].reason_code == "other"
    reason = service.reason_catalog(clerk).reason("other")
    assert (reason.retired, reason.labels.get("zh-CN")) == (True, "其他")


@pytest.mark.parametrize("cancelled", [False, True])
def test_a_reason_any_return_uses_cannot_be_removed(
    service: ReturnsService,
    admin: Actor,
    clerk: Actor,
    drafted: Drafted,
    snapshot: Snapshot,
    cancelled: bool,
) -> None:
    order = drafted((MOUSE, 1, "other"))
    if cancelled:
        service.cancel_return(clerk, order.id, "客户撤回")
    before = snapshot()
    with pytest.raises(ReasonInUse, match="retire"):
        service.remove_reason(admin, "other")
    assert snapshot() == before
    assert service.reason_catalog(clerk).reason("other").code == "other"


def test_an_unused_reason_can_be_removed(
    service: ReturnsService, admin: Actor, clerk: Actor, drafted: Drafted
) -> None:
    catalog = service.remove_reason(admin, "other")
    assert [reason.code for reason in catalog.reasons] == [
        "quality_defect",
        "changed_requirement",
        "wrong_order",
        "damaged_in_transit",
    ]
    with pytest.raises(NotFound):
        service.reason_catalog(clerk).reason("other")
    with pytest.raises(NotFound):
        drafted((MOUSE, 1, "other"))


def test_each_tenant_has_its_own_catalog(
    service: ReturnsService,
    admin: Actor,
    clerk: Actor,
    outsider: Actor,
    drafted: Drafted,
) -> None:
    drafted((MOUSE, 1, "other"), by=outsider)
    service.add_reason_category(admin, PACKAGING)
    service.add_reason(admin, BOX_CRUSHED)
    # Globex's return uses "other"; acme's catalog does not care.
    service.remove_reason(admin, "other")
    assert service.reason_catalog(outsider) == DEFAULT_CATALOG
    assert drafted((MOUSE, 1, "other"), by=outsider).lines[0].reason_code == "other"
    with pytest.raises(NotFound):
        drafted((CABLE, 1, "box_crushed"), by=outsider)
    assert drafted((CABLE, 1, "box_crushed")).lines[0].reason_code == "box_crushed"
