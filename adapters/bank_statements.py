"""The bank's answer: camt.053 (statement) and camt.054 (debit/credit notification) read
with pyiso20022's ISO 20022 classes, each booked transaction found by its end-to-end id.

A booked debit is a transfer executed. A transaction carrying return information (RtrInf:
the creditor's bank sent the money back) is a transfer rejected, with its reason code (AC04
closed account, AC01 wrong account number...). Pending entries say nothing yet.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from typing import Any

from lxml import etree
from xsdata.formats.dataclass.parsers import XmlParser

from domain.errors import MalformedRequest
from domain.payment_records import TransferStatus
from domain.settlement_ports import StatementLine

PREFIX = "urn:iso:std:iso:20022:tech:xsd:"
READ = {
    "camt.053": ("bk_to_cstmr_stmt", "stmt"),
    "camt.054": ("bk_to_cstmr_dbt_cdt_ntfctn", "ntfctn"),
}


class UnreadableStatement(MalformedRequest):
    """A file that is not a camt.053 or camt.054 message this gateway reads."""

    code = "releve-illisible"


def read_statement(data: bytes, received: datetime) -> list[StatementLine]:
    """What a camt.053 or camt.054 file says of each transfer it names."""
    document, message = _parse(data)
    holder, reports = READ[message]
    lines = []
    for report in getattr(getattr(document, holder), reports):
        lines += list(_lines(report, received))
    return lines


def _parse(data: bytes) -> tuple[Any, str]:
    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as exc:
        raise UnreadableStatement(f"Relevé illisible : {exc}") from exc
    namespace = etree.QName(root).namespace or ""
    version = namespace.removeprefix(PREFIX)
    message = version[:8]
    if not namespace.startswith(PREFIX) or message not in READ:
        raise UnreadableStatement(f"Message non pris en charge : {namespace or root.tag}")
    module_name = f"pyiso20022.camt.{version.replace('.', '_')}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UnreadableStatement(f"Version non prise en charge : {version}") from exc
    try:
        return XmlParser().from_bytes(data, module.Document), message
    except Exception as exc:  # xsdata's parse errors have no common base
        raise UnreadableStatement(f"Relevé non conforme à {version} : {exc}") from exc


def _lines(report: Any, received: datetime) -> Iterator[StatementLine]:
    for entry in report.ntry:
        booked = _value(entry.sts) == "BOOK"
        at = _when(entry.bookg_dt) or received
        txs = [tx for details in entry.ntry_dtls for tx in details.tx_dtls]
        for tx in txs:
            e2e = tx.refs.end_to_end_id if tx.refs is not None else None
            if not e2e or e2e == "NOTPROVIDED":
                continue
            centimes = _centimes(tx, entry if len(txs) == 1 else None)
            if tx.rtr_inf is not None:
                reason = _reason(tx.rtr_inf)
                yield StatementLine(e2e, TransferStatus.REJECTED, at, reason, centimes)
            elif booked and _value(entry.cdt_dbt_ind) == "DBIT":
                yield StatementLine(e2e, TransferStatus.EXECUTED, at, None, centimes)


def _centimes(tx: Any, alone_in: Any) -> int | None:
    """The transaction's amount: its own (AmtDtls), or its entry's when it is alone in it."""
    details = tx.amt_dtls
    for amount in (details and details.tx_amt, details and details.instd_amt):
        if amount is not None:
            return int(amount.amt.value * 100)
    return None if alone_in is None else int(alone_in.amt.value * 100)


def _value(code: Any) -> str:
    return str(getattr(code, "value", code))


def _reason(info: Any) -> str:
    reason = info.rsn
    if reason is None:
        return "NARR"  # ISO 20022's code for a reason given only in words
    return str(reason.cd or reason.prtry or "NARR")


def _when(choice: Any) -> datetime | None:
    if choice is None:
        return None
    if getattr(choice, "dt_tm", None) is not None:
        return choice.dt_tm.to_datetime().astimezone(UTC)
    if getattr(choice, "dt", None) is not None:
        day: date = choice.dt.to_date()
        return datetime.combine(day, time(), UTC)
    return None
