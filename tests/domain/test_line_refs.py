"""Line refs key the dicts every command looks lines up in, and sort by order, then line.

Equal refs hash alike however they were made (built, copied, pickled,
evolved), and a ref found under one of them is found under any other.
"""

from __future__ import annotations

import copy
import operator
import pickle

import attrs
import pytest
from hypothesis import given

from crm_returns.domain.orders import LineRef
from crm_returns.testing.strategies import line_refs


@given(line_refs())
def test_equal_refs_hash_alike_however_they_were_made(ref: LineRef) -> None:
    hash(ref)  # Made and kept before the copies are taken.
    copies = [
        LineRef(ref.order_number, ref.line_id),
        copy.copy(ref),
        copy.deepcopy(ref),
        pickle.loads(pickle.dumps(ref)),  # noqa: S301 - our own bytes, just made
        attrs.evolve(ref),
    ]
    for same in copies:
        assert same == ref
        assert hash(same) == hash(ref)
        assert {ref: "found"}[same] == "found"


def test_a_ref_with_another_line_is_another_key() -> None:
    first, second = LineRef("SO-1", "1"), LineRef("SO-1", "2")
    assert hash(first) == hash(LineRef("SO-1", "1"))
    assert {first: 1, second: 2} == {LineRef("SO-1", "2"): 2, LineRef("SO-1", "1"): 1}
    assert attrs.evolve(first, line_id="2") in {second}
    assert attrs.asdict(first) == {"order_number": "SO-1", "line_id": "1"}


@given(line_refs(), line_refs())
def test_refs_are_ordered_by_order_number_then_line_id(first: LineRef, second: LineRef) -> None:
    keys = (first.order_number, first.line_id), (second.order_number, second.line_id)
    assert (first < second) is (keys[0] < keys[1])
    assert (first <= second) is (keys[0] <= keys[1])
    assert (first > second) is (keys[0] > keys[1])
    assert (first >= second) is (keys[0] >= keys[1])
    assert sorted([first, second]) == sorted([second, first])


def test_a_ref_is_not_ordered_against_other_values() -> None:
    ref = LineRef("SO-1", "1")
    for other in (("SO-1", "1"), "SO-1/1", 1):
        for compare in (operator.lt, operator.le, operator.gt, operator.ge):
            with pytest.raises(TypeError):
                compare(ref, other)
