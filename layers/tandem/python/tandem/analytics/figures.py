"""The program's figures, as HR may see them: one tidy row per figure. HR sees figures, never
answers, and no figure hidden in one file of a year can be had from the others.

Rates are decimals with three places (`0.812`), means have two (`4.25`), counts are integers.
`n` is the number of people a figure is about (who answered, pledged, took part), not the number
of answers.

**Breakdowns**: by department, by level and, in a quarter where anyone met in a circle, by format
(`pairs`, which takes in trios, and `circles`; a person counts under `circles` when any group of
theirs that quarter was a circle, so a circle member rematched into a pair stays there). The
format breakdown has every figure but retention, which would count only those who came back; and
it is in the quarter's files only: someone may meet in pairs one quarter and in a circle the
next, and a year's figure by format would then not be the sum of its quarters' (rule 4).

**Two kinds of figure.** *Operational* figures (participants, groups, conversations held,
relationships formed, retention) are what HR can count from the rows it gets anyway: who is in
which group, and which sessions each group held. They are never hidden, since hiding them would
protect no one; one with nothing to measure (retention in a program's first quarter) has no
row. Every other figure counts *answers* (pledges and check-ins, helpfulness, the pulse, themes,
purpose profiles), and is hidden as follows (Glint, Qualtrics, Peakon, Perceptyx and TalentMap
apply the same rules), each hidden row saying why in `reason`:

1. *Small groups* (`fewer_than_min_group`): a figure about fewer than `min_group` people (never
   below 3) is hidden, counts as well as rates; pledge theme counts need 10.
2. *Nothing hidden can be worked out* (`complementary`). A metric's figures overall, by
   department, by level and by format are sums over the people of each (department, level,
   format); the answers
   of one question add up to a total. Whoever holds them can add and subtract; where that gives
   a hidden figure, or a sum about fewer than `min_group` people, the smallest figure in that
   sum is hidden too, until neither can be had (`tandem.analytics.disclosure`). A department
   hidden takes the next smallest with it; a level that is a department and a few more people
   hides one of the two.
3. *Derived figures* (`derived`) are hidden wherever what they are computed from is: the
   completion rate wherever the pledges checked in are (with both, the pledges done follow),
   the impact rate wherever the completion rate is (its denominator), the mean helpfulness of
   everyone wherever a score's count is (with the others, the mean pins it down).
4. *Across a year's files* (`hidden_in_a_quarter`). An answer belongs to one quarter, so a
   year-to-date figure is the sum of the quarters': it is shown only where every quarter file
   so far showed it. All a year-to-date file shows can then be had from the quarter files
   already, which each stand alone, and a quarter's rows never change once published.
5. *Purpose profiles* (`overlapping_files`) are counted by person, so files about nearly the
   same people would give away the profiles of those who differ: a file's purpose mix is
   hidden when, with the mixes of the year's earlier files, it gives a hidden count or the
   drivers of fewer than `min_group` people.

A format is one more thing HR knows of each person (from groups.csv): the sums are over the
people of each (department, level, format), so a format's figures are protected like a
department's.

Not protected here: a department's figure counts people in their department of the time the
tables were drawn; files of earlier years are not compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from itertools import chain, combinations
from statistics import fmean

from tandem.analytics.disclosure import Span
from tandem.analytics.tables import ConversationRow, PledgeRow, PulseRow, Tables, year_to_date
from tandem.conversations.feedback import THEMES
from tandem.model.plan import is_circle
from tandem.model.purpose import How, Who, Why

MIN_GROUP_FLOOR = 3
THEME_MIN_GROUP = 10
SUPPRESSED = "suppressed"
NOT_RECORDED = "(not recorded)"
NO_THEME = "(none)"
NOT_ANSWERED = "(not answered)"
PURPOSE_AXES = ("who", "why", "how")
PAIRS, CIRCLES = "pairs", "circles"  # the formats a band meets in (a trio is a band of pairs')


class Reason(StrEnum):
    """Why a figure is hidden (the rules above)."""

    FEW = "fewer_than_min_group"
    COMPLEMENTARY = "complementary"
    DERIVED = "derived"
    QUARTER = "hidden_in_a_quarter"
    OVERLAP = "overlapping_files"


@dataclass(frozen=True)
class SummaryRow:
    cycle: str
    scope: str  # all | department | level
    group: str  # "" for all, else the department or level
    metric: str
    value: str  # "" when suppressed
    n: int | None  # people the figure is about; None when suppressed
    note: str  # "suppressed" or ""
    reason: str = ""  # why it is suppressed: a Reason


@dataclass(frozen=True)
class _Figure:
    value: float | None  # None: nobody to measure
    people: frozenset[str]


class _Data:
    """One Tables, indexed for the figures."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.members = {(g.cycle, g.group): g.participants for g in tables.groups}
        self.active: dict[str, set[str]] = defaultdict(set)
        for g in tables.groups:
            self.active[g.cycle].update(g.participants)
        self.everyone = frozenset(p for g in tables.groups for p in g.participants)
        self.held = {(c.cycle, c.group, c.session) for c in tables.conversations if c.held == "yes"}
        self.profiles = {p.participant: p for p in tables.participants}
        self.in_circles = frozenset(
            p for g in tables.groups if is_circle(g.participants) for p in g.participants
        )

    def attribute(self, person: str, scope: str) -> str:
        if scope == "format":
            return CIRCLES if person in self.in_circles else PAIRS
        row = self.profiles.get(person)
        value = getattr(row, scope) if row else ""
        return value or NOT_RECORDED

    def atom(self, person: str) -> tuple[str, str, str]:
        """What anyone holding the operational rows knows of a person: department, level and
        format."""
        department, level, form = (self.attribute(person, scope) for scope in BREAKDOWNS)
        return department, level, form


