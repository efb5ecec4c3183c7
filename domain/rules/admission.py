"""The provider's own admission to tiers payant, per payer.

A provider bills in tiers payant only the payers it was admitted with, and only while its
convention stands: a suspended or de-conventioned provider bills none. The patient's rights
are decided apart and stated all the same; these reasons tell the provider it cannot bill the
routed payer without the patient advancing the money.
"""

from __future__ import annotations

from domain.eligibility import EligibilityDecision
from domain.records import Admission, Convention

_CONVENTION = {
    Convention.SUSPENDED: "prestataire-suspendu",
    Convention.TERMINATED: "prestataire-deconventionne",
}


def tiers_payant_refusals(
    decision: EligibilityDecision, admission: Admission | None
) -> tuple[str, ...]:
    """Why the provider cannot bill the decision's payer in tiers payant (empty: it can, or
    its admission is not known)."""
    if admission is None:
        return ()
    if admission.convention in _CONVENTION:
        return (_CONVENTION[admission.convention],)
    if decision.payer is not None and decision.payer not in admission.payers:
        return ("prestataire-non-admis",)
    return ()
