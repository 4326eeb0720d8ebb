"""A tenant's configuration: one customer, one stack. Loaded from infra/tenants/<name>.json at
synth time, validated (`load_tenant`), and handed to every function as JSON, which each builds
the same model from without validating it again (`from_functions`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from tandem.model import guides
from tandem.model.guides import DEFAULT_TRACK
from tandem.model.validation import (
    Check,
    Cron,
    EmailAddress,
    Invalid,
    Rules,
    Strict,
    Text,
    TimeZoneName,
    parse,
    trusted,
)

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday"]
Slug = Annotated[str, Rules(pattern=r"^[a-z][a-z0-9-]{1,30}$")]


def _between(low: int, high: int) -> Rules:
    return Rules(ge=low, le=high)


@dataclass(frozen=True, kw_only=True)
class Contact(Strict):
    name: Text
    email: EmailAddress


@dataclass(frozen=True, kw_only=True)
class Calendar(Strict):
    """When each quarter's cycle starts: the nth weekday of each listed month, at a local time."""

    months: Annotated[tuple[int, ...], Rules(min_length=1, max_length=12)] = (1, 4, 7, 10)
    weekday: Weekday = "monday"
    nth: Annotated[int, _between(1, 4)] = 2
    time: dt.time = dt.time(9, 0)
    notice_days: Annotated[int, _between(1, 28)] = 7

    def __post_init__(self) -> None:
        if list(self.months) != sorted(set(self.months)) or not all(
            1 <= m <= 12 for m in self.months
        ):
            raise ValueError("months must be distinct month numbers 1-12 in calendar order")


@dataclass(frozen=True, kw_only=True)
class BandFormat(Strict):
    """How a band meets: in pairs (a trio for an odd band), or in circles of `size` people (4 to
    6; circles of one more or one less where the band does not divide)."""

    format: Literal["pairs", "circles"] = "pairs"
    size: Annotated[int, _between(4, 6)] | None = None

    def __post_init__(self) -> None:
        if self.format == "pairs" and self.size is not None:
            raise ValueError("size applies to circles only")

    @property
    def circle_size(self) -> int:
        return self.size or 5


@dataclass(frozen=True, kw_only=True)
class Matching(Strict):
    """The matching rules a tenant may tune (the hard rules themselves are fixed)."""

    # quarters before a partner may recur
    repeat_window: Annotated[int, _between(1, 12)] = 4
    min_overlap_hours: Annotated[float, _between(0, 8)] = 2.0
    workday_start: dt.time = dt.time(9, 0)
    workday_end: dt.time = dt.time(17, 0)
    odd_policy: Literal["trio", "sit_out"] = "trio"
    # level -> band, for levels that are matched together; any other level is its own band
    bands: dict[str, Text] = field(default_factory=dict)
    # band -> how it meets; a band not named here meets in pairs
    formats: dict[Text, BandFormat] = field(default_factory=dict)

    @property
    def workday(self) -> tuple[dt.time, dt.time]:
        return self.workday_start, self.workday_end

    def __post_init__(self) -> None:
        if self.workday_end <= self.workday_start:
            raise ValueError("workday_end must be after workday_start")


@dataclass(frozen=True, kw_only=True)
class Conversations(Strict):
    """What the groups talk about: the guides' topic track, for every quarter or for some."""

    track: str = DEFAULT_TRACK
    tracks_by_cycle: dict[str, str] = field(default_factory=dict)  # e.g. {"2027-Q2": "feedback"}
    # How long the "how did it go?" link works after its session (answers stay editable until
    # the next session, two weeks on), and the quarter's pulse after the last session.
    feedback_link_days: Annotated[int, _between(14, 120)] = 30

    def __post_init__(self) -> None:
        known = guides.track_ids()
        for track in (self.track, *self.tracks_by_cycle.values()):
            if track not in known:
                raise ValueError(f"unknown track {track!r} (tracks: {', '.join(known)})")

    def track_of(self, cycle: str, chosen: str | None = None) -> str:
        """The track a group follows: its own choice, else the quarter's, else the default."""
        return chosen or self.tracks_by_cycle.get(cycle, self.track)