Inside = Callable[[str], bool]  # whether a person is in the group a figure is about


def _count(people_of_items: Iterable[str], inside: Inside) -> _Figure:
    people = [p for p in people_of_items if inside(p)]
    return _Figure(len(people), frozenset(people))


def _share(items: Iterable[tuple[str, bool]], inside: Inside) -> _Figure:
    hits = [(p, hit) for p, hit in items if inside(p)]
    value = sum(hit for _, hit in hits) / len(hits) if hits else None
    return _Figure(value, frozenset(p for p, _ in hits))


def _mean(items: Iterable[tuple[str, int]], inside: Inside) -> _Figure:
    scores = [(p, score) for p, score in items if inside(p)]
    value = fmean(score for _, score in scores) if scores else None
    return _Figure(value, frozenset(p for p, _ in scores))


def participants(d: _Data, inside: Inside) -> _Figure:
    """People in a group in the period (each counted once in a year)."""
    people = frozenset(p for p in d.everyone if inside(p))
    return _Figure(len(people), people)


def groups(d: _Data, inside: Inside) -> _Figure:
    """Groups (pairs, trios and circles; each quarter's) with one of the group's people in them."""
    found = [members for members in d.members.values() if any(inside(p) for p in members)]
    return _Figure(len(found), frozenset(p for members in found for p in members if inside(p)))


def conversations_held(d: _Data, inside: Inside) -> _Figure:
    """Conversations (a group's session) that a member marked as held. A department's or
    level's figure counts those its people took part in, so a pair across two departments
    counts in both and the groups add up to more than the total."""
    held = [key for key in d.held if any(inside(p) for p in d.members.get(key[:2], ()))]
    people = frozenset(p for key in held for p in d.members[key[:2]] if inside(p))
    return _Figure(len(held), people)


def pledges_made(d: _Data, inside: Inside) -> _Figure:
    """Pledges made at the end of a conversation."""
    return _count((p.participant for p in d.tables.pledges), inside)


def pledges_checked_in(d: _Data, inside: Inside) -> _Figure:
    """Pledges checked in (done, partly or not done) at the next conversation."""
    return _count((p.participant for p in _checked_in(d.tables.pledges)), inside)


def completion_rate(d: _Data, inside: Inside) -> _Figure:
    """Pledges checked in as done / pledges checked in (Imperative publishes 0.80 to 0.83)."""
    checked = _checked_in(d.tables.pledges)
    return _share(((p.participant, p.checkin == "done") for p in checked), inside)


def impact_rate(d: _Data, inside: Inside) -> _Figure:
    """Pledges whose impact was yes / pledges checked in as done (Imperative publishes 0.91)."""
    done = [p for p in d.tables.pledges if p.checkin == "done"]
    return _share(((p.participant, p.impact == "yes") for p in done), inside)


