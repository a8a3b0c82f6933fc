"""Adapters: implementations of the ports.

- :mod:`crm_returns.adapters.memory` — in-memory, the default and the reference;
- :mod:`crm_returns.adapters.system` — the system clock and random ids;
- :mod:`crm_returns.adapters.webhooks` — signed webhooks for the event relay
  and their check for receivers (the ``webhooks`` extra).
"""
