"""The program's figures, as HR may see them: one tidy row per figure, every figure about too few
people hidden, and hidden so that no visible figure, in this file or an earlier one, gives it away.

Rates are decimals with three places (`0.812`), means have two (`4.25`), counts are integers.
`n` is the number of people a figure is about (who answered, pledged, took part), not the number
of answers.

**How figures are hidden** (the practice of Glint, Qualtrics, Peakon and Perceptyx, applied to
every file of a year together):

1. *Small groups.* A figure about fewer than `min_group` people (never below 3) is hidden,
   counts as well as rates; pledge theme counts need 10.
2. *Complementary.* The groups of a breakdown (departments, levels, the answers of one question)
   add up to the whole. Where one is hidden, the next smallest is hidden too, and so on until the
   hidden ones are at least two and about at least `min_group` people together: subtracting the
   visible ones from the total then gives only a sum about enough people. The mean helpfulness
   of everyone is hidden when its distribution hides an answer: with the other answers, the
   mean would pin down the hidden counts.
3. *Across a year's files.* Every year-to-date figure except headcounts is a sum of the
   quarters' (pledges, answers, conversations, pairs and quarter-to-quarter retention all belong
   to one quarter), so a year-to-date figure is shown only where that figure was shown in every
   quarter file so far. Then everything a year-to-date file shows can already be had from the
   quarter files, so neither "this quarter's year-to-date minus the last" nor "year-to-date minus
   the quarters" recovers anything hidden. A quarter's rows depend on that quarter alone: they
   never change once published.
4. *Purpose profiles are counted by person*, so two files about almost the same people would
   give away the profiles of those who differ. Like TalentMap's rule, the purpose mix of a file
   is shown only if its people differ from those of every earlier file of the year that showed
   one by none or by at least `min_group` people.

Not protected here: a breakdown shows one attribute at a time, never department by level; a
department's figure counts people in their department of the time the tables were drawn.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from statistics import fmean

from tandem.analytics.tables import ConversationRow, PledgeRow, PulseRow, Tables
from tandem.conversations.feedback import THEMES

MIN_GROUP_FLOOR = 3
THEME_MIN_GROUP = 10
SUPPRESSED = "suppressed"
NOT_RECORDED = "(not recorded)"
NO_THEME = "(none)"
NOT_ANSWERED = "(not answered)"
PURPOSE_AXES = ("who", "why", "how")


@dataclass(frozen=True)
class SummaryRow:
    cycle: str
    scope: str  # all | department | level
    group: str  # "" for all, else the department or level
    metric: str
    value: str  # "" when suppressed
    n: int | None  # people the figure is about; None when suppressed
    note: str  # "suppressed" or ""


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

    def attribute(self, person: str, scope: str) -> str:
        row = self.profiles.get(person)
        value = getattr(row, scope) if row else ""
        return value or NOT_RECORDED


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
    """People in a pair or trio in the period (each counted once in a year)."""
    people = frozenset(p for p in d.everyone if inside(p))
    return _Figure(len(people), people)


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
    """Pledges checked in as done / pledges checked in (published: 0.80 to 0.83)."""
    checked = _checked_in(d.tables.pledges)
    return _share(((p.participant, p.checkin == "done") for p in checked), inside)


def impact_rate(d: _Data, inside: Inside) -> _Figure:
    """Pledges whose impact was yes / pledges checked in as done (published: 0.91)."""
    done = [p for p in d.tables.pledges if p.checkin == "done"]
    return _share(((p.participant, p.impact == "yes") for p in done), inside)


def helpfulness_mean(d: _Data, inside: Inside) -> _Figure:
    """Mean answer to "how helpful was your conversation?" (1-5), over every answer given."""
    return _mean(_helpfulness(d.tables.conversations), inside)


def ongoing_intent_rate(d: _Data, inside: Inside) -> _Figure:
    """Pulse answers "I intend an ongoing relationship with my partner" = yes / answers."""
    answered = [p for p in d.tables.pulses if p.ongoing is not None]
    return _share(((p.participant, p.ongoing == "yes") for p in answered), inside)


def fulfilment_mean(d: _Data, inside: Inside) -> _Figure:
    """Mean end-of-quarter fulfilment (1-5), over every answer given."""
    return _mean(_fulfilment(d.tables.pulses), inside)


def relationships_formed(d: _Data, inside: Inside) -> _Figure:
    """Distinct partner pairs (a trio makes three) whose group held at least one conversation;
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
    """People in a group this quarter among those in a group the quarter before. Over a year:
    the same, summed over each quarter and the one before it."""
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
    for person, score in _helpfulness(d.tables.conversations):
        families["helpfulness"][f"helpfulness:{score}"].append(person)
    for pledge in d.tables.pledges:
        theme = pledge.theme or NO_THEME
        families["pledge_theme"][f"pledge_theme:{theme}"].append(pledge.participant)
    for person in d.everyone:
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


# A figure that can be worked out from a family's cells: hidden when any of them is.
_DERIVED = {("all", "", "helpfulness_mean"): "helpfulness"}


Key = tuple[str, str, str]  # scope, group, metric


@dataclass(frozen=True)
class _Cell:
    scope: str
    group: str
    metric: str
    kind: str  # count | rate | mean
    figure: _Figure

    @property
    def key(self) -> Key:
        return (self.scope, self.group, self.metric)


