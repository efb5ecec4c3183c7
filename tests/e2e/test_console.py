"""The payer console against a real uvicorn: a reviewer decides a clinic's queued admission
(in part, or refuses it) and asks for more, the clinic's software reading the outcome through
the API; finance officers change a provider's account with four eyes and follow the payer's
settlement cycles; each payer sees only its own, each role only its pages, no form without
its token."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import orjson
import pytest

from tests.documents import PDF, attachment, communication
from tests.e2e.pa_world import PROVIDER_SCOPES, admission, dispensing
from tests.e2e.portal_money import Settled, rib, submit
from tests.e2e.portal_world import PortalWorld, csrf_of, sign_in
from tests.e2e.support import Client, token_form

pytestmark = pytest.mark.e2e
QUEUE = "/console/authorizations"


def api_headers(portal: PortalWorld, who: Client) -> dict[str, str]:
    """A provider's software's headers (prior authorizations and their exchanges)."""
    url = f"{portal.base}/auth/token"
    token = httpx.post(url, data=token_form(who, url, PROVIDER_SCOPES)).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}


def queued_admission(portal: PortalWorld) -> dict[str, Any]:
    """The clinic asks CNSS for a planned three-day stay: queued for its reviewers."""
    body = admission(portal.state.people["ald"][1])
    answer = httpx.post(f"{portal.base}/fhir/Claim/$submit", content=orjson.dumps(body),
                        headers=api_headers(portal, portal.state.clinic))  # fmt: skip
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    assert found["outcome"] == "queued"
    return found


def clinic_reads(portal: PortalWorld, path: str) -> httpx.Response:
    """The clinic's software reads one of its resources through the API."""
    return httpx.get(f"{portal.base}/fhir/{path}", headers=api_headers(portal, portal.state.clinic))


def granted(response: dict[str, Any]) -> list[tuple[float, int]]:
    """(amount, quantity) granted per item of a ClaimResponse."""
    return [
        (a["amount"]["value"], a.get("value", 0))
        for item in response.get("item", [])
        for a in item["adjudication"]
        if a["category"]["coding"][0]["code"] == "benefit"
    ]


@pytest.fixture
def person(portal: PortalWorld) -> Iterator[Any]:
    """Sign a person of PEOPLE in on the console: a cookie-keeping client of theirs."""
    opened: list[httpx.Client] = []

    def signed_in(name: str) -> httpx.Client:
        client = httpx.Client(base_url=portal.base, timeout=15)
        opened.append(client)
        assert sign_in(client, portal.emails[name], area="console").status_code == 303
        return client

    yield signed_in
    for client in opened:
        client.close()


def post(client: httpx.Client, page: str, action: str, **fields: str) -> httpx.Response:
    """Post a form of a page with that page's CSRF token."""
    token = csrf_of(client.get(page))
    return client.post(action, data={"csrf": token, **fields})


