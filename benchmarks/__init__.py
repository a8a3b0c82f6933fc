"""Benchmarks of the persistence layer; run ``python -m benchmarks.persistence``.

Not part of the test suite and not shipped in the wheel: they measure speed,
they do not assert it.  See ``benchmarks/README.md`` and ``docs/performance.md``.
"""
