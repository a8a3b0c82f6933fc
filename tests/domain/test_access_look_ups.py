"""Role-based access looks a permission's roles up, and answers as going through every role does.

:class:`RoleBasedAccess` turns its role → permissions table inside out once,
so that each command asks one question of one set.  The answers must be what
the table says read the long way: an actor is allowed exactly when one of its
roles grants the permission, and the roles that grant it are those whose
permissions hold it.
"""

from __future__ import annotations

import attrs
from hypothesis import given
from hypothesis import strategies as st

from crm_returns.domain.actors import Actor
from crm_returns.domain.policies.access import DEFAULT_ROLES, Permission, RoleBasedAccess

ROLE_NAMES = ["requester", "approver", "warehouse", "inspector", "finance", "auditor", "admin"]

role_tables = st.dictionaries(
    st.sampled_from(ROLE_NAMES),
    st.frozensets(st.sampled_from(list(Permission))),
    max_size=len(ROLE_NAMES),
)


def allowed_the_long_way(access: RoleBasedAccess, actor: Actor, permission: Permission) -> bool:
    return any(role in actor.roles and permission in granted for role, granted in access.roles)


def granted_by_the_long_way(access: RoleBasedAccess, permission: Permission) -> frozenset[str]:
    return frozenset(role for role, granted in access.roles if permission in granted)


@given(
    st.one_of(st.just(DEFAULT_ROLES), role_tables),
    st.frozensets(st.sampled_from([*ROLE_NAMES, "visitor"])),
    st.sampled_from(list(Permission)),
)
def test_an_actor_is_allowed_exactly_when_one_of_its_roles_grants_the_permission(
    table: dict[str, frozenset[Permission]], roles: frozenset[str], permission: Permission
) -> None:
    access = RoleBasedAccess(table)
    actor = Actor("u-1", "王芳", "acme", roles)
    assert access.allows(actor, permission, None) == allowed_the_long_way(access, actor, permission)
    assert access.granted_by(permission) == granted_by_the_long_way(access, permission)


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
    assert "_granting" not in repr(RoleBasedAccess())
