"""Python's cyclic garbage collector, paused while a large submission is handled and
while its report is written."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block (or, as a decorator, the call).

    Reading and checking make millions of Python objects (a workbook's rows, tens of
    thousands of issues, then the report's pieces of them) and no reference cycles, so
    each full collection walks them all and frees nothing: about a second of a large
    submission, with Python's lock held. Reference counting still frees everything as
    usual; the collector is resumed (if it was running) at the end, even after an
    error.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()
