"""The CapabilityStatement (GET [base]/metadata): what the server does, how to sign in."""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import (
    detected_issue,
    payment_conformance,
    publication,
    r4,
    review_conformance,
    subscription_conformance,
    systems,
)

Json = dict[str, Any]
CONFORMANCE_TYPES: Final = (
    "StructureDefinition",
    "CodeSystem",
    "ValueSet",
    "NamingSystem",
    "OperationDefinition",
    "ConceptMap",
)


def capability_statement(base_url: str, *, software_version: str, token_url: str) -> Json:
    """The R4 CapabilityStatement of this server instance."""
    return {
        "resourceType": "CapabilityStatement",
        "id": "amo-gateway",
        "url": f"{base_url.rstrip('/')}/metadata",
        "version": software_version,
        "name": "AmoTiersPayantGateway",
        "title": "Passerelle AMO tiers payant",
        "status": "active",
        "experimental": False,
        "date": publication.DATE,
        "publisher": publication.PUBLISHER,
        "jurisdiction": publication.JURISDICTION,
        "kind": "instance",
        "software": {"name": "amo-gateway", "version": software_version},
        "implementation": {
            "description": "Passerelle FHIR R4 entre professionnels de santé et organismes AMO",
            "url": base_url,
        },
        "fhirVersion": r4.FHIR_VERSION,
        "format": [r4.MEDIA_TYPE, "json"],
        "rest": [_rest(token_url)],
    }


def _rest(token_url: str) -> Json:
    """The server's RESTful interface, secured by SMART Backend Services."""
    return {
        "mode": "server",
        "security": _security(token_url),
        "operation": [
            {
                "name": "process-message",
                "definition": "http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message",
                "documentation": "Traite un Bundle « message » (NPHIES) dont le MessageHeader "
                "désigne une CoverageEligibilityRequest ; répond par un message dont le "
                "MessageHeader.response cite la demande.",
            }
        ],
        "resource": [
            _eligibility_request(),
            _eligibility_response(),
            _claim(),
            _claim_response(),
            subscription_conformance.capability_resource(),
            _communication_request(),
            _communication(),
            detected_issue.capability_resource(),
            *payment_conformance.capability_resources(),
            *(_conformance_resource(kind) for kind in CONFORMANCE_TYPES),
        ],
    }


def _security(token_url: str) -> Json:
    """SMART-on-FHIR security with the token endpoint (oauth-uris extension)."""
    return {
        "extension": [
            {
                "url": systems.HL7_OAUTH_URIS,
                "extension": [{"url": "token", "valueUri": token_url}],
            }
        ],
        "cors": False,
        "service": [
            {
                "coding": [{"system": systems.HL7_RESTFUL_SECURITY, "code": "SMART-on-FHIR"}],
                "text": "OAuth2 client credentials, assertion private_key_jwt (SMART Backend "
                "Services)",
            }
        ],
    }


def _interactions(*codes: str) -> list[Json]:
    """Interaction entries of a resource."""
    return [{"code": code} for code in codes]


def _eligibility_request() -> Json:
    """CoverageEligibilityRequest: submitted (create or $submit) and read back."""
    return {
        "type": "CoverageEligibilityRequest",
        "profile": systems.SD_ELIGIBILITY_REQUEST,
        "supportedProfile": [systems.SD_ELIGIBILITY_REQUEST],
        "interaction": _interactions("create", "read"),
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "operation": [
            {
                "name": "submit",
                "definition": systems.OD_ELIGIBILITY_SUBMIT,
                "documentation": "Soumet une demande, seule ou dans un Bundle collection, "
                "document ou message ; répond par la CoverageEligibilityResponse.",
            }
        ],
    }


def _eligibility_response() -> Json:
    """CoverageEligibilityResponse: read and searched by the provider that asked."""
    return {
        "type": "CoverageEligibilityResponse",
        "supportedProfile": [systems.SD_ELIGIBILITY_RESPONSE],
        "interaction": _interactions("read", "search-type"),
        "versioning": "no-version",
        "searchParam": [
            _param(
                "patient",
                "reference",
                "Patient (référence telle qu'écrite dans la demande) ;"
                " patient:identifier=système|valeur pour un identifiant publié",
            ),
            _param("created", "date", "Date de création de la réponse (ge, gt, le, lt, eq)"),
            _param("request", "reference", "CoverageEligibilityRequest/[id] de la demande"),
            _param("_count", "number", "Nombre de réponses par page"),
        ],
    }


