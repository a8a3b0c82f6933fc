"""The books: double-entry journal entries that always balance.

- ``accounts.py`` — the chart of accounts: the roles the library posts to
  (sales returns, tax payable, refunds payable, inventory, ...) mapped onto the
  host's own account codes.
- ``journal.py`` — postings, :class:`JournalEntry` (debits = credits, or it
  cannot be built) and the trial balance.

Entries are posted by the goods stage (cost of goods back into stock, scrap
losses, vendor claims) and the refund stage (the credit note 红字凭证).
"""
