"""`amo-gateway demo` prepares a state in which its printed steps work: the pharmacy's
ready-made request is granted at once, the other waits in the CNSS review unit's queue, which
the unit reads with a token asked for as printed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.commands.demo import (
    DEMO_CLIENT,
    DEMO_INPE,
    DEMO_REVIEWER,
    REVIEWER_SCOPE,
    Demo,
    PaExample,
    demo_settings,
    prepare_demo,
    where_to_go,
)
from gateway.settings import Settings
from tests.e2e.conftest import bearer
from tests.e2e.support import Client

PEOPLE, SEED = 1200, 2026


@dataclass(frozen=True)
class Prepared:
    """A prepared demo state and the app serving it."""

    settings: Settings
    demo: Demo
    client: TestClient

    @property
    def example(self) -> PaExample:
        """The prior authorization example the demo wrote."""
        assert self.demo.example is not None, "no demo patient qualifies for the example"
        return self.demo.example


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    """The demo prepared on a small population, served in-process."""
    env = {"AMO_LOG_LEVEL": "WARNING", "AMO_PUBLIC_URL": "http://testserver"}
    settings = demo_settings(Settings.from_env(env), tmp_path_factory.mktemp("demo"))
    demo = prepare_demo(settings, people=PEOPLE, seed=SEED)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Prepared(settings, demo, client)


def pharmacy(prepared: Prepared) -> dict[str, str]:
    """The demo pharmacy's bearer header for prior authorization."""
    who = Client(DEMO_CLIENT, prepared.settings.state_dir / "client-key.jwk.json", DEMO_INPE)
    return bearer(prepared.client, who, "system/Claim.c system/ClaimResponse.rs")


def reviewer(prepared: Prepared) -> dict[str, str]:
    """The demo review unit's bearer header, asked with the scope the demo prints."""
    key = prepared.settings.state_dir / "reviewer-key.jwk.json"
    return bearer(prepared.client, Client(DEMO_REVIEWER, key, "CNSS:CM-CASA"), REVIEWER_SCOPE)


def submit(prepared: Prepared, path: Path) -> dict[str, Any]:
    """Post a written Claim as the printed curl does; the ClaimResponse."""
    headers = {**pharmacy(prepared), "Content-Type": "application/fhir+json"}
    answer = prepared.client.post("/fhir/Claim/$submit", content=path.read_bytes(), headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def benefit(response: dict[str, Any]) -> int:
    """The quantity granted on the first item."""
    for adjudication in response["item"][0]["adjudication"]:
        if adjudication["category"]["coding"][0]["code"] == "benefit":
            return int(adjudication["value"])
    return 0


class TestDemoPriorAuthorization:
    def test_the_ready_made_request_is_granted_at_once(self, prepared: Prepared) -> None:
        answer = submit(prepared, prepared.example.granted)
        assert (answer["outcome"], answer["preAuthRef"]) == ("complete", answer["id"])
        assert benefit(answer) == 1
        assert answer["patient"]["identifier"]["value"] == prepared.example.idcs

    def test_the_bill_that_follows_is_paid_as_the_printed_command_fills_it(
        self, prepared: Prepared
    ) -> None:
        granted = submit(prepared, prepared.example.granted)
        filled = prepared.example.bill.read_bytes().replace(b"PREAUTHREF", granted["id"].encode())
        headers = {**pharmacy(prepared), "Content-Type": "application/fhir+json"}
        answer = prepared.client.post("/fhir/Claim/$submit", content=filled, headers=headers)
        assert answer.status_code == 200, answer.text
        paid = answer.json()
        assert (paid["use"], paid["outcome"], paid["preAuthRef"]) == (
            "claim",
            "complete",
            granted["id"],
        )
        assert "payment" in paid

    def test_the_other_waits_in_the_review_unit_s_queue(self, prepared: Prepared) -> None:
        answer = submit(prepared, prepared.example.reviewed)
        assert answer["outcome"] == "queued" and benefit(answer) == 0
        queue = prepared.client.get("/fhir/ClaimResponse/$queue", headers=reviewer(prepared))
        assert queue.status_code == 200, queue.text
        listed = [entry["resource"]["id"] for entry in queue.json().get("entry", [])]
        assert answer["id"] in listed

    def test_preparing_again_keeps_the_keys_and_the_registrations(self, prepared: Prepared) -> None:
        key = prepared.settings.state_dir / "reviewer-key.jwk.json"
        before = key.read_bytes()
        again = prepare_demo(prepared.settings, people=PEOPLE, seed=SEED)
        assert key.read_bytes() == before
        assert again.example is not None and again.example.idcs == prepared.example.idcs
        assert reviewer(prepared)  # the unit still gets its token with the same key


class TestPortalAccounts:
    def test_the_printed_people_sign_in_on_their_side(self, prepared: Prepared) -> None:
        areas = {account.email: account.area for account in prepared.demo.accounts}
        assert sorted(areas.values()) == ["console"] * 3 + ["portal"] * 2
        for account in prepared.demo.accounts:
            with TestClient(create_app(prepared.settings)) as browser:
                page = browser.get(f"/{account.area}/login")
                token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
                assert token, page.text
                form = {"csrf": token[1], "email": account.email, "password": account.password}
                signed = browser.post(f"/{account.area}/login", data=form, follow_redirects=False)
                assert (
                    signed.status_code == 303 and signed.headers["location"] == f"/{account.area}"
                )
                assert browser.get(f"/{account.area}").status_code == 200

    def test_preparing_again_prints_the_same_passwords(self, prepared: Prepared) -> None:
        again = prepare_demo(prepared.settings, people=PEOPLE, seed=SEED)
        assert again.accounts == prepared.demo.accounts
        text = where_to_go(prepared.settings, again)
        assert "http://testserver/portal" in text
        for account in again.accounts:
            assert account.email in text and account.password in text
