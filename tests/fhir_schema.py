"""Validation against the official FHIR R4 JSON schema (HL7, CC0), for any test to use."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import orjson
from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match

SCHEMA_PATH = Path(__file__).parent / "fixtures" / "fhir.schema.json"


@cache
def _definitions() -> dict[str, Any]:
    """The schema's definitions, read once per test session."""
    schema: dict[str, Any] = orjson.loads(SCHEMA_PATH.read_bytes())
    return schema["definitions"]  # type: ignore[no-any-return]


@cache
def _validator(resource_type: str) -> Draft6Validator:
    """A validator of one resource type (its definition and everything it refers to)."""
    definitions = _definitions()
    if resource_type not in definitions:
        raise AssertionError(f"{resource_type!r} is not an R4 resource type")
    schema = {"definitions": definitions, "$ref": f"#/definitions/{resource_type}"}
    return Draft6Validator(schema)


def r4_errors(resource: dict[str, Any]) -> list[str]:
    """The schema violations of a resource, as 'path: message' lines (empty when valid)."""
    validator = _validator(str(resource.get("resourceType")))
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
        for e in validator.iter_errors(resource)
    ]


def assert_valid_r4(resource: dict[str, Any]) -> None:
    """Fail with the most relevant error unless the resource is valid FHIR R4 JSON."""
    validator = _validator(str(resource.get("resourceType")))
    error = best_match(validator.iter_errors(resource))
    if error is not None:
        path = "/".join(map(str, error.absolute_path)) or "<root>"
        raise AssertionError(f"not valid FHIR R4 at {path}: {error.message[:500]}")
