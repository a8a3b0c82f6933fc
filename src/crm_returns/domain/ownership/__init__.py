"""Who owns a return, and by when each stage is due.

``records.py`` holds the assignment record: the owning user and team, the
stage the return is in and its deadline.
"""

from crm_returns.domain.ownership.records import Assignment, Stage

__all__ = ["Assignment", "Stage"]
