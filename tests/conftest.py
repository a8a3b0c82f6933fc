"""Shared test configuration: hypothesis profiles.

``CI=true`` (set by CI) selects the thorough ``ci`` profile; local runs use the
quick ``dev`` profile.  ``HYPOTHESIS_PROFILE`` overrides either.
"""

from __future__ import annotations

import os

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
