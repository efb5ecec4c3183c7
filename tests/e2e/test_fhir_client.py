"""A real third-party FHIR client against a real uvicorn: token by private_key_jwt, eligibility."""

from __future__ import annotations

import time

import orjson
import pytest
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from fhirpy import SyncFHIRClient
from joserfc.jwk import ECKey

from tests.e2e.support import ALL_SCOPES, GatewayState, eligibility_request
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e


def fetch_token(base: str, state: GatewayState) -> str:
    """authlib's OAuth2 client: client_credentials with a private_key_jwt assertion."""
    token_url = f"{base}/auth/token"
    private_key = ECKey.import_key(orjson.loads(state.pharmacy.key.read_bytes()))
    # SMART: the assertion expires within five minutes (authlib's default is an hour).
    auth = PrivateKeyJWT(
        token_url,
        alg="ES384",
        headers={"kid": private_key.kid},
        claims={"exp": int(time.time()) + 240},
    )
    with OAuth2Client(
        client_id=state.pharmacy.client_id,
        client_secret=private_key,
        token_endpoint_auth_method=auth,
        scope=ALL_SCOPES,
    ) as oauth:
        token = oauth.fetch_token(token_url, grant_type="client_credentials")
    return str(token["access_token"])


class TestThirdPartyClient:
    def test_checks_eligibility_with_a_token_from_private_key_jwt(
        self, live: tuple[str, GatewayState]
    ) -> None:
        base, state = live
        client = SyncFHIRClient(f"{base}/fhir", authorization=f"Bearer {fetch_token(base, state)}")
        _, idcs = state.people["open"]
        answer = client.execute(
            "CoverageEligibilityRequest/$submit", method="post", data=eligibility_request(idcs)
        )
        assert answer["resourceType"] == "CoverageEligibilityResponse"
        assert answer["insurance"][0]["inforce"] is True
        assert_valid_r4(answer)

    def test_reads_back_the_stored_answer(self, live: tuple[str, GatewayState]) -> None:
        base, state = live
        client = SyncFHIRClient(f"{base}/fhir", authorization=f"Bearer {fetch_token(base, state)}")
        _, idcs = state.people["waiting-period"]
        answer = client.execute(
            "CoverageEligibilityRequest/$submit", method="post", data=eligibility_request(idcs)
        )
        stored = client.reference("CoverageEligibilityResponse", answer["id"]).to_resource()
        assert stored["id"] == answer["id"]
        assert stored["insurance"][0]["inforce"] is False

    def test_metadata_is_a_capability_statement(self, live: tuple[str, GatewayState]) -> None:
        base, _ = live
        statement = SyncFHIRClient(f"{base}/fhir").execute("metadata", method="get")
        assert statement["resourceType"] == "CapabilityStatement"
        assert statement["fhirVersion"] == "4.0.1"
