"""The enums looked up by every command hash by identity and still key dicts and sets by member.

Their members hash as plain objects do rather than by name: a member must
still find itself in every dict and set — also when copied or looked up
by value or name, which hand back the same singleton — and never
find another member.
"""

from __future__ import annotations

import copy
import enum

import pytest

from crm_returns.domain.policies.access import Permission
from crm_returns.domain.reasons import Fault
from crm_returns.domain.returns.states import TRANSITIONS, Action, ReturnStatus
from crm_returns.domain.stock.dispositions import Disposition, RejectOutcome, destination_of

IDENTITY_HASHED = [ReturnStatus, Action, Permission, Fault, Disposition, RejectOutcome]


@pytest.mark.parametrize("kind", IDENTITY_HASHED, ids=lambda kind: kind.__name__)
def test_members_key_dicts_and_sets_by_member(kind: type[enum.Enum]) -> None:
    members = list(kind)
    by_member = {member: member.value for member in members}
    assert len(by_member) == len(members) == len(set(members))
    for member in members:
        again = (
            kind(member.value),
            kind[member.name],
            copy.copy(member),
            copy.deepcopy(member),
        )
        for same in again:
            assert same is member
            assert hash(same) == hash(member)
            assert by_member[same] == member.value
            assert same in frozenset(members)
        others = frozenset(members) - {member}
        assert member not in others
        assert len(others) == len(members) - 1


def test_the_lookups_of_a_command_find_their_entries() -> None:
    assert TRANSITIONS.get((ReturnStatus.DRAFT, Action.SUBMIT))
    assert TRANSITIONS.get((ReturnStatus.COMPLETED, Action.SUBMIT)) is None
    assert all(destination_of(kind) for kind in [*Disposition, *RejectOutcome])
