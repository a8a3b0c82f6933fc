"""Return analytics at the edges: files for BI tools and pictures, built on the pure core.

The definitions of every figure are pure values and functions in
:mod:`crm_returns.domain.analytics`; this package turns them into things
outside the process, and so may write files and use optional packages.

- ``columns.py`` — the documented column schema of the line-level and
  return-level exports (:data:`~crm_returns.analytics.columns.LINE_COLUMNS`,
  :data:`~crm_returns.analytics.columns.RETURN_COLUMNS`), derived from the
  fact classes so that it cannot drift from them.
- ``exports.py`` — :func:`~crm_returns.analytics.exports.export_rows`, which
  streams facts to CSV, JSON Lines or Parquet; ``_parquet.py`` writes
  Parquet with pyarrow (the ``analytics`` extra).
- ``charts.py`` — the charts of the reports (the ``charts`` extra, matplotlib).

Importing this package, ``columns`` or ``exports`` needs no optional
package: a module that does is loaded only when its feature is asked for.
"""
