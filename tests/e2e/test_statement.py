"""The provider's statement end to end, against a real uvicorn and worker: a provider sees its
claims due with their due dates, paid with the transfer, rejected with their reasons, as FHIR
Parameters and as a CSV file; another provider sees none of them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from adapters.sql.tables import LedgerEntryRow
from domain.ledger import payment
from domain.money import Money
from gateway.bootstrap import open_storage
from tests.e2e.pa_world import World, costly_drug, submit, world
from tests.e2e.support import Client
from tests.e2e.test_claims import bill
from tests.fhir_schema import assert_valid_r4

pytestmark = pytest.mark.e2e
__all__ = ["world"]  # the module's fixture


def statement(world: World, who: Client, query: str = "") -> httpx.Response:
    return httpx.get(
        f"{world.base}/fhir/ClaimResponse/$statement{query}", headers=world.headers(who)
    )


def lines(answer: httpx.Response) -> dict[str, dict[str, Any]]:
    """Each line's parts by name, by claim id."""
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert_valid_r4(body)
    found = {}
    for parameter in body["parameter"]:
        if parameter["name"] != "line":
            continue
        parts: dict[str, Any] = {}
        for part in parameter["part"]:
            value = next(v for k, v in part.items() if k.startswith("value"))
            parts.setdefault(part["name"], []).append(value)
        found[parts["claim"][0]["value"]] = {
            k: v[0] if k != "reason" else v for k, v in parts.items()
        }
    return found


def pay(world: World, claim_id: str, transfer: str) -> str:
    """The settlement's payment of one accepted claim, as the ledger records it."""
    with open_storage(world.state.settings) as storage, storage.uow() as uow:
        entry = uow.session.execute(
            select(LedgerEntryRow).where(LedgerEntryRow.id.endswith(f":{claim_id}"))  # type: ignore[attr-defined]
        ).scalar_one()
        (claim,) = [e for e in uow.ledger.by_source(entry.source) if e.id == entry.id]
        credit = next(p for p in claim.postings if p.amount < Money(0))
        payer, provider = credit.account.removeprefix("payable:").split(":", 1)
        paid = payment(transfer, payer=payer, provider=provider, claims=(claim.source,),
                       amount=-credit.amount, at=datetime.now(UTC))  # fmt: skip
        uow.ledger.add_many([paid])
        uow.commit()
        return paid.id


class TestStatement:
    def test_a_provider_sees_its_due_claim_with_its_due_date(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        answer = submit(world, world.state.pharmacy, bill(world, "RELEVE-1", pa["id"])).json()
        due = lines(statement(world, world.state.pharmacy))["RELEVE-1"]
        assert due["state"] == "due"
        assert due["due"] == answer["payment"]["date"]
        assert due["amount"] == {"value": 4900, "currency": "MAD"}
        assert (due["age"], due["overdue"]) == (0, 0)
        assert "payment" not in due

    def test_another_provider_sees_none_of_them(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        submit(world, world.state.pharmacy, bill(world, "RELEVE-2", pa["id"]))
        assert "RELEVE-2" in lines(statement(world, world.state.pharmacy))
        for state in ("", "?state=due,overdue,paid", "?state=rejected"):
            assert lines(statement(world, world.state.clinic, state)) == {}

    def test_a_paid_claim_names_its_transfer(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        submit(world, world.state.pharmacy, bill(world, "RELEVE-3", pa["id"]))
        transfer = pay(world, "RELEVE-3", "VIR-2026-0001")
        paid = lines(statement(world, world.state.pharmacy, "?state=paid"))
        assert paid["RELEVE-3"]["state"] == "paid"
        assert paid["RELEVE-3"]["payment"] == {"value": transfer}
        assert "RELEVE-1" not in paid
        assert "RELEVE-3" not in lines(statement(world, world.state.pharmacy, "?state=due"))

    def test_a_rejected_claim_says_why(self, world: World) -> None:
        submit(world, world.state.pharmacy, bill(world, "RELEVE-4", None))
        rejected = lines(statement(world, world.state.pharmacy, "?state=rejected"))["RELEVE-4"]
        assert rejected["state"] == "rejected"
        assert "accord-prealable-requis" in [r["code"] for r in rejected["reason"]]
        assert rejected["response"]["reference"].startswith("ClaimResponse/")

    def test_pages_follow_the_next_link(self, world: World) -> None:
        for n in (5, 6):
            pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
            submit(world, world.state.pharmacy, bill(world, f"RELEVE-{n}", pa["id"]))
        seen: list[str] = []
        answer = statement(world, world.state.pharmacy, "?_count=1")
        while True:
            seen += list(lines(answer))
            links = [p["valueUri"] for p in answer.json()["parameter"] if p["name"] == "next"]
            if not links:
                break
            answer = httpx.get(links[0], headers=world.headers(world.state.pharmacy))
        assert len(seen) == len(set(seen)) and {"RELEVE-5", "RELEVE-6"} <= set(seen)

    def test_an_unknown_state_or_page_is_refused_in_french(self, world: World) -> None:
        for query in ("?state=late", "?_page=pas-un-curseur", "?state=rejected,due"):
            answer = statement(world, world.state.pharmacy, query)
            assert 400 <= answer.status_code < 500, answer.text
            assert answer.json()["resourceType"] == "OperationOutcome"


class TestCsvExport:
    def test_the_file_opens_in_a_french_spreadsheet(self, world: World) -> None:
        pa = submit(world, world.state.pharmacy, costly_drug(world.patient("dialysis"))).json()
        submit(world, world.state.pharmacy, bill(world, "RELEVE-CSV-1", pa["id"]))
        submit(world, world.state.pharmacy, bill(world, "RELEVE-CSV-2", None))
        answer = statement(world, world.state.pharmacy, "?_format=text/csv")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/csv")
        assert answer.content.startswith(b"\xef\xbb\xbf")  # the BOM
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0][:4] == ["Demande", "État", "Payeur", "Montant (MAD)"]
        by_claim = {row[0]: row for row in rows[1:]}
        due = by_claim["RELEVE-CSV-1"]
        assert (due[1], due[3]) == ("à payer", "4900,00")
        assert due[5]  # its due date
        rejected = by_claim["RELEVE-CSV-2"]
        assert rejected[1] == "rejetée" and "accord-prealable-requis" in rejected[11]

    def test_another_provider_s_file_holds_none_of_them(self, world: World) -> None:
        answer = statement(world, world.state.clinic, "?_format=csv")
        assert answer.status_code == 200
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
        assert not [row for row in rows[1:] if row[0].startswith("RELEVE")]
