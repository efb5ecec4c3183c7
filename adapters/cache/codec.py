"""Eligibility decisions as bytes for a shared cache, decoded back exactly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import orjson

from domain.eligibility import Benefit, Candidate, EligibilityDecision, EligibilityStatus
from domain.members import Role


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)  # exact: "0.70" reads back as Decimal("0.70")
    raise TypeError(f"cannot encode {type(value).__name__}")


def encode_decision(decision: EligibilityDecision) -> bytes:
    """The decision as JSON bytes (orjson of the dataclass, Decimal as text)."""
    return orjson.dumps(decision, default=_default)


def decode_decision(data: bytes) -> EligibilityDecision:
    """The decision encode_decision wrote, equal to the original."""
    raw = orjson.loads(data)
    return EligibilityDecision(
        status=EligibilityStatus(raw["status"]),
        date_of_care=date.fromisoformat(raw["date_of_care"]),
        rules_version=raw["rules_version"],
        scheme=raw["scheme"],
        payer=raw["payer"],
        role=None if raw["role"] is None else Role(raw["role"]),
        member_id=raw["member_id"],
        coverage_start=_day(raw["coverage_start"]),
        coverage_end=_day(raw["coverage_end"]),
        reasons=tuple(raw["reasons"]),
        benefits=tuple(_benefit(item) for item in raw["benefits"]),
        ald_conditions=tuple(raw["ald_conditions"]),
        # Decisions cached before candidates were named have none.
        candidates=tuple(_candidate(item) for item in raw.get("candidates", ())),
    )


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _benefit(raw: dict[str, Any]) -> Benefit:
    return Benefit(
        category=raw["category"],
        rate=Decimal(raw["rate"]),
        base=raw["base"],
        situation=raw["situation"],
        ald_exempt=raw["ald_exempt"],
    )


def _candidate(raw: dict[str, Any]) -> Candidate:
    return Candidate(raw["scheme"], raw["payer"], date.fromisoformat(raw["since"]))
