"""A claim (Claim.use = claim or predetermination) as a FHIR client wrote it: read into the
request the use case completes, and answered with a ClaimResponse in the language asked."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from domain.claims import ClaimRequest
from domain.members import PersonIdentifier
from domain.records import Rendered
from domain.reference import ReferenceData
from domain.services.claims import ClaimOutcome
from domain.services.exchanges import Stamp
from fhir_profiles import attachments, claim_billing_in, claim_billing_out, systems, wording
from fhir_profiles.claim_billing_in import ClaimIn


class ClaimForm:
    """domain.services.exchanges.Form for a claim (any envelope)."""

    def __init__(
        self,
        body: dict[str, Any],
        *,
        ref: ReferenceData,
        requestor_inpe: str,
        language: str = wording.FRENCH,
        max_attachment_bytes: int = attachments.DEFAULT_MAX_BYTES,
    ) -> None:
        self._body = body
        self._max_attachment_bytes = max_attachment_bytes
        self._ref = ref
        self._requestor_inpe = requestor_inpe
        self._language = language
        self._parsed: ClaimIn | None = None

    @property
    def parsed(self) -> ClaimIn:
        """The claim as read (read() must have been called)."""
        if self._parsed is None:
            raise RuntimeError("the claim has not been read yet")
        return self._parsed

    def read(self, today: date) -> ClaimRequest:
        """The request; a domain error when the claim is malformed or breaks a rule."""
        parsed = self._parsed = claim_billing_in.to_domain(self._body, ref=self._ref, today=today)
        attachments.check_supporting_documents(
            parsed.resource, max_bytes=self._max_attachment_bytes
        )
        return ClaimRequest(
            identifiers=parsed.persons,
            claim_id=parsed.claim_id,
            use=parsed.use,
            claim_type=parsed.claim_type,
            lines=parsed.lines,
            filed_on=parsed.filed_on,
            related_claim=parsed.related_claim,
            foreign=parsed.foreign,
            complementary=parsed.complementary,
        )

    def render(self, result: ClaimOutcome, stamp: Stamp) -> Rendered:
        """The ClaimResponse, and the Claim as stored under its own id."""
        parsed = self.parsed
        response = claim_billing_out.from_domain(
            parsed,
            result.adjudication,
            response_id=stamp.response_id,
            created=stamp.created,
            language=self._language,
            held_until=result.held_until,
            replaces=result.corrects,
        )
        response["request"] = {"reference": f"Claim/{stamp.request_id}"}
        stored = {
            **parsed.resource,
            # The business identifier the claim is paid once under, kept when it was the
            # Claim's own id (which ours replaces).
            "identifier": parsed.resource.get("identifier") or [{"value": parsed.claim_id}],
            "id": stamp.request_id,
            "patient": parsed.patient,
            "provider": {
                "type": "Organization",
                "identifier": {"system": systems.INPE, "value": self._requestor_inpe},
            },
        }
        value = parsed.patient.get("reference")
        return Rendered(
            request_body=orjson.dumps(wording.recorded(stored, self._language)),
            response_body=orjson.dumps(response),
            patient_ref=value if isinstance(value, str) else None,
        )

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The patient identifiers the claim carried."""
        return self.parsed.persons