@dataclass(frozen=True, kw_only=True)
class OpenSignup(Strict):
    enabled: bool = False
    # Only addresses at these domains may join through the open link: without them, anyone
    # could have the tenant's address mail anyone.
    email_domains: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.enabled and not self.email_domains:
            raise ValueError(
                "email_domains: name the company's domains when the open signup is enabled"
            )


@dataclass(frozen=True, kw_only=True)
class Exports(Strict):
    """What HR's exports show: figures about fewer than `min_group_size` people are suppressed
    (3 at least, as Glint allows); names, emails and free text only when the tenant asks."""

    min_group_size: Annotated[int, Rules(ge=3)] = 5
    include_identity: bool = False  # adds name and email to the row-level files
    include_text: bool = False  # adds pledge text, session notes and pulse comments


@dataclass(frozen=True, kw_only=True)
class CustomDomain(Strict):
    """Where the link pages live instead of API Gateway's own address."""

    name: Annotated[
        str, Rules(pattern=r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$", max_length=253)
    ]
    # An ACM certificate for that name, in the stack's region (regional endpoint).
    certificate_arn: Annotated[
        str, Rules(pattern=r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
    ]


HttpsUrl = Annotated[str, Rules(pattern=r"^https://[^\s/?#]+(/\S*)?$", max_length=2048)]


def _domain_prefix(value: str) -> str:
    """Cognito's rules for a domain prefix: lower case, digits and hyphens, no AWS names."""
    if any(word in value for word in ("aws", "amazon", "cognito")):
        raise ValueError("must not contain aws, amazon or cognito")
    return value


DomainPrefix = Annotated[
    str,
    Rules(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"),
    Check(_domain_prefix),
]
SecretName = Annotated[str, Rules(pattern=r"^[A-Za-z0-9/_+=.@:-]{1,2048}$")]
Claim = Annotated[str, Rules(min_length=1, max_length=256)]


@dataclass(frozen=True, kw_only=True)
class IdentityProvider(Strict):
    """The company's identity provider, through which program leads sign in to the console
    instead of as the stack's own users: SAML (its metadata URL) or OpenID Connect (its issuer
    and the client registered there). The client secret stays out of this file: a Secrets
    Manager secret in the tenant's account holds it, resolved by CloudFormation at deploy."""

    name: Annotated[str, Rules(pattern=r"^[A-Za-z0-9_-]{3,32}$")]  # as the user pool names it
    saml_metadata_url: HttpsUrl | None = None
    oidc_issuer: HttpsUrl | None = None
    oidc_client_id: Claim | None = None
    oidc_client_secret_name: SecretName | None = None
    # The provider's attribute (SAML) or claim (OIDC) holding the person's address.
    email_attribute: Claim | None = None

    def __post_init__(self) -> None:
        if (self.saml_metadata_url is None) == (self.oidc_issuer is None):
            raise ValueError("name either saml_metadata_url or oidc_issuer")
        oidc = (self.oidc_client_id, self.oidc_client_secret_name)
        if self.oidc_issuer and None in oidc:
            raise ValueError("oidc_issuer needs oidc_client_id and oidc_client_secret_name")
        if self.saml_metadata_url and oidc != (None, None):
            raise ValueError("oidc_client_id and oidc_client_secret_name go with oidc_issuer")

    @property
    def email_claim(self) -> str:
        if self.email_attribute:
            return self.email_attribute
        if self.saml_metadata_url:
            return "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"
        return "email"


@dataclass(frozen=True, kw_only=True)
class Console(Strict):
    """The program leads' console: the prefix of its sign-in domain (unique in the region
    across every AWS account; tandem-<name> unless given), and the company's identity
    provider when program leads sign in with it."""

    domain_prefix: DomainPrefix | None = None
    identity_provider: IdentityProvider | None = None


@dataclass(frozen=True, kw_only=True)
class Deployment(Strict):
    """How the stack is deployed and operated; the functions never see this part."""

    account: Annotated[str, Rules(pattern=r"^\d{12}$")] | None = None
    region: Annotated[str, Rules(pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")] | None = None
    domain: CustomDomain | None = None
    alarm_emails: tuple[EmailAddress, ...] = ()
    # A CloudWatch dashboard of the program and its health: $3 a month once an account has
    # three; the alarms do not need it.
    dashboard: Annotated[bool, Rules(strict=True)] = False
    # Schedule name -> EventBridge cron in the tenant's time zone; by default every schedule
    # runs daily at calendar.time.
    schedules: dict[str, Cron] = field(default_factory=dict)
    # How long HR's exports and matching previews stay in the bucket.
    exports_retention_days: Annotated[int, _between(30, 3650)] = 730


@dataclass(frozen=True, kw_only=True)
class Tenant(Strict):
    name: Slug
    organization: Text
    sender: EmailAddress
    sender_name: Text = "Tandem"
    timezone: TimeZoneName
    hr_contacts: Annotated[tuple[Contact, ...], Rules(min_length=1)]
    levels: Annotated[tuple[Text, ...], Rules(min_length=1)]
    calendar: Calendar = Calendar()
    matching: Matching = Matching()
    conversations: Conversations = Conversations()
    open_signup: OpenSignup = OpenSignup()
    exports: Exports = Exports()
    console: Console = Console()
    deployment: Deployment = Deployment()

    def __post_init__(self) -> None:
        if len(set(self.levels)) != len(self.levels):
            raise ValueError("levels must be distinct")
        unknown = sorted(set(self.matching.bands) - set(self.levels))
        if unknown:
            raise ValueError(
                f"matching.bands names levels that are not in levels: {', '.join(unknown)}"
            )
        strangers = sorted(set(self.matching.formats) - set(self.bands()))
        if strangers:
            raise ValueError(
                f"matching.formats names bands that do not exist: {', '.join(strangers)} "
                f"(bands: {', '.join(self.bands())})"
            )

    def for_functions(self) -> str:
        """The configuration the functions run with (TENANT_CONFIG): all but the deployment."""
        shared = {k: v for k, v in dataclasses.asdict(self).items() if k != "deployment"}
        # Compact, letters as they are: Lambda caps a function's environment at 4 KB.
        return json.dumps(shared, default=_time, separators=(",", ":"), ensure_ascii=False)

    @property
    def sign_in_prefix(self) -> str:
        """The console's sign-in domain prefix (<prefix>.auth.<region>.amazoncognito.com)."""
        return self.console.domain_prefix or f"tandem-{self.name}"

    def format_of(self, band: str) -> BandFormat:
        return self.matching.formats.get(band, BandFormat())

    def band_of(self, level: str) -> str:
        return self.matching.bands.get(level, level)

    def format_for(self, level: str) -> BandFormat:
        """How the people of a level meet: their band's format."""
        return self.format_of(self.band_of(level))

    @property
    def has_circles(self) -> bool:
        return any(f.format == "circles" for f in self.matching.formats.values())

    def bands(self) -> dict[str, tuple[str, ...]]:
        """Each band and its levels, in the order of `levels`."""
        bands: dict[str, tuple[str, ...]] = {}
        for level in self.levels:
            band = self.band_of(level)
            bands[band] = (*bands.get(band, ()), level)
        return bands


class TenantFileError(ValueError):
    """A tenant file that cannot be used; the message names the file and the field."""


def load_tenant(path: Path) -> Tenant:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise TenantFileError(f"{path}: cannot read the tenant file: {error}") from None
    if isinstance(raw, dict) and raw.get("name") != path.stem:
        raise TenantFileError(f"{path}: name: must be {path.stem!r}, the file's own name")
    try:
        return parse(Tenant, raw)
    except Invalid as error:
        raise TenantFileError(f"{path}: {error}") from None


def from_functions(configuration: str) -> Tenant:
    """The tenant from the configuration its stack hands the functions (`for_functions`)."""
    return trusted(Tenant, json.loads(configuration))


def _time(value: Any) -> str:
    if isinstance(value, dt.time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not part of a tenant's configuration")
