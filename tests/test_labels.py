"""Every value a host shows has a label in Chinese and English, from ``crm_returns.labels``."""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

import pytest

import crm_returns.domain
from crm_returns import DEFAULT_CATALOG, Action, ReturnStatus
from crm_returns.domain.analytics import (
    CycleGrouping,
    CycleStage,
    DateBasis,
    Dimension,
    Figure,
    Measure,
    ReasonLevel,
    ReportPeriod,
    StatusGroup,
)
from crm_returns.domain.books.journal import EntryKind, Side
from crm_returns.domain.delivery.states import DeliveryStatus, Outcome, Step
from crm_returns.domain.evidence import AttachmentSubject
from crm_returns.domain.interactions import ContactChannel, Direction
from crm_returns.domain.notifications.rules import NotificationChannel, RecipientKind
from crm_returns.domain.ownership import Stage
from crm_returns.domain.policies.access import Permission
from crm_returns.domain.reasons import Fault
from crm_returns.domain.refunds.grants import RefundMethod
from crm_returns.domain.refunds.payments import PaymentStatus
from crm_returns.domain.requests import RequestStatus
from crm_returns.domain.requests.progress import MomentKind, NextStep, Party, Progress
from crm_returns.domain.retention import (
    ErasureStatus,
    Expiry,
    HoldScope,
    Operation,
    PlanStatus,
    PlanStep,
    RecordState,
    Trigger,
)
from crm_returns.domain.shipments import ShipmentMethod, ShippingPayer, TrackingStatus
from crm_returns.domain.stock.dispositions import Disposition, Location, RejectOutcome
from crm_returns.domain.stock.moves import MoveReason
from crm_returns.errors import InvalidInput, NotFound
from crm_returns.labels import LABELLED, LANGUAGES, category_label, label, reason_label

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "crm_returns"
#: The module and the private modules that hold its tables.
SOURCES = tuple(
    PACKAGE / name
    for name in (
        "labels.py",
        "_labels_retention.py",
        "_labels_casefile.py",
        "_labels_analytics.py",
    )
)

# Written out rather than read from LABELLED, so that dropping one from the
# module fails here.
ENUMS: tuple[type[enum.Enum], ...] = (
    ReturnStatus,
    Action,
    Disposition,
    RejectOutcome,
    Location,
    MoveReason,
    RefundMethod,
    PaymentStatus,
    EntryKind,
    Side,
    Permission,
    Fault,
    DeliveryStatus,
    Outcome,
    Step,
    NotificationChannel,
    RecipientKind,
    Trigger,
    Expiry,
    RecordState,
    HoldScope,
    PlanStatus,
    PlanStep,
    ErasureStatus,
    Operation,
    RequestStatus,
    Progress,
    NextStep,
    Party,
    MomentKind,
    ShipmentMethod,
    ShippingPayer,
    TrackingStatus,
    AttachmentSubject,
    ContactChannel,
    Direction,
    Stage,
    ReportPeriod,
    DateBasis,
    StatusGroup,
    ReasonLevel,
    Measure,
    CycleStage,
    CycleGrouping,
    Dimension,
    Figure,
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _domain_enums() -> set[type[enum.Enum]]:
    """Every enum defined in a module of the domain package."""
    found: set[type[enum.Enum]] = set()
    prefix = crm_returns.domain.__name__ + "."
    for module_info in pkgutil.walk_packages(crm_returns.domain.__path__, prefix):
        module = importlib.import_module(module_info.name)
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, enum.Enum) and value.__module__ == module.__name__:
                found.add(value)
    return found


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_member_of_each_enum_has_a_label_in_both_languages(
    kind: type[enum.Enum], language: str
) -> None:
    members = list(kind)
    labels = [label(member, language) for member in members]  # type: ignore[arg-type]

    assert members
    assert all(text.strip() for text in labels)


