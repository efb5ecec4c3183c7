"""The pharmacy's money, seeded through the real commands for the portal's pages: a claim
paid at the counter, settled by its payer's cycle and executed by the bank's statement, and a
claim rejected (as tests/e2e/test_settlement_flow.py does it through the API)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson

from domain.bank_accounts import rib_key
from gateway.bootstrap import open_storage
from gateway.commands.settlement import approve, propose, run_cycle, run_statement
from gateway.settings import Settings
from tests.bank_documents import Booked, camt054
from tests.e2e.pa_world import PROVIDER_SCOPES, dispensing
from tests.e2e.portal_world import PortalWorld
from tests.e2e.support import token_form

SCOPES = f"{PROVIDER_SCOPES} system/PaymentReconciliation.rs"
RETURNED = "AC04"  # ISO 20022: closed account


@dataclass(frozen=True)
class Settled:
    """What the pharmacy's statement must show."""

    paid: str  # the claim paid (its business id)
    transfer: str  # the end-to-end id of the transfer that paid it
    amount: float  # what it paid, in MAD
    rejected: str  # a claim with nothing payable
    returned: str  # a transfer the bank returned
    unpaid: str  # the claim it did not pay
    filed: date  # the UTC day the paid claim was filed, as the gateway stamped it
    booked: date  # the day the bank's statement booked both transfers


def rib(account: str) -> str:
    return f"011780{account}{rib_key('011', '780', account)}"


def api(portal: PortalWorld) -> dict[str, str]:
    """The pharmacy's software's headers: a token for claims and payments."""
    url = f"{portal.base}/auth/token"
    form = token_form(portal.state.pharmacy, url, SCOPES)
    token = httpx.post(url, data=form).json()["access_token"]
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}


def submit(portal: PortalWorld, claim: dict[str, Any]) -> dict[str, Any]:
    """The pharmacy's claim through the API, its ClaimResponse."""
    answer = httpx.post(f"{portal.base}/fhir/Claim/$submit", content=orjson.dumps(claim),
                        headers=api(portal))  # fmt: skip
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def settle(portal: PortalWorld, folder: Path) -> Settled:
    """A claim paid at the counter, settled by its payer's cycle and executed by the bank; a
    second one settled by the next cycle and returned by the bank (closed account); a claim
    for a patient still in the waiting period, rejected."""
    people = portal.state.people
    day = date.today() - timedelta(days=3)
    paid = submit(portal, dispensing(people["disabled-child"][1], "PORTAIL-PAYE-1", boxes=2,
                                     billed=71, prescribed=1, day=day))  # fmt: skip
    submit(portal, dispensing(people["waiting-period"][1], "PORTAIL-REJET-1", boxes=1,
                              billed=35.5, day=day))  # fmt: skip
    debtors = f"CNSS={rib('9' * 16)},CNOPS={rib('8' * 16)}"
    settings = replace(portal.state.settings, settlement_dir=folder, settlement_debtors=debtors)
    with open_storage(settings) as storage, storage.uow() as uow:
        pharmacy = uow.providers.by_inpe(portal.state.pharmacy.inpe)
        assert pharmacy is not None
    propose(settings, pharmacy.id, rib("0" * 15 + "7"), "alice")
    approve(settings, pharmacy.id, "bob")
    due = date.fromisoformat(paid["payment"]["date"])
    (first,) = _cycle(portal, settings, due)
    returned = submit(portal, dispensing(people["disabled-child"][1], "PORTAIL-RETOUR-1",
                                         boxes=1, billed=35.5, prescribed=1,
                                         day=day - timedelta(days=10)))  # fmt: skip
    (second,) = _cycle(portal, settings, date.fromisoformat(returned["payment"]["date"]),
                       after={first[0]})  # fmt: skip
    statement = folder / "camt054.xml"
    booked = date.today()
    statement.write_bytes(camt054([Booked(*first), Booked(*second, returned=RETURNED)],
                                  booked))  # fmt: skip
    run_statement(settings, statement)
    filed = datetime.fromisoformat(paid["created"]).astimezone(UTC).date()
    return Settled("PORTAIL-PAYE-1", first[0], first[1] / 100, "PORTAIL-REJET-1",
                   second[0], "PORTAIL-RETOUR-1", filed, booked)  # fmt: skip


def _cycle(
    portal: PortalWorld, settings: Settings, cycle: date, after: Collection[str] = ()
) -> list[tuple[str, int]]:
    """Both payers' cycles on that day; the transfers made (end-to-end id, centimes)."""
    for payer in ("CNSS", "CNOPS"):
        _, problems = run_cycle(settings, payer, cycle, quiet=True)
        assert problems == []
    found = httpx.get(f"{portal.base}/fhir/PaymentReconciliation", headers=api(portal)).json()
    made = [entry["resource"] for entry in found.get("entry", [])]
    return [
        (r["paymentIdentifier"]["value"], round(r["paymentAmount"]["value"] * 100))
        for r in made
        if r["paymentIdentifier"]["value"] not in after
    ]
