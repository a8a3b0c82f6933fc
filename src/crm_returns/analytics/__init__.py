"""The parts of analytics that write files: exports and charts.

The figures themselves are pure values and functions in
:mod:`crm_returns.domain.analytics`; this package turns them into files for
people and tools outside the library — charts (``charts.py``, extra
``charts``: matplotlib and a CJK font) and exports for BI tools.  Each module
imports its optional dependencies when it is used, never on import.
"""
