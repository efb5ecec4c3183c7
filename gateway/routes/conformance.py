"""Conformance: the CapabilityStatement, our profiles and terminology, SMART configuration."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from domain.errors import NotFound
from domain.reference import ReferenceData
from fhir_profiles.conformance import CONFORMANCE_TYPES, capability_statement
from fhir_profiles.terminology import definitions, definitions_bundle
from gateway.deps import ReferenceDep, SettingsDep
from gateway.fhirjson import FHIR_JSON, dumps
from gateway.search import ResourceId, ResourceType

router = APIRouter(prefix="/fhir", tags=["conformance"])
smart = APIRouter(tags=["security"])

DEFINITION_TYPES = CONFORMANCE_TYPES  # what the CapabilityStatement says is read here


@router.get("/metadata")
async def metadata(settings: SettingsDep) -> Response:
    """The CapabilityStatement: what this server does and how to authenticate."""
    body = capability_statement(
        settings.fhir_base, software_version=_version(), token_url=settings.token_url
    )
    return Response(dumps(body), media_type=FHIR_JSON)


@router.get("/{resource_type}/{resource_id}", include_in_schema=True)
async def read_definition(
    resource_type: ResourceType, resource_id: ResourceId, ref: ReferenceDep
) -> Response:
    """One of our published profiles, CodeSystems, ValueSets or NamingSystems or ConceptMaps."""
    found = _definitions(ref).get((resource_type, resource_id))
    if resource_type not in DEFINITION_TYPES or found is None:
        raise NotFound(f"{resource_type}/{resource_id} n'est pas publié ici")
    return Response(dumps(found), media_type=FHIR_JSON)


@router.get("/{resource_type}")
async def list_definitions(
    resource_type: ResourceType, request: Request, ref: ReferenceDep, settings: SettingsDep
) -> Response:
    """All our published resources of one conformance type (url= narrows to one)."""
    if resource_type not in DEFINITION_TYPES:
        raise NotFound(f"Type de ressource non servi : {resource_type}")
    wanted = request.query_params.get("url")
    chosen = [
        r
        for (kind, _), r in _definitions(ref).items()
        if kind == resource_type and (wanted is None or r.get("url") == wanted)
    ]
    base = settings.fhir_base
    return Response(dumps(definitions_bundle(chosen, base)), media_type=FHIR_JSON)


@smart.get("/.well-known/smart-configuration")
@smart.get("/fhir/.well-known/smart-configuration")
async def smart_configuration(settings: SettingsDep) -> Response:
    """SMART App Launch discovery, for backend services (client_credentials)."""
    body = {
        "issuer": settings.public_url,
        "token_endpoint": settings.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS384", "ES384", "RS256", "ES256"],
        "grant_types_supported": ["client_credentials"],
        "scopes_supported": [
            "system/CoverageEligibilityRequest.c",
            "system/CoverageEligibilityRequest.r",
            "system/CoverageEligibilityResponse.rs",
            "system/CoverageEligibilityRequest.write",
            "system/CoverageEligibilityResponse.read",
            "system/Subscription.cruds",
        ],
        "capabilities": ["client-confidential-asymmetric", "permission-v1", "permission-v2"],
    }
    return Response(dumps(body), media_type="application/json")


_PUBLISHED: dict[str, dict[tuple[str, str], dict[str, Any]]] = {}  # by dataset version


def _definitions(ref: ReferenceData) -> dict[tuple[str, str], dict[str, Any]]:
    """What we publish, built once per reference dataset."""
    if ref.version not in _PUBLISHED:
        _PUBLISHED.clear()  # one dataset is in force at a time
        _PUBLISHED[ref.version] = definitions(ref)
    return _PUBLISHED[ref.version]


def _version() -> str:
    from importlib.metadata import version

    return version("amo-gateway")
