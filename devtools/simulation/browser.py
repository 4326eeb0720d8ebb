"""Just enough of a browser for the demo: fetch a page, read its form, post it back."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)  # prefilled inputs and selections
    # radio groups and checkboxes: name -> options
    choices: dict[str, list[str]] = field(default_factory=dict)


class _FormReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form = Form()
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox"):
                self.form.choices.setdefault(a["name"], []).append(a.get("value", ""))
                if "checked" in a:
                    self.form.values[a["name"]] = a.get("value", "")
            else:
                self.form.values[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.form.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


@dataclass(frozen=True)
class Page:
    url: str
    status: int
    html: str

    def form(self) -> Form:
        reader = _FormReader()
        reader.feed(self.html)
        return reader.form


def _open(request: urllib.request.Request) -> Page:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Page(response.url, response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Page(request.full_url, error.code, error.read().decode())


def get(url: str) -> Page:
    return _open(urllib.request.Request(url))


def post(url: str, fields: Mapping[str, str | list[str]]) -> Page:
    """Posts the form; a list is sent as one field per value, as ticked checkboxes are."""
    data = urllib.parse.urlencode(fields, doseq=True).encode()
    return _open(urllib.request.Request(url, data=data, method="POST"))
