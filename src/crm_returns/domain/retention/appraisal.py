"""The appraisal report (鉴定意见): what a sweep decided for every record, and why.

A sweep looks at every record of every class and tallies its decision: due
for review, archive, erasure or destruction, or kept — and for a kept record
the reason in words (kept until a day under a law, held, open, referred to).
The tally is small however many records there are: one line per class,
outcome and reason.  A plan keeps its report, and the register with it, for
ever (会计档案管理办法 第十八条: the appraisal opinion is kept with the
destruction register).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

import attrs

from crm_returns.domain.retention.decisions import Decision

__all__ = ["KEPT", "AppraisalLine", "AppraisalReport", "Tally"]

#: The outcome of records that stay as they are.
KEPT = "kept"

# Days and ids in a reason are folded, so that "kept until 2056-12-31" of a
# million records is one line, not a million.
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_REFERENCES = re.compile(r"referred to by .*")
_HOLD = re.compile(r"held by hold (\S+)")
_OPEN = re.compile(r"(return|message|the refund of return) \S+")


def _general(reason: str) -> str:
    reason = _DAY.sub("…", reason)
    reason = _REFERENCES.sub("referred to by kept records", reason)
    return _OPEN.sub(r"\1 …", reason) if not _HOLD.search(reason) else reason


@attrs.frozen
class AppraisalLine:
    """How many records of a class came to one outcome, for one reason.

    Attributes:
        record_class: The class.
        outcome: ``"destroy"``, ``"archive"``, ``"erase"``, ``"review"`` or :data:`KEPT`.
        reason: Why, in words (the legal basis of a due action; what keeps a
            kept one, with its dates folded).
        count: How many records.
    """

    record_class: str
    outcome: str
    reason: str
    count: int


@attrs.frozen
class AppraisalReport:
    """A sweep's appraisal report.

    Attributes:
        as_of: The day the sweep looked at the records.
        profile: The retention profile it followed.
        lines: One line per class, outcome and reason, sorted.
        overdue: Records past their rule's maximum with the action not taken.
    """

    as_of: date
    profile: str
    lines: tuple[AppraisalLine, ...] = ()
    overdue: int = 0

    def total(self, outcome: str | None = None) -> int:
        """Records looked at, or those that came to ``outcome``."""
        return sum(line.count for line in self.lines if outcome in (None, line.outcome))


@attrs.define
class Tally:
    """Counts decisions one at a time, into an :class:`AppraisalReport`."""

    as_of: date
    profile: str
    counts: Counter[tuple[str, str, str]] = attrs.Factory(Counter)
    overdue: int = 0

    def add(self, decision: Decision) -> None:
        """Count one decision."""
        record_class = decision.record.key.record_class
        if decision.action is not None and not decision.blocked_by:
            outcome, reason = decision.action.value, decision.legal_basis or "the business's rule"
        else:
            outcome = KEPT
            reason = "; ".join(_general(why) for why in decision.blocked_by) or "nothing is due"
        self.counts[(record_class, outcome, reason)] += 1
        if decision.overdue(self.as_of):
            self.overdue += 1

    def report(self) -> AppraisalReport:
        """The report of every decision counted."""
        lines = tuple(
            AppraisalLine(record_class, outcome, reason, count)
            for (record_class, outcome, reason), count in sorted(self.counts.items())
        )
        return AppraisalReport(self.as_of, self.profile, lines, self.overdue)
