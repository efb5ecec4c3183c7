"""The human text of the ClaimResponses, in one language: what to do next, the states of a prise
en charge, the dispositions. French is the reference (`fhir_profiles.wording_fr`); Arabic and
English translate it (`wording_ar`, `wording_en`); `fhir_profiles.messages.wording` picks one.

A request is answered in the language its `Accept-Language` asks (fr, ar, en; French when none
of ours). The stored Claim records it in our extension `answer-language` when it is not French,
so that every later rendering of a prise en charge (a decision, a use, an expiry) speaks it too,
and a replay under the same Idempotency-Key gives the answer as first written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from domain.prior_auth import PaStatus
from fhir_profiles import systems

Json = dict[str, Any]
FRENCH: Final = "fr"
LANGUAGES: Final = ("fr", "ar", "en")


@dataclass(frozen=True, slots=True)
class Wording:
    """Every sentence an answer is made of, in one language. Templates take their values by
    name: {deadline}, {valid_until}, {start}, {end}, {said}, {amount}, {day}."""

    language: str  # its BCP 47 code
    # A prise en charge: what to do about a reason while the payer has not decided, while the
    # reviewer waits for information, whatever the state; an urgent grant to regularise.
    while_pending: Mapping[str, str]
    while_information: Mapping[str, str]
    always: Mapping[str, str]
    provisional: str
    states: Mapping[PaStatus, str]  # what to do given the state
    status_labels: Mapping[PaStatus, str]  # the state, opening the disposition
    provisional_grant: str
    decision_due: str
    valid_between: str
    preauthorization: str  # Claim.type's text when the Claim has none
    # A claim: what to do about a line's reason, and the disposition.
    billing_steps: Mapping[str, str]
    claim: str  # Claim.type's text when the Claim has none
    processed: str
    estimate: str
    ro_share: str
    payment_due: str
    # Punctuation and dates.
    colon: str  # between a statement and what explains it
    semicolon: str  # between reasons
    moment_format: str  # strftime of an instant, in UTC
    day_format: str  # strftime of a day

    def moment(self, value: datetime) -> str:
        """An instant as people read it (UTC when none is said)."""
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime(self.moment_format)

    def day(self, value: date) -> str:
        """A day as people read it."""
        return value.strftime(self.day_format)


def recorded(claim: Json, language: str) -> Json:
    """The stored Claim with the language its answers are written in: our extension when it is
    not French (one the client wrote is replaced: the Accept-Language decides)."""
    written = claim.get("extension")
    others = [e for e in written if not _ours(e)] if isinstance(written, list) else []
    if language != FRENCH:
        others.append({"url": systems.EXT_ANSWER_LANGUAGE, "valueCode": language})
    stored = dict(claim)
    if others:
        stored["extension"] = others
    else:
        stored.pop("extension", None)
    return stored


def language_of(claim: Json) -> str:
    """The language a stored Claim's answers are written in (French unless it says)."""
    written = claim.get("extension")
    for ext in written if isinstance(written, list) else []:
        if _ours(ext):
            code = ext.get("valueCode")
            return code if code in LANGUAGES else FRENCH
    return FRENCH


def _ours(extension: Any) -> bool:
    return isinstance(extension, dict) and extension.get("url") == systems.EXT_ANSWER_LANGUAGE
