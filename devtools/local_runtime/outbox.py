"""The emails the embedded SES has sent, as the developer's outbox."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from functools import lru_cache
from typing import Any, cast

from moto.ses.models import RawMessage, ses_backends

from devtools.local_runtime.aws import ACCOUNT, REGION

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Attachment:
    filename: str | None
    content_type: str  # the part's whole Content-Type, e.g. text/calendar; method=REQUEST; ...
    text: str


@dataclass(frozen=True)
class SentEmail:
    id: str
    to: list[str]
    subject: str
    text: str
    html: str
    links: list[str]
    sent_at: str
    kind: str | None  # the mail's intent: invite, kickoff, invitation, before_session, ...
    mail_id: str | None  # one per intent (hashed): an email sent twice repeats it
    cycle: str | None
    session: int | None
    attachments: list[Attachment]
    reply_to: list[str]  # who a reply reaches: the partners, or the program leads

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def link(self, purpose: str) -> str:
        """The message's link to one kind of page (signup, profile, pause, leave, schedule)."""
        return next(url for url in self.links if f"/{purpose}/" in url)


def sent_emails(skip: int = 0) -> list[SentEmail]:
    """Oldest first; without the first `skip` messages (those already read)."""
    messages = ses_backends[ACCOUNT][REGION].sent_messages[skip:]
    return [_parse(m) for m in messages if isinstance(m, RawMessage)]


def count() -> int:
    """How many messages the embedded SES has sent, for reading only the ones that follow."""
    return len(ses_backends[ACCOUNT][REGION].sent_messages)


@lru_cache(maxsize=100_000)  # a sent message never changes; parsing it is most of a read
def _parse(raw: RawMessage) -> SentEmail:
    message = cast(EmailMessage, message_from_string(raw.raw_data, policy=policy.default))
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    text = text_part.get_content() if text_part else ""
    bodies = {id(part) for part in (text_part, html_part) if part is not None}
    attachments = [
        Attachment(part.get_filename(), str(part["Content-Type"]), part.get_content())
        for part in message.walk()
        if part.get_content_maintype() == "text" and id(part) not in bodies
    ]
    session = message["X-Tandem-Session"]
    return SentEmail(
        id=raw.id,
        to=[address for _, address in getaddresses(message.get_all("To", []))],
        subject=str(message["Subject"]),
        text=text,
        html=html_part.get_content() if html_part else "",
        links=list(dict.fromkeys(_URL.findall(text))),
        sent_at=parsedate_to_datetime(message["Date"]).isoformat() if message["Date"] else "",
        kind=message["X-Tandem-Kind"],
        mail_id=message["X-Tandem-Mail-Id"],
        cycle=message["X-Tandem-Cycle"],
        session=int(session) if session else None,
        attachments=attachments,
        reply_to=[address for _, address in getaddresses(message.get_all("Reply-To", []))],
    )
