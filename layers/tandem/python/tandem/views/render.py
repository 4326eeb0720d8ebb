"""Jinja2 for pages and email: HTML is always autoescaped; text parts are plain text."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, select_autoescape
from markupsafe import Markup

_env = Environment(
    loader=PackageLoader("tandem.views", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


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


_env.filters["day"] = _day
_env.filters["hour"] = _hour
_env.filters["local"] = _local
_env.filters["names"] = names_list


def template(name: str) -> Template:
    return _env.get_template(name)


def render(name: str, **context: Any) -> str:
    return _env.get_template(name).render(**context)