def helpfulness_mean(d: _Data, inside: Inside) -> _Figure:
    """Mean answer to "how helpful was your conversation?" (1-5), over every answer given
    about a conversation held."""
    return _mean(_helpfulness(d.tables.conversations), inside)


def ongoing_intent_rate(d: _Data, inside: Inside) -> _Figure:
    """Pulse answers "I intend an ongoing relationship with my partner" = yes / answers; in a
    circle, yes is ticking at least one member to keep meeting (whom is never counted)."""
    answered = [p for p in d.tables.pulses if p.ongoing is not None]
    return _share(((p.participant, p.ongoing == "yes") for p in answered), inside)


def fulfilment_mean(d: _Data, inside: Inside) -> _Figure:
    """Mean end-of-quarter fulfilment (1-5), over every answer given."""
    return _mean(_fulfilment(d.tables.pulses), inside)


def relationships_formed(d: _Data, inside: Inside) -> _Figure:
    """Distinct partner pairs (a trio makes three, a circle of five ten: each two of its
    members) whose group held at least one conversation;
    a group's figure counts the pairs with one of its people in them."""
    met = {key[:2] for key in d.held}
    pairs: set[frozenset[str]] = set()
    people: set[str] = set()
    for key in met:
        for a, b in combinations(d.members.get(key, ()), 2):
            if inside(a) or inside(b):
                pairs.add(frozenset((a, b)))
                people.update(p for p in (a, b) if inside(p))
    return _Figure(len(pairs), frozenset(people))


def retention(d: _Data, inside: Inside) -> _Figure:
    """People in a group this quarter among those in a group the quarter before (none in a
    program's first quarter). Over a year: the same, summed over each quarter and the one
    before it."""
    before = [set(d.tables.previously_active), *(d.active[c] for c in d.tables.cycles[:-1])]
    items = [
        (p, p in d.active[cycle])
        for cycle, earlier in zip(d.tables.cycles, before, strict=True)
        for p in earlier
    ]
    return _share(items, inside)


METRICS: dict[str, tuple[Callable[[_Data, Inside], _Figure], str]] = {
    f.__name__: (f, kind)
    for f, kind in (
        (participants, "count"),
        (groups, "count"),
        (conversations_held, "count"),
        (pledges_made, "count"),
        (pledges_checked_in, "count"),
        (completion_rate, "rate"),
        (impact_rate, "rate"),
        (helpfulness_mean, "mean"),
        (ongoing_intent_rate, "rate"),
        (fulfilment_mean, "mean"),
        (relationships_formed, "count"),
        (retention, "rate"),
    )
}
# What HR can count from the operational rows it is given: never hidden.
OPERATIONAL = frozenset(
    f.__name__ for f in (participants, groups, conversations_held, relationships_formed, retention)
)
BREAKDOWNS = ("department", "level", "format")
# By format, retention would count only those in a group this quarter: all came back.
NOT_BY_FORMAT = frozenset({"retention"})
# A rate, and the figure of the same group its numerator or denominator follows from.
_DERIVED = {"completion_rate": "pledges_checked_in", "impact_rate": "completion_rate"}


def _checked_in(pledges: Sequence[PledgeRow]) -> list[PledgeRow]:
    return [p for p in pledges if p.checkin is not None]


def _helpfulness(rows: Sequence[ConversationRow]) -> list[tuple[str, int]]:
    return [(c.participant, c.helpfulness) for c in rows if c.helpfulness is not None]


def _fulfilment(rows: Sequence[PulseRow]) -> list[tuple[str, int]]:
    return [(p.participant, p.fulfilment) for p in rows if p.fulfilment is not None]


def _distributions(d: _Data) -> dict[str, dict[str, list[str]]]:
    """The answers of one question, for everyone: `helpfulness:4` (answers of 4),
    `pledge_theme:Focus` (pledges with that theme), `purpose_why:Karma` (people in a group
    with that driver). Family -> metric -> who gave each item counted (with repeats)."""
    families: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    # Every driver of an axis, none too: purpose counts are by person, and a driver missing
    # from one file but counted in another would tell of the people between them.
    for axis, drivers in zip(PURPOSE_AXES, (Who, Why, How), strict=True):
        for known in drivers:
            families[f"purpose_{axis}"][f"purpose_{axis}:{known}"] = []
    for person, score in _helpfulness(d.tables.conversations):
        families["helpfulness"][f"helpfulness:{score}"].append(person)
    for pledge in d.tables.pledges:
        theme = pledge.theme or NO_THEME
        families["pledge_theme"][f"pledge_theme:{theme}"].append(pledge.participant)
    for person in sorted(d.everyone):
        profile = d.profiles.get(person)
        for axis in PURPOSE_AXES:
            driver = getattr(profile, f"purpose_{axis}") if profile else ""
            families[f"purpose_{axis}"][f"purpose_{axis}:{driver or NOT_ANSWERED}"].append(person)
    return {
        name: dict(sorted(cells.items(), key=_answer_order)) for name, cells in families.items()
    }


