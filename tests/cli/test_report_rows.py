"""A report's rows keep every figure exactly when written for BI tools."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from crm_returns.analytics.exports import export_table
from crm_returns.cli.phrasebook import Phrasebook
from crm_returns.cli.report_rows import Kind, ReportColumn, ReportTable, pareto_table, seconds
from crm_returns.cli.report_tables import ReportLabels, report_table
from crm_returns.domain.analytics import Measure, ReasonLevel, ranked
from crm_returns.service.settings import ServiceSettings

_CODES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
_COUNTS = st.dictionaries(
    _CODES,
    st.tuples(st.integers(1, 10**6), st.decimals(0, 10**6, places=3, allow_nan=False)),
    max_size=8,
)


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10**4)))
def test_a_duration_in_seconds_is_exact_to_the_microsecond(span: timedelta) -> None:
    assert timedelta(microseconds=int(seconds(span) * 1_000_000)) == span


@given(_COUNTS, st.sampled_from(Measure))
def test_every_pareto_comes_back_from_csv_with_the_same_codes_and_figures(
    counts: dict[str, tuple[int, Decimal]], measure: Measure
) -> None:
    rows = ranked(counts, measure)
    table = pareto_table(Phrasebook("en"), rows, ReasonLevel.REASON)
    sink = io.BytesIO()

    export_table(table.rows, sink, "csv", columns=[c.export_column() for c in table.columns])

    read = list(csv.DictReader(io.StringIO(sink.getvalue().decode())))
    assert [(r["reason"], int(r["lines"]), Decimal(r["units"])) for r in read] == [
        (row.key, row.lines, row.units) for row in rows
    ]
    assert [Decimal(r["cumulative_share"]) for r in read] == [r.cumulative_share for r in rows]


def test_a_narrow_terminal_wraps_labels_and_headings_never_a_number_or_a_code() -> None:
    settings = ServiceSettings()
    labels = ReportLabels(Phrasebook("en"), settings.default_reasons, settings.decline_reasons)
    columns = (
        ReportColumn("return_number", "Return", Kind.TEXT, "The return."),
        ReportColumn("reason", "Reason", Kind.REASON, "The reason."),
        ReportColumn("value", "Merchandise value", Kind.MONEY, "Value."),
    )
    report = ReportTable(
        "Returns", columns, (("RT-20261127-000001", "damaged_in_transit", Decimal("1899.00")),)
    )
    for width in (44, 50):  # 44: too narrow even for the label's words, which fold
        console = Console(record=True, width=width, file=io.StringIO())

        console.print(report_table(labels, report, console.width))

        lines = console.export_text().splitlines()
        assert any("RT-20261127-000001" in line and "1899.00" in line for line in lines)
        assert any("Merchandise" in line for line in lines)  # the heading wraps between words
        assert not any("Damaged in transit" in line for line in lines)
        assert max(map(len, lines)) <= width
