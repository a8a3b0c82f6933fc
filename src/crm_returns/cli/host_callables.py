"""The host's own code, named on the command line or in a file as ``package.module:callable``.

The command line reaches what only the host has — its customers' contacts,
its SMS gateway, its delivered orders — by calling a function of the host's:
``contacts = "my_crm.returns:contacts"`` in a destinations file
(:mod:`crm_returns.cli.destinations`), ``--orders my_crm.returns:orders`` for
``crm-returns report`` (:mod:`crm_returns.cli.report`).  The module is
imported as Python imports anything: installed or on ``PYTHONPATH`` (the
current folder is on the path under ``python -m crm_returns``, not under the
``crm-returns`` script).  Its user calls the callable with no arguments.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from crm_returns.errors import InvalidInput

__all__ = ["SHAPE", "host_callable"]

#: How a callable of the host's is named.
SHAPE = "package.module:callable"


def host_callable(target: str) -> Callable[[], object]:
    """The callable ``target`` names (``package.module:callable``), its module imported.

    Raises:
        InvalidInput: ``target`` is not of that shape, its module cannot be
            imported, or it names nothing callable there.
    """
    module_name, colon, attribute = target.partition(":")
    if not (colon and module_name and attribute) or module_name.startswith("."):
        raise InvalidInput(f"must be '{SHAPE}'")
    try:
        found: object = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        raise InvalidInput(f"cannot load {target}: {error}") from None
    if not callable(found):
        raise InvalidInput(f"cannot load {target}: a {type(found).__name__} is not callable")
    return found
