"""The notification tests need the ``notifications`` extra (Jinja2); without it, skipped."""

from __future__ import annotations

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("jinja2") else ["test_*.py"]
