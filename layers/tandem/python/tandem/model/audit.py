"""What the console's audit trail records of each action: who, what, when, from which address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # the signed-in user's address
    role: str  # their role then (program-lead | viewer)
    action: str  # what they did (tandem.console.audit.Action)
    source_ip: str  # the address the request came from
    subject: str | None = None  # what it was about: a participant's id, or a file's key
