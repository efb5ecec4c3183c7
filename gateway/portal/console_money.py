"""The payer's finance officers on the console: providers' bank account changes (proposed by
one officer, approved by another: domain.bank_accounts' four eyes) and the payer's settlement
cycles (batches, their transfers, the bank's answers, the pain.001 file).

The bank account pages call the same use cases as `amo-gateway accounts propose|approve`,
over the same store; the settlement pages read the batches through their own port."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from adapters.bank_files import Pain001Files
from adapters.iban import checked
from domain.accounts import Action, Side, StaffSession
from domain.bank_accounts import AccountChange
from domain.errors import DomainError, InvalidRequest, NotFound
from domain.services import bank_accounts, settlement_history
from domain.services.settlement_history import BatchDetail
from gateway.commands.settlement import any_rib
from gateway.errors import rule_for
from gateway.ids import new_id
from gateway.portal import catalogue, web
from gateway.portal.console_views import officer_of, provider_name
from gateway.portal.guards import person

router = APIRouter(include_in_schema=False)
ACCOUNTS, SETTLEMENTS = "/console/bank-accounts", "/console/settlements"
PAGE = 20
ANSWERED = 500  # the latest transfers the statements answered, shown day by day
DONE = ("proposed", "approved")


@router.get(ACCOUNTS)
async def accounts_page(request: Request) -> Response:
    """The changes of account waiting for a second officer's approval, and the propose form."""
    session = await person(request, Side.PAYER, Action.APPROVE_BANK_CHANGES)
    done = request.query_params.get("done", "")
    notice = catalogue.text(web.lang_of(request), f"bank.done.{done}") if done in DONE else ""
    return await _accounts_page(request, session, notice=notice)


@router.post(ACCOUNTS + "/propose")
async def propose(request: Request) -> Response:
    """Propose a provider's new account (its INPE, the RIB or IBAN, the holder's name): it
    waits for another officer's approval."""
    fields = await web.form(request)
    session = await person(request, Side.PAYER, Action.APPROVE_BANK_CHANGES)
    storage, lang = web.gateway(request).storage, web.lang_of(request)
    inpe, typed = web.first(fields, "inpe").strip()[:32], web.first(fields, "rib")[:64]
    holder = web.first(fields, "holder").strip()[:200]

    def work() -> AccountChange:
        with storage.uow() as uow:
            found = uow.providers.by_inpe(inpe)
        if found is None:
            raise NotFound(catalogue.text(lang, "bank.unknown-provider", inpe=inpe))
        if not holder:  # the approver checks the name against the provider's documents
            raise InvalidRequest(catalogue.text(lang, "bank.holder-missing"))
        rib = checked(any_rib(typed))
        return bank_accounts.propose_account(
            storage.uow(), found.id, rib, by=session.email, now=datetime.now(UTC),
            new_id=new_id, holder=holder,
        )  # fmt: skip

    try:
        await run_in_threadpool(work)
    except DomainError as exc:
        status = 422 if isinstance(exc, NotFound) else rule_for(exc).status
        error = catalogue.text(lang, "bank.refused.propose", detail=exc.detail or exc.code)
        return await _accounts_page(
            request, session, status=status, error=error,
            kept={"inpe": inpe, "rib": typed, "holder": holder},
        )  # fmt: skip
    return web.redirect(request, f"{ACCOUNTS}?done=proposed")


@router.post(ACCOUNTS + "/approve")
async def approve(request: Request) -> Response:
    """Approve a provider's pending account: refused to the officer who proposed it."""
    fields = await web.form(request)
    session = await person(request, Side.PAYER, Action.APPROVE_BANK_CHANGES)
    storage, lang = web.gateway(request).storage, web.lang_of(request)
    provider = web.first(fields, "provider")[:64]
    try:
        await run_in_threadpool(
            lambda: bank_accounts.approve_account(
                storage.uow(), provider, by=session.email, now=datetime.now(UTC)
            )
        )
    except DomainError as exc:
        error = (
            catalogue.text(lang, f"bank.refused.{exc.code}")
            if exc.code in ("double-validation-requise", "aucun-changement-en-attente")
            else catalogue.text(lang, "bank.refused.approve", detail=exc.detail or exc.code)
        )
        return await _accounts_page(request, session, status=rule_for(exc).status, error=error)
    return web.redirect(request, f"{ACCOUNTS}?done=approved")


