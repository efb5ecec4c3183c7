"""Scopes at the token endpoint: restrictions never granted, wildcards only when registered."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from gateway.cli import main
from gateway.commands.client import generate_client_key
from tests.e2e.support import Client, GatewayState, token_form

TOKEN_URL = "http://testserver/auth/token"
RESPONSES = "system/CoverageEligibilityResponse.rs"


def ask(client: TestClient, who: Client, scope: str) -> dict[str, object]:
    """The token endpoint's answer (status and body) to `who` asking for `scope`."""
    answer = client.post("/auth/token", data=token_form(who, TOKEN_URL, scope=scope))
    return {"status": answer.status_code, **answer.json()}


@pytest.fixture(scope="module")
def registered(state: GatewayState, tmp_path_factory: pytest.TempPathFactory) -> Client:
    """A laboratory registered through the command line for `system/*.rs`."""
    work = tmp_path_factory.mktemp("laboratory")
    key = work / "laboratory.jwk.json"
    (work / "laboratory.jwks.json").write_bytes(orjson.dumps(generate_client_key(key)))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AMO_STATE_DIR", str(state.settings.state_dir))
        command = ["--database-url", state.settings.database_url, "providers", "add"]
        command += ["--inpe", "777888999", "--name", "Laboratoire", "--category", "laboratory"]
        command += ["--payers", "CNSS", "--jwks", str(work / "laboratory.jwks.json")]
        assert main([*command, "--client-id", "lab-client", "--scopes", "system/*.rs"]) == 0
    return Client("lab-client", key, "777888999")


class TestRestrictions:
    def test_a_restricted_scope_alone_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, state.pharmacy, f"{RESPONSES}?patient=Patient/1")
        assert (answer["status"], answer["error"]) == (400, "invalid_scope")

    def test_with_a_plain_scope_only_the_plain_one_is_granted(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, state.pharmacy, f"{RESPONSES}?patient=Patient/1 {RESPONSES}")
        assert (answer["status"], answer["scope"]) == (200, RESPONSES)


class TestWildcards:
    def test_an_unregistered_wildcard_is_refused(
        self, app_client: TestClient, state: GatewayState
    ) -> None:
        answer = ask(app_client, state.pharmacy, "system/*.read")
        assert (answer["status"], answer["error"]) == (400, "invalid_scope")

    def test_a_registered_wildcard_is_granted_and_works(
        self, app_client: TestClient, registered: Client
    ) -> None:
        answer = ask(app_client, registered, "system/*.rs")
        assert (answer["status"], answer["scope"]) == (200, "system/*.rs")
        headers = {"Authorization": f"Bearer {answer['access_token']}"}
        assert (
            app_client.get("/fhir/CoverageEligibilityResponse", headers=headers).status_code == 200
        )

    def test_no_more_than_registered(self, app_client: TestClient, registered: Client) -> None:
        answer = ask(app_client, registered, "system/*.cruds system/CoverageEligibilityRequest.c")
        assert (answer["status"], answer["error"]) == (400, "invalid_scope")


class TestRegistration:
    def test_an_unenforceable_scope_is_refused_at_registration(
        self, state: GatewayState, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AMO_STATE_DIR", str(state.settings.state_dir))
        jwks = tmp_path / "jwks.json"
        jwks.write_bytes(orjson.dumps(generate_client_key(tmp_path / "key.json")))
        command = ["--database-url", state.settings.database_url, "providers", "add"]
        command += ["--inpe", "123123123", "--name", "X", "--category", "gp", "--payers", "CNSS"]
        with pytest.raises(SystemExit, match="Portées non applicables"):
            main([*command, "--jwks", str(jwks), "--scopes", f"{RESPONSES}?patient=1"])

    def test_providers_list_shows_the_registration(
        self,
        state: GatewayState,
        registered: Client,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        monkeypatch.setenv("AMO_STATE_DIR", str(state.settings.state_dir))
        assert main(["--database-url", state.settings.database_url, "providers", "list"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert any("lab-client" in line and "system/*.rs" in line for line in lines)
        assert any(state.pharmacy.client_id in line and "(défaut)" in line for line in lines)
