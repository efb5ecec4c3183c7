"""SMART Backend Services: assertions, replays, expiry, signatures, scopes, tenancy."""

from __future__ import annotations

import time
from base64 import b64decode

import orjson
from fastapi.testclient import TestClient
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from tests.e2e.conftest import bearer
from tests.e2e.support import ASSERTION_TYPE, GatewayState, eligibility_request, token_form

TOKEN_URL = "http://testserver/auth/token"
SUBMIT = "/fhir/CoverageEligibilityRequest/$submit"


def assertion(state: GatewayState, *, key: ECKey | None = None, **claims: object) -> str:
    """A pharmacy assertion with chosen claims (and, optionally, a foreign key)."""
    now = int(time.time())
    body = {
        "iss": state.pharmacy.client_id,
        "sub": state.pharmacy.client_id,
        "aud": TOKEN_URL,
        "exp": now + 60,
        "jti": f"jti-{time.monotonic_ns()}",
        **claims,
    }
    signer = key or ECKey.import_key(orjson.loads(state.pharmacy.key.read_bytes()))
    return jwt.encode({"alg": "ES384", "kid": signer.kid or ""}, body, signer, algorithms=["ES384"])


def ask(
    client: TestClient, signed: str, scope: str = "system/CoverageEligibilityRequest.c"
) -> object:
    form = {
        "grant_type": "client_credentials",
        "scope": scope,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": signed,
    }
    return client.post("/auth/token", data=form)


class TestTokenEndpoint:
    def test_valid_assertion_gets_a_short_lived_bearer_token(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state))
        assert answer.status_code == 200  # type: ignore[attr-defined]
        body = answer.json()  # type: ignore[attr-defined]
        assert body["token_type"] == "bearer"
        assert 0 < body["expires_in"] <= 300
        assert body["scope"] == "system/CoverageEligibilityRequest.c"

    def test_the_token_carries_the_provider_s_admission(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        """The payers it is admitted with and its convention: the hot path reads no table."""
        token = ask(app_client, assertion(state)).json()["access_token"]  # type: ignore[attr-defined]
        key = OctKey.import_key(b64decode(state.settings.token_key.get_secret_value()))
        claims = jwt.decode(token, key, algorithms=["HS256"]).claims
        assert (claims["payers"], claims["convention"]) == (["CNSS", "CNOPS"], "active")

    def test_replayed_assertion_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        signed = assertion(state)
        assert ask(app_client, signed).status_code == 200  # type: ignore[attr-defined]
        replay = ask(app_client, signed)
        assert replay.status_code == 401  # type: ignore[attr-defined]
        assert replay.json()["error"] == "invalid_client"  # type: ignore[attr-defined]
        assert "rejoué" in replay.json()["error_description"]  # type: ignore[attr-defined]

    def test_expired_assertion_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state, exp=int(time.time()) - 5))
        assert answer.status_code == 401  # type: ignore[attr-defined]
        assert "expirée" in answer.json()["error_description"]  # type: ignore[attr-defined]

    def test_assertion_valid_too_long_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state, exp=int(time.time()) + 3600))
        assert answer.status_code == 401  # type: ignore[attr-defined]

    def test_wrongly_signed_assertion_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        stranger = ECKey.generate_key("P-384", parameters={"kid": "stolen"})
        answer = ask(app_client, assertion(state, key=stranger))
        assert answer.status_code == 401  # type: ignore[attr-defined]
        assert answer.json()["error"] == "invalid_client"  # type: ignore[attr-defined]

    def test_wrong_audience_is_refused(self, app_client: TestClient, state: GatewayState) -> None:
        answer = ask(app_client, assertion(state, aud="https://elsewhere.example/token"))
        assert answer.status_code == 401  # type: ignore[attr-defined]

    def test_unknown_client_is_refused(self, app_client: TestClient, state: GatewayState) -> None:
        answer = ask(app_client, assertion(state, iss="nobody", sub="nobody"))
        assert answer.status_code == 401  # type: ignore[attr-defined]

    def test_garbage_assertion_is_refused(self, app_client: TestClient) -> None:
        answer = ask(app_client, "not.a.jwt")
        assert answer.status_code == 401  # type: ignore[attr-defined]

    def test_unknown_scope_only_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, assertion(state), scope="system/Patient.read")
        assert answer.status_code == 400  # type: ignore[attr-defined]
        assert answer.json()["error"] == "invalid_scope"  # type: ignore[attr-defined]

    def test_other_grant_types_are_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        form = token_form(state.pharmacy, TOKEN_URL)
        form["grant_type"] = "password"
        answer = app_client.post("/auth/token", data=form)
        assert answer.status_code == 400
        assert answer.json()["error"] == "unsupported_grant_type"


class TestBearerTokens:
    def test_missing_token_is_401(self, app_client: TestClient, state: GatewayState) -> None:
        answer = app_client.post(SUBMIT, json=eligibility_request(state.people["open"][1]))
        assert answer.status_code == 401
        assert (
            answer.json()["issue"][0]["details"]["coding"][0]["code"] == "authentification-requise"
        )
        assert "WWW-Authenticate" in answer.headers

    def test_forged_token_is_401(self, app_client: TestClient, state: GatewayState) -> None:
        forged = jwt.encode({"alg": "HS256"}, {"sub": "x"}, OctKey.import_key(b"0" * 32))
        headers = {"Authorization": f"Bearer {forged}"}
        answer = app_client.post(SUBMIT, json=eligibility_request("1"), headers=headers)
        assert answer.status_code == 401
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "jeton-invalide"

    def test_scope_without_write_is_403(self, app_client: TestClient, state: GatewayState) -> None:
        headers = bearer(app_client, state.pharmacy, scope="system/CoverageEligibilityResponse.rs")
        answer = app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=headers
        )
        assert answer.status_code == 403
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "portee-insuffisante"


class TestTenancy:
    def test_another_providers_answer_is_not_found(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        made = app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=pharmacy_auth
        )
        assert made.status_code == 200
        response_id = made.json()["id"]
        clinic = bearer(app_client, state.clinic)
        assert (
            app_client.get(
                f"/fhir/CoverageEligibilityResponse/{response_id}", headers=clinic
            ).status_code
            == 404
        )
        own = app_client.get(
            f"/fhir/CoverageEligibilityResponse/{response_id}", headers=pharmacy_auth
        )
        assert own.status_code == 200
        assert own.json()["id"] == response_id

    def test_another_providers_answers_are_not_searchable(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=pharmacy_auth
        )
        clinic = bearer(app_client, state.clinic)
        found = app_client.get("/fhir/CoverageEligibilityResponse", headers=clinic).json()
        mine = app_client.get("/fhir/CoverageEligibilityResponse", headers=pharmacy_auth).json()
        assert found["total"] == 0
        assert mine["total"] >= 1
