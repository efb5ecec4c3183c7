"""Anomaly flags for a payer's reviewers: a reason to look at a claim, a provider or an insured
person, never a decision and never shown to a provider (DOMAIN.md, fraud signals).

Two kinds. A rule flag comes from a claim whose line was refused or reduced for a signal
reason (the same prescription served twice, a refill too early, ...): it is stored in the
write that records the claim, and names it. A statistical flag comes from the profiles of
consumption (domain.rules.anomalies): one current flag per payer, subject and figure, replaced
by the next run of the profiling job.

Which refusal reasons are signals is declared here, once (`SIGNALS`), with the French label
the reviewers read; the statistical figures likewise (`FIGURES`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from domain.claims import Adjudication, ClaimUse, SubmitClaim

# The line refusal and reduction reasons (domain.rules.adjudication) that are fraud signals.
SIGNALS: Final[Mapping[str, str]] = {
    "doublon": "Acte déjà facturé pour ce patient, ce jour, par ce prestataire",
    "ordonnance-deja-servie": "Ordonnance déjà servie par un autre prestataire",
    "renouvellement-premature": "Renouvellement avant la fin du traitement déjà délivré",
    "quantite-au-dela-prescription": "Quantité facturée au-delà de la prescription",
    "depassement-tarif": "Facturation au-dessus du tarif de référence",
    "plafond-atteint": "Plafond de prise en charge atteint",
}

# The statistical figures of a profile (adapters compute them; domain.rules.anomalies scores
# them against the peers).
FIGURES: Final[Mapping[str, str]] = {
    "ro-par-patient": "Montant AMO par patient distinct, au-dessus des pairs",
    "lignes-par-patient": "Lignes facturées par patient distinct, au-dessus des pairs",
    "delivrances-par-assure": "Délivrances de médicaments de l'assuré, au-dessus de la population",
    "pharmacies-par-assure": "Pharmacies distinctes fréquentées par l'assuré, au-dessus de la "
    "population",
}


def label(code: str) -> str:
    """The French label of a flag's code."""
    return SIGNALS.get(code) or FIGURES.get(code) or code


class FlagKind(StrEnum):
    RULE = "rule"  # a claim's line refused or reduced for a signal reason
    STATISTICAL = "statistical"  # a figure of a profile far above the peers'


class SubjectKind(StrEnum):
    PROVIDER = "provider"
    INSURED = "insured"  # named by a blind index only


@dataclass(frozen=True, slots=True)
class Figure:
    """What a statistical flag measured: the value, the peers' median, the score (None: the
    peers do not vary) and the period."""

    value: Decimal
    peer_median: Decimal
    peers: int
    score: Decimal | None
    period_start: date
    period_end: date  # inclusive


@dataclass(frozen=True, slots=True)
class AnomalyFlag:
    """A reason for a payer's reviewer to look."""

    id: str
    payer: str
    kind: FlagKind
    code: str  # a SIGNALS reason or a FIGURES figure
    subject_kind: SubjectKind
    subject: str  # a provider id, or an insured person's blind index
    at: datetime
    claim_source: str | None = None  # a rule flag: the claim (provider:business id)
    claim_request_id: str | None = None  # ... and the Claim's id as the gateway stored it
    sequence: int | None = None  # ... and its line
    figure: Figure | None = None  # a statistical flag's measure

    @property
    def detail(self) -> str:
        """The reason, in French."""
        text = label(self.code)
        if self.sequence is not None:
            return f"{text} (ligne {self.sequence})"
        return text


@dataclass(frozen=True, slots=True)
class FlagQuery:
    """A reviewer's search over its payer's flags (all optional but payer)."""

    payer: str
    codes: tuple[str, ...] = ()
    provider: str | None = None  # flags whose subject is this provider
    at_from: datetime | None = None  # inclusive
    at_to: datetime | None = None  # exclusive
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class Period:
    """Days of service, both inclusive."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class ProviderFigures:
    """A provider's lines for one payer over the period."""

    provider_id: str
    category: str
    benefit_centimes: int
    lines: int
    patients: int


@dataclass(frozen=True, slots=True)
class InsuredFigures:
    """An insured person's (blind index) pharmacy dispensings for one payer over the period."""

    member_index: str
    dispensings: int  # distinct claims at pharmacies
    pharmacies: int  # distinct pharmacies


def _id(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def rule_flags(
    cmd: SubmitClaim, adjudication: Adjudication, *, request_id: str, response_id: str,
    at: datetime,
) -> tuple[AnomalyFlag, ...]:  # fmt: skip
    """The flags of a claim's lines refused or reduced for a signal reason (a claim only; a
    predetermination is an estimate). Their ids derive from the exchange: each recorded
    answer flags once."""
    if cmd.use is not ClaimUse.CLAIM or not cmd.payer:
        return ()
    source = f"{cmd.provider_id}:{cmd.claim_id}"
    return tuple(
        AnomalyFlag(
            id=_id("rule", response_id, str(result.sequence), reason),
            payer=cmd.payer,
            kind=FlagKind.RULE,
            code=reason,
            subject_kind=SubjectKind.PROVIDER,
            subject=cmd.provider_id,
            at=at,
            claim_source=source,
            claim_request_id=request_id,
            sequence=result.sequence,
        )
        for result in adjudication.lines
        for reason in result.reasons
        if reason in SIGNALS
    )


def statistical_id(payer: str, subject_kind: SubjectKind, subject: str, figure: str) -> str:
    """One current flag per payer, subject and figure: a rerun replaces it."""
    return _id("statistical", payer, subject_kind.value, subject, figure)
