"""Consumption far from one's peers: the payers' "data-mining" of providers and insured people.

A profile is one subject's figures over a period (a facility's caesarean rate, a pharmacy's
costly-drug amount per patient, an insured person's number of dispensings). Each figure is
compared with the same figure of the subject's peers (same provider category, same age band)
by a robust score that a few extreme peers cannot drag:

    score = 0.6745 × (value − median of peers) / median absolute deviation of peers

A subject is flagged on a figure when its score reaches the threshold, among enough peers to
say anything. When the peers' figures hardly vary (deviation zero), a value above the median
by the given relative excess is flagged instead. Only what is ABOVE the peers is flagged: an
unusually careful prescriber is not a signal. Thresholds are data (DOMAIN.md, "Claims and
deadlines": caesarean rate of a facility far above its peers); a flag is a reason for a
reviewer to look, never a decision, and never shown to the provider.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from statistics import median

# The consistency constant of the median absolute deviation for normal data: with it, the
# robust score reads like a z-score.
MAD_SCALE = Decimal("0.6745")


@dataclass(frozen=True, slots=True)
class Profile:
    """One subject's figures over a period, and the group it is compared with."""

    subject: str  # a provider id, or an insured person's blind index
    peer_group: str  # e.g. "clinic", "pharmacy", "adult-40-59"
    figures: dict[str, Decimal]  # figure name -> value


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a figure is far enough above the peers' to be flagged."""

    score: Decimal  # robust score at or above which a figure is flagged (e.g. 3.5)
    min_peers: int  # fewer peers with the figure (the subject included): nothing is said
    relative_excess: Decimal  # when the peers do not vary: flagged above median × (1 + this)


@dataclass(frozen=True, slots=True)
class Flag:
    """A figure of a subject far above its peers', with what the reviewer needs to judge it."""

    subject: str
    figure: str
    value: Decimal
    peer_median: Decimal
    peers: int
    score: Decimal | None  # None: flagged by relative excess (the peers do not vary)
    reason: str = "consommation-atypique"


def flags(profiles: Iterable[Profile], thresholds: Thresholds) -> list[Flag]:
    """Every figure of every subject far above its peers', most extreme first."""
    groups: dict[tuple[str, str], list[tuple[str, Decimal]]] = defaultdict(list)
    for profile in profiles:
        for figure, value in profile.figures.items():
            groups[profile.peer_group, figure].append((profile.subject, value))
    found = [
        flag
        for (_, figure), members in groups.items()
        for flag in _far_above(figure, members, thresholds)
    ]
    return sorted(found, key=_extremity, reverse=True)


def _far_above(
    figure: str, members: list[tuple[str, Decimal]], thresholds: Thresholds
) -> list[Flag]:
    """The members of one peer group far above the group on one figure."""
    if len(members) < thresholds.min_peers:
        return []
    values = [value for _, value in members]
    middle = median(values)
    spread = median(abs(value - middle) for value in values)
    found = []
    for subject, value in members:  # at or below the median, neither test can pass
        if spread == 0:
            if value > middle * (1 + thresholds.relative_excess):
                found.append(Flag(subject, figure, value, middle, len(members), None))
            continue
        score = MAD_SCALE * (value - middle) / spread
        if score >= thresholds.score:
            found.append(Flag(subject, figure, value, middle, len(members), score))
    return found


def _extremity(flag: Flag) -> tuple[bool, Decimal]:
    """Scored flags by score; those of peers who do not vary after them, by their excess."""
    if flag.score is not None:
        return True, flag.score
    return False, flag.value - flag.peer_median
