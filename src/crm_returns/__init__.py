"""crm_returns: a complete, correct return workflow (退库 / 退货) for any CRM.

``import crm_returns as cr`` is enough to embed it: the service and its
wiring (:class:`ReturnsService`, :func:`in_memory_service`,
:func:`sql_service`, :class:`ServiceSettings`), every value a command takes or
gives, the ports a host implements, and the values a host builds inputs from
are all here.  Errors live in :mod:`crm_returns.errors` (root
``CrmReturnsError``).

The pure domain loads at once (its names are listed in
``crm_returns/_domain_names.py``); the service, the ports and the adapters load
on first use (``crm_returns/_lazy_names.py``), so that ``import
crm_returns.domain`` never pulls them in.  ``tests/test_public_surface.py``
derives this list from the signatures of the service and the wiring helpers,
and fails when a name is missing.
"""

from typing import TYPE_CHECKING

from crm_returns import _domain_names, _lazy_names
from crm_returns._domain_names import *  # noqa: F403 - the domain's names, each listed there

if TYPE_CHECKING:
    from crm_returns._lazy_names import *  # noqa: F403 - loaded on first use, by __getattr__

__all__: list[str] = []
__all__ += _domain_names.__all__
__all__ += _lazy_names.__all__

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    value = _lazy_names.load(name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