class TestReviews:
    def test_a_queued_admission_is_granted_in_part_and_the_clinic_reads_it(
        self, portal: PortalWorld, person: Any
    ) -> None:
        rid = queued_admission(portal)["id"]
        reviewer = person("reviewer")
        queue = reviewer.get(QUEUE)
        assert queue.status_code == 200 and rid in queue.text
        page = f"{QUEUE}/{rid}"
        opened = reviewer.get(page)
        assert "Hospitalisation" in opened.text and "Décider" in opened.text
        assert "Pris en charge par" in opened.text and "droits ouverts" in opened.text
        decided = post(reviewer, page, f"{page}/decision", verdict="partial",
                       **{"reason-partial": "accord-partiel-controle-medical",
                          "quantity-1": "2"})  # fmt: skip
        assert decided.status_code == 303, decided.text
        assert decided.headers["location"] == f"{page}?done=decided"
        assert "accordée en partie" in reviewer.get(page).text
        read = clinic_reads(portal, f"ClaimResponse/{rid}")
        assert read.status_code == 200 and granted(read.json()) == [(6000, 2)]
        assert rid not in reviewer.get(QUEUE).text  # decided: out of the queue

    def test_the_queue_says_the_time_left_and_filters_the_overdue(
        self, portal: PortalWorld, person: Any
    ) -> None:
        rid = queued_admission(portal)["id"]
        reviewer = person("reviewer")
        row = reviewer.get(QUEUE).text.split(rid)[-1].split("</tr>")[0]
        assert "Hospitalisation" in row and "reste 2\xa0jours" in row
        assert rid not in reviewer.get(f"{QUEUE}?overdue=1").text  # 48 hours to answer

    def test_a_refusal_with_its_reason_reaches_the_clinic(
        self, portal: PortalWorld, person: Any
    ) -> None:
        rid = queued_admission(portal)["id"]
        reviewer, page = person("reviewer"), f"{QUEUE}/{rid}"
        refused = post(reviewer, page, f"{page}/decision", verdict="refuse",
                       **{"reason-refuse": "refus-non-justifie"})  # fmt: skip
        assert refused.status_code == 303
        read = clinic_reads(portal, f"ClaimResponse/{rid}")
        assert "refus-non-justifie" in read.text and granted(read.json()) == [(0, 0)]
        again = post(reviewer, page, f"{page}/decision", verdict="grant",
                     **{"reason-grant": "accord-controle-medical"})  # fmt: skip
        assert again.status_code == 409 and 'role="alert"' in again.text

    def test_bad_decisions_come_back_with_the_reason(
        self, portal: PortalWorld, person: Any
    ) -> None:
        rid = queued_admission(portal)["id"]
        reviewer, page = person("reviewer"), f"{QUEUE}/{rid}"
        too_many = post(reviewer, page, f"{page}/decision", verdict="partial",
                        **{"reason-partial": "accord-partiel-controle-medical",
                           "quantity-1": "7"})  # fmt: skip
        assert too_many.status_code == 422 and "quantité accordée invalide" in too_many.text
        whole = post(reviewer, page, f"{page}/decision", verdict="partial",
                     **{"reason-partial": "accord-partiel-controle-medical",
                        "quantity-1": "3"})  # fmt: skip
        assert whole.status_code == 422 and "moins que demandé" in whole.text
        unknown = post(reviewer, page, f"{page}/decision", verdict="refuse",
                       **{"reason-refuse": "pas-un-motif"})  # fmt: skip
        assert unknown.status_code == 422 and "Motif inconnu" in unknown.text
        long_note = post(reviewer, page, f"{page}/information",
                         reason="complement-compte-rendu", note="x" * 2001)  # fmt: skip
        assert long_note.status_code == 422
        assert "en attente de décision" in reviewer.get(page).text  # nothing changed

    def test_information_asked_answered_with_a_document_downloaded(
        self, portal: PortalWorld, person: Any
    ) -> None:
        queued = queued_admission(portal)
        rid, claim = queued["id"], queued["request"]["reference"]
        reviewer, page = person("reviewer"), f"{QUEUE}/{rid}"
        asked = post(reviewer, page, f"{page}/information", reason="complement-compte-rendu",
                     note="Le compte rendu d'hospitalisation, s'il vous plaît")  # fmt: skip
        assert asked.status_code == 303
        assert "complément demandé au prestataire" in reviewer.get(page).text
        requests = clinic_reads(portal, f"CommunicationRequest?about={claim}").json()
        [request] = [e["resource"] for e in requests["entry"]]
        sent = httpx.post(
            f"{portal.base}/fhir/Communication",
            content=orjson.dumps(communication(request["id"], {"contentString": "Ci-joint"},
                                               attachment(PDF, title="compte-rendu.pdf"))),
            headers=api_headers(portal, portal.state.clinic),
        )  # fmt: skip
        assert sent.status_code == 201, sent.text
        shown = reviewer.get(page).text
        assert "Ci-joint" in shown and "répondu" in shown
        [link] = re.findall(r'href="(/console/authorizations/[^"]+/documents/0)"', shown)
        document = reviewer.get(link)
        assert document.status_code == 200 and document.content == PDF
        assert document.headers["content-type"] == "application/pdf"
        assert document.headers["content-disposition"].startswith("attachment;")
        assert document.headers["x-content-type-options"] == "nosniff"
        other = person("cnops-reviewer").get(link)
        assert other.status_code == 404
        for wrong in ("1", "x", "-1"):
            assert reviewer.get(link[:-1] + wrong).status_code == 404

    def test_the_documents_sent_with_the_request_are_the_reviewers_to_read(
        self, portal: PortalWorld, person: Any
    ) -> None:
        body = admission(portal.state.people["ald"][1])
        body["supportingInfo"] = [{
            "sequence": 1, "category": {"coding": [{"code": "attachment"}]},
            "valueAttachment": attachment(PDF, title="prescription-hospitalisation.pdf")[
                "contentAttachment"
            ],
        }]  # fmt: skip
        answer = httpx.post(f"{portal.base}/fhir/Claim/$submit", content=orjson.dumps(body),
                            headers=api_headers(portal, portal.state.clinic))  # fmt: skip
        assert answer.status_code == 200, answer.text
        rid = answer.json()["id"]
        reviewer, page = person("reviewer"), f"{QUEUE}/{rid}"
        shown = reviewer.get(page).text
        assert "prescription-hospitalisation.pdf" in shown
        [link] = re.findall(rf'href="(/console/authorizations/{rid}/documents/0)"', shown)
        document = reviewer.get(link)
        assert document.status_code == 200 and document.content == PDF
        assert document.headers["content-disposition"] == f'attachment; filename="{rid}-1.pdf"'
        assert document.headers["x-content-type-options"] == "nosniff"
        assert person("cnops-reviewer").get(link).status_code == 404
        assert person("finance").get(link).status_code == 403
        for wrong in ("1", "x", "-1"):
            assert reviewer.get(link[:-1] + wrong).status_code == 404
        assert (
            "Aucune pièce jointe" in reviewer.get(f"{QUEUE}/{queued_admission(portal)['id']}").text
        )

    def test_another_payers_reviewer_gets_not_found(self, portal: PortalWorld, person: Any) -> None:
        rid = queued_admission(portal)["id"]
        other, page = person("cnops-reviewer"), f"{QUEUE}/{rid}"
        assert rid not in other.get(QUEUE).text
        assert other.get(page).status_code == 404
        tried = post(other, QUEUE, f"{page}/decision", verdict="refuse",
                     **{"reason-refuse": "refus-non-justifie"})  # fmt: skip
        assert tried.status_code == 404
        assert "en attente de décision" in person("reviewer").get(page).text

    def test_a_form_without_its_token_is_refused(self, portal: PortalWorld, person: Any) -> None:
        rid = queued_admission(portal)["id"]
        reviewer, page = person("reviewer"), f"{QUEUE}/{rid}"
        fields = {"csrf": "0" * 64, "verdict": "refuse", "reason-refuse": "refus-non-justifie"}
        forged = reviewer.post(f"{page}/decision", data=fields)
        assert forged.status_code == 403
        assert "en attente de décision" in reviewer.get(page).text


