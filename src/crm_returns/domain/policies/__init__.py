"""The host's rules, as values: who must approve, what may be returned, who may do what.

- ``approval.py`` — the approval policy (审批节点): steps and the rules that
  require them (by amount, reason, category, customer), auto-approval thresholds.
- ``deadlines.py`` — time limits on approval steps and overdue approvals.
- ``eligibility.py`` — pluggable checks that may refuse a line (return window,
  delivered, not refunded already).
- ``access.py`` — permissions, the default role set and the access-policy hook.

The refund policy (fees, shipping) lives with the refund rule, in
:mod:`crm_returns.domain.refunds.fees`.
"""
