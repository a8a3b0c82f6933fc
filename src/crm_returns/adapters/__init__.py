"""Adapters: implementations of the ports.

- :mod:`crm_returns.adapters.memory` — in-memory, the default and the reference;
- :mod:`crm_returns.adapters.system` — the system clock and random ids;
- :mod:`crm_returns.adapters.sql` — SQLite and PostgreSQL (the ``sql`` and ``postgres`` extras);
- :mod:`crm_returns.adapters.amqp` — the RabbitMQ destination (the ``amqp`` extra).
"""
