"""Members of the payers' registries, found by the blind index of their identifiers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql.member_bulk import MemberBatchWriter
from adapters.sql.member_codec import (
    decode_identifiers,
    decode_member,
    encode_facts,
    encode_person,
)
from adapters.sql.tables import MemberIdentifierRow, MemberRow, RegistryVersionRow
from domain.members import EligibilityFacts, Member, PersonIdentifier
from domain.records import RegistryEntry, StoredEntry

MEMBER = MemberRow.__table__
MEMBER_IDENTIFIER = MemberIdentifierRow.__table__
REGISTRY_VERSION = RegistryVersionRow.__table__
# Built once: composing a statement costs more than running it on SQLite (hot path).
_FACTS = select(MEMBER.c.member_id, MEMBER.c.version, MEMBER.c.facts)
_FIND = (
    _FACTS.join(MEMBER_IDENTIFIER, MEMBER_IDENTIFIER.c.member_id == MEMBER.c.member_id)
    .where(MEMBER_IDENTIFIER.c.index == bindparam("index"))
    .order_by(MEMBER.c.member_id)
)
_LOAD = _FACTS.where(MEMBER.c.member_id.in_(bindparam("ids", expanding=True)))
_NAMES = select(MEMBER.c.names_enc).where(MEMBER.c.member_id == bindparam("member_id"))


def identifier_index(index: BlindIndex, identifier: PersonIdentifier) -> str:
    """The blind index of a person identifier (shared by members and exchanges)."""
    return index.digest(identifier.kind.value, identifier.value)


class SqlMemberRepository:
    """domain.uow_ports.MemberRepository over the member and member_identifier tables."""

    def __init__(self, session: Session, *, cipher: FieldCipher, index: BlindIndex) -> None:
        self._session = session
        self._cipher = cipher
        self._index = index
        self._batches: MemberBatchWriter | None = None  # an import's, created on its first batch

    def settle(self) -> None:
        """Wait for a batch still being written (before anything else uses the transaction)."""
        if self._batches is not None:
            self._batches.settle()

    def close(self) -> None:
        """Stop the batch writer, if any (the unit of work ends)."""
        batches, self._batches = self._batches, None
        if batches is not None:
            batches.close()

    def find(self, identifier: PersonIdentifier) -> list[EligibilityFacts]:
        """Every member carrying that identifier, each with the insureds it depends on."""
        self.settle()
        rows = self._session.execute(_FIND, {"index": identifier_index(self._index, identifier)})
        members = [decode_member(*row) for row in rows]
        insureds = self._load(insured_ids(members))
        return [EligibilityFacts(m, insureds_of(m, insureds)) for m in members]

    def _load(self, member_ids: set[str]) -> dict[str, Member]:
        if not member_ids:
            return {}
        rows = self._session.execute(_LOAD, {"ids": sorted(member_ids)})
        return {row[0]: decode_member(*row) for row in rows}

    def save(self, entry: RegistryEntry) -> None:
        """Insert or replace a member, its encrypted personal data and its identifiers."""
        self.settle()
        member_id = entry.member.member_id
        values = {
            "updated_at": datetime.now(UTC),
            "facts": encode_facts(entry.member),
            "names_enc": self._cipher.encrypt(encode_person(entry), aad=member_id.encode()),
        }
        bumped = self._session.execute(
            update(MEMBER)
            .where(MEMBER.c.member_id == member_id)
            .values(version=MEMBER.c.version + 1, **values)
        )
        if bumped.rowcount == 0:  # type: ignore[attr-defined]
            row = {"member_id": member_id, "version": entry.member.version, **values}
            self._session.execute(insert(MEMBER), [row])
        self._replace_identifiers(member_id, entry.identifiers)

    def save_all(self, entries: Sequence[StoredEntry]) -> dict[str, tuple[PersonIdentifier, ...]]:
        """Insert or replace members of distinct ids at once; the identifiers stored before
        for those already known."""
        if self._batches is None:
            connection = self._session.connection()
            self._batches = MemberBatchWriter(connection, cipher=self._cipher, index=self._index)
        return self._batches.save(entries)

    def _replace_identifiers(self, member_id: str, ids: Iterable[PersonIdentifier]) -> None:
        self._session.execute(
            delete(MEMBER_IDENTIFIER).where(MEMBER_IDENTIFIER.c.member_id == member_id)
        )
        indexes = sorted({identifier_index(self._index, i) for i in ids})
        if indexes:
            rows = [{"index": value, "member_id": member_id} for value in indexes]
            self._session.execute(insert(MEMBER_IDENTIFIER), rows)

    def identifiers_of(self, member_id: str) -> tuple[PersonIdentifier, ...]:
        """The identifiers stored for a member, decrypted; () for an unknown member."""
        self.settle()
        token = self._session.execute(_NAMES, {"member_id": member_id}).scalar_one_or_none()
        if token is None:
            return ()
        return decode_identifiers(self._cipher.decrypt(token, aad=member_id.encode()))

    def count(self) -> int:
        """How many members are stored."""
        self.settle()
        return self._session.execute(select(func.count()).select_from(MEMBER)).scalar_one()

    def advance_version(self) -> int:
        """Mark the registry changed, in this transaction; the new version."""
        self.settle()
        advanced = (
            update(REGISTRY_VERSION)
            .where(REGISTRY_VERSION.c.id == 1)
            .values(version=REGISTRY_VERSION.c.version + 1)
            .returning(REGISTRY_VERSION.c.version)
        )
        return int(self._session.execute(advanced).scalar_one())

    def version(self) -> int:
        """The registry's version: it moves with every import."""
        self.settle()
        query = select(REGISTRY_VERSION.c.version).where(REGISTRY_VERSION.c.id == 1)
        return int(self._session.execute(query).scalar_one())


def insured_ids(members: list[Member]) -> set[str]:
    return {
        a.insured_id
        for m in members
        for a in m.affiliations
        if a.insured_id is not None and a.insured_id != m.member_id
    }


def insureds_of(member: Member, loaded: dict[str, Member]) -> dict[str, Member]:
    wanted = {a.insured_id for a in member.affiliations if a.insured_id is not None}
    return {member_id: loaded[member_id] for member_id in sorted(wanted) if member_id in loaded}
