"""Client assertions (RFC 7523): dated in the future, another client's id, refusals audited."""

from __future__ import annotations

import time
from typing import Any

import httpx2
import orjson
import pytest
from fastapi.testclient import TestClient
from joserfc.jwk import ECKey
from sqlalchemy import text

from gateway.auth import CLOCK_SKEW_SECONDS
from tests.e2e.support import ASSERTION_TYPE, GatewayState
from tests.e2e.test_auth import assertion

LATER = CLOCK_SKEW_SECONDS + 120  # beyond the leeway


def ask(client: TestClient, signed: str, **form: str) -> httpx2.Response:
    """The token endpoint's answer to an assertion, with extra form fields."""
    body = {
        "grant_type": "client_credentials",
        "scope": "system/CoverageEligibilityRequest.c",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
        **form,
    }
    return client.post("/auth/token", data=body)


class TestAssertionDates:
    def test_nbf_in_the_future_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state, nbf=int(time.time()) + LATER))
        assert answer.status_code == 401
        assert "nbf" in answer.json()["error_description"]

    def test_iat_in_the_future_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state, iat=int(time.time()) + LATER))
        assert answer.status_code == 401
        assert "iat" in answer.json()["error_description"]

    def test_a_date_that_is_no_number_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        assert ask(app_client, assertion(state, iat="maintenant")).status_code == 401

    def test_a_clock_slightly_ahead_is_tolerated(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        ahead = int(time.time()) + CLOCK_SKEW_SECONDS // 2
        answer = ask(app_client, assertion(state, nbf=ahead, iat=ahead))
        assert answer.status_code == 200, answer.text


class TestFormClientId:
    def test_a_client_id_other_than_the_issuer_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state), client_id=state.clinic.client_id)
        assert answer.status_code == 401
        assert answer.json()["error"] == "invalid_client"

    def test_the_issuer_s_own_client_id_is_accepted(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state), client_id=state.pharmacy.client_id)
        assert answer.status_code == 200, answer.text


def token_audit(client: TestClient) -> dict[tuple[str, int], dict[str, Any]]:
    """Every token.issue audit entry, by (stream, seq)."""
    engine = client.app.state.gateway.storage.engine  # type: ignore[attr-defined]
    query = text(
        "SELECT stream, seq, tenant, client_id, outcome, detail, resource FROM audit_event "
        "WHERE action = 'token.issue'"
    )
    with engine.connect() as connection:
        return {
            (row["stream"], row["seq"]): dict(row) for row in connection.execute(query).mappings()
        }


def audited_while(
    client: TestClient, *signed: str, **form: str
) -> tuple[list[int], list[dict[str, Any]]]:
    """The statuses answered to these assertions, and the audit entries they left."""
    before = token_audit(client)
    codes = [ask(client, one, **form).status_code for one in signed]
    after = token_audit(client)
    return codes, [entry for key, entry in after.items() if key not in before]


def assert_no_secret(entries: list[dict[str, Any]], *signed: str) -> None:
    """No entry quotes an assertion, nor any of its three parts."""
    written = repr(entries)
    for one in signed:
        for part in [one, *one.split(".")]:
            assert len(part) < 8 or part not in written


class TestRefusalsAreAudited:
    @pytest.mark.parametrize(
        ("claims", "known"),
        [
            ({"iss": "nobody", "sub": "nobody"}, False),
            ({"exp": int(time.time()) - 5}, True),
            ({"aud": "https://elsewhere.example/token"}, True),
            ({"nbf": int(time.time()) + 3600}, True),
        ],
    )
    def test_a_refused_assertion_leaves_one_entry(
        self, app_client: TestClient, state: GatewayState, claims: dict[str, Any], known: bool
    ) -> None:
        signed = assertion(state, **claims)
        codes, entries = audited_while(app_client, signed)
        assert codes == [401]
        assert [(e["outcome"], e["client_id"]) for e in entries] == [
            (401, state.pharmacy.client_id if known else None)
        ]
        assert entries[0]["detail"].startswith("invalid_client: ")
        assert_no_secret(entries, signed)

    def test_bad_signature_replay_and_garbage_are_audited_without_secrets(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        stranger = ECKey.generate_key("P-384", parameters={"kid": "stolen"})
        forged, replayed = assertion(state, key=stranger), assertion(state)
        codes, entries = audited_while(app_client, forged, replayed, replayed, "not.a.jwt")
        assert codes == [401, 200, 401, 401]
        assert sorted(e["outcome"] for e in entries) == [200, 401, 401, 401]
        assert sum("rejoué" in e["detail"] for e in entries) == 1
        assert_no_secret(entries, forged, replayed)
        assert orjson.loads(state.pharmacy.key.read_bytes())["d"] not in repr(entries)

    def test_a_refused_form_is_audited(self, app_client: TestClient, state: GatewayState) -> None:
        before = token_audit(app_client)
        answer = app_client.post(
            "/auth/token", content=b"x", headers={"Content-Type": "text/plain"}
        )
        assert answer.status_code == 400
        new = [e for k, e in token_audit(app_client).items() if k not in before]
        assert [(e["outcome"], e["client_id"]) for e in new] == [(400, None)]
