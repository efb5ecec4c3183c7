"""camt.053 and camt.054 documents as a bank would send them, for the settlement tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Booked:
    """One transaction on the statement: a transfer executed, or returned with a reason."""

    end_to_end_id: str
    centimes: int
    returned: str | None = None  # ISO 20022 return reason (AC04, AC01...)


def _tx(item: Booked, day: date) -> str:
    returned = ""
    if item.returned:
        returned = f"<RtrInf><Rsn><Cd>{item.returned}</Cd></Rsn></RtrInf>"
    indicator = "CRDT" if item.returned else "DBIT"
    return (
        f'<Ntry><Amt Ccy="MAD">{item.centimes / 100:.2f}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>'
        f"<Sts>BOOK</Sts><BookgDt><Dt>{day.isoformat()}</Dt></BookgDt>"
        "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly>"
        "</Domn></BkTxCd>"
        f"<NtryDtls><TxDtls><Refs><EndToEndId>{item.end_to_end_id}</EndToEndId></Refs>"
        f"{returned}</TxDtls></NtryDtls></Ntry>"
    )


def _account() -> str:
    return "<Acct><Id><IBAN>MA64011519000001205000534921</IBAN></Id></Acct>"


def camt054(items: Sequence[Booked], day: date, message_id: str = "N1") -> bytes:
    """A camt.054.001.02 debit/credit notification of these transactions."""
    entries = "".join(_tx(i, day) for i in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">'
        f"<BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>{message_id}</MsgId>"
        f"<CreDtTm>{day.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
        f"<Ntfctn><Id>{message_id}-1</Id><CreDtTm>{day.isoformat()}T18:00:00</CreDtTm>"
        f"{_account()}{entries}</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"
    ).encode()


def camt053(items: Sequence[Booked], day: date, message_id: str = "S1") -> bytes:
    """A camt.053.001.02 statement of these transactions."""
    entries = "".join(_tx(i, day) for i in items)
    balance = (
        '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="MAD">0.00</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
        f"<BkToCstmrStmt><GrpHdr><MsgId>{message_id}</MsgId>"
        f"<CreDtTm>{day.isoformat()}T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{message_id}-1</Id><CreDtTm>{day.isoformat()}T18:00:00</CreDtTm>"
        f"{_account()}{balance}{entries}</Stmt></BkToCstmrStmt></Document>"
    ).encode()
