"""Adapters: implementations of the ports.

- :mod:`crm_returns.adapters.memory` — in-memory, the default and the reference;
- :mod:`crm_returns.adapters.system` — the system clock and random ids;
- :mod:`crm_returns.adapters.backups` — verified backups as JSON Lines files
  (:class:`~crm_returns.adapters.backups.FileBackups`);
- :mod:`crm_returns.adapters.callables` — a destination made of the host's own function;
- :mod:`crm_returns.adapters.smtp` — e-mail through an SMTP server
  (:class:`~crm_returns.adapters.smtp.SmtpMailer`);
- :mod:`crm_returns.adapters.sms` — text messages written to a console, and
  how to adapt a real SMS gateway.
- :mod:`crm_returns.adapters.webhooks` — signed webhooks for the event relay
  and their check for receivers (the ``webhooks`` extra).
- :mod:`crm_returns.adapters.sql` — SQLite and PostgreSQL (the ``sql`` and ``postgres`` extras);
- :mod:`crm_returns.adapters.amqp` — the RabbitMQ destination (the ``amqp`` extra).
"""
