"""The return order (退库单): the aggregate, its lines, its state machine and its stages.

Where each rule lives:

- ``states.py`` — the state machine, as one table (``TRANSITIONS``) with its
  diagram: every status and which action may move a return from it to where.
- ``order.py`` — :class:`ReturnOrder` and :class:`Transition`; ``require``
  checks a move against the table before any stage changes anything.
- ``lines.py`` — return lines (退库明细) and the unit counts they carry
  (requested, approved, received, accepted, rejected, by disposition).
- ``returnable.py`` — the over-return rule: returnable quantity (可退数量) =
  delivered − units claimed by every other return that is not cancelled or
  rejected; ``plan_line`` refuses more with :class:`~crm_returns.errors.OverReturn`.
- One module of transitions per stage: ``drafting.py`` (draft, edit),
  ``approving.py`` (submit, approve, reject, cancel), ``goods.py`` (receive,
  inspect, finish a repair, complete) and ``refunding.py`` (grant the refund,
  record and settle its payments).

Every transition is a pure function: it takes the order, the actor, the time
and the command's data, and returns a :class:`Transition` (the new order, its
events, stock moves and journal entries) or raises a typed error.
"""
