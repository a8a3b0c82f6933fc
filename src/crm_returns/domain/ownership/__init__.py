"""Who owns a return, and by when each stage is due.

``records.py`` holds the assignment record: the owning user and team, the
stage the return is in, since when, and its deadline.  ``levels.py`` holds the
service level (the time allowed per stage); ``stages.py`` the rule, as one
table, that says from a return which stage it is in, since when and by when;
``owners.py`` what a host is shown of it.
"""

from crm_returns.domain.ownership.levels import LONGEST_ALLOWANCE, ServiceLevel
from crm_returns.domain.ownership.owners import ReturnOwner
from crm_returns.domain.ownership.records import Assignment, Stage
from crm_returns.domain.ownership.stages import STAGES, Deadline, deadline, followed, stage_of

__all__ = [
    "LONGEST_ALLOWANCE",
    "STAGES",
    "Assignment",
    "Deadline",
    "ReturnOwner",
    "ServiceLevel",
    "Stage",
    "deadline",
    "followed",
    "stage_of",
]
