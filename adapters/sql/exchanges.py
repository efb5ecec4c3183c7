"""Stored exchanges, encrypted at rest and always read within the caller's tenant."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Row, bindparam, func, select, update
from sqlalchemy.orm import Session

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql.bulk import insert_rows
from adapters.sql.members import identifier_index
from adapters.sql.tables import ExchangePatientRow, ExchangeRow
from domain.members import IdentifierKind, PersonIdentifier
from domain.records import ExchangeQuery, ExchangeRecord

EXCHANGE = ExchangeRow.__table__
EXCHANGE_PATIENT = ExchangePatientRow.__table__
PATIENT_REF_KIND = "patient-ref"  # blind index namespace of literal patient references
SMALL_BODY = 1024  # bytes: smaller bodies are stored uncompressed
RAW = b"\x00"  # first byte of a body stored as is (a zlib stream starts with 0x78)
_COLUMNS = (
    EXCHANGE.c.id,
    EXCHANGE.c.kind,
    EXCHANGE.c.tenant,
    EXCHANGE.c.created,
    EXCHANGE.c.request_id,
    EXCHANGE.c.status,
    EXCHANGE.c.request_enc,
    EXCHANGE.c.response_enc,
    EXCHANGE.c.patient_enc,
)
# Built once: composing a statement costs more than running it on SQLite (hot path).
_NEWEST_FIRST = (EXCHANGE.c.created.desc(), EXCHANGE.c.id.desc())
_TENANT = (EXCHANGE.c.tenant == bindparam("tenant"), EXCHANGE.c.kind == bindparam("kind"))
_GET = select(*_COLUMNS).where(EXCHANGE.c.id == bindparam("record_id"), *_TENANT)
_GET_BY_REQUEST = (
    select(*_COLUMNS)
    .where(EXCHANGE.c.request_id == bindparam("request_id"), *_TENANT)
    .order_by(*_NEWEST_FIRST)
    .limit(1)
)


class SqlExchangeRepository:
    """domain.uow_ports.ExchangeRepository over the exchange and exchange_patient tables."""

    def __init__(self, session: Session, *, cipher: FieldCipher, index: BlindIndex) -> None:
        self._session = session
        self._cipher = cipher
        self._index = index

    def add(self, record: ExchangeRecord) -> None:
        """Store one exchange, its bodies and patient data encrypted under the current key."""
        self.add_many([record])

    def add_many(self, records: Sequence[ExchangeRecord]) -> None:
        """Store several exchanges with one statement per table (executemany)."""
        if not records:
            return
        connection = self._session.connection()
        insert_rows(connection, EXCHANGE, [self._row(record) for record in records])
        patients = [row for record in records for row in self._patient_rows(record)]
        insert_rows(connection, EXCHANGE_PATIENT, patients)

    def _patient_rows(self, record: ExchangeRecord) -> list[dict[str, str]]:
        indexes = sorted({identifier_index(self._index, i) for i in record.patient_identifiers})
        return [{"index": value, "exchange_id": record.id} for value in indexes]

    def _row(self, record: ExchangeRecord) -> dict[str, Any]:
        seal = self._cipher.encrypt
        has_patient = record.patient_ref is not None or record.patient_identifiers
        return {
            "id": record.id,
            "kind": record.kind,
            "tenant": record.tenant,
            "created": record.created,
            "request_id": record.request_id,
            "status": record.status,
            "patient_ref_index": self._ref_index(record.patient_ref),
            "key_id": self._cipher.current_key_id,
            "request_enc": seal(
                pack_body(record.request_body), aad=exchange_aad(record.id, "request")
            ),
            "response_enc": seal(
                pack_body(record.response_body), aad=exchange_aad(record.id, "response")
            ),
            "patient_enc": seal(_patient(record), aad=exchange_aad(record.id, "patient"))
            if has_patient
            else None,
        }

    def replace_answer(self, record_id: str, status: str, response_body: bytes) -> None:
        """Store an exchange's answer anew (a prise en charge decided after its request)."""
        sealed = self._cipher.encrypt(
            pack_body(response_body), aad=exchange_aad(record_id, "response")
        )
        self._session.execute(
            update(EXCHANGE)
            .where(EXCHANGE.c.id == record_id)
            .values(status=status, response_enc=sealed)
        )

    def _ref_index(self, patient_ref: str | None) -> str | None:
        return None if patient_ref is None else self._index.digest(PATIENT_REF_KIND, patient_ref)

    def get(self, tenant: str, kind: str, record_id: str) -> ExchangeRecord | None:
        """The exchange with that answer id, if it belongs to that tenant."""
        params = {"record_id": record_id, "tenant": tenant, "kind": kind}
        row = self._session.execute(_GET, params).first()
        return None if row is None else self._record(row)

    def get_by_request(self, tenant: str, kind: str, request_id: str) -> ExchangeRecord | None:
        """The newest exchange with that request id, if it belongs to that tenant."""
        params = {"request_id": request_id, "tenant": tenant, "kind": kind}
        row = self._session.execute(_GET_BY_REQUEST, params).first()
        return None if row is None else self._record(row)

    def search(self, query: ExchangeQuery) -> tuple[list[ExchangeRecord], int]:
        """Matching exchanges of the tenant, newest first, and the total before paging."""
        where = self._criteria(query)
        total = self._session.execute(
            select(func.count()).select_from(EXCHANGE).where(*where)
        ).scalar_one()
        page = (
            select(*_COLUMNS)
            .where(*where)
            .order_by(*_NEWEST_FIRST)
            .limit(query.limit)
            .offset(query.offset)
        )
        return [self._record(row) for row in self._session.execute(page)], total

    def _criteria(self, query: ExchangeQuery) -> list[ColumnElement[bool]]:
        where = _scope(query.tenant, (query.kind, *query.also_kinds))
        if query.patient_identifier is not None:
            digest = identifier_index(self._index, query.patient_identifier)
            ids = select(EXCHANGE_PATIENT.c.exchange_id).where(EXCHANGE_PATIENT.c.index == digest)
            where.append(EXCHANGE.c.id.in_(ids))
        if query.patient_ref is not None:
            where.append(EXCHANGE.c.patient_ref_index == self._ref_index(query.patient_ref))
        if query.request_id is not None:
            where.append(EXCHANGE.c.request_id == query.request_id)
        if query.record_id is not None:
            where.append(EXCHANGE.c.id == query.record_id)
        if query.statuses:
            where.append(EXCHANGE.c.status.in_(query.statuses))
        if query.created_from is not None:
            where.append(EXCHANGE.c.created >= query.created_from)
        if query.created_to is not None:
            where.append(EXCHANGE.c.created < query.created_to)
        return where

    def _record(self, row: Row[Any]) -> ExchangeRecord:
        open_ = self._cipher.decrypt
        ref, identifiers = _unpack_patient(
            None
            if row.patient_enc is None
            else open_(row.patient_enc, aad=exchange_aad(row.id, "patient"))
        )
        return ExchangeRecord(
            id=row.id,
            kind=row.kind,
            tenant=row.tenant,
            created=row.created,
            request_id=row.request_id,
            status=row.status,
            patient_ref=ref,
            patient_identifiers=identifiers,
            request_body=unpack_body(open_(row.request_enc, aad=exchange_aad(row.id, "request"))),
            response_body=unpack_body(
                open_(row.response_enc, aad=exchange_aad(row.id, "response"))
            ),
        )


