"""An eligibility request as a FHIR client wrote it: read into the command, answered in FHIR.

The use case (domain/services/eligibility.py) drives it: `read` when the rate limit let the
request through, `render` once decided; it never sees FHIR itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson

from domain.eligibility import CheckEligibility, EligibilityOutcome
from domain.members import PersonIdentifier
from domain.records import Rendered
from domain.reference import ReferenceData
from domain.services.exchanges import Stamp
from fhir_profiles import eligibility_in, eligibility_out
from fhir_profiles.eligibility_in import EligibilityRequestIn


class EligibilityForm:
    """domain.services.exchanges.Form for a CoverageEligibilityRequest (any envelope)."""

    def __init__(self, body: dict[str, Any], *, ref: ReferenceData, requestor_inpe: str) -> None:
        self._body = body
        self._ref = ref
        self._requestor_inpe = requestor_inpe
        self._parsed: EligibilityRequestIn | None = None

    @property
    def parsed(self) -> EligibilityRequestIn:
        """The request as read (read() must have been called)."""
        if self._parsed is None:
            raise RuntimeError("the request has not been read yet")
        return self._parsed

    def read(self, today: date) -> CheckEligibility:
        """The command; a domain error when the request is malformed or breaks a rule."""
        self._parsed = eligibility_in.to_domain(self._body, ref=self._ref, today=today)
        return self._parsed.command

    def render(self, result: EligibilityOutcome, stamp: Stamp) -> Rendered:
        """The CoverageEligibilityResponse, and the request as stored under its own id."""
        parsed = self.parsed
        response = eligibility_out.from_domain(
            parsed,
            result,
            response_id=stamp.response_id,
            request_id=stamp.request_id,
            created=stamp.created,
            requestor_inpe=self._requestor_inpe,
        )
        request = eligibility_out.request_resource(parsed, stamp.request_id)
        return Rendered(
            request_body=orjson.dumps(request),
            response_body=orjson.dumps(response),
            patient_ref=eligibility_in.patient_reference(parsed),
        )

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The patient identifiers the request carried."""
        return self.parsed.command.identifiers
