"""The cold-start bench (tests/bench/cold_start.py) times what Lambda loads: modules with their
bytecode, as make layer ships them."""

from __future__ import annotations

import os
from pathlib import Path

from tests.bench.cold_start import cold_start


def test_the_run_not_counted_writes_the_bytecode_a_checkout_lacks(tmp_path: Path) -> None:
    """A worktree of another commit, or a module just edited, has none; on a machine whose
    environment says not to write it, every run would time compiling them."""
    (tmp_path / "edited.py").write_text("VALUE = 1\n")
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    cold_start("import edited", environment, root=tmp_path)
    assert list((tmp_path / "__pycache__").glob("edited.*.pyc"))