async def _accounts_page(
    request: Request, session: StaffSession, *, status: int = 200, **context: Any
) -> Response:
    storage = web.gateway(request).storage
    changes = await run_in_threadpool(lambda: bank_accounts.pending_changes(storage.uow()))
    names: dict[str, str] = {}
    for c in changes:
        await provider_name(request, c.provider, names)
    rows = [
        {
            "change": c,
            "provider": names[c.provider],
            "rib": bank_accounts.masked(c.rib),
            "mine": c.proposed_by == session.email,
        }
        for c in changes
    ]
    return web.page(
        request, "console_bank.html", session=session, status=status, rows=rows, **context
    )


@router.get(SETTLEMENTS)
async def settlements_page(request: Request) -> Response:
    """The payer's settlement batches, newest cycle first, and what the bank's statements
    said of its latest transfers, day by day."""
    session = await person(request, Side.PAYER, Action.FOLLOW_SETTLEMENTS)
    wired = web.gateway(request)
    offset = web.offset(request)
    found, total = await settlement_history.payer_batches(
        officer_of(session), PAGE, offset, ports=wired.settlements
    )
    days = await settlement_history.statement_days(
        officer_of(session), ANSWERED, ports=wired.settlements
    )
    files = _files(request)
    return web.page(
        request,
        "console_settlements.html",
        session=session,
        batches=found,
        days=days,
        total=total,
        file_name=lambda b: files.path(b).name,
        next_page=offset + PAGE if offset + PAGE < total else None,
    )


@router.get(SETTLEMENTS + "/{batch_id}")
async def batch_page(request: Request, batch_id: str) -> Response:
    """One of the payer's batches: its transfers and how the bank answered each."""
    session, detail = await _payer_batch(request, batch_id)
    if detail is None:
        return web.not_found(request, session)
    names: dict[str, str] = {}
    for t in detail.transfers:
        await provider_name(request, t.provider, names)
    path = _files(request).path(detail.summary.batch.id)
    return web.page(
        request,
        "console_batch.html",
        session=session,
        detail=detail,
        names=names,
        file_name=path.name if path.is_file() else None,
    )


@router.get(SETTLEMENTS + "/{batch_id}/pain001.xml")
async def batch_file(request: Request, batch_id: str) -> Response:
    """The batch's credit-transfer file (pain.001) as it was handed to the bank."""
    session, detail = await _payer_batch(request, batch_id)
    if detail is None:
        return web.not_found(request, session)
    path = _files(request).path(detail.summary.batch.id)
    if not path.is_file():
        return web.not_found(request, session)
    answer = FileResponse(
        path,
        media_type="application/xml",
        filename=path.name,
        content_disposition_type="attachment",
    )
    return web.guarded(request, answer)


async def _payer_batch(request: Request, batch_id: str) -> tuple[StaffSession, BatchDetail | None]:
    """The signed-in finance officer, and one of their payer's batches (None: not theirs)."""
    session = await person(request, Side.PAYER, Action.FOLLOW_SETTLEMENTS)
    try:
        detail = await settlement_history.payer_batch(
            officer_of(session), batch_id[:64], ports=web.gateway(request).settlements
        )
    except NotFound:
        return session, None
    return session, detail


def _files(request: Request) -> Pain001Files:
    """Where the settlement writes each batch's file (only its path is read here)."""
    return Pain001Files(web.gateway(request).settings.settlement_dir, {})
