"""Approval policies from data: a mapping, a JSON text or a TOML text.

A policy document names its version, the refunds small enough to approve
automatically, and the approval steps in the order they are taken::

    version = "2026-03"
    auto_approve_below = { CNY = "200.00" }

    [[steps]]
    name = "manager"
    roles = ["approver", "store_manager"]   # any one of them may take the step
    time_limit = { hours = 24 }
    conditions = { refund_at_least = { CNY = "500.00" } }

    [[steps]]
    name = "quality"
    roles = "inspector"
    conditions = { reason_categories = ["quality"] }

Every field is checked here, at the edge, and the domain receives only values
it accepts: amounts are exact (strings or whole numbers, never floats), at the
currency's minor unit and not negative; currencies are ISO 4217 codes; names
and roles are non-blank; step names are unique; time limits are whole days,
hours and minutes adding up to more than zero.  A key the format does not know
is an error, so that a misspelt condition cannot silently widen or disable a
rule.  Every problem found is reported at once, as
:class:`~crm_returns.errors.InvalidPolicy`, each with the path of the field,
such as ``steps[1].conditions.refund_at_least.CNY``.

``docs/approval-configuration.md`` is the reference of the format.

Where each part lives: ``_load.py`` loads a mapping, JSON or TOML text;
``_document.py`` holds the document's tables and the cattrs converter that
reads them; ``_fields.py`` what each field becomes and the reader that checks
it; ``_problems.py`` the report of what is wrong, with each field's path.
"""

from crm_returns.approval_config._fields import NAME_LIMIT
from crm_returns.approval_config._load import load_policy, load_policy_json, load_policy_toml

__all__ = ["NAME_LIMIT", "load_policy", "load_policy_json", "load_policy_toml"]
