"""Anomaly flags as FHIR R4 DetectedIssue, for a payer's reviewers only (never a provider).

Each flag is a DetectedIssue `preliminary` (a reason to look, not a finding), its `code` from
our CodeSystem `anomaly` (the signal reasons and the statistical figures, with French labels),
its `detail` the reason in French. A rule flag implicates the Claim; a statistical flag says
what was measured (value, peers' median, number of peers, score, period) in the extension
`anomaly-measure`. The subject (a provider id, or an insured person's blind index) is in the
extension `anomaly-subject`: neither is a resource the gateway serves.
"""

from __future__ import annotations

from typing import Any, Final

from domain.anomaly_flags import FIGURES, SIGNALS, AnomalyFlag, label
from fhir_profiles import systems

Json = dict[str, Any]
CS_ANOMALY: Final = f"{systems.BASE}/CodeSystem/anomaly"
EXT_SUBJECT: Final = f"{systems.BASE}/StructureDefinition/anomaly-subject"
EXT_MEASURE: Final = f"{systems.BASE}/StructureDefinition/anomaly-measure"
STATUS: Final = "preliminary"


def concepts() -> list[tuple[str, str]]:
    """The codes of the CodeSystem `anomaly`, with their French labels."""
    return [*SIGNALS.items(), *FIGURES.items()]


def render(flag: AnomalyFlag) -> Json:
    """One flag as a DetectedIssue."""
    issue: Json = {
        "resourceType": "DetectedIssue",
        "id": flag.id,
        "extension": [_subject(flag)],
        "status": STATUS,
        "code": {
            "coding": [{"system": CS_ANOMALY, "code": flag.code, "display": label(flag.code)}],
            "text": label(flag.code),
        },
        "severity": "moderate",
        "identifiedDateTime": flag.at.isoformat(),
        "detail": flag.detail,
    }
    if flag.claim_request_id is not None:
        issue["implicated"] = [{"reference": f"Claim/{flag.claim_request_id}"}]
    if flag.figure is not None:
        issue["extension"].append(_measure(flag))
    return issue


def _subject(flag: AnomalyFlag) -> Json:
    return {
        "url": EXT_SUBJECT,
        "extension": [
            {"url": "kind", "valueCode": flag.subject_kind.value},
            {"url": "id", "valueString": flag.subject},
        ],
    }


def _measure(flag: AnomalyFlag) -> Json:
    figure = flag.figure
    assert figure is not None
    parts: list[Json] = [
        {"url": "value", "valueDecimal": float(figure.value)},
        {"url": "peerMedian", "valueDecimal": float(figure.peer_median)},
        {"url": "peers", "valueInteger": figure.peers},
    ]
    if figure.score is not None:
        parts.append({"url": "score", "valueDecimal": float(round(figure.score, 2))})
    parts.append(
        {
            "url": "period",
            "valuePeriod": {
                "start": figure.period_start.isoformat(),
                "end": figure.period_end.isoformat(),
            },
        }
    )
    return {"url": EXT_MEASURE, "extension": parts}


def capability_resource() -> Json:
    """The DetectedIssue entry of the CapabilityStatement."""
    kind = "DetectedIssue"
    return {
        "type": kind,
        "documentation": "Signalements d'anomalies (règles de contrôle et profils de "
        "consommation comparés aux pairs) : réservés au contrôle médical d'un payeur, limités "
        "à son payeur ; jamais montrés aux prestataires.",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "versioning": "no-version",
        "searchParam": [
            {
                "name": "status",
                "type": "token",
                "definition": "http://hl7.org/fhir/SearchParameter/DetectedIssue-status",
                "documentation": "preliminary (tout signalement est une raison d'examiner)",
            },
            {
                "name": "code",
                "type": "token",
                "definition": "http://hl7.org/fhir/SearchParameter/clinical-code",
                "documentation": f"Code du CodeSystem {CS_ANOMALY} (plusieurs séparés par des "
                "virgules)",
            },
            {
                "name": "provider",
                "type": "string",
                "documentation": "Identifiant du prestataire signalé",
            },
            {
                "name": "identified",
                "type": "date",
                "definition": "http://hl7.org/fhir/SearchParameter/DetectedIssue-identified",
                "documentation": "Date du signalement (ge, gt, le, lt, eq)",
            },
            {"name": "_count", "type": "number", "documentation": "Taille de page (1 à 100)"},
            {"name": "_offset", "type": "number", "documentation": "Entrées sautées"},
        ],
    }