class TestBankAccounts:
    def test_four_eyes_one_proposes_another_approves(
        self, portal: PortalWorld, person: Any
    ) -> None:
        new_rib = rib("1" * 15 + "3")
        page = "/console/bank-accounts"
        finance = person("finance")
        proposed = post(finance, page, f"{page}/propose", inpe=portal.state.pharmacy.inpe,
                        rib=new_rib, holder="Pharmacie du Test SARL")  # fmt: skip
        assert proposed.status_code == 303
        listed = finance.get(page).text
        assert new_rib not in listed and "1113" in listed  # masked: the last digits only
        assert "Pharmacie du Test SARL" in listed
        own = post(finance, page, f"{page}/approve", provider=_pending_provider(listed))
        assert own.status_code == 409 and "vous avez proposé ce changement" in own.text
        second = person("finance2")
        approved = post(second, page, f"{page}/approve", provider=_pending_provider(listed))
        assert approved.status_code == 303 and approved.headers["location"].endswith("approved")
        assert "1113" not in second.get(page).text
        again = post(second, page, f"{page}/approve", provider=_pending_provider(listed))
        assert again.status_code == 404

    def test_a_bad_rib_or_unknown_provider_is_said(self, portal: PortalWorld, person: Any) -> None:
        page, finance = "/console/bank-accounts", person("finance")
        bad = post(finance, page, f"{page}/propose", inpe=portal.state.pharmacy.inpe,
                   rib="011780" + "1" * 18, holder="Pharmacie")  # fmt: skip
        assert bad.status_code == 422 and 'role="alert"' in bad.text
        unknown = post(finance, page, f"{page}/propose", inpe="000000000", rib=rib("2" * 16),
                       holder="Pharmacie")  # fmt: skip
        assert unknown.status_code == 422 and "000000000" in unknown.text
        nameless = post(finance, page, f"{page}/propose", inpe=portal.state.pharmacy.inpe,
                        rib=rib("2" * 16), holder=" ")  # fmt: skip
        assert (
            nameless.status_code == 422 and "titulaire du compte est obligatoire" in nameless.text
        )

    def test_a_reviewer_cannot_open_them_nor_a_forged_form_propose(
        self, portal: PortalWorld, person: Any
    ) -> None:
        assert person("reviewer").get("/console/bank-accounts").status_code == 403
        forged = person("finance").post("/console/bank-accounts/propose",
                                        data={"inpe": portal.state.pharmacy.inpe,
                                              "rib": rib("3" * 16)})  # fmt: skip
        assert forged.status_code == 403


def _pending_provider(page: str) -> str:
    found = re.findall(r'name="provider" value="([^"]+)"', page)
    assert found, page[-2000:]
    return found[-1]


