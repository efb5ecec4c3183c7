"""Prises en charge in SQL: their state beside their exchange, changed by compare-and-set.

A change writes, in the caller's transaction: the new state (only if the row is still at the
version the change started from), the exchange's answer rendered again and its status, the
audit entry, and the notifications for the outbox. Two reviewers deciding at once: one wins,
the other is told the prise en charge changed meanwhile; nothing is decided twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import orjson
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from adapters.sql.exchanges import SqlExchangeRepository
from adapters.sql.messages import SqlMessageRepository
from adapters.sql.reads import SqlReads, in_thread
from adapters.sql.tables import AuthorizationRow
from domain.money import Money
from domain.prior_auth import Granted, PaLine, PaStatus, PriorAuthorization, Reservation, Use
from domain.records import (
    AuthorizationChange,
    ExchangeRecord,
    Message,
    MessageKind,
    QueueQuery,
    StoredAuthorization,
)
from domain.uow_ports import AuditLog, Outbox, UnitOfWorkFactory

AUTHORIZATION = AuthorizationRow.__table__
_PENDING = (PaStatus.REQUESTED.value, PaStatus.INFO_REQUESTED.value)
_USABLE = (PaStatus.GRANTED.value, PaStatus.PARTIAL.value)


class SqlAuthorizationRepository:
    """domain.authorization_ports.AuthorizationRepository over the prior_authorization table."""

    def __init__(
        self,
        session: Session,
        exchanges: SqlExchangeRepository,
        audit: AuditLog,
        outbox: Callable[[], Outbox],
        messages: SqlMessageRepository,
    ) -> None:
        self._session = session
        self._exchanges = exchanges
        self._audit = audit
        self._outbox = outbox
        self._messages = messages

    def add_many(self, authorizations: Sequence[PriorAuthorization]) -> None:
        """Store new prises en charge at version 1 (their exchanges are inserted first)."""
        if authorizations:
            rows = [_row(pa, version=1) for pa in authorizations]
            self._session.execute(AUTHORIZATION.insert(), rows)

    def get(self, authorization_id: str) -> StoredAuthorization | None:
        """A prise en charge with its version and the request it answers."""
        row = self._session.execute(
            select(AUTHORIZATION.c.state, AUTHORIZATION.c.version, AUTHORIZATION.c.tenant).where(
                AUTHORIZATION.c.id == authorization_id
            )
        ).first()
        if row is None:
            return None
        return self._stored(authorization_id, row.state, row.version, row.tenant)

    def change(self, change: AuthorizationChange) -> bool:
        """Apply a change if still at its starting version; False (nothing done) if not."""
        pa = change.authorization
        values = _row(pa, version=change.expected_version + 1)
        del values["id"]
        done = self._session.execute(
            update(AUTHORIZATION)
            .where(
                AUTHORIZATION.c.id == pa.id,
                AUTHORIZATION.c.version == change.expected_version,
            )
            .values(**values)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return False
        self._exchanges.replace_answer(pa.id, pa.status.value, change.response_body)
        self._audit.append(change.audit)
        if change.notifications:
            self._outbox().add_many(change.notifications)
        if change.message is not None:
            self._messages.add(change.message)
        return True

    def message(self, message_id: str) -> Message | None:
        """A request for information or an answer, by id."""
        return self._messages.get(message_id)

    def messages(self, authorization_id: str, kind: MessageKind | None = None) -> list[Message]:
        """A prise en charge's requests and answers (or those of one kind), oldest first."""
        return self._messages.of_authorization(authorization_id, kind)

    def queue(self, query: QueueQuery) -> tuple[list[ExchangeRecord], int]:
        """A payer's pending requests, earliest deadline first, and their total."""
        where = [AUTHORIZATION.c.payer == query.payer, AUTHORIZATION.c.status.in_(_PENDING)]
        if query.overdue_at is not None:
            where.append(AUTHORIZATION.c.deadline < query.overdue_at)
        total = self._session.execute(
            select(func.count()).select_from(AUTHORIZATION).where(*where)
        ).scalar_one()
        ids = self._session.execute(
            select(AUTHORIZATION.c.id, AUTHORIZATION.c.tenant)
            .where(*where)
            .order_by(AUTHORIZATION.c.deadline, AUTHORIZATION.c.id)
            .limit(query.limit)
            .offset(query.offset)
        ).all()
        found = [self._exchanges.get(tenant, "preauthorization", pid) for pid, tenant in ids]
        return [record for record in found if record is not None], total

    def expiring(self, today: date, limit: int) -> list[StoredAuthorization]:
        """Usable prises en charge whose last valid day is before `today`."""
        return self._many(
            AUTHORIZATION.c.status.in_(_USABLE), AUTHORIZATION.c.valid_until < today, limit=limit
        )

    def overdue(self, now: datetime, limit: int) -> list[StoredAuthorization]:
        """Pending requests past their deadline, not yet flagged."""
        return self._many(
            AUTHORIZATION.c.status.in_(_PENDING),
            AUTHORIZATION.c.deadline < now,
            AUTHORIZATION.c.overdue_flagged.is_(False),
            limit=limit,
        )

    def page(self, after: str, limit: int) -> list[StoredAuthorization]:
        """Every prise en charge by id, from the first after `after` (maintenance)."""
        return self._many(AUTHORIZATION.c.id > after, limit=limit)

    def record_patient(self, stored: StoredAuthorization, patient: str) -> bool:
        """Record the patient's key of a prise en charge still at its version, nothing else
        changing (its answer does not show it); False when it changed meanwhile."""
        pa = replace(stored.authorization, patient=patient)
        done = self._session.execute(
            update(AUTHORIZATION)
            .where(AUTHORIZATION.c.id == pa.id, AUTHORIZATION.c.version == stored.version)
            .values(state=encode(pa), version=stored.version + 1)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]

    def _many(self, *where: Any, limit: int) -> list[StoredAuthorization]:
        rows = self._session.execute(
            select(
                AUTHORIZATION.c.id,
                AUTHORIZATION.c.state,
                AUTHORIZATION.c.version,
                AUTHORIZATION.c.tenant,
            )
            .where(*where)
            .order_by(AUTHORIZATION.c.id)
            .limit(limit)
        ).all()
        found = [self._stored(r.id, r.state, r.version, r.tenant) for r in rows]
        return [stored for stored in found if stored is not None]

    def _stored(
        self, authorization_id: str, state: str, version: int, tenant: str
    ) -> StoredAuthorization | None:
        record = self._exchanges.get(tenant, "preauthorization", authorization_id)
        if record is None:
            return None
        return StoredAuthorization(decode(state), version, record.request_body, record.request_id)


