"""Required bindings of the elements we read: fhir.resources does not check code values."""

from __future__ import annotations

from typing import Final

from domain.errors import UnknownCode

# http://hl7.org/fhir/ValueSet/fm-status
FM_STATUS: Final = frozenset({"active", "cancelled", "draft", "entered-in-error"})
# http://hl7.org/fhir/ValueSet/eligibilityrequest-purpose
ELIGIBILITY_PURPOSE: Final = frozenset({"auth-requirements", "benefits", "discovery", "validation"})
# http://hl7.org/fhir/ValueSet/claim-use
CLAIM_USE: Final = frozenset({"claim", "preauthorization", "predetermination"})
# http://hl7.org/fhir/ValueSet/bundle-type
BUNDLE_TYPE: Final = frozenset(
    {
        "document", "message", "transaction", "transaction-response", "batch",
        "batch-response", "history", "searchset", "collection",
    }
)  # fmt: skip
# http://hl7.org/fhir/ValueSet/identifier-use
IDENTIFIER_USE: Final = frozenset({"usual", "official", "temp", "secondary", "old"})


def check(code: str, allowed: frozenset[str], expression: str) -> str:
    """The code itself when the value set holds it, else UnknownCode at that element."""
    if code not in allowed:
        raise UnknownCode(
            f"Le code « {code[:64]} » n'appartient pas au jeu de valeurs requis "
            f"({', '.join(sorted(allowed))})",
            expression=expression,
        )
    return code
