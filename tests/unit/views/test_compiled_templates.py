"""Lambda renders from the templates compiled ahead of time (tandem.views.render.COMPILED):
they must render what their sources render, escaping and whitespace included."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import ModuleLoader

from tandem.mail.compose import compose
from tandem.model import purpose
from tandem.model.mail_request import MailRequest
from tandem.model.participant import Participant, Source, Status
from tandem.model.tenant import Tenant
from tandem.views import pages, render

TEMPLATES = Path(render.__file__).with_name("templates")
HOSTILE = Participant(
    email="eve@acme.example",
    name='Eve"><script>alert(1)</script>',
    department="<i>Ops</i>",
    level="Manager",
    timezone="Asia/Calcutta",
    status=Status.INVITED,
    source=Source.ROSTER,
)


def rendered(tenant: Tenant) -> list[str]:
    """A page and both parts of an email, with a name that must be escaped."""
    page = pages.page(
        "profile_form.html",
        tenant,
        title="Sign up",
        signing_up=True,
        participant=HOSTILE,
        form={"name": HOSTILE.name, "preferred_name": None, "location": None, "answers": {}},
        selected_zone=HOSTILE.timezone,
        questions=purpose.QUESTIONS,
        problems={"name": "<b>bad</b>"},
        missing=[],
    )
    links = {p: f"https://links.example/{p}/tok" for p in ("signup", "leave", "preferences")}
    mail = compose(
        MailRequest.invite("p1"), HOSTILE, tenant, links, datetime(2026, 12, 1, 9, tzinfo=UTC)
    )
    return [page, *(mail.get_body((kind,)).get_content() for kind in ("html", "plain"))]


def test_the_compiled_templates_render_what_their_sources_render(
    tenant: Tenant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from_sources = rendered(tenant)

    render.compile_templates(tmp_path)
    monkeypatch.setattr(render, "_env", render.environment(ModuleLoader(tmp_path)))

    written = {*TEMPLATES.rglob("*.html"), *TEMPLATES.rglob("*.txt")}
    assert len(list(tmp_path.glob("tmpl_*.py"))) == len(written)
    assert rendered(tenant) == from_sources
