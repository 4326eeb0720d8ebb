"""Which function answers which route, queue and schedule, and what each may touch.

Declared once: the CDK stack builds AWS resources and least-privilege grants from it, and the
local runtime wires the same handlers to moto and a local HTTP server.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from tandem.model import bucket_layout
from tandem.store.settings import Setting


class Grant(Enum):
    """What a function may do; each grant comes with the settings that tell it where and how."""

    READ_TABLE = auto()
    WRITE_TABLE = auto()
    RUN_ONCE = auto()  # Powertools idempotency records
    READ_ROSTERS = auto()
    LIST_ROSTERS = auto()  # the uploads and their results (names, times)
    UPLOAD_ROSTERS = auto()  # presign the console's upload form, for its own keys only
    WRITE_ROSTER_RESULTS = auto()
    WRITE_PREVIEWS = auto()
    READ_PREVIEWS = auto()  # presign download links to them
    LIST_PREVIEWS = auto()
    WRITE_EXPORTS = auto()  # write and replace files under exports/
    READ_EXPORTS = auto()  # presign download links to them
    LIST_EXPORTS = auto()  # name the files of an export (list them, never read them)
    SEND_MAIL = auto()  # put requests on the mail queue
    SEND_BAND_JOBS = auto()
    SEND_EMAIL = auto()  # send through SES: the mailer only
    SIGN_LINKS = auto()
    SIGN_IN_LEADS = auto()  # the console's sign-in through the user pool (no AWS call)

    @property
    def settings(self) -> tuple[Setting, ...]:
        return _SETTINGS_OF[self]


# Mailer instances that may send at once (the mail queue's maximum concurrency): each paces
# itself to its share of SES's rate, which it is told by the MAILERS setting.
MAILERS = 2

_SETTINGS_OF = {
    Grant.READ_TABLE: (Setting.TABLE,),
    Grant.WRITE_TABLE: (Setting.TABLE,),
    Grant.RUN_ONCE: (Setting.IDEMPOTENCY_TABLE,),
    Grant.READ_ROSTERS: (Setting.BUCKET,),
    Grant.LIST_ROSTERS: (Setting.BUCKET,),
    Grant.UPLOAD_ROSTERS: (Setting.BUCKET,),
    Grant.WRITE_ROSTER_RESULTS: (Setting.BUCKET,),
    Grant.WRITE_PREVIEWS: (Setting.BUCKET,),
    Grant.READ_PREVIEWS: (Setting.BUCKET,),
    Grant.LIST_PREVIEWS: (Setting.BUCKET,),
    Grant.WRITE_EXPORTS: (Setting.BUCKET,),
    Grant.READ_EXPORTS: (Setting.BUCKET,),
    Grant.LIST_EXPORTS: (Setting.BUCKET,),
    Grant.SEND_MAIL: (Setting.MAIL_QUEUE,),
    Grant.SEND_BAND_JOBS: (Setting.BAND_QUEUE,),
    Grant.SEND_EMAIL: (Setting.SES_CONFIGURATION_SET, Setting.MAILERS),
    Grant.SIGN_LINKS: (Setting.SIGNING_SECRET,),
    Grant.SIGN_IN_LEADS: (Setting.SIGN_IN_URL, Setting.SIGN_IN_CLIENT, Setting.SIGN_IN_ISSUER),
}


@dataclass(frozen=True)
class Function:
    name: str  # its folder under functions/
    description: str
    grants: frozenset[Grant]
    memory_mb: int = 512
    timeout_s: int = 10
    link_base: bool = False  # writes absolute links into emails
    layers: tuple[str, ...] = ()  # third-party layers beyond the shared one (layers/<name>/)

    @property
    def settings(self) -> frozenset[Setting]:
        extra = {Setting.LINK_BASE} if self.link_base else set()
        return frozenset(
            {Setting.TENANT, *(s for grant in self.grants for s in grant.settings), *extra}
        )


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # API Gateway syntax: /signup/{token}
    function: str


@dataclass(frozen=True)
class Schedule:
    name: str
    function: str
    hourly: bool = False  # else daily, at the program's time of day


@dataclass(frozen=True)
class BucketTrigger:
    """Objects created under prefix, ending with suffix, except under excluded: S3 notifications
    filter one prefix and one suffix; the event source mapping drops the excluded keys (and S3's
    test event) before the consumer runs."""

    prefix: str
    suffix: str
    excluded: str | None = None

    def fires_for(self, key: str) -> bool:
        return (
            key.startswith(self.prefix)
            and key.endswith(self.suffix)
            and not (self.excluded and key.startswith(self.excluded))
        )


@dataclass(frozen=True)
class Queue:
    name: str
    consumer: str
    batch_size: int
    max_receive_count: int  # deliveries before a message goes to the dead-letter queue
    trigger: BucketTrigger | None = None
    max_concurrency: int | None = None  # consumer instances at once (None: as many as Lambda likes)
    # SES sending events of the tenant's configuration set published here (through EventBridge)
    ses_events: tuple[str, ...] = ()

    @property
    def visibility_timeout_s(self) -> int:
        """Lambda's advice: six times the consumer's timeout, so a batch being retried by the
        function is not handed to a second instance meanwhile."""
        return function(self.consumer).timeout_s * 6


PARTICIPANT_PAGES = Function(
    "participant_pages",
    "Pages behind emailed links: signup, profile, preferences, the quarter's conversations",
    # Band jobs: a person whose partner left asks for a new one.
    frozenset(
        {
            Grant.READ_TABLE,
            Grant.WRITE_TABLE,
            Grant.SEND_MAIL,
            Grant.SEND_BAND_JOBS,
            Grant.SIGN_LINKS,
        }
    ),
)
ROSTER_IMPORT = Function(
    "roster_import",
    "Imports a roster CSV uploaded under roster/ and writes its results file",
    frozenset(
        {
            Grant.READ_TABLE,
            Grant.WRITE_TABLE,
            Grant.READ_ROSTERS,
            Grant.WRITE_ROSTER_RESULTS,
            Grant.SEND_MAIL,
        }
    ),
    memory_mb=1024,
    timeout_s=900,
)
MAILER = Function(
    "mailer",
    "Sends each queued mail request through SES, once",
    # Writes the table only to note that a quarter's kickoff was sent; lists exports only to
    # name the files in the program leads' mail.
    frozenset(
        {
            Grant.READ_TABLE,
            Grant.WRITE_TABLE,
            Grant.RUN_ONCE,
            Grant.SEND_EMAIL,
            Grant.SIGN_LINKS,
            Grant.LIST_EXPORTS,
        }
    ),
    timeout_s=30,
    link_base=True,
)

MATCHING = Function(
    "matching",
    "Daily: the quarter's notice and preview a week ahead, then one matching job per band",
    frozenset(
        {
            Grant.READ_TABLE,
            Grant.WRITE_TABLE,
            Grant.SEND_MAIL,
            Grant.SEND_BAND_JOBS,
            Grant.WRITE_PREVIEWS,
        }
    ),
    memory_mb=1024,
    timeout_s=900,
)
MATCH_BAND = Function(
    "match_band",
    "Matches one band of one cycle, stores its groups once and sends the kickoffs",
    frozenset({Grant.READ_TABLE, Grant.WRITE_TABLE, Grant.RUN_ONCE, Grant.SEND_MAIL}),
    memory_mb=3008,  # 10,000 people in one band peak near 1.5 GB; memory also buys CPU
    timeout_s=900,
    layers=("matching",),
)

REMINDERS = Function(
    "reminders",
    "Hourly: nudges groups without a slot, reminds members before and after each session",
    frozenset({Grant.READ_TABLE, Grant.WRITE_TABLE, Grant.SEND_MAIL}),
    timeout_s=300,
)
MAIL_EVENTS = Function(
    "mail_events",
    "Stops mail to addresses that bounce or complain, and tells their partners",
    frozenset({Grant.READ_TABLE, Grant.WRITE_TABLE, Grant.SEND_MAIL}),
)

EXPORTS = Function(
    "exports",
    "Daily: each quarter's exports for HR, once, when due; and on demand",
    # Writes the table only for the marker that runs a quarter's export once; reads the
    # signing secret for the key of the pseudonymous ids.
    frozenset(
        {
            Grant.READ_TABLE,
            Grant.WRITE_TABLE,
            Grant.WRITE_EXPORTS,
            Grant.SIGN_LINKS,
            Grant.SEND_MAIL,
        }
    ),
    memory_mb=2048,  # memory also buys CPU; the row tables of a large year are held whole
    timeout_s=900,
)

CONSOLE = Function(
    "console",
    "The program leads' console: sign-in, overview, roster, matching, exports, people, audit",
    # Reads and writes the table for the audit trail and the actions taken for a person (an
    # erasure among them); signs its own sessions with the links' secret; reads (and lists)
    # every file kept for HR, to show it, hand out links to it, or find an erased address in
    # it; and presigns the roster form's upload.
    frozenset(
        {
            Grant.READ_TABLE,
            Grant.WRITE_TABLE,
            Grant.SEND_MAIL,
            Grant.SIGN_LINKS,
            Grant.SIGN_IN_LEADS,
            Grant.READ_ROSTERS,
            Grant.LIST_ROSTERS,
            Grant.UPLOAD_ROSTERS,
            Grant.READ_PREVIEWS,
            Grant.LIST_PREVIEWS,
            Grant.READ_EXPORTS,
            Grant.LIST_EXPORTS,
        }
    ),
    memory_mb=1024,  # the overview draws the quarter's figures as the exports do
    timeout_s=29,  # API Gateway's own limit
    link_base=True,
)

FUNCTIONS: tuple[Function, ...] = (
    PARTICIPANT_PAGES,
    ROSTER_IMPORT,
    MAILER,
    MATCHING,
    MATCH_BAND,
    REMINDERS,
    MAIL_EVENTS,
    EXPORTS,
    CONSOLE,
)

_FORMS = (
    "/signup/{token}",
    "/profile/{token}",
    "/pause/{token}",
    "/leave/{token}",
    "/preferences/{token}",
    "/join",
    "/links",
    "/schedule/{token}",
    "/reschedule/{token}",
    "/rematch/{token}",
    "/feedback/{token}",
    "/pulse/{token}",
)
# What a program lead does for one person from the console, each a POST of the person's page.
_PERSON_ACTIONS = ("links", "pause", "resume", "leave", "revoke", "erase")
ROUTES: tuple[Route, ...] = (
    # A page with a form: GET shows it, POST is the change.
    *(Route(method, path, PARTICIPANT_PAGES.name) for path in _FORMS for method in ("GET", "POST")),
    Route("GET", "/guide/{token}", PARTICIPANT_PAGES.name),
    *(
        Route(method, "/console" + path, CONSOLE.name)
        for method, path in (
            ("GET", ""),
            ("GET", "/sign-in"),
            ("GET", "/callback"),
            ("POST", "/sign-out"),
            ("GET", "/signed-out"),
            ("GET", "/roster"),
            ("GET", "/roster/uploaded"),  # where S3 sends the browser after an upload
            ("GET", "/roster/results"),
            ("GET", "/matching"),
            ("GET", "/matching/preview"),
            ("GET", "/exports"),
            ("GET", "/exports/{scope}/{name}"),
            ("GET", "/people"),
            ("POST", "/people"),
            ("GET", "/people/{pid}"),
            *(("POST", f"/people/{{pid}}/{action}") for action in _PERSON_ACTIONS),
            ("GET", "/people/{pid}/erase"),
            ("GET", "/audit"),
            ("GET", "/settings"),
        )
    ),
)

QUEUES: tuple[Queue, ...] = (
    # The mailers pace themselves to their share of SES's send rate; a message still throttled
    # is retried for half an hour before it is dead-lettered.
    Queue(
        "mail", consumer=MAILER.name, batch_size=10, max_receive_count=10, max_concurrency=MAILERS
    ),
    Queue(
        "roster",
        consumer=ROSTER_IMPORT.name,
        batch_size=1,
        max_receive_count=3,
        # The import writes its results file under roster/ too: not one more upload to import.
        trigger=BucketTrigger(
            prefix=bucket_layout.ROSTERS, suffix=".csv", excluded=bucket_layout.ROSTER_RESULTS
        ),
    ),
    Queue("bands", consumer=MATCH_BAND.name, batch_size=1, max_receive_count=3),
    Queue(
        "mail-events",
        consumer=MAIL_EVENTS.name,
        batch_size=10,
        max_receive_count=5,
        ses_events=("bounce", "complaint"),  # as SES names its event types
    ),
)

# The detail-type of each SES sending event on EventBridge, by the name SES gives its type.
SES_DETAIL_TYPES = {"bounce": "Email Bounced", "complaint": "Email Complaint Received"}

# In the tenant's time zone; each run works out what is due from the calendar and the plans.
SCHEDULES: tuple[Schedule, ...] = (
    Schedule("matching", function=MATCHING.name),  # daily at the program's time of day
    Schedule("reminders", function=REMINDERS.name, hourly=True),
    Schedule("exports", function=EXPORTS.name),
)

# Bucket prefixes behind the bucket grants.
BUCKET_PREFIXES = {
    Grant.READ_ROSTERS: bucket_layout.ROSTERS,
    Grant.LIST_ROSTERS: bucket_layout.ROSTERS,
    Grant.UPLOAD_ROSTERS: bucket_layout.CONSOLE_UPLOADS,
    Grant.WRITE_ROSTER_RESULTS: bucket_layout.ROSTER_RESULTS,
    Grant.WRITE_PREVIEWS: bucket_layout.PREVIEWS,
    Grant.READ_PREVIEWS: bucket_layout.PREVIEWS,
    Grant.LIST_PREVIEWS: bucket_layout.PREVIEWS,
    Grant.WRITE_EXPORTS: bucket_layout.EXPORTS,
    Grant.READ_EXPORTS: bucket_layout.EXPORTS,
    Grant.LIST_EXPORTS: bucket_layout.EXPORTS,
}


def function(name: str) -> Function:
    return next(f for f in FUNCTIONS if f.name == name)


def schedule(name: str) -> Schedule:
    """Raises KeyError for a name no schedule has."""
    for candidate in SCHEDULES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