def test_the_labelled_enums_are_the_ones_written_out_here() -> None:
    assert set(LABELLED) == set(ENUMS)
    assert LANGUAGES == ("zh-CN", "en")


def test_every_enum_of_the_domain_is_labelled() -> None:
    assert _domain_enums() - set(LABELLED) == set()


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
def test_chinese_labels_are_chinese_and_english_ones_english(kind: type[enum.Enum]) -> None:
    for member in kind:
        assert CHINESE.search(label(member, "zh-CN")), member  # type: ignore[arg-type]
        assert label(member, "en").isascii(), member  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ENUMS, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_no_two_members_of_one_enum_read_alike(kind: type[enum.Enum], language: str) -> None:
    labels = [label(member, language) for member in kind]  # type: ignore[arg-type]

    assert len(set(labels)) == len(labels)


def test_a_status_reads_as_the_docstring_says() -> None:
    assert label(ReturnStatus.SUBMITTED, "zh-CN") == "待审批"
    assert label(ReturnStatus.SUBMITTED, "en") == "Submitted"


def test_goods_moved_on_a_decision_are_labelled_as_the_decision() -> None:
    for decision in (*Disposition, *RejectOutcome):
        for language in LANGUAGES:
            assert label(MoveReason.of(decision), language) == label(decision, language)


@pytest.mark.parametrize("language", ["fr", "zh", "ZH-CN", "", "en-US"])
def test_an_unknown_language_is_invalid_input_naming_the_languages(language: str) -> None:
    with pytest.raises(InvalidInput, match="the languages are zh-CN, en"):
        label(ReturnStatus.DRAFT, language)
    with pytest.raises(InvalidInput):
        reason_label(DEFAULT_CATALOG, "quality_defect", language)
    with pytest.raises(InvalidInput):
        category_label(DEFAULT_CATALOG, "quality", language)


def test_a_value_that_is_not_a_labelled_enum_member_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="has no label"):
        label("draft", "en")  # type: ignore[arg-type]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_reason_and_category_of_the_default_catalog_has_a_label(language: str) -> None:
    for reason in DEFAULT_CATALOG.reasons:
        assert reason_label(DEFAULT_CATALOG, reason.code, language).strip()
    for category in DEFAULT_CATALOG.categories:
        assert category_label(DEFAULT_CATALOG, category.code, language).strip()


def test_reason_labels_are_the_tenants_own() -> None:
    catalog = DEFAULT_CATALOG.relabelled("wrong_order", {"zh-CN": "下错单了", "en": "Oops"})

    assert reason_label(catalog, "wrong_order", "zh-CN") == "下错单了"
    assert reason_label(catalog, "wrong_order", "en") == "Oops"
    assert reason_label(DEFAULT_CATALOG, "quality_defect", "en") == "Quality problem"


def test_a_retired_reason_keeps_its_label() -> None:
    catalog = DEFAULT_CATALOG.retired("quality_defect")

    assert reason_label(catalog, "quality_defect", "en") == "Quality problem"


def test_an_unknown_reason_or_category_is_not_found() -> None:
    with pytest.raises(NotFound):
        reason_label(DEFAULT_CATALOG, "no_such_reason", "en")
    with pytest.raises(NotFound):
        category_label(DEFAULT_CATALOG, "no_such_category", "en")


def _imported_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "labels imports absolutely"
            found.add(node.module or "")
    return found


def test_the_labels_module_imports_only_the_standard_library_the_domain_and_errors() -> None:
    outside = {
        module
        for source in SOURCES
        for module in _imported_modules(source.read_text(encoding="utf-8"))
        if module.split(".")[0] not in sys.stdlib_module_names
        and module != "crm_returns.errors"
        and not module.startswith("crm_returns.domain.")
        and module
        not in {
            "crm_returns._labels_retention",
            "crm_returns._labels_casefile",
            "crm_returns._labels_analytics",
        }
    }

    assert outside == set()
