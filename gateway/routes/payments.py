"""A provider's payments: a PaymentReconciliation per transfer, a PaymentNotice once the bank
executed it. Read and searched by the provider paid only: the tenant comes from the token, and
another provider's transfer is answered 404, as if absent."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from domain.payment_records import TransferRecord
from domain.services import payments
from domain.transfer_ports import TransferPage
from fhir_profiles import payment_reconciliation as fhir_payment
from fhir_profiles.bundle import searchset
from gateway import payment_search
from gateway.auth import Caller
from gateway.deps import PaymentPortsDep, SettingsDep, authorized
from gateway.fhirjson import fhir_response
from gateway.search import ResourceId

router = APIRouter(prefix="/fhir", tags=["payment-tracking"])
RECONCILIATION = "PaymentReconciliation"
NOTICE = "PaymentNotice"
ReconciliationReader = Annotated[Caller, Depends(authorized(RECONCILIATION, "r"))]
ReconciliationSearcher = Annotated[Caller, Depends(authorized(RECONCILIATION, "s"))]
NoticeReader = Annotated[Caller, Depends(authorized(NOTICE, "r"))]
NoticeSearcher = Annotated[Caller, Depends(authorized(NOTICE, "s"))]


@router.get("/PaymentReconciliation/{transfer_id}", name="payments.reconciliation.read")
async def read_reconciliation(
    transfer_id: ResourceId, caller: ReconciliationReader, ports: PaymentPortsDep
) -> Response:
    """One of the caller's transfers, with the claims it pays."""
    found = await payments.read_transfer(caller.requester, transfer_id, ports=ports)
    return fhir_response(fhir_payment.from_domain(found, requestor_inpe=caller.inpe))


@router.get(
    "/PaymentReconciliation",
    name="payments.reconciliation.search",
    openapi_extra=payment_search.RECONCILIATION_OPENAPI,
)
async def search_reconciliations(
    request: Request, caller: ReconciliationSearcher, ports: PaymentPortsDep, settings: SettingsDep
) -> Response:
    """The caller's transfers by payer, status, outcome and creation date, newest first."""
    values = payment_search.checked(
        request.query_params.multi_items(), payment_search.RECONCILIATION_PARAMETERS
    )
    query, possible = payment_search.reconciliation_query(values)
    page = (
        await payments.search_transfers(caller.requester, query, ports=ports) if possible else None
    )
    entries = [fhir_payment.from_domain(t, requestor_inpe=caller.inpe) for t in _records(page)]
    return fhir_response(_bundle(RECONCILIATION, entries, page, values, settings.fhir_base))


@router.get("/PaymentNotice/{transfer_id}", name="payments.notice.read")
async def read_notice(
    transfer_id: ResourceId, caller: NoticeReader, ports: PaymentPortsDep
) -> Response:
    """The notice of one of the caller's transfers the bank executed."""
    found = await payments.read_notice(caller.requester, transfer_id, ports=ports)
    return fhir_response(fhir_payment.notice(found, requestor_inpe=caller.inpe))


@router.get(
    "/PaymentNotice", name="payments.notice.search", openapi_extra=payment_search.NOTICE_OPENAPI
)
async def search_notices(
    request: Request, caller: NoticeSearcher, ports: PaymentPortsDep, settings: SettingsDep
) -> Response:
    """The notices of the caller's executed transfers, by the day the bank executed them."""
    values = payment_search.checked(
        request.query_params.multi_items(), payment_search.NOTICE_PARAMETERS
    )
    query, possible = payment_search.notice_query(values)
    page = await payments.search_notices(caller.requester, query, ports=ports) if possible else None
    entries = [fhir_payment.notice(t, requestor_inpe=caller.inpe) for t in _records(page)]
    return fhir_response(_bundle(NOTICE, entries, page, values, settings.fhir_base))


def _records(page: TransferPage | None) -> tuple[TransferRecord, ...]:
    return () if page is None else page.records


def _bundle(
    resource: str,
    entries: list[dict[str, object]],
    page: TransferPage | None,
    values: dict[str, list[str]],
    base: str,
) -> dict[str, object]:
    after = None if page is None else page.next
    return searchset(
        entries,
        None,  # paged by position: the matches are not counted
        self_url=payment_search.self_url(base, resource, values),
        next_url=None if after is None else payment_search.next_url(base, resource, values, after),
        base_url=base,
    )
