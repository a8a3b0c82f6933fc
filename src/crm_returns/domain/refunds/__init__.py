"""The refund rule: from what was paid to what is paid back, to the cent.

Read it in this order:

1. ``paid.py`` — what the customer paid for a line (price, discounts, the
   line's share of order discounts and shipping, tax).
2. ``slices.py`` — the money for units ``[a, a + q)`` of a line is
   ``R(a + q) − R(a)``, so partial returns add up exactly to what was paid.
3. ``fees.py`` — the refund policy: restocking fees (手续费), shipping refunds,
   lost parcels.
4. ``pricing.py`` — a refund priced line by line (:class:`RefundLine`): slice,
   tax, shipping, fee and what is payable; ``estimate`` for the confirmation view.
5. ``grants.py`` and ``payments.py`` — the granted refund (with its credit note
   红字凭证) and the payments that pay it out.

The transitions that grant a refund on a return and record its payments are a
stage of the return: :mod:`crm_returns.domain.returns.refunding`.  Nothing here
imports the return order, so the money rules can be read on their own.
"""
