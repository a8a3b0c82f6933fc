"""Stock: where returned goods go, and the moves that take them there (库存流水).

- ``dispositions.py`` — locations, the inspector's dispositions (处置: restock,
  repair, quarantine, scrap, return to vendor), reject outcomes, and where each
  decision sends the goods.
- ``moves.py`` — :class:`StockMove` (always from one location to another, so
  stock is conserved) and balances per SKU and location.

The moves themselves are made by the goods stage of a return
(:mod:`crm_returns.domain.returns.goods`).
"""
