"""Shared test configuration: hypothesis profiles, and running under pytest-xdist.

``CI=true`` (set by CI) selects the thorough ``ci`` profile; local runs use the
quick ``dev`` profile.  ``HYPOTHESIS_PROFILE`` overrides either.

Under pytest-xdist (``-n auto --dist loadgroup``, the README's test command) the
modules in :data:`RUN_TOGETHER` go whole to one worker, and each worker runs its
PostgreSQL tests in a database of its own (tests/adapters/postgres.py), dropped
when the worker's session ends.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

#: Modules whose tests one xdist worker runs together: each has a module fixture that
#: takes most of a minute to make, and would be made again on every worker that got
#: one of its tests.
RUN_TOGETHER = frozenset({"tests/delivery/test_fault_injection.py"})

settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "ci",
    max_examples=300,
    stateful_step_count=80,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Drop the database an xdist worker made for its PostgreSQL tests, if it made one."""
    # Looked up, not imported: the suite also runs without the sql extra.
    postgres = sys.modules.get("tests.adapters.postgres")
    if postgres is not None:
        postgres.drop_worker_database()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``--dist loadgroup``, each module of :data:`RUN_TOGETHER` is one group.

    pytest-xdist 3.8 groups by the ``xdist_group`` mark by renaming the tests,
    which pytest 9 no longer lets it do; grouping by module name needs no mark.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    # Imported here: the hook runs only under xdist, and the suite also runs without it.
    from xdist.scheduler import LoadGroupScheduling

    class ModulesTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return module if module in RUN_TOGETHER else super()._split_scope(nodeid)

    return ModulesTogether(config, log)
