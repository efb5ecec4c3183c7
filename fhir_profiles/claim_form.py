"""A prior authorization request as a FHIR client wrote it: read into the command, answered in
FHIR, and answered again when the prise en charge changes later.

The use case (domain/services/prior_auth.py) drives it: `read` when the rate limit let the
request through, `render` once decided; `rerender` rebuilds the ClaimResponse from the stored
Claim after a reviewer's decision, a cancel or an expiry, in the language the stored Claim
records (the one the request asked). None of them sees FHIR itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import orjson

from domain.members import PersonIdentifier
from domain.prior_auth import PriorAuthorization
from domain.records import Rendered
from domain.reference import ReferenceData
from domain.services.exchanges import Stamp
from domain.services.prior_auth import PaOutcome, RequestPriorAuth
from fhir_profiles import attachments, bundle, claim_in, claim_out, patients, wording
from fhir_profiles.claim_in import ClaimRequestIn


class PriorAuthForm:
    """domain.services.exchanges.Form for a Claim with use preauthorization (any envelope)."""

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
        self._parsed: ClaimRequestIn | None = None

    @property
    def parsed(self) -> ClaimRequestIn:
        """The request as read (read() must have been called)."""
        if self._parsed is None:
            raise RuntimeError("the request has not been read yet")
        return self._parsed

    def read(self, today: date) -> RequestPriorAuth:
        """The command; a domain error when the request is malformed or breaks a rule."""
        self._parsed = claim_in.to_domain(self._body, ref=self._ref, today=today)
        attachments.check_supporting_documents(
            self._parsed.resource, max_bytes=self._max_attachment_bytes
        )
        return self._parsed.command

    def render(self, result: PaOutcome, stamp: Stamp) -> Rendered:
        """The ClaimResponse, and the Claim as stored under its own id."""
        parsed = self.parsed
        request = claim_out.request_resource(
            parsed, stamp.request_id, self._requestor_inpe, self._language
        )
        response = claim_out.from_domain(request, result.stamped(stamp), created=stamp.created)
        return Rendered(
            request_body=orjson.dumps(request),
            response_body=orjson.dumps(response),
            patient_ref=claim_in.patient_reference(parsed),
        )

    def identifiers(self) -> tuple[PersonIdentifier, ...]:
        """The patient identifiers the request carried."""
        return self.parsed.command.identifiers


def rerender(request_body: bytes, authorization: PriorAuthorization, at: datetime) -> bytes:
    """The ClaimResponse of a stored Claim for the prise en charge as it now stands, created
    `at` the change that calls for it (a domain.authorization_ports.AnswerRenderer)."""
    claim = orjson.loads(request_body)
    return orjson.dumps(claim_out.from_domain(claim, authorization, created=at))


def stored_patient(
    request_body: bytes, ref: ReferenceData, day: date
) -> tuple[PersonIdentifier, ...]:
    """The patient identifiers a stored Claim still names, its first one first (the one its
    patient reference keeps); a domain error when it names none of our systems'."""
    claim = orjson.loads(request_body)
    contained = bundle.contained_by_id(claim, "Claim")
    return patients.identifiers(claim, patients.Context(bundle.Resources(), contained, ref, day))