def _scope(tenant: str, kinds: tuple[str, ...]) -> list[ColumnElement[bool]]:
    return [EXCHANGE.c.tenant == tenant, EXCHANGE.c.kind.in_(kinds)]


def pack_body(body: bytes) -> bytes:
    """A body as it is encrypted: compressed from a kilobyte on, else marked as is."""
    # FHIR JSON repeats its URLs: compressed, an answer stores (and writes to the WAL) about
    # seven times less. Compression comes before encryption, which leaves nothing to compress.
    # Below a kilobyte it saves little and costs a compressor's set-up: stored as is.
    if len(body) < SMALL_BODY:
        return RAW + body
    return zlib.compress(body, 1)


def unpack_body(stored: bytes) -> bytes:
    """The body `pack_body` packed."""
    # A zlib stream starts with 0x78; RAW (0x00) marks a body stored as is.
    return stored[1:] if stored[:1] == RAW else zlib.decompress(stored)


def exchange_aad(record_id: str, column: str) -> bytes:
    """The associated data binding a token to its exchange row and column."""
    # Binding the token to its row and column: a token copied elsewhere does not decrypt.
    return f"exchange/{record_id}/{column}".encode()


def _patient(record: ExchangeRecord) -> bytes:
    ids = [[i.kind.value, i.value] for i in record.patient_identifiers]
    return orjson.dumps({"ref": record.patient_ref, "ids": ids})


def _unpack_patient(data: bytes | None) -> tuple[str | None, tuple[PersonIdentifier, ...]]:
    if data is None:
        return None, ()
    patient = orjson.loads(data)
    ids = tuple(PersonIdentifier(IdentifierKind(kind), value) for kind, value in patient["ids"])
    return patient["ref"], ids
