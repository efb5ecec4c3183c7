"""The one import point for FHIR models.

FHIR on the wire is R4 (4.0.1). fhir.resources ships R4B and R5 but no R4; the resources we
use (financial, terminology, conformance, Bundle, OperationOutcome) have the same structure
in R4 and R4B, so the R4B models stand in for R4. They parse and check resources in tests
and off the hot path only: validating a typical CoverageEligibilityRequest with them costs
200 to 390 µs (about 820 µs for a request Bundle), more than our ~150 µs budget, so incoming
requests are checked by hand (`fhir_profiles.structure`).
"""

from __future__ import annotations

from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.claim import Claim
from fhir.resources.R4B.claimresponse import ClaimResponse
from fhir.resources.R4B.codesystem import CodeSystem
from fhir.resources.R4B.conceptmap import ConceptMap
from fhir.resources.R4B.coverage import Coverage
from fhir.resources.R4B.coverageeligibilityrequest import CoverageEligibilityRequest
from fhir.resources.R4B.coverageeligibilityresponse import CoverageEligibilityResponse
from fhir.resources.R4B.messageheader import MessageHeader
from fhir.resources.R4B.namingsystem import NamingSystem
from fhir.resources.R4B.operationdefinition import OperationDefinition
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.paymentnotice import PaymentNotice
from fhir.resources.R4B.paymentreconciliation import PaymentReconciliation
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.structuredefinition import StructureDefinition
from fhir.resources.R4B.valueset import ValueSet

FHIR_VERSION = "4.0.1"
MEDIA_TYPE = "application/fhir+json"

MODELS: dict[str, Any] = {
    model.__name__: model
    for model in (
        Bundle,
        CapabilityStatement,
        Claim,
        ClaimResponse,
        CodeSystem,
        ConceptMap,
        Coverage,
        CoverageEligibilityRequest,
        CoverageEligibilityResponse,
        MessageHeader,
        NamingSystem,
        OperationDefinition,
        OperationOutcome,
        Organization,
        Patient,
        PaymentNotice,
        PaymentReconciliation,
        Practitioner,
        StructureDefinition,
        ValueSet,
    )
}

__all__ = [
    "FHIR_VERSION",
    "MEDIA_TYPE",
    "MODELS",
    "Bundle",
    "CapabilityStatement",
    "Claim",
    "ClaimResponse",
    "CodeSystem",
    "ConceptMap",
    "Coverage",
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "MessageHeader",
    "NamingSystem",
    "OperationDefinition",
    "OperationOutcome",
    "Organization",
    "Patient",
    "PaymentNotice",
    "PaymentReconciliation",
    "Practitioner",
    "StructureDefinition",
    "ValueSet",
    "parse",
]


def parse(resource: dict[str, Any]) -> Any:
    """Parse a resource with its R4B model (raises pydantic's ValidationError when invalid)."""
    model = MODELS.get(str(resource.get("resourceType")))
    if model is None:
        raise LookupError(f"no model for {resource.get('resourceType')!r}")
    return model.model_validate(resource)
