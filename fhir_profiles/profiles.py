"""StructureDefinitions of our profiles and extension (differential only), and the
OperationDefinition of $submit."""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import publication, systems
from fhir_profiles.publication import constraint, element, value_set_url

Json = dict[str, Any]
CER: Final = "CoverageEligibilityRequest"
CERESP: Final = "CoverageEligibilityResponse"

# amo-1: the patient is found by an identifier of one of our systems, wherever it is written.
_OUR_IDENTIFIERS: Final = (
    "(patient.identifier | patient.resolve().identifier"
    " | insurance.coverage.resolve().identifier"
    " | insurance.coverage.resolve().beneficiary.identifier"
    " | insurance.coverage.resolve().beneficiary.resolve().identifier)"
    f".where(system in ('{systems.IDCS}' | '{systems.CNSS}' | '{systems.CNOPS}' | '{systems.CIN}'))"
    ".exists()"
)


AMO_1: Final = {
    "key": "amo-1",
    "severity": "error",
    "human": "Le patient porte un identifiant d'un système publié (IDCS, immatriculation "
    "CNSS, affiliation CNOPS, CIN)",
    "expression": _OUR_IDENTIFIERS,
}


def structure_definitions() -> list[Json]:
    """Our two profiles and our extensions (eligibility status, tiers-payant refusal)."""
    return [_request_profile(), _response_profile(), _status_extension(), _refusal_extension()]


def operation_definitions() -> list[Json]:
    """The $submit operation on CoverageEligibilityRequest."""
    return [_submit_operation()]


def _request_profile() -> Json:
    """The eligibility request we accept."""
    sd = constraint(
        "amo-coverageeligibilityrequest", systems.SD_ELIGIBILITY_REQUEST,
        "AmoCoverageEligibilityRequest", "Demande d'éligibilité AMO", "resource", CER,
    )  # fmt: skip
    sd["description"] = (
        "Demande d'éligibilité adressée à la passerelle AMO : seule, ou dans un Bundle de type "
        "collection, document (Composition en tête) ou message (MessageHeader en tête, dont le "
        "focus la désigne) avec le Patient, la Coverage et l'Organization qu'elle référence."
    )
    sd["differential"] = {
        "element": [
            element(CER, constraint=[AMO_1]),
            element(f"{CER}.status", patternCode="active", mustSupport=True),
            element(f"{CER}.purpose", mustSupport=True),
            element(f"{CER}.patient", mustSupport=True),
            element(
                f"{CER}.serviced[x]",
                mustSupport=True,
                comment="Date des soins ; à défaut, la date du jour.",
            ),
            element(f"{CER}.created", mustSupport=True),
            element(f"{CER}.insurer", mustSupport=True),
            element(
                f"{CER}.item.category",
                mustSupport=True,
                binding={"strength": "extensible", "valueSet": value_set_url("care-category")},
                comment="Les codes d'autres systèmes (HL7 ex-benefitcategory, X12, NPHIES, "
                f"SNOMED CT) sont rapprochés par la ConceptMap {systems.BASE}/ConceptMap/"
                "care-category ; une catégorie sans correspondance reçoit les prestations "
                "générales du régime et un avertissement.",
            ),
            element(f"{CER}.item.productOrService", mustSupport=True),
            element(
                f"{CER}.item.diagnosis.diagnosis[x]",
                comment="Une ALD/ALC du CodeSystem "
                f"{systems.CS_ALD} déclare les soins liés à cette affection.",
            ),
        ]
    }
    return sd


def _response_profile() -> Json:
    """The eligibility response we send."""
    sd = constraint(
        "amo-coverageeligibilityresponse", systems.SD_ELIGIBILITY_RESPONSE,
        "AmoCoverageEligibilityResponse", "Réponse d'éligibilité AMO", "resource", CERESP,
    )  # fmt: skip
    sd["description"] = "Réponse de la passerelle AMO : droits, régime, payeur et taux."
    ext = f"{CERESP}.insurance.extension"
    sd["differential"] = {
        "element": [
            element(
                f"{CERESP}.extension",
                slicing={"discriminator": [{"type": "value", "path": "url"}], "rules": "open"},
            ),
            element(
                f"{CERESP}.extension",
                sliceName="tiersPayantRefusal",
                max="*",
                type=[{"code": "Extension", "profile": [systems.EXT_TIERS_PAYANT]}],
            ),
            element(f"{CERESP}.insurer", mustSupport=True),
            element(
                ext, slicing={"discriminator": [{"type": "value", "path": "url"}], "rules": "open"}
            ),
            element(
                ext,
                sliceName="eligibilityStatus",
                min=1,
                max="1",
                type=[{"code": "Extension", "profile": [systems.EXT_ELIGIBILITY_STATUS]}],
            ),
            element(
                f"{CERESP}.insurance.item.category",
                binding={"strength": "extensible", "valueSet": value_set_url("care-category")},
            ),
            element(
                f"{CERESP}.insurance.item.benefit.type",
                binding={"strength": "extensible", "valueSet": value_set_url("benefit-type")},
            ),
            element(
                f"{CERESP}.error.code",
                binding={"strength": "extensible", "valueSet": value_set_url("reason")},
            ),
        ]
    }
    return sd