def _row(pa: PriorAuthorization, *, version: int) -> dict[str, Any]:
    return {
        "id": pa.id,
        "tenant": pa.tenant,
        "payer": pa.payer,
        "pa_type": pa.pa_type,
        "status": pa.status.value,
        "deadline": pa.deadline,
        "overdue_flagged": pa.overdue_flagged,
        "valid_until": pa.valid_until,
        "version": version,
        "state": encode(pa),
        "updated": pa.decided_at or pa.requested_at,
    }


def encode(pa: PriorAuthorization) -> str:
    """A prise en charge as JSON text (amounts in centimes, instants in ISO 8601)."""
    return orjson.dumps(
        {
            "id": pa.id,
            "tenant": pa.tenant,
            "payer": pa.payer,
            "pa_type": pa.pa_type,
            "lines": [
                [line.sequence, line.code, line.category, line.quantity, line.amount.centimes]
                for line in pa.lines
            ],
            "requested_at": pa.requested_at.isoformat(),
            "deadline": pa.deadline.isoformat(),
            "status": pa.status.value,
            "granted": [
                [g.sequence, g.quantity, g.amount.centimes, g.quantity_left, g.amount_left.centimes]
                for g in pa.granted
            ],
            "valid_from": _day(pa.valid_from),
            "valid_until": _day(pa.valid_until),
            "reasons": list(pa.reasons),
            "provisional": pa.provisional,
            "decided_at": None if pa.decided_at is None else pa.decided_at.isoformat(),
            "date_of_care": _day(pa.date_of_care),
            "rules_version": pa.rules_version,
            "foreign": list(pa.foreign),
            "overdue_flagged": pa.overdue_flagged,
            "reservations": [
                [r.id, r.sequence, r.quantity, r.amount.centimes, r.until.isoformat()]
                for r in pa.reservations
            ],
            "uses": [[u.claim, u.sequence, u.quantity, u.amount.centimes] for u in pa.uses],
            "patient": pa.patient,
        }
    ).decode()


