"""The SQLAlchemy classes that public signatures name, without importing SQLAlchemy.

SQLAlchemy is the optional ``sql`` extra, loaded only when a SQL service is
built.  A type checker sees the real classes here.  At run time — where only
``typing.get_type_hints`` looks, as the public-surface test does — they stand
for ``object``: the functions that take them check what they are given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine
else:
    URL = Connection = Engine = object

__all__ = ["URL", "Connection", "Engine"]