def _answer_order(cell: tuple[str, list[str]]) -> tuple[bool, int, str]:
    """The program's themes in their usual order, then others by name, "(none)" last."""
    answer = cell[0].partition(":")[2]
    position = THEMES.index(answer) if answer in THEMES else len(THEMES)
    return (answer.startswith("("), position, answer)


Key = tuple[str, str, str]  # scope, group, metric
# What a figure sums over: the people of one (department, level), or one answer's givers.
Atom = tuple[str, str, str] | str


@dataclass(frozen=True)
class _Cell:
    scope: str
    group: str
    metric: str
    kind: str  # count | rate | mean
    figure: _Figure
    atoms: frozenset[Atom] = frozenset()  # what it sums over, in its family

    @property
    def key(self) -> Key:
        return (self.scope, self.group, self.metric)


@dataclass
class _Family:
    """Figures that are sums over the same atoms: one metric overall, by department and by
    level (atoms: the (department, level) pairs of the period's people), or the answers of one
    question (atoms: the answers) and what they add up to."""

    cells: list[_Cell] = field(default_factory=list)
    people: dict[Atom, frozenset[str]] = field(default_factory=dict)  # each atom's part
    known: list[frozenset[Atom]] = field(default_factory=list)  # sums known from elsewhere
    threshold: int = MIN_GROUP_FLOOR


def _cells(d: _Data, min_group: int) -> tuple[list[_Cell], dict[str, _Family]]:
    """Every figure of a file in the order of the file, and the families the answers' make."""
    atoms: dict[tuple[str, str], set[Atom]] = defaultdict(set)
    for person in d.everyone:
        atom = d.atom(person)
        atoms["all", ""].add(atom)
        for scope, group in zip(BREAKDOWNS, atom, strict=True):
            atoms[scope, group].add(atom)

    def breakdown(scope: str, group: str) -> list[_Cell]:
        inside = _member_of(d, scope, group)
        over = frozenset(atoms[scope, group])
        return [
            _Cell(scope, group, name, kind, metric(d, inside), over)
            for name, (metric, kind) in METRICS.items()
            if scope != "format" or name not in NOT_BY_FORMAT
        ]

    overall = breakdown("all", "")
    # Departments and levels of last quarter's people too, for retention; formats only in a
    # quarter where anyone met in a circle, else they would repeat the overall figures.
    people = dict.fromkeys(BREAKDOWNS[:2], d.everyone | d.tables.previously_active)
    if d.in_circles and len(d.tables.cycles) == 1:
        people["format"] = d.everyone
    by_group = [
        cell
        for scope, who in people.items()
        for group in sorted({d.attribute(p, scope) for p in who})
        for cell in breakdown(scope, group)
    ]
    families = {
        name: _Family(
            cells=[c for c in (*overall, *by_group) if c.metric == name],
            people=_by_atom(d, atoms["all", ""], figure.people),
            threshold=min_group,
        )
        for name, figure in ((c.metric, c.figure) for c in overall)
        if name not in OPERATIONAL
    }
    answers = []
    for name, given in _distributions(d).items():
        family = _Family(
            people={metric: frozenset(who) for metric, who in given.items()},
            threshold=_threshold(f"{name}:", min_group),
        )
        family.cells = [
            _Cell(
                "all", "", metric, "count", _Figure(len(who), frozenset(who)), frozenset({metric})
            )
            for metric, who in given.items()
        ]
        answers += family.cells
        # What the answers add up to: the pledges made, which the theme figures must not give
        # away when hidden; everyone, for a purpose driver (a number never hidden).
        if name == "pledge_theme":
            made = next(c for c in overall if c.metric == "pledges_made")
            family.cells.append(replace(made, atoms=frozenset(given)))
        elif name.startswith("purpose_"):
            family.known.append(frozenset(given))
        families[name] = family
    return [*overall, *answers, *by_group], families


