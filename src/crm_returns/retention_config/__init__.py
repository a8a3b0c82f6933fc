"""Retention policies from data: a mapping, a JSON text or a TOML text.

A retention document names a shipped profile and replaces the rules of the
record classes it lists; every other class keeps the profile's rules::

    profile = "china"                          # required: "china" or "neutral"
    fiscal_year_end = { month = 12, day = 31 } # optional; the profile's by default

    [rules.return_orders]       # replaces ALL the profile's rules of return_orders
    minimum = { years = 5 }     # whole years, months and days, or "permanent"
    maximum = { years = 8 }     # optional: acted on by then
    runs_from = "completion"    # a Trigger: fiscal_year_end, completion, last_activity,
                                # relationship_ended, creation
    on_expiry = "destroy"       # an Expiry: review, archive, erase, destroy
    legal_basis = "..."         # optional; the profile's basis for the class by default

    [[rules.customers]]         # several rules for one class: a list of tables
    minimum = { years = 3 }
    runs_from = "relationship_ended"
    on_expiry = "erase"

A class the profile does not know (a host's own, named as
:func:`~crm_returns.domain.retention.checked_class` allows) may be given too.
Where the profile keeps a class by law, a rule replacing it carries the
profile's legal minimum, and a period below it is refused when it loads,
with the legal minimum and its basis named: a configuration may keep records
longer than the law says, never shorter.

Every field is checked here, at the edge: counts are whole numbers from 0
(floats, booleans and negative numbers are refused), a maximum is not shorter
than its minimum, ``runs_from`` and ``on_expiry`` are required and take only
the values listed.  A key the format does not know is an error, so that a
misspelt ``maximun`` cannot silently drop a limit.  Every problem found is
reported at once, as :class:`~crm_returns.errors.InvalidRetentionRules`, each
with the path of the field, such as ``rules.return_orders.minimum`` or
``rules.customers[1].on_expiry``.

``docs/retention-configuration.md`` is the reference of the format.

Where each part lives: ``_load.py`` loads a mapping, JSON or TOML text;
``_document.py`` holds the document's tables and the cattrs converter that
reads them; ``_rules.py`` reads the ``rules`` table and holds each rule to the
profile's legal minimum; ``_fields.py`` what each field becomes and the reader
that checks it; ``_problems.py`` the report of what is wrong, with each
field's path (the approval configuration's).
"""

from crm_returns.retention_config._fields import BASIS_LIMIT, COUNT_LIMIT
from crm_returns.retention_config._load import (
    load_retention,
    load_retention_json,
    load_retention_toml,
)

__all__ = [
    "BASIS_LIMIT",
    "COUNT_LIMIT",
    "load_retention",
    "load_retention_json",
    "load_retention_toml",
]