@dataclass(frozen=True)
class _File:
    rows: list[SummaryRow]
    hidden: frozenset[Key]
    purpose_people: frozenset[str] | None  # whose purpose mix it showed, if it showed one


def _cells(d: _Data) -> tuple[list[_Cell], dict[str, list[_Cell]]]:
    """Every figure of a file in the order of the file, and the families of cells that add up
    to a whole (a breakdown of one metric, the answers of one question)."""
    cells = [
        _Cell("all", "", name, kind, metric(d, lambda _: True))
        for name, (metric, kind) in METRICS.items()
    ]
    families: dict[str, list[_Cell]] = {}
    for family, answers in _distributions(d).items():
        families[family] = [
            _Cell("all", "", metric, "count", _Figure(len(items), frozenset(items)))
            for metric, items in answers.items()
        ]
        cells += families[family]
    for scope in ("department", "level"):
        people = d.everyone | d.tables.previously_active
        for group in sorted({d.attribute(p, scope) for p in people}):
            inside = _member_of(d, scope, group)
            for name, (metric, kind) in METRICS.items():
                cell = _Cell(scope, group, name, kind, metric(d, inside))
                families.setdefault(f"{scope}/{name}", []).append(cell)
                cells.append(cell)
    return cells, families


def _member_of(d: _Data, scope: str, group: str) -> Inside:
    return lambda person: d.attribute(person, scope) == group


def _threshold(cell: _Cell, min_group: int) -> int:
    themed = cell.metric.startswith("pledge_theme:")
    return max(min_group, THEME_MIN_GROUP) if themed else min_group


def _complement(family: list[_Cell], hidden: set[Key], min_group: int) -> None:
    """Hide the smallest visible cells of a family until its hidden ones are at least two and
    about enough people together (or none is hidden)."""
    secret = [c for c in family if c.key in hidden]
    if not secret:
        return
    visible = sorted(
        (c for c in family if c.key not in hidden), key=lambda c: (len(c.figure.people), c.key)
    )
    covered = frozenset().union(*(c.figure.people for c in secret))
    while visible and (len(secret) < 2 or len(covered) < _threshold(family[0], min_group)):
        cell = visible.pop(0)
        hidden.add(cell.key)
        secret.append(cell)
        covered |= cell.figure.people


def _file(
    tables: Tables,
    min_group: int,
    hidden_before: frozenset[Key],
    purpose_shown: Sequence[frozenset[str]],
) -> _File:
    """One file's rows. `hidden_before`: what the year's quarter files hid (for a year to
    date); `purpose_shown`: the people of each earlier file of the year that showed a purpose
    mix."""
    d = _Data(tables)
    cells, families = _cells(d)
    keys = {c.key for c in cells}
    hidden = {c.key for c in cells if len(c.figure.people) < _threshold(c, min_group)}
    hidden |= hidden_before & keys
    if any(0 < len(d.everyone ^ earlier) < min_group for earlier in purpose_shown):
        hidden |= {key for key in keys if key[2].startswith("purpose_")}
    for family in families.values():
        _complement(family, hidden, min_group)
    for key, family_name in _DERIVED.items():
        if any(c.key in hidden for c in families.get(family_name, ())):
            hidden.add(key)
    rows = [_row(tables.scope, c, c.key in hidden) for c in cells]
    shows_purpose = any(r.metric.startswith("purpose_") and not r.note for r in rows)
    return _File(rows, frozenset(hidden), d.everyone if shows_purpose else None)


def _row(cycle: str, cell: _Cell, hidden: bool) -> SummaryRow:
    value = cell.figure.value
    if hidden or value is None:
        return SummaryRow(cycle, cell.scope, cell.group, cell.metric, "", None, SUPPRESSED)
    shown = {"count": f"{value:.0f}", "rate": f"{value:.3f}", "mean": f"{value:.2f}"}[cell.kind]
    people = len(cell.figure.people)
    return SummaryRow(cycle, cell.scope, cell.group, cell.metric, shown, people, "")


def summaries(
    quarters: Sequence[Tables], year: Tables, min_group: int
) -> tuple[list[SummaryRow], list[SummaryRow]]:
    """The last quarter's rows and the year-to-date rows. `quarters` are the year's quarters so
    far, in order, each as its own export drew it; `year` is the year to date."""
    if min_group < MIN_GROUP_FLOOR:
        raise ValueError(f"min_group must be at least {MIN_GROUP_FLOOR}, not {min_group}")
    cycles = tuple(q.scope for q in quarters)
    if not quarters or year.cycles != cycles:
        raise ValueError(f"the year covers {year.cycles}, the quarters given are {cycles}")
    hidden: frozenset[Key] = frozenset()
    shown: list[frozenset[str]] = []
    so_far: frozenset[str] = frozenset()
    files = []
    for quarter in quarters:
        if so_far:  # the year to date published with the quarter before: assume it showed
            shown.append(so_far)
        files.append(_file(quarter, min_group, frozenset(), shown))
        hidden |= files[-1].hidden
        if (people := files[-1].purpose_people) is not None:
            shown.append(people)
        so_far |= _Data(quarter).everyone
    return files[-1].rows, _file(year, min_group, hidden, shown).rows