def decode(text: str) -> PriorAuthorization:
    """The prise en charge `encode` wrote."""
    data = orjson.loads(text)
    return PriorAuthorization(
        id=data["id"],
        tenant=data["tenant"],
        payer=data["payer"],
        pa_type=data["pa_type"],
        lines=tuple(PaLine(s, c, k, q, Money(a)) for s, c, k, q, a in data["lines"]),
        requested_at=datetime.fromisoformat(data["requested_at"]),
        deadline=datetime.fromisoformat(data["deadline"]),
        status=PaStatus(data["status"]),
        granted=tuple(
            Granted(s, q, Money(a), ql, Money(al)) for s, q, a, ql, al in data["granted"]
        ),
        valid_from=_parse_day(data["valid_from"]),
        valid_until=_parse_day(data["valid_until"]),
        reasons=tuple(data["reasons"]),
        provisional=data["provisional"],
        decided_at=None
        if data["decided_at"] is None
        else datetime.fromisoformat(data["decided_at"]),
        date_of_care=_parse_day(data["date_of_care"]),
        rules_version=data["rules_version"],
        foreign=tuple(data["foreign"]),
        overdue_flagged=data["overdue_flagged"],
        reservations=tuple(
            Reservation(i, s, q, Money(a), datetime.fromisoformat(u))
            for i, s, q, a, u in data.get("reservations", [])  # none before counter checks
        ),
        # None before claims kept what they used: those give nothing back.
        uses=tuple(Use(c, s, q, Money(a)) for c, s, q, a in data.get("uses", [])),
        # "" before the patient's key was kept: such a one covers no claim.
        patient=data.get("patient", ""),
    )


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse_instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _parse_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


class SqlAuthorizationStore:
    """domain.authorization_ports.AuthorizationStore: reads in worker threads, each change in a
    transaction of its own, given up after the request deadline like every write."""

    def __init__(self, reads: SqlReads, writes: UnitOfWorkFactory, *, deadline: float) -> None:
        self._reads = reads
        self._writes = writes
        self._deadline = deadline

    async def get(self, authorization_id: str) -> StoredAuthorization | None:
        """A prise en charge by id."""
        return await self._reads.run(lambda uow: uow.authorizations.get(authorization_id))

    async def change(self, change: AuthorizationChange) -> bool:
        """Record a change all at once; False when it lost to another."""
        return await in_thread(lambda: self._change(change), deadline=self._deadline)

    async def queue(self, query: QueueQuery) -> tuple[list[ExchangeRecord], int]:
        """A payer's pending requests, earliest deadline first."""
        return await self._reads.run(lambda uow: uow.authorizations.queue(query))

    async def message(self, message_id: str) -> Message | None:
        """A request for information or an answer, by id."""
        return await self._reads.run(lambda uow: uow.authorizations.message(message_id))

    async def messages(
        self, authorization_id: str, kind: MessageKind | None = None
    ) -> list[Message]:
        """A prise en charge's requests and answers (or those of one kind), oldest first."""
        return await self._reads.run(
            lambda uow: uow.authorizations.messages(authorization_id, kind)
        )

    def _change(self, change: AuthorizationChange) -> bool:
        with self._writes() as uow:
            if not uow.authorizations.change(change):
                return False
            uow.commit()
            return True
