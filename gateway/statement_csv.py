"""The provider's statement as a CSV file for a spreadsheet: UTF-8 with a byte order mark (so
that Excel reads the accents), French headers, `;` between fields and a decimal comma, as
Excel set to French reads them; amounts in MAD with two decimals; dates as YYYY-MM-DD."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import date

from domain.money import Money
from domain.payment_clock import ClaimState, Clock
from domain.records import Requester
from domain.services.statement import (
    ACCEPTED_STATES,
    Cursor,
    StatementPorts,
    StatementQuery,
    statement_page,
)
from fhir_profiles.statement import Rejection, rejections

BOM = "\ufeff"
PAGE = 1_000  # claims read at a time while the file is written
HEADERS = (
    "Demande", "État", "Payeur", "Montant (MAD)", "Acceptée ou reçue le", "Échéance",
    "Âge (jours)", "Retard (jours)", "Tranche de retard", "Payée le", "Virement",
    "Motifs de rejet",
)  # fmt: skip
STATES = {
    ClaimState.DUE: "à payer",
    ClaimState.OVERDUE: "en retard",
    ClaimState.PAID: "payée",
    ClaimState.REJECTED: "rejetée",
}


async def lines(
    requester: Requester,
    payer: str | None,
    *,
    ports: StatementPorts,
    days: tuple[date | None, date | None] = (None, None),
) -> AsyncIterator[str]:
    """The requester's whole statement (the claims filed on those days, both included, when
    given), a page of claims at a time: the API's file and the portal's alike (a payer named:
    its accepted claims only, a rejection's payer being in its stored answer alone)."""
    yield header()
    for states in (ACCEPTED_STATES, (ClaimState.REJECTED,)):
        if payer is not None and states != ACCEPTED_STATES:
            continue
        cursor: Cursor | None = Cursor()
        while cursor is not None:
            found = await statement_page(
                requester, StatementQuery(states, payer, PAGE, cursor, *days), ports=ports
            )
            yield accepted_rows(found.lines)
            yield rejected_rows(rejections(found.rejected))
            cursor = found.next


def filename(requester: Requester) -> str:
    """The file's name, the provider's own."""
    return f"releve-{requester.tenant}.csv"


def header() -> str:
    """The first line, after the byte order mark."""
    return BOM + _rows([HEADERS])


def accepted_rows(lines: Iterable[Clock]) -> str:
    """The lines of accepted claims."""
    return _rows(_accepted(line) for line in lines)


def rejected_rows(rejections: Iterable[Rejection]) -> str:
    """The lines of rejected claims, their reasons joined."""
    return _rows(_rejected(r) for r in rejections)


def _accepted(line: Clock) -> tuple[object, ...]:
    claim = line.claim
    due = "" if claim.due is None else claim.due.isoformat()
    paid = "" if claim.paid_at is None else claim.paid_at.date().isoformat()
    accepted = claim.accepted_at.date().isoformat()
    state, bucket, transfer = STATES[line.state], line.bucket or "", claim.payment or ""
    return (claim.claim_id, state, claim.payer, amount(claim.amount), accepted, due,
            line.age, line.overdue, bucket, paid, transfer, "")  # fmt: skip


def _rejected(r: Rejection) -> tuple[object, ...]:
    reasons = " ; ".join(f"{code} : {label}" for code, label in r.reasons)
    received = r.created.date().isoformat()
    return (r.claim_id, STATES[ClaimState.REJECTED], "", "", received, "", "", "", "", "", "",
            reasons)  # fmt: skip


def amount(money: Money) -> str:
    """Dirhams with two decimals and a decimal comma: 1234,50."""
    return f"{money.as_decimal():.2f}".replace(".", ",")


def _rows(rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()
