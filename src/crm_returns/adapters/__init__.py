"""Adapters: implementations of the ports.

- :mod:`crm_returns.adapters.memory` — in-memory, the default and the reference;
- :mod:`crm_returns.adapters.system` — the system clock and random ids.
"""
