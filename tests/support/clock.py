"""The moment every test starts at, whatever the day it runs: a link signed, an item stored or a
quarter computed never depends on the wall clock (tests move the clock on from here)."""

from datetime import datetime

PINNED = datetime.fromisoformat("2026-11-23T09:00:00+00:00")
