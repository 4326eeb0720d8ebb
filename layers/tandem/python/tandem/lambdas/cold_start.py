"""A function's cold start makes most of the objects its instance will ever hold: the libraries'
modules, classes and tables. The cyclic garbage collector, which runs every few hundred new
objects, would walk them again and again while they are being made, for nothing: none of them is
garbage. So each handler imports its modules with the collector paused, then freezes what was
made (moved where no later collection walks it) and resumes it. On the pages function this is
about 20 ms of a 390 ms cold page (docs/benchmarks.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # Frozen before it resumes: otherwise its first collection would walk everything made
        # meanwhile, all of it still in the youngest generation.
        gc.freeze()
        if enabled:
            gc.enable()
