"""A valid registry household, as in docs/registry-format.md, for tests to spoil."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

TODAY = date(2026, 3, 2)

_HOUSEHOLD: dict[str, Any] = {
    "household": "H0000001",
    "payer": "CNSS",
    "members": [
        {
            "member_id": "CNSS-123456789",
            "role": "insured",
            "identifiers": {"idcs": "1234567890", "cnss": "123456789", "cin": "bk123456"},
            "family_name": "Alaoui",
            "given_name": "Fatima",
            "birth_date": "1980-03-14",
            "sex": "female",
            "affiliations": [
                {
                    "scheme": "AMO_SALARIES",
                    "start": "2019-01-01",
                    "end": None,
                    "contributions": [
                        {"month": "2026-01", "days": 26},
                        {"month": "2026-02", "days": 24},
                    ],
                    "first_payment": None,
                    "suspended_from": None,
                    "suspended_until": None,
                    "transferred_from": None,
                }
            ],
            "ald": [{"condition": "ALD12", "start": "2024-02-01", "end": None}],
        },
        {
            "member_id": "CNSS-123456789-02",
            "role": "child",
            "insured": "CNSS-123456789",
            "identifiers": {"idcs": "1234567891"},
            "family_name": "Alaoui",
            "given_name": "Youssef",
            "birth_date": "2003-09-01",
            "sex": "male",
            "dependant": {"student_until": "2027-06-30", "married": False, "disabled": False},
            "affiliations": [{"scheme": "AMO_SALARIES", "start": "2019-01-01"}],
            "ald": [],
        },
    ],
}


def valid_household() -> dict[str, Any]:
    """A fresh copy of the household of docs/registry-format.md (tests may change it)."""
    return copy.deepcopy(_HOUSEHOLD)