class TestSettlements:
    def test_the_payers_batches_transfers_statement_and_file(
        self, portal: PortalWorld, settled: Settled, person: Any
    ) -> None:
        for name in ("finance", "cnops-finance"):
            finance = person(name)
            listed = finance.get("/console/settlements")
            assert listed.status_code == 200
            batches = re.findall(r'href="/console/settlements/([^"/]+)"', listed.text)
            for batch in batches:
                page = finance.get(f"/console/settlements/{batch}").text
                if settled.transfer in page:
                    break
            else:
                continue
            assert "exécuté" in page
            days = finance.get("/console/settlements").text.split("Relevés bancaires importés")[1]
            assert "Aucun relevé" not in days and "MAD" in days  # the statement's day
            file = finance.get(f"/console/settlements/{batch}/pain001.xml")
            assert file.status_code == 200 and b"pain.001.001.03" in file.content
            assert file.headers["content-disposition"].startswith("attachment")
            other = "cnops-finance" if name == "finance" else "finance"
            assert person(other).get(f"/console/settlements/{batch}").status_code == 404
            return
        raise AssertionError("the settled transfer is in no payer's batch")

    def test_a_returned_transfer_says_the_banks_reason(
        self, portal: PortalWorld, settled: Settled, person: Any
    ) -> None:
        pages = []
        for name in ("finance", "cnops-finance"):
            finance = person(name)
            listed = finance.get("/console/settlements").text
            for batch in re.findall(r'href="/console/settlements/([^"/]+)"', listed):
                pages.append(finance.get(f"/console/settlements/{batch}").text)
        [page] = [p for p in pages if settled.returned in p]
        assert "rejeté par la banque" in page and "AC04" in page

    def test_a_reviewer_cannot_follow_them(self, portal: PortalWorld, person: Any) -> None:
        assert person("reviewer").get("/console/settlements").status_code == 403

    def test_the_payers_admin_follows_them_but_changes_no_account(
        self, portal: PortalWorld, person: Any
    ) -> None:
        admin = person("cnss-admin")
        assert admin.get("/console/settlements").status_code == 200
        assert admin.get("/console/bank-accounts").status_code == 403
        home = admin.get("/console").text
        assert "/console/settlements" in home and "/console/bank-accounts" not in home


class TestAnomalies:
    def test_a_duplicate_is_flagged_for_its_payers_reviewers_only(
        self, portal: PortalWorld, settled: Settled, person: Any
    ) -> None:
        # `settled` first: its cycles must not pay these claims
        day = date.today() - timedelta(days=2)
        patient = portal.state.people["ald"][1]
        for claim in ("CONSOLE-DOUBLE-1", "CONSOLE-DOUBLE-2"):
            submit(portal, dispensing(patient, claim, boxes=1, billed=35.5, day=day))
        reviewer = person("reviewer")
        listed = reviewer.get("/console/anomalies?code=doublon")
        assert listed.status_code == 200 and "Acte déjà facturé" in listed.text
        [flag] = re.findall(r'href="/console/anomalies/([^"?]+)"', listed.text)[:1]
        detail = reviewer.get(f"/console/anomalies/{flag}")
        assert detail.status_code == 200 and "CONSOLE-DOUBLE-2" in detail.text
        assert "jamais une décision" in detail.text
        assert person("cnops-reviewer").get(f"/console/anomalies/{flag}").status_code == 404
        elsewhere = reviewer.get("/console/anomalies?code=doublon&inpe=000000000")
        assert "Acte déjà facturé pour ce patient" not in elsewhere.text.split("</select>")[-1]

    def test_finance_cannot_read_them(self, portal: PortalWorld, person: Any) -> None:
        assert person("reviewer").get("/console/anomalies/unknown").status_code == 404
        assert person("finance").get("/console/anomalies").status_code == 403


class TestStatistics:
    def test_the_payers_figures_as_a_table_and_a_csv_file(
        self, portal: PortalWorld, person: Any
    ) -> None:
        rid = queued_admission(portal)["id"]
        reviewer, page = person("reviewer"), f"{QUEUE}/{rid}"
        refused = post(reviewer, page, f"{page}/decision", verdict="refuse",
                       **{"reason-refuse": "refus-hors-nomenclature"})  # fmt: skip
        assert refused.status_code == 303
        table = person("finance").get("/console/stats")
        assert table.status_code == 200 and "Total CNSS" in table.text
        assert portal.state.clinic.inpe in table.text  # the clinic's row
        today = date.today().isoformat()
        exported = reviewer.get(f"/console/stats.csv?from={today}&to={today}")
        assert exported.status_code == 200 and exported.headers["content-type"].startswith(
            "text/csv"
        )
        rows = list(csv.reader(io.StringIO(exported.text)))
        assert rows[0][:3] == ["provider", "claims", "accepted"]
        total = rows[-1]
        assert total[0] == "CNSS" and int(total[4]) >= 1 and int(total[5]) >= 1
        assert 0 < float(total[7]) <= 1  # a refusal among the decisions
        backwards = reviewer.get("/console/stats?from=2026-02-01&to=2026-01-01")
        assert backwards.status_code == 422 and 'role="alert"' in backwards.text
        assert person("cnops-reviewer").get("/console/stats").status_code == 200
        assert "Total CNOPS" in person("cnops-reviewer").get("/console/stats").text
