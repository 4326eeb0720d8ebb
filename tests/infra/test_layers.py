"""One lock for every environment: the Lambda layers ship exactly the versions the tests run,
ready to run (compiled for the runtime's Python)."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

from jinja2 import ModuleLoader

from infra.stack.functions import BUILT_CODE, BUILT_LAYERS, RUNTIME
from tandem.views import render

ROOT = Path(__file__).parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)==(\S+)$", re.MULTILINE)
DIST_INFO = re.compile(r"^(.+)-([^-]+)\.dist-info$")


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {normalized(name): version for name, version in PIN.findall(text)}


def test_every_package_a_layer_asks_for_is_locked() -> None:
    pins = locked()
    for wanted in ROOT.glob("layers/*/requirements.in"):
        for line in wanted.read_text().splitlines():
            name = re.split(r"[\[<>=;\s#]", line.strip(), maxsplit=1)[0]
            if name:
                assert normalized(name) in pins, f"{wanted.relative_to(ROOT)}: {name} is not locked"


def test_the_built_layers_ship_the_locked_versions_which_the_tests_run() -> None:
    pins = locked()
    shipped = [
        (normalized(match[1]), match[2])
        for info in ROOT.glob("build/layers/*/python/*.dist-info")
        if (match := DIST_INFO.match(info.name))
    ]
    assert shipped, "no layer built: `make layer` first"
    for name, version in shipped:
        assert pins.get(name) == version, f"the layer ships {name} {version}"
        assert metadata.version(name) == version, f"the tests run {name} {metadata.version(name)}"


def test_every_module_shipped_carries_bytecode_for_the_lambda_runtime() -> None:
    """Lambda's file system is read-only: a module shipped without bytecode for the runtime's
    Python is compiled again on every cold start (that tripled the pages function's import)."""
    tag = "cpython-" + RUNTIME.name.removeprefix("python").replace(".", "")
    shipped = [*BUILT_LAYERS.glob("*/python/**/*.py"), *BUILT_CODE.glob("**/*.py")]
    assert len(shipped) > 1000, "nothing built: `make layer` first"
    compiled = [path.parent / "__pycache__" / f"{path.stem}.{tag}.pyc" for path in shipped]
    assert [str(pyc) for pyc in compiled if not pyc.exists()] == []


def test_the_templates_ship_compiled() -> None:
    """Lambda reads them as modules (tandem/views/render.py): a page's first request does not
    compile its templates."""
    compiled = BUILT_CODE / "domain/python/tandem/views/compiled"
    templates = Path(render.__file__).with_name("templates")
    written = [*templates.rglob("*.html"), *templates.rglob("*.txt")]
    shipped = {path.name for path in compiled.glob("tmpl_*.py")}
    assert shipped, "nothing built: `make layer` first"
    missing = [
        str(t)
        for t in written
        if ModuleLoader.get_module_filename(t.relative_to(templates).as_posix()) not in shipped
    ]
    assert missing == []
