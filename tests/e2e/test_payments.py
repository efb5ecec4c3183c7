"""Payment tracking end to end, through the real app: a provider reads and searches its own
transfers as PaymentReconciliation and its executed ones as PaymentNotice; another provider's
are answered 404 and never listed. The transfers are put where the app reads them (its
TransferReader, kept in process until the settlement's tables are plugged in)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from adapters.memory_transfers import MemoryTransfers
from gateway.app import create_app
from tests.e2e.conftest import bearer
from tests.e2e.support import GatewayState
from tests.fhir_schema import assert_valid_r4
from tests.payment_worlds import SENT_AT, rejected, sent, transfer

pytestmark = pytest.mark.e2e
SCOPES = "system/PaymentReconciliation.rs system/PaymentNotice.rs"
BASE = "http://testserver/fhir"


@pytest.fixture(scope="module")
def client(state: GatewayState) -> Iterator[TestClient]:
    """The app over the shared state, reading the pharmacy's and the clinic's transfers."""
    pharmacy, clinic = f"org-{state.pharmacy.inpe}", f"org-{state.clinic.inpe}"
    transfers = MemoryTransfers(
        [
            transfer("E2E-PAID-1", provider=pharmacy),
            rejected("E2E-BACK-2", provider=pharmacy),
            sent("E2E-SENT-3", provider=pharmacy, payer="CNOPS", created=SENT_AT + timedelta(2)),
            transfer("E2E-CLIN-4", provider=clinic, created=SENT_AT + timedelta(days=1)),
        ]
    )
    with TestClient(
        create_app(state.settings, transfers=transfers), raise_server_exceptions=False
    ) as found:
        yield found


@pytest.fixture(scope="module")
def pharmacy(client: TestClient, state: GatewayState) -> dict[str, str]:
    return bearer(client, state.pharmacy, SCOPES)


@pytest.fixture(scope="module")
def clinic(client: TestClient, state: GatewayState) -> dict[str, str]:
    return bearer(client, state.clinic, SCOPES)


def found(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert_valid_r4(body)
    return body


def ids(bundle: dict[str, Any]) -> list[str]:
    assert bundle["type"] == "searchset"
    return [e["resource"]["id"] for e in bundle.get("entry", [])]


def refused(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["details"]["coding"][0]["code"] == code


class TestReconciliation:
    def test_a_provider_reads_its_transfer_with_the_claims_it_pays(
        self, client: TestClient, pharmacy: dict[str, str], state: GatewayState
    ) -> None:
        body = found(client.get("/fhir/PaymentReconciliation/E2E-PAID-1", headers=pharmacy))
        assert (body["outcome"], body["paymentAmount"]) == (
            "complete",
            {"value": 590.5, "currency": "MAD"},
        )
        assert body["requestor"]["identifier"]["value"] == state.pharmacy.inpe
        assert [d["request"]["reference"] for d in body["detail"]] == [
            "Claim/claim-1",
            "Claim/claim-2",
        ]

    def test_a_rejection_says_why(self, client: TestClient, pharmacy: dict[str, str]) -> None:
        body = found(client.get("/fhir/PaymentReconciliation/E2E-BACK-2", headers=pharmacy))
        assert (body["status"], body["outcome"]) == ("cancelled", "error")
        assert "Compte clôturé (AC04)" in body["disposition"]

    def test_another_provider_s_transfer_is_not_found(
        self, client: TestClient, pharmacy: dict[str, str], clinic: dict[str, str]
    ) -> None:
        refused(
            client.get("/fhir/PaymentReconciliation/E2E-CLIN-4", headers=pharmacy),
            404,
            "ressource-introuvable",
        )
        refused(
            client.get("/fhir/PaymentReconciliation/E2E-PAID-1", headers=clinic),
            404,
            "ressource-introuvable",
        )

    def test_a_search_lists_the_provider_s_own_newest_first(
        self, client: TestClient, pharmacy: dict[str, str], clinic: dict[str, str]
    ) -> None:
        mine = found(client.get("/fhir/PaymentReconciliation", headers=pharmacy))
        assert ids(mine) == ["E2E-SENT-3", "E2E-PAID-1", "E2E-BACK-2"]
        assert mine["entry"][0]["fullUrl"] == f"{BASE}/PaymentReconciliation/E2E-SENT-3"
        assert ids(found(client.get("/fhir/PaymentReconciliation", headers=clinic))) == [
            "E2E-CLIN-4"
        ]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("status=cancelled", ["E2E-BACK-2"]),
            ("status=active", ["E2E-SENT-3", "E2E-PAID-1"]),
            ("outcome=queued", ["E2E-SENT-3"]),
            ("status=active&outcome=error", []),
            ("payer=CNOPS", ["E2E-SENT-3"]),
            ("payer=https://fhir.tiers-payant.ma/sid/payer|CNSS", ["E2E-PAID-1", "E2E-BACK-2"]),
            ("created=ge2026-07-04", ["E2E-SENT-3"]),
            ("created=ge2026-07-03&created=lt2026-07-04", ["E2E-PAID-1", "E2E-BACK-2"]),
        ],
    )
    def test_a_search_filters_by_status_payer_and_date(
        self, client: TestClient, pharmacy: dict[str, str], query: str, expected: list[str]
    ) -> None:
        assert (
            ids(found(client.get(f"/fhir/PaymentReconciliation?{query}", headers=pharmacy)))
            == expected
        )

    def test_pages_follow_the_next_link(self, client: TestClient, pharmacy: dict[str, str]) -> None:
        seen: list[str] = []
        url: str | None = "/fhir/PaymentReconciliation?_count=2"
        while url is not None:
            page = found(client.get(url, headers=pharmacy))
            seen += ids(page)
            links = {link["relation"]: link["url"] for link in page["link"]}
            url = links.get("next")
        assert seen == ["E2E-SENT-3", "E2E-PAID-1", "E2E-BACK-2"]

    @pytest.mark.parametrize(
        "query",
        [
            "patient=x",
            "status=paid",
            "_count=0",
            "_page=nope",
            "payer=other|CNSS",
            "created=2026-13-01",
        ],
    )
    def test_a_bad_parameter_is_explained(
        self, client: TestClient, pharmacy: dict[str, str], query: str
    ) -> None:
        refused(
            client.get(f"/fhir/PaymentReconciliation?{query}", headers=pharmacy),
            400,
            "parametre-invalide",
        )


class TestNotice:
    def test_an_executed_transfer_has_a_paid_notice(
        self, client: TestClient, pharmacy: dict[str, str]
    ) -> None:
        body = found(client.get("/fhir/PaymentNotice/E2E-PAID-1", headers=pharmacy))
        assert body["payment"]["reference"] == "PaymentReconciliation/E2E-PAID-1"
        assert body["paymentStatus"]["coding"][0]["code"] == "paid"

    @pytest.mark.parametrize("transfer_id", ["E2E-BACK-2", "E2E-SENT-3", "E2E-CLIN-4"])
    def test_no_notice_for_a_transfer_not_executed_or_another_s(
        self, client: TestClient, pharmacy: dict[str, str], transfer_id: str
    ) -> None:
        refused(
            client.get(f"/fhir/PaymentNotice/{transfer_id}", headers=pharmacy),
            404,
            "ressource-introuvable",
        )

    def test_notices_are_searched_by_the_day_the_bank_executed_them(
        self, client: TestClient, pharmacy: dict[str, str]
    ) -> None:
        assert ids(found(client.get("/fhir/PaymentNotice", headers=pharmacy))) == ["E2E-PAID-1"]
        on_the_day = "/fhir/PaymentNotice?created=2026-07-06&payment-status=paid"
        assert ids(found(client.get(on_the_day, headers=pharmacy))) == ["E2E-PAID-1"]
        assert (
            ids(found(client.get("/fhir/PaymentNotice?created=lt2026-07-06", headers=pharmacy)))
            == []
        )
        assert (
            ids(found(client.get("/fhir/PaymentNotice?payment-status=cleared", headers=pharmacy)))
            == []
        )


class TestAuthorization:
    def test_without_the_scope_payments_are_refused(
        self, client: TestClient, state: GatewayState
    ) -> None:
        other = bearer(client, state.pharmacy, "system/PaymentNotice.rs")
        refused(
            client.get("/fhir/PaymentReconciliation/E2E-PAID-1", headers=other),
            403,
            "portee-insuffisante",
        )
        found(client.get("/fhir/PaymentNotice/E2E-PAID-1", headers=other))

    def test_without_a_token_nothing_is_read(self, client: TestClient) -> None:
        refused(client.get("/fhir/PaymentNotice"), 401, "authentification-requise")
