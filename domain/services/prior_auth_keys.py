"""Prises en charge recorded before they kept their patient's key, keyed afterwards.

Such a prise en charge covers no claim (domain.prior_auth.PriorAuthorization.for_patient):
whose it is cannot be told from its state. The request it answers still names the patient;
the key is what the request would be given today: the member its identifiers find, as the
rights were decided on its date of care (domain.services.prior_auth.request_prior_auth).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.authorization_ports import PatientKey
from domain.errors import DomainError
from domain.members import EligibilityFacts, PersonIdentifier
from domain.records import StoredAuthorization
from domain.reference import ReferenceData
from domain.rules.rights import decide_eligibility

# The patient identifiers a stored request names (a DomainError when it names none).
PatientReader = Callable[[bytes, ReferenceData, date], tuple[PersonIdentifier, ...]]
MemberFinder = Callable[[PersonIdentifier], list[EligibilityFacts]]


def patient_key(
    stored: StoredAuthorization,
    *,
    read: PatientReader,
    find: MemberFinder,
    key: PatientKey,
    ref: ReferenceData,
) -> str:
    """The key of the patient a stored prise en charge was asked for ("" when its request
    no longer finds a member: it stays for no one)."""
    pa = stored.authorization
    day = pa.date_of_care or pa.requested_at.date()
    try:
        identifiers = read(stored.request_body, ref, day)
    except DomainError:
        return ""
    facts = next((found for i in identifiers if (found := find(i))), [])
    member = decide_eligibility(facts, day, ref).member_id
    return key(member) if member else ""
