"""The parts of analytics that write files: exports and charts.

The figures themselves are pure values and functions in
:mod:`crm_returns.domain.analytics`; this package turns them into files for
people and tools outside the library:

- ``charts.py`` — charts (extra ``charts``: matplotlib and a CJK font);
- ``exports.py`` — :func:`~crm_returns.analytics.exports.export_rows`, which
  streams line facts or return facts to CSV, JSON Lines or Parquet (extra
  ``analytics``: pyarrow, used by ``_parquet.py``), a batch at a time;
- ``columns.py`` — the documented column schema of the exports
  (``LINE_COLUMNS``, ``RETURN_COLUMNS``), derived from the fact classes so
  that it cannot drift from them.

Each module imports its optional dependencies when it is used, never on import.
"""