def _claim() -> Json:
    """Claim (use preauthorization): submitted (create or $submit) and read back."""
    return {
        "type": "Claim",
        "profile": systems.SD_CLAIM,
        "supportedProfile": [systems.SD_CLAIM],
        "interaction": _interactions("create", "read", "search-type"),
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
        "searchParam": _claim_search("Claim"),
        "operation": [
            {
                "name": "submit",
                "definition": "http://hl7.org/fhir/OperationDefinition/Claim-submit",
                "documentation": "Soumet une demande de prise en charge (use = "
                "preauthorization), une facture (claim) ou une vérification au comptoir "
                "(predetermination), seule ou dans un Bundle collection, document ou message ; "
                "répond par la ClaimResponse.",
            }
        ],
    }


def _claim_response() -> Json:
    """ClaimResponse: read and searched by the provider that asked."""
    kind = "ClaimResponse"
    return {
        "type": kind,
        "supportedProfile": [systems.SD_CLAIM_RESPONSE],
        "interaction": _interactions("read", "search-type"),
        "versioning": "no-version",
        "searchParam": _claim_search(kind),
        "operation": review_conformance.claim_response_operations(),
    }


def _claim_search(kind: str) -> list[Json]:
    """The search parameters of a provider's prises en charge (Claim and ClaimResponse)."""
    return [
        _param(
            "patient",
            "reference",
            "Patient (référence telle qu'écrite dans la demande) ;"
            " patient:identifier=système|valeur pour un identifiant publié",
            kind,
        ),
        _param("created", "date", "Date de la demande (ge, gt, le, lt, eq)", kind),
        _param("request", "reference", "Claim/[id] de la demande", kind),
        {
            "name": "status",
            "type": "token",
            "documentation": "État de la prise en charge : requested, info-requested, granted, "
            "partial, refused, consumed, expired, cancelled (plusieurs séparés par des virgules)",
        },
        {
            "name": "outcome",
            "type": "token",
            "documentation": "queued (en attente du payeur) ou complete (décidée)",
        },
        {
            "name": "preauthref",
            "type": "token",
            "documentation": "La référence de prise en charge (ClaimResponse.preAuthRef)",
        },
        _param("_count", "number", "Nombre de réponses par page", kind),
    ]


def _communication_request() -> Json:
    """CommunicationRequest: a payer's request for information on a prise en charge, read
    by the provider it is addressed to (the payer's reviewer creates it with
    ClaimResponse/[id]/$request-information)."""
    return {
        "type": "CommunicationRequest",
        "interaction": _interactions("read", "search-type"),
        "versioning": "no-version",
        "searchParam": [
            _about("Claim/[id] ou ClaimResponse/[id] de la prise en charge"),
        ],
    }


def _communication() -> Json:
    """Communication: a provider's answer to a request for information, with its documents;
    read by the payer's reviewer."""
    kind = "Communication"
    return {
        "type": kind,
        "interaction": _interactions("create", "read", "search-type"),
        "versioning": "no-version",
        "searchParam": [
            _about("ClaimResponse/[id] de la prise en charge"),
            _param("based-on", "reference", "CommunicationRequest/[id] auquel elle répond", kind),
        ],
    }


def _about(documentation: str) -> Json:
    """`about`, a search parameter of ours: R4 defines none on the element."""
    return {"name": "about", "type": "reference", "documentation": documentation}


def _param(
    name: str, kind: str, documentation: str, resource: str = "CoverageEligibilityResponse"
) -> Json:
    """A search parameter of a resource, defined by HL7 unless it is a common one (_x)."""
    param = {"name": name, "type": kind, "documentation": documentation}
    if not name.startswith("_"):
        param["definition"] = f"http://hl7.org/fhir/SearchParameter/{resource}-{name}"
    return param


def _conformance_resource(kind: str) -> Json:
    """Our published profiles and terminology: read and listed."""
    return {
        "type": kind,
        "interaction": _interactions("read", "search-type"),
        "searchParam": [_url_param()],
    }


def _url_param() -> Json:
    """The url search parameter of canonical resources."""
    return {"name": "url", "type": "uri"}