def _threshold(metric: str, min_group: int) -> int:
    """How many people a figure must be about: ten for a theme, as for a comment in Glint."""
    return max(min_group, THEME_MIN_GROUP) if metric.startswith("pledge_theme:") else min_group


def _by_atom(d: _Data, atoms: Iterable[Atom], people: Iterable[str]) -> dict[Atom, frozenset[str]]:
    """Who of `people` each atom holds (none, for an atom nobody of them is in)."""
    held: dict[Atom, set[str]] = {atom: set() for atom in atoms}
    for person in people:
        held[d.atom(person)].add(person)
    return {atom: frozenset(who) for atom, who in held.items()}


def _member_of(d: _Data, scope: str, group: str) -> Inside:
    if scope == "all":
        return lambda _: True
    return lambda person: d.attribute(person, scope) == group


def _protect(family: _Family, hidden: dict[Key, Reason]) -> None:
    """Hides the smallest shown figure of any sum the shown ones give that is a hidden figure
    or about fewer people than the family's threshold, until there is none."""
    while shown := next(filter(None, _givers(family, hidden)), None):
        # The overall figure last: of two about the same people, a group's goes first
        smallest = min(shown, key=lambda c: (len(c.figure.people), c.scope == "all", c.key))
        hidden[smallest.key] = Reason.COMPLEMENTARY


def _givers(family: _Family, hidden: dict[Key, Reason]) -> Iterator[list[_Cell]]:
    """For each sum the family's shown figures give away, the shown figures it is made of
    (none when the known totals alone give it: nothing here could hide it)."""
    shown = [c for c in family.cells if c.key not in hidden]
    span = Span(
        [
            *((c.key, sorted(c.atoms)) for c in shown),
            *((("known", "", str(i)), sorted(total)) for i, total in enumerate(family.known)),
        ]
    )
    secrets = (span.gives(sorted(c.atoms)) for c in family.cells if c.key in hidden and c.atoms)
    # A sum that is a figure shown is no secret: it met its own threshold (the pledges made,
    # which all themes add up to, need fewer people than one theme).
    small = (
        given
        for atoms, given in span.small_sums(family.people, family.threshold)
        if not any(c.atoms == atoms for c in shown)
    )
    for given in chain(filter(None, secrets), small):
        yield [c for c in shown if given.get(c.key)]


def _settle(
    cells: Sequence[_Cell], families: dict[str, _Family], hidden: dict[Key, Reason]
) -> None:
    """Rules 2 and 3, until neither hides anything more."""
    while True:
        before = len(hidden)
        for family in families.values():
            _protect(family, hidden)
        for cell in cells:
            source = _DERIVED.get(cell.metric)
            if source and (cell.scope, cell.group, source) in hidden:
                hidden.setdefault(cell.key, Reason.DERIVED)
        scores = families.get("helpfulness")
        if scores and any(c.key in hidden for c in scores.cells):
            hidden.setdefault(("all", "", "helpfulness_mean"), Reason.DERIVED)
        if len(hidden) == before:
            return


@dataclass(frozen=True)
class _PurposeMix:
    """A file's purpose counts: whose, and which drivers it showed and hid."""

    people: frozenset[str]
    shown: frozenset[str]
    hidden: frozenset[str]


def _mix(d: _Data, cells: Sequence[_Cell], hidden: dict[Key, Reason]) -> _PurposeMix:
    metrics = {c.metric: c.key in hidden for c in cells if c.metric.startswith("purpose_")}
    return _PurposeMix(
        d.everyone,
        frozenset(m for m, off in metrics.items() if not off),
        frozenset(m for m, off in metrics.items() if off),
    )


