"""OperationOutcome: the body of every non-2xx answer."""

from __future__ import annotations

from typing import Any, Final

from fhir_profiles import messages, systems
from fhir_profiles.messages import pick_language

__all__ = ["operation_outcome", "pick_language"]

SEVERITIES: Final = frozenset({"fatal", "error", "warning", "information"})
# FHIR R4 issue-type (http://hl7.org/fhir/issue-type), a required binding.
ISSUE_TYPES: Final = frozenset(
    {
        "invalid", "structure", "required", "value", "invariant", "security", "login",
        "unknown", "expired", "forbidden", "suppressed", "processing", "not-supported",
        "duplicate", "multiple-matches", "not-found", "deleted", "too-long", "code-invalid",
        "extension", "too-costly", "business-rule", "conflict", "transient", "lock-error",
        "no-store", "exception", "timeout", "incomplete", "throttled", "informational",
    }
)  # fmt: skip


def operation_outcome(
    code: str,
    *,
    lang: str = messages.DEFAULT_LANGUAGE,
    detail: str | None = None,
    expression: str | None = None,
    severity: str = "error",
    issue_type: str = "invalid",
) -> dict[str, Any]:
    """An OperationOutcome with one issue explained by a reason code, in the language asked."""
    if severity not in SEVERITIES or issue_type not in ISSUE_TYPES:
        raise ValueError(f"not an R4 severity/issue-type: {severity!r}/{issue_type!r}")
    issue: dict[str, Any] = {
        "severity": severity,
        "code": issue_type,
        "details": _details(code, lang, detail),
    }
    if expression:
        issue["expression"] = [expression]
    return {"resourceType": "OperationOutcome", "issue": [issue]}


def _details(code: str, lang: str, detail: str | None) -> dict[str, Any]:
    """The issue's details: the reason coding and the text shown to the person at the desk."""
    display = messages.label(code, lang)
    return {
        "coding": [{"system": systems.CS_REASON, "code": code, "display": display}],
        "text": detail or display,
    }
