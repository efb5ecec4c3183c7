"""pain.001 files checked before they are written, and camt statements read back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.bank_files import InvalidBankFile, Pain001Files, UnknownDebtor, totals
from adapters.bank_statements import UnreadableStatement, read_statement
from domain.bank_accounts import parse_rib
from domain.money import Money
from domain.payment_records import TransferStatus
from domain.settlement import Batch, BatchStatus, Payable, Transfer
from tests.bank_documents import Booked, camt053, camt054

DEBTOR = parse_rib("011519000001205000534921")
BATCH = Batch("CNSS-20261130-01", "CNSS", date(2026, 11, 30), BatchStatus.POSTED,
              datetime(2026, 11, 30, 20, tzinfo=UTC))  # fmt: skip
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def transfer(e2e: str, iban: str = DEBTOR.iban, centimes: int = 12_345) -> Transfer:
    claim = Payable("P1:a", "CNSS", "P1", Money(centimes), None)
    return Transfer(e2e, BATCH.id, "CNSS", "P1", iban, (claim,))


class TestPain001:
    def test_same_batch_same_bytes(self, tmp_path: Path) -> None:
        files = Pain001Files(tmp_path, {"CNSS": DEBTOR})
        one = files.render(BATCH, iter([transfer("E1"), transfer("E2", centimes=5)]))
        assert one == files.render(BATCH, iter([transfer("E1"), transfer("E2", centimes=5)]))
        found = totals(one)
        assert (found.count, found.centimes, found.end_to_end_ids) == (2, 12_350, ("E1", "E2"))
        assert b"<MsgId>CNSS-20261130-01</MsgId>" in one

    def test_an_invalid_file_is_never_written(self, tmp_path: Path) -> None:
        files = Pain001Files(tmp_path, {"CNSS": DEBTOR})
        with pytest.raises(InvalidBankFile):
            files.write(BATCH, iter([transfer("E1", iban="MA00 not an iban")]))
        assert list(tmp_path.iterdir()) == []

    def test_a_payer_without_its_own_account(self, tmp_path: Path) -> None:
        with pytest.raises(UnknownDebtor):
            Pain001Files(tmp_path, {}).write(BATCH, iter([transfer("E1")]))


class TestStatements:
    @pytest.mark.parametrize("document", [camt053, camt054])
    def test_executed_and_returned(self, document: Callable[..., bytes]) -> None:
        lines = read_statement(
            document([Booked("E1", 100), Booked("E2", 250, "AC01")], date(2026, 12, 1)), NOW
        )
        assert [(x.end_to_end_id, x.status, x.reason, x.centimes) for x in lines] == [
            ("E1", TransferStatus.EXECUTED, None, 100),
            ("E2", TransferStatus.REJECTED, "AC01", 250),
        ]
        assert lines[0].at == datetime(2026, 12, 1, tzinfo=UTC)

    @pytest.mark.parametrize(
        "data",
        [
            b"not xml",
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.99'/>",
            b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'><x/></Document>",
        ],
    )
    def test_unreadable(self, data: bytes) -> None:
        with pytest.raises(UnreadableStatement):
            read_statement(data, NOW)
