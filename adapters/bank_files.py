"""Bank files: the pain.001.001.03 credit transfer a payer's bank executes, and the camt.053
and camt.054 statements it answers with.

A batch's file is built by sepaxml (Moroccan IBANs and MAD pass its checks; `domestic`
leaves out the SEPA service level), its ids made the batch's own (sepaxml draws random
ones: a file written again after a crash must be the same file), then validated with lxml
against the official pain.001.001.03 XSD that sepaxml ships, and only then written: to a
temporary file in the same directory, flushed to disk, renamed over the final name. A
reader sees the whole file or none.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import sepaxml
from lxml import etree
from sepaxml import SepaTransfer

from domain.bank_accounts import Rib
from domain.errors import DomainError
from domain.settlement import Batch, Transfer

SCHEMA = "pain.001.001.03"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"}
CURRENCY = "MAD"


class InvalidBankFile(DomainError):
    """A credit-transfer file that does not pass the pain.001 schema: never written."""

    code = "fichier-bancaire-invalide"


class UnknownDebtor(DomainError):
    """A payer with no account of its own configured to pay from."""

    code = "compte-payeur-inconnu"


@cache
def pain001_schema() -> etree.XMLSchema:
    """The official pain.001.001.03 schema, as sepaxml ships it."""
    path = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


@dataclass(frozen=True, slots=True)
class FileTotals:
    """A file's control totals: NbOfTxs and CtrlSum (in centimes), and its end-to-end ids."""

    count: int
    centimes: int
    end_to_end_ids: tuple[str, ...]


class Pain001Files:
    """domain.settlement_ports.BankFiles: one pain.001 file per batch in a directory."""

    def __init__(self, directory: Path, debtors: Mapping[str, Rib]) -> None:
        self._directory = directory
        self._debtors = dict(debtors)

    def path(self, batch: str) -> Path:
        """Where a batch's file is written."""
        return self._directory / f"{batch}.{SCHEMA}.xml"

    def write(self, batch: Batch, transfers: Iterator[Transfer]) -> Path:
        """The batch's file, checked against the schema, written whole or not at all."""
        document = self.render(batch, transfers)
        path = self.path(batch.id)
        atomic_write(path, document)
        return path

    def render(self, batch: Batch, transfers: Iterator[Transfer]) -> bytes:
        """The batch's pain.001 document, validated."""
        debtor = self._debtors.get(batch.payer)
        if debtor is None:
            raise UnknownDebtor(f"Aucun compte de paiement configuré pour {batch.payer}")
        config = {"name": batch.payer, "IBAN": debtor.iban, "batch": True,
                  "currency": CURRENCY, "domestic": True}  # fmt: skip
        sepa = SepaTransfer(config, schema=SCHEMA, clean=True)
        for transfer in transfers:
            sepa.add_payment(_payment(batch, transfer))
        root = etree.fromstring(sepa.export(validate=False))
        _own_ids(root, batch)
        return _checked(root)


def _payment(batch: Batch, transfer: Transfer) -> dict[str, object]:
    return {
        "name": transfer.provider,
        "IBAN": transfer.iban,
        "amount": transfer.amount.centimes,
        "execution_date": batch.cycle,
        "description": f"AMO {batch.id} {len(transfer.claims)} demande(s)",
        "endtoend_id": transfer.id,
    }


def _own_ids(root: etree._Element, batch: Batch) -> None:
    """The batch's id and time in place of sepaxml's random message and payment ids."""
    created = batch.created.replace(microsecond=0, tzinfo=None).isoformat()
    for path, value in (("//p:GrpHdr/p:MsgId", batch.id), ("//p:GrpHdr/p:CreDtTm", created)):
        for node in root.xpath(path, namespaces=NS):
            node.text = value
    for rank, node in enumerate(root.xpath("//p:PmtInf/p:PmtInfId", namespaces=NS), 1):
        node.text = f"{batch.id}-{rank}"


def _checked(root: etree._Element) -> bytes:
    schema = pain001_schema()
    if not schema.validate(root):
        raise InvalidBankFile(
            f"Fichier {SCHEMA} refusé par le schéma : {schema.error_log.last_error}"
        )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def totals(document: bytes) -> FileTotals:
    """A pain.001 file's control totals and end-to-end ids, read back from the file."""
    root = etree.fromstring(document)
    count = int(root.xpath("string(//p:GrpHdr/p:NbOfTxs)", namespaces=NS))
    total = Decimal(root.xpath("string(//p:GrpHdr/p:CtrlSum)", namespaces=NS))
    ids = tuple(str(i) for i in root.xpath("//p:EndToEndId/text()", namespaces=NS))
    return FileTotals(count, int(total * 100), ids)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file whole under its name: a temporary file, synced, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
