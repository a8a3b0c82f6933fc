"""Fault plans: when each test server misbehaves, and how.

A :class:`FaultPlan` draws, from a seed, stretches of calm (the server works)
and stretches of one fault at a time (it refuses connections, times out,
answers an error, nacks...).  Stretches are counted in attempts, not in
seconds, so that a run repeats from its seed however fast the machine is:
:class:`Troubled` wraps a real destination and, before each attempt, tells
the server how to behave for it.  The server itself then refuses, stalls or
answers; the destination and the relay see only what the server did.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Protocol

from crm_returns.ports.delivery import Destination, OutboxMessage

__all__ = ["CALM", "FaultPlan", "Misbehaving", "Troubled"]

#: The mode of a server that works.
CALM = "ok"


class Misbehaving(Protocol):
    """A test server that can be told how to answer the next attempts."""

    def behave(self, mode: str) -> None:
        """Answer as ``mode`` says (:data:`CALM`, or one of the server's faults) from now on."""


class FaultPlan:
    """Stretches of calm and of faults, drawn from a seed.

    Every fault comes once in each cycle, in a shuffled order, so that a run
    long enough meets them all.

    Args:
        faults: The server's faults.
        seed: The seed.
        calm: The shortest and longest calm stretch, in attempts.
        stormy: The shortest and longest stretch of one fault.
        brief: Faults that cost wall time (timeouts): their stretches are one
            or two attempts long.
    """

    def __init__(
        self,
        faults: Sequence[str],
        seed: int,
        *,
        calm: tuple[int, int] = (40, 140),
        stormy: tuple[int, int] = (1, 6),
        brief: frozenset[str] = frozenset(),
    ) -> None:
        self._faults = list(faults)
        self._rng = random.Random(seed)  # noqa: S311 - fault plans need no secret
        self._calm = calm
        self._stormy = stormy
        self._brief = brief

    def __iter__(self) -> Iterator[str]:
        rng = self._rng
        while True:
            cycle = list(self._faults)
            rng.shuffle(cycle)
            for fault in cycle:
                yield from [CALM] * rng.randint(*self._calm)
                longest = 2 if fault in self._brief else self._stormy[1]
                yield from [fault] * rng.randint(self._stormy[0], longest)


class Troubled:
    """A real destination whose server misbehaves as a plan says, attempt by attempt.

    Args:
        destination: The real destination (its name is kept).
        server: The server it reaches.
        plan: The modes, one per attempt.

    Attributes:
        modes: How many attempts met each mode.
    """

    def __init__(self, destination: Destination, server: Misbehaving, plan: FaultPlan) -> None:
        self._destination = destination
        self._server = server
        self._plan = iter(plan)
        self.modes: Counter[str] = Counter()

    @property
    def name(self) -> str:
        """The real destination's name."""
        return self._destination.name

    def deliver(self, message: OutboxMessage) -> None:
        """Set the server's mode for this attempt, then deliver through the real destination."""
        mode = next(self._plan)
        self.modes[mode] += 1
        self._server.behave(mode)
        self._destination.deliver(message)
