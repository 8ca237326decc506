"""Values built on first use, once, however many check threads ask for them at once.

The checks run on two threads and share what is costly to build (resolved references,
children's birthdays, costs beside their placements). A plain dictionary let both
threads build the same value when they asked together: the same join made twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any


class BuiltOnce:
    """A cache whose every value is built by one caller while the others wait for it."""

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.RLock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], Any]) -> Any:
        if key in self._values:
            return self._values[key]
        with self._guard:
            lock = self._locks.setdefault(key, threading.RLock())
        with lock:
            if key not in self._values:
                self._values[key] = build()
        return self._values[key]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values