def _status_extension() -> Json:
    """The extension carrying our eligibility status on CoverageEligibilityResponse.insurance."""
    sd = constraint(
        "eligibility-status", systems.EXT_ELIGIBILITY_STATUS, "EligibilityStatus",
        "Statut d'éligibilité AMO", "complex-type", "Extension",
    )  # fmt: skip
    sd["description"] = "Statut d'éligibilité AMO détaillé (stage, suspension, maintien, ...)."
    sd["context"] = [{"type": "element", "expression": f"{CERESP}.insurance"}]
    sd["differential"] = {
        "element": [
            element("Extension", max="1"),
            element("Extension.extension", max="0"),
            element("Extension.url", fixedUri=systems.EXT_ELIGIBILITY_STATUS),
            element(
                "Extension.value[x]",
                min=1,
                type=[{"code": "Coding"}],
                binding={"strength": "required", "valueSet": value_set_url("eligibility-status")},
            ),
        ]
    }
    return sd


def _refusal_extension() -> Json:
    """Why the requesting provider cannot bill the answer's payer in tiers payant."""
    sd = constraint(
        "tiers-payant-refusal", systems.EXT_TIERS_PAYANT, "TiersPayantRefusal",
        "Tiers payant refusé au prestataire", "complex-type", "Extension",
    )  # fmt: skip
    sd["description"] = (
        "Le prestataire demandeur ne peut facturer l'organisme payeur de la réponse en tiers "
        "payant : il n'est pas admis auprès de cet organisme, ou sa convention est suspendue "
        "ou résiliée. Les droits du patient sont donnés quand même."
    )
    sd["context"] = [{"type": "element", "expression": CERESP}]
    sd["differential"] = {
        "element": [
            element("Extension.extension", max="0"),
            element("Extension.url", fixedUri=systems.EXT_TIERS_PAYANT),
            element(
                "Extension.value[x]",
                min=1,
                type=[{"code": "Coding"}],
                binding={"strength": "required", "valueSet": value_set_url("reason")},
            ),
        ]
    }
    return sd


def _submit_operation() -> Json:
    """$submit: one CoverageEligibilityRequest in, its CoverageEligibilityResponse out."""
    od = publication.header(
        "OperationDefinition", f"{CER}-submit", systems.OD_ELIGIBILITY_SUBMIT,
        "CoverageEligibilityRequestSubmit", "Soumettre une demande d'éligibilité AMO",
    )  # fmt: skip
    od |= {
        "kind": "operation",
        "description": "Soumet une demande d'éligibilité à la passerelle AMO, qui la décide, "
        "l'enregistre et répond par la CoverageEligibilityResponse (HTTP 200).",
        "affectsState": True,
        "code": "submit",
        "comment": "Le corps de la requête est la ressource elle-même, sans Parameters : "
        "l'opération n'a qu'un paramètre d'entrée, de type ressource.",
        "resource": [CER],
        "system": False,
        "type": True,
        "instance": False,
        "parameter": [
            _parameter(
                "resource",
                "in",
                "Resource",
                "La demande : une CoverageEligibilityRequest conforme au profil "
                f"{systems.SD_ELIGIBILITY_REQUEST}, ou un Bundle de type collection, document "
                "ou message qui en porte une seule, avec le Patient, la Coverage et "
                "l'Organization qu'elle référence.",
            ),
            _parameter(
                "return",
                "out",
                CERESP,
                "La réponse, conforme au profil "
                f"{systems.SD_ELIGIBILITY_RESPONSE} : droits, régime, payeur et taux.",
            ),
        ],
    }
    return od


def _parameter(name: str, use: str, kind: str, documentation: str) -> Json:
    """A parameter of an operation, required exactly once."""
    return {
        "name": name,
        "use": use,
        "min": 1,
        "max": "1",
        "documentation": documentation,
        "type": kind,
    }
