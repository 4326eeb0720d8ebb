"""Jinja2 for pages and email: HTML is always autoescaped; text parts are plain text."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import (
    BaseLoader,
    Environment,
    ModuleLoader,
    PackageLoader,
    StrictUndefined,
    Template,
    select_autoescape,
)
from markupsafe import Markup

# Where Lambda gets the templates compiled to Python modules (`compile_templates`, run by make
# layer), with their bytecode: compiling a page's templates took about 14 ms of its first
# request. Elsewhere the templates are read from their sources, so an edit shows at once.
COMPILED = Path(__file__).with_name("compiled")


@dataclass(frozen=True)
class Stylesheet:
    """A page's own stylesheet, inlined, and the hash its Content-Security-Policy allows."""

    css: Markup
    sha256: str


def stylesheet(template: str) -> Stylesheet:
    """The stylesheet at `template` (under views/templates/)."""
    css = resources.files("tandem").joinpath(f"views/templates/{template}").read_text("utf-8")
    # Our own stylesheet, not input: marked safe so the bytes hashed for the CSP are the bytes sent.
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    return Stylesheet(Markup(css), digest)  # noqa: S704


def _day(moment: date) -> str:
    """ "Monday 11 January 2027", the way people read a date in an email."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _hour(moment: datetime) -> str:
    return f"{moment:%H:%M}"


def _local(moment: datetime, timezone: str) -> datetime:
    """The moment on the clock of someone in `timezone`."""
    return moment.astimezone(ZoneInfo(timezone))


def names_list(people: Iterable[Any], attribute: str = "known_as") -> str:
    """People as a sentence lists them: "Ada", "Ada and Bo", "Ada, Bo and Cy"."""
    found = [str(getattr(person, attribute)) for person in people]
    return " and ".join([", ".join(found[:-1]), found[-1]] if len(found) > 1 else found)


def environment(loader: BaseLoader) -> Environment:
    """Jinja2 as the templates are written for: HTML autoescaped, any undefined name an error."""
    env = Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(day=_day, hour=_hour, local=_local, names=names_list)
    return env


_env = environment(
    ModuleLoader(COMPILED) if COMPILED.is_dir() else PackageLoader("tandem.views", "templates")
)


def compile_templates(target: Path) -> None:
    """Every template, compiled to a module in `target` as ModuleLoader reads them."""
    environment(PackageLoader("tandem.views", "templates")).compile_templates(
        target, extensions=("html", "txt"), zip=None, ignore_errors=False
    )


def template(name: str) -> Template:
    return _env.get_template(name)


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
