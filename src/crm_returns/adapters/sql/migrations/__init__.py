"""Alembic migrations of the SQL store; apply them with :func:`crm_returns.adapters.sql.upgrade`."""
