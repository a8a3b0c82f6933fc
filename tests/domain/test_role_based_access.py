"""Role-based access keeps its role → permissions table as a value.

A copy with other roles answers for its own roles, and policies with the same
roles are equal.  (Which role may do what is checked through the service, in
tests/service/test_access_control.py.)
"""

from __future__ import annotations

import attrs

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import DEFAULT_ROLES, Permission, RoleBasedAccess


def test_a_copy_with_other_roles_answers_for_its_own_roles() -> None:
    access = RoleBasedAccess()
    narrowed = attrs.evolve(access, roles={"auditor": {Permission.VIEW_AUDIT}})
    auditor = Actor("u-2", "赵敏", "acme", {"auditor"})
    assert narrowed.granted_by(Permission.VIEW_AUDIT) == {"auditor"}
    assert narrowed.granted_by(Permission.VIEW_RETURNS) == frozenset()
    assert not narrowed.allows(auditor, Permission.VIEW_RETURNS, None)
    assert access.allows(auditor, Permission.VIEW_RETURNS, None)


def test_policies_with_the_same_roles_are_equal_and_hash_alike() -> None:
    assert RoleBasedAccess() == RoleBasedAccess(dict(DEFAULT_ROLES))
    assert hash(RoleBasedAccess()) == hash(RoleBasedAccess(dict(DEFAULT_ROLES)))