def _gives_profiles_away(mix: _PurposeMix, earlier: Sequence[_PurposeMix], min_group: int) -> bool:
    """Whether `mix`, with the mixes of the year's earlier files, gives a hidden count or the
    drivers of fewer than `min_group` people. People in the same files cannot be told apart:
    each such class, and each driver, is an atom. A file's count of a driver is a sum over its
    classes (a file without the driver shows that none of its people has it), and a class's
    counts of one axis add up to its size, which HR knows: that alone tells nothing."""
    files = [*earlier, mix]
    members: dict[tuple[int, ...], set[str]] = defaultdict(set)
    for person in frozenset().union(*(f.people for f in files)):
        members[tuple(i for i, f in enumerate(files) if person in f.people)].add(person)
    classes = sorted(members)
    for axis in PURPOSE_AXES:
        drivers = sorted(
            {m for f in files for m in f.shown | f.hidden if m.startswith(f"purpose_{axis}:")}
        )

        def count(i: int, driver: str) -> list[tuple[tuple[int, ...], str]]:
            return [(c, driver) for c in classes if i in c]

        sizes = [(c, [(c, d) for d in drivers]) for c in classes]
        shown = [
            ((i, d), count(i, d)) for i, f in enumerate(files) for d in drivers if d not in f.hidden
        ]
        span, known = Span([*sizes, *shown]), Span(sizes)
        hidden = [count(i, d) for i, f in enumerate(files) for d in drivers if d in f.hidden]
        if any(span.gives(over) for over in hidden):
            return True
        people = {(c, d): frozenset(members[c]) for c in classes for d in drivers}
        if any(known.gives(few) is None for few, _ in span.small_sums(people, min_group)):
            return True
    return False


@dataclass(frozen=True)
class _File:
    rows: list[SummaryRow]
    hidden: frozenset[Key]  # the answers' figures it hid that a year to date must hide too
    purpose: _PurposeMix


def _file(
    tables: Tables,
    min_group: int,
    hidden_in_quarters: frozenset[Key],
    earlier: Sequence[_PurposeMix],
) -> _File:
    """One file's rows. `hidden_in_quarters`: what the year's quarter files hid, for a year to
    date; `earlier`: the purpose mixes of the year's files published before it."""
    d = _Data(tables)
    cells, families = _cells(d, min_group)
    hidden = {
        cell.key: Reason.FEW
        for cell in cells
        if cell.metric not in OPERATIONAL
        and len(cell.figure.people) < _threshold(cell.metric, min_group)
    }
    for key in sorted(hidden_in_quarters & {c.key for c in cells}):
        hidden.setdefault(key, Reason.QUARTER)
    _settle(cells, families, hidden)
    mix = _mix(d, cells, hidden)
    if _gives_profiles_away(mix, earlier, min_group):
        for cell in cells:
            if cell.metric.startswith("purpose_"):
                hidden.setdefault(cell.key, Reason.OVERLAP)
        mix = _mix(d, cells, hidden)
    rows = [row for cell in cells if (row := _row(tables.scope, cell, hidden.get(cell.key)))]
    # What a year must hide too: not a figure about nobody in a group, which the rows tell
    answers = frozenset(
        c.key for c in cells if c.key in hidden and c.atoms and not c.metric.startswith("purpose_")
    )
    return _File(rows, answers, mix)


def _row(cycle: str, cell: _Cell, hidden: Reason | None) -> SummaryRow | None:
    """The cell as a row; None for a figure with nothing to measure (an operational one)."""
    scope, group, metric = cell.key
    if hidden is not None:
        return SummaryRow(cycle, scope, group, metric, "", None, SUPPRESSED, hidden)
    value = cell.figure.value
    if value is None:
        return None
    shown = {"count": f"{value:.0f}", "rate": f"{value:.3f}", "mean": f"{value:.2f}"}[cell.kind]
    return SummaryRow(cycle, scope, group, metric, shown, len(cell.figure.people), "")


def summaries(
    quarters: Sequence[Tables], min_group: int
) -> list[tuple[list[SummaryRow], list[SummaryRow]]]:
    """What the year's exports published, one per quarter so far: the quarter's rows and the
    year to date's. `quarters` are the year's quarters, in order, each as gathered."""
    if min_group < MIN_GROUP_FLOOR:
        raise ValueError(f"min_group must be at least {MIN_GROUP_FLOOR}, not {min_group}")
    published = []
    hidden_in_quarters: frozenset[Key] = frozenset()
    mixes: list[_PurposeMix] = []
    for k, tables in enumerate(quarters, start=1):
        quarter = _file(tables, min_group, frozenset(), mixes)
        hidden_in_quarters |= quarter.hidden
        mixes.append(quarter.purpose)
        year = _file(year_to_date(quarters[:k]), min_group, hidden_in_quarters, mixes)
        mixes.append(year.purpose)
        published.append((quarter.rows, year.rows))
    return published
