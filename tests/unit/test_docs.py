"""The documentation names files, tests and modules of this tree: each must exist, so a rename
that leaves the docs behind fails here. (Links between the docs' own pages are checked by
`mkdocs build --strict`, in `make docs`.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "layers/tandem/python"  # where `tandem/...` paths and `tandem.` modules live
PAGES = sorted([ROOT / "README.md", ROOT / "SECURITY.md", *(ROOT / "docs").rglob("*.md")])

# A code span that is a path of the tree, optionally naming one test: `tests/x.py::test_y`.
PATH = re.compile(
    r"`((?:functions|layers|infra|devtools|events|tests|docs|tandem)/[\w./-]*)(?:::(\w+))?`"
)
MODULE = re.compile(r"`(tandem(?:\.\w+)+)(?:\(\w*\))?`")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def _where(path: str) -> Path:
    return DOMAIN / path if path.startswith("tandem/") else ROOT / path


def _defines(module: Path, name: str) -> bool:
    """A function, class or module-level constant of that name."""
    pattern = rf"^(?:def {name}\(|class {name}\b|{name}\s*[:=])"
    return re.search(pattern, module.read_text(), re.M) is not None


def _resolves(dotted: str) -> bool:
    """A module or package of the domain, or one function defined in it."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        base = DOMAIN.joinpath(*parts[:end])
        for module in (base.with_suffix(".py"), base / "__init__.py"):
            if module.exists():
                rest = parts[end:]
                return not rest or (len(rest) == 1 and _defines(module, rest[0]))
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_and_test_a_page_names_exists(page: Path) -> None:
    missing = []
    for path, test in PATH.findall(page.read_text()):
        found = _where(path)
        if not found.exists() or (test and not _defines(found, test)):
            missing.append(f"{path}::{test}" if test else path)
    assert not missing, f"{page.name} names what the tree does not have: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_a_page_names_exists(page: Path) -> None:
    missing = [dotted for dotted in MODULE.findall(page.read_text()) if not _resolves(dotted)]
    assert not missing, f"{page.name} names modules the tree does not have: {missing}"


@pytest.mark.parametrize("page", [ROOT / "README.md", ROOT / "SECURITY.md"], ids=lambda p: p.name)
def test_the_links_outside_the_site_lead_to_files(page: Path) -> None:
    targets = [t for t in LINK.findall(page.read_text()) if "://" not in t]
    assert targets
    assert [t for t in targets if not (ROOT / t).exists()] == []
