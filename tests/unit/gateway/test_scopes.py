"""Which requested scopes a client may be granted: only what the gateway enforces."""

from __future__ import annotations

import pytest

from gateway.scopes import allows, grantable, unenforceable

RESPONSES = "system/CoverageEligibilityResponse.rs"


class TestGrantable:
    @pytest.mark.parametrize(
        "restricted",
        [
            f"{RESPONSES}?patient=Patient/123",
            "system/CoverageEligibilityRequest.c?category=pharmacy",
            "system/*.rs?patient=1",
        ],
    )
    def test_a_restricted_scope_is_never_granted(self, restricted: str) -> None:
        assert grantable(restricted) == []
        assert grantable(restricted, ["system/*.cruds"]) == []

    def test_restricted_and_plain_scopes_together_narrow_to_the_plain(self) -> None:
        assert grantable(f"{RESPONSES}?patient=1 {RESPONSES}") == [RESPONSES]

    @pytest.mark.parametrize("wildcard", ["system/*.read", "system/*.rs", "system/*.*"])
    def test_a_wildcard_needs_a_registration(self, wildcard: str) -> None:
        assert grantable(wildcard) == []

    def test_a_registered_wildcard_is_granted(self) -> None:
        assert grantable("system/*.rs", ["system/*.rs"]) == ["system/*.rs"]

    def test_a_registration_bounds_what_is_granted(self) -> None:
        registered = ["system/*.rs"]
        assert grantable("system/*.cruds", registered) == []
        assert grantable("system/CoverageEligibilityRequest.c", registered) == []
        assert grantable("system/CoverageEligibilityResponse.read", registered) == [
            "system/CoverageEligibilityResponse.read"
        ]

    def test_a_registered_type_does_not_open_another(self) -> None:
        registered = ["system/CoverageEligibilityRequest.cr"]
        assert grantable(RESPONSES, registered) == []
        assert grantable("system/CoverageEligibilityRequest.c", registered) == [
            "system/CoverageEligibilityRequest.c"
        ]


class TestAllows:
    def test_a_restricted_scope_allows_nothing(self) -> None:
        assert not allows([f"{RESPONSES}?patient=1"], "CoverageEligibilityResponse", "r")


class TestUnenforceable:
    def test_registration_refuses_what_could_not_be_enforced(self) -> None:
        scopes = ["system/*.rs", f"{RESPONSES}?patient=1", "system/Patient.read", "openid"]
        assert unenforceable(scopes) == scopes[1:]
