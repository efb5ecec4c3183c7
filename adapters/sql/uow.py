"""The SQL unit of work: one session, one transaction, the repositories bound to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Self

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.crypto import BlindIndex, FieldCipher
from adapters.sql.anomaly_flags import SqlAnomalyFlags
from adapters.sql.audit import AuditStream, SqlAuditLog
from adapters.sql.authorizations import SqlAuthorizationRepository
from adapters.sql.bank_accounts import SqlBankAccounts
from adapters.sql.claim_lines import SqlClaimLines
from adapters.sql.exchanges import SqlExchangeRepository
from adapters.sql.idempotency import SqlIdempotencyRepository
from adapters.sql.ledger import SqlLedger
from adapters.sql.members import SqlMemberRepository
from adapters.sql.messages import SqlMessageRepository
from adapters.sql.outbox import SqlOutbox
from adapters.sql.profiles import SqlProfiles
from adapters.sql.providers import SqlProviderRepository
from adapters.sql.reference import SqlReferenceRepository
from adapters.sql.replay import SqlReplayStore
from adapters.sql.settlement import SqlSettlementStore
from adapters.sql.subscriptions import SqlEndpointRepository, SqlSubscriptionRepository


class SqlUnitOfWork:
    """domain.uow_ports.UnitOfWork: leaving the `with` block without commit() rolls back."""

    members: SqlMemberRepository
    exchanges: SqlExchangeRepository
    audit: SqlAuditLog
    providers: SqlProviderRepository
    replay: SqlReplayStore
    reference: SqlReferenceRepository
    idempotency: SqlIdempotencyRepository
    outbox: SqlOutbox
    endpoints: SqlEndpointRepository
    subscriptions: SqlSubscriptionRepository
    authorizations: SqlAuthorizationRepository
    ledger: SqlLedger
    claim_lines: SqlClaimLines
    anomaly_flags: SqlAnomalyFlags
    profiles: SqlProfiles
    settlement: SqlSettlementStore
    bank_accounts: SqlBankAccounts

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        cipher: FieldCipher,
        index: BlindIndex,
        audit_stream: AuditStream,
    ) -> None:
        self._session_factory = session_factory
        self._cipher = cipher
        self._index = index
        self._audit_stream = audit_stream
        self._session: Session | None = None

    def __enter__(self) -> Self:
        session = self._session = self._session_factory()
        secrets = {"cipher": self._cipher, "index": self._index}
        self.members = SqlMemberRepository(session, **secrets)
        self.exchanges = SqlExchangeRepository(session, **secrets)
        self.audit = SqlAuditLog(session, self._audit_stream)
        self.providers = SqlProviderRepository(session)
        self.replay = SqlReplayStore(session)
        self.reference = SqlReferenceRepository(session)
        self.idempotency = SqlIdempotencyRepository(session)
        self.outbox = SqlOutbox(session)
        self.endpoints = SqlEndpointRepository(session, cipher=self._cipher)
        self.subscriptions = SqlSubscriptionRepository(session)
        self.authorizations = SqlAuthorizationRepository(
            session,
            self.exchanges,
            self.audit,
            lambda: self.outbox,
            SqlMessageRepository(session, cipher=self._cipher),
        )
        self.ledger = SqlLedger(session)
        self.claim_lines = SqlClaimLines(session, index=self._index)
        self.anomaly_flags = SqlAnomalyFlags(session)
        self.profiles = SqlProfiles(session)
        self.settlement = SqlSettlementStore(session)
        self.bank_accounts = SqlBankAccounts(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                self.members.close()  # a batch still being written finishes first
                session.rollback()  # nothing left to undo after a commit()
            finally:
                session.close()

    @property
    def session(self) -> Session:
        """The open transaction's session, for repositories kept outside this package."""
        return self._active()

    def commit(self) -> None:
        """Make the work durable."""
        session = self._active()
        self.members.settle()
        session.commit()

    def rollback(self) -> None:
        """Undo the work done since the last commit."""
        session = self._active()
        self.members.close()  # a batch still being written finishes first
        session.rollback()

    @contextmanager
    def savepoint(self) -> Iterator[Callable[[], None]]:
        """A part of the transaction that can be undone alone: call what it yields to undo
        it; left normally, it stays; left by an error, it is undone."""
        nested = self._active().begin_nested()
        undone = False

        def undo() -> None:
            nonlocal undone
            nested.rollback()
            undone = True

        try:
            yield undo
        except BaseException:
            if nested.is_active:
                nested.rollback()
            raise
        if not undone and nested.is_active:
            nested.commit()

    def _active(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is used outside its `with` block")
        return self._session


class SqlUnitOfWorkFactory:
    """domain.uow_ports.UnitOfWorkFactory: a new SqlUnitOfWork per call, sharing one engine."""

    def __init__(
        self, engine: Engine, *, cipher: FieldCipher, index: BlindIndex, audit_stream_id: str
    ) -> None:
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._cipher = cipher
        self._index = index
        self._stream = AuditStream(audit_stream_id)

    def __call__(self) -> SqlUnitOfWork:
        """A fresh unit of work, to use in a `with` block."""
        return SqlUnitOfWork(
            self._sessions, cipher=self._cipher, index=self._index, audit_stream=self._stream
        )
