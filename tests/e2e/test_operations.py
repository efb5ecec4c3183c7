"""Conformance resources, health, readiness, metrics, OpenAPI, rate limits, audit, cache."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from adapters.registry_format import read_households
from adapters.sql.audit import verify_chain
from adapters.sql.tables import AuditEventRow
from domain.services.registry import import_registry
from gateway.app import create_app
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState, eligibility_request
from tests.fhir_schema import assert_valid_r4

AUDIT = AuditEventRow.__table__

SUBMIT = "/fhir/CoverageEligibilityRequest/$submit"


class TestConformance:
    def test_capability_statement(self, app_client: TestClient) -> None:
        statement = app_client.get("/fhir/metadata").json()
        assert_valid_r4(statement)
        resources = {r["type"] for r in statement["rest"][0]["resource"]}
        assert {"CoverageEligibilityRequest", "CoverageEligibilityResponse"} <= resources

    def test_every_published_definition_is_valid_r4(self, app_client: TestClient) -> None:
        seen = 0
        for kind in ("StructureDefinition", "CodeSystem", "ValueSet"):
            bundle = app_client.get(f"/fhir/{kind}").json()
            assert_valid_r4(bundle)
            for entry in bundle["entry"]:
                one = app_client.get(f"/fhir/{kind}/{entry['resource']['id']}")
                assert one.status_code == 200
                assert_valid_r4(one.json())
                seen += 1
        assert seen >= 8

    def test_reason_codesystem_holds_every_error_code(self, app_client: TestClient) -> None:
        bundle = app_client.get("/fhir/CodeSystem").json()
        reason = next(
            e["resource"] for e in bundle["entry"] if e["resource"]["url"].endswith("/reason")
        )
        codes = {concept["code"] for concept in reason["concept"]}
        assert {"json-invalide", "identifiant-invalide", "droits-ouverts"} <= codes

    def test_smart_configuration(self, app_client: TestClient) -> None:
        config = app_client.get("/.well-known/smart-configuration").json()
        assert config["token_endpoint"] == "http://testserver/auth/token"
        assert "private_key_jwt" in config["token_endpoint_auth_methods_supported"]
        assert app_client.get("/fhir/.well-known/smart-configuration").json() == config


class TestOperations:
    def test_health_and_readiness(self, app_client: TestClient) -> None:
        assert app_client.get("/healthz").json() == {"status": "ok"}
        assert app_client.get("/readyz").status_code == 200

    def test_metrics_count_decisions(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=pharmacy_auth
        )
        text = app_client.get("/metrics").text
        assert "amo_eligibility_decisions_total{cache=" in text
        assert 'route="/fhir/CoverageEligibilityRequest/$submit"' in text

    def test_openapi_document(self, app_client: TestClient) -> None:
        paths = app_client.get("/openapi.json").json()["paths"]
        assert "/fhir/CoverageEligibilityRequest/$submit" in paths

    def test_audit_chain_is_intact_after_exchanges(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=pharmacy_auth
        )
        report = verify_chain(app_client.app.state.gateway.storage.engine)  # type: ignore[attr-defined]
        assert report.ok
        assert report.entries >= 2


class TestRateLimit:
    def test_a_client_over_its_limit_gets_429_with_retry_after(self, state: GatewayState) -> None:
        tight = replace(state.settings, rate_limit_per_second=0.01, rate_limit_burst=2)
        with TestClient(create_app(tight)) as client:
            headers = bearer(client, state.pharmacy)
            body = eligibility_request(state.people["open"][1])
            codes = [client.post(SUBMIT, json=body, headers=headers).status_code for _ in range(3)]
            assert codes[:2] == [200, 200]
            last = client.post(SUBMIT, json=body, headers=headers)
            assert last.status_code == 429
            assert int(last.headers["Retry-After"]) >= 1
            assert last.json()["issue"][0]["details"]["coding"][0]["code"] == "limite-de-debit"

    def test_replays_and_key_reuse_count_and_are_audited(self, state: GatewayState) -> None:
        tight = replace(state.settings, rate_limit_per_second=0.01, rate_limit_burst=3)
        with TestClient(create_app(tight)) as client:
            headers = {**bearer(client, state.pharmacy), "Idempotency-Key": "limit-replay-1"}
            body = eligibility_request(state.people["open"][1])
            other = eligibility_request(state.people["ald"][1])
            first = client.post(SUBMIT, json=body, headers=headers)
            replay = client.post(SUBMIT, json=body, headers=headers)
            reused = client.post(SUBMIT, json=other, headers=headers)
            over = client.post(SUBMIT, json=body, headers=headers)
            engine = client.app.state.gateway.storage.engine  # type: ignore[attr-defined]
            with engine.connect() as connection:
                rows = connection.execute(
                    select(AUDIT.c.action, AUDIT.c.outcome, AUDIT.c.detail).where(
                        AUDIT.c.client_id == state.pharmacy.client_id
                    )
                ).all()
        assert [a.status_code for a in (first, replay, reused, over)] == [200, 200, 422, 429]
        assert replay.headers["Idempotent-Replayed"] == "true"
        audited = {(action, outcome, detail) for action, outcome, detail in rows}
        assert ("eligibility.replay", 200, "") in audited
        assert ("eligibility.check", 422, "cle-idempotence-reutilisee") in audited
        assert ("eligibility.check", 429, "limite-de-debit") in audited

    def test_the_token_endpoint_has_its_own_limit(self, state: GatewayState) -> None:
        tight = replace(state.settings, rate_limit_per_second=0.01, rate_limit_burst=2)
        with TestClient(create_app(tight)) as client:
            answers = [
                client.post("/auth/token", data={"grant_type": "client_credentials"})
                for _ in range(3)
            ]
        assert [a.status_code for a in answers] == [400, 400, 429]
        assert answers[2].json()["error"] == "slow_down"
        assert int(answers[2].headers["Retry-After"]) >= 1
        assert answers[2].headers["Cache-Control"] == "no-store"


class TestCacheInvalidation:
    def test_an_import_changes_the_next_answer(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        _, idcs = state.people["ald"]  # used by no other test: this one changes the member
        first = app_client.post(
            SUBMIT, json=eligibility_request(idcs), headers=pharmacy_auth
        ).json()
        assert first["insurance"][0]["inforce"] is True
        gateway = app_client.app.state.gateway  # type: ignore[attr-defined]
        household = _household_of(state, idcs)
        yesterday = (date.today() - timedelta(days=1)).isoformat()
        for member in household["members"]:
            for affiliation in member["affiliations"]:
                affiliation["end"] = yesterday  # rights lost yesterday: maintained from now on
        import_registry(
            read_households([(1, household)]),
            uow=gateway.storage.uow(),
            cache=gateway.eligibility.cache,  # the embedded default: this process's own cache
            ref=gateway.reference,
            today=date.today(),
        )
        second = app_client.post(
            SUBMIT, json=eligibility_request(idcs), headers=pharmacy_auth
        ).json()
        assert _status(first) == "open"
        assert _status(second) == "maintained"


def _status(response: dict[str, object]) -> str:
    extensions = response["insurance"][0]["extension"]  # type: ignore[index]
    return str(
        next(
            e["valueCoding"]["code"] for e in extensions if e["url"].endswith("eligibility-status")
        )
    )


def _household_of(state: GatewayState, idcs: str) -> dict[str, object]:
    import orjson

    with (state.settings.state_dir / "registry.jsonl").open("rb") as lines:
        for line in lines:
            household = orjson.loads(line)
            if any(m["identifiers"].get("idcs") == idcs for m in household["members"]):
                return household  # type: ignore[no-any-return]
    raise AssertionError("persona not in the registry")
