"""The prior-authorization use case (prise en charge): the pipeline's second exchange.

Its own step is the decision: the person's rights on the date of care, then what the rules
can decide at once (domain.rules.prior_auth); what they cannot is queued for the payer's
medical reviewer with the deadline of its kind. The prise en charge is stored with the
exchange, and the notification its decision causes goes to the outbox in the same write.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from domain.eligibility import EligibilityStatus
from domain.members import PersonIdentifier
from domain.prior_auth import PriorAuthorization
from domain.rules.prior_auth import PaRequest
from domain.services.exchanges import Exchange, Stamp

PRIOR_AUTH = Exchange(kind="preauthorization", request_type="Claim", response_type="ClaimResponse")


@dataclass(frozen=True, slots=True)
class RequestPriorAuth:
    """Command: ask the payer's prise en charge for a person's care."""

    identifiers: tuple[PersonIdentifier, ...]
    request: PaRequest
    # Items coded in a system the payer does not read: answered each with a coded reason,
    # never part of what is granted.
    foreign: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PaOutcome:
    """The decision on a request: the prise en charge as it now stands.

    Its id and request instant are those of the exchange's stamp (`stamped`)."""

    authorization: PriorAuthorization
    rights: EligibilityStatus

    @property
    def status(self) -> str:
        """Kept with the exchange's record, for statistics and searches."""
        return self.authorization.status.value

    def stamped(self, stamp: Stamp) -> PriorAuthorization:
        """The prise en charge under the id and instant the exchange is recorded with."""
        return replace(self.authorization, id=stamp.response_id, requested_at=stamp.created)
