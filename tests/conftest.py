"""Shared test configuration: hypothesis profiles, and the end of an xdist worker's database.

``CI=true`` (set by CI) selects the thorough ``ci`` profile; local runs use the
quick ``dev`` profile.  ``HYPOTHESIS_PROFILE`` overrides either.  Under
pytest-xdist each worker runs its PostgreSQL tests in a database of its own
(tests/adapters/postgres.py), dropped when the worker's session ends.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import HealthCheck, settings

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
