"""The composition root: turns Settings into adapters, once, and closes them after.

The choice between the embedded default (SQLite, caches and limits in process) and the
production stack (PostgreSQL, Redis shared by replicas) is made here and nowhere else (what
the replicas share is built by gateway/shared_state.py, called from here): the use cases
receive their ports, and never ask which implementation they got.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from base64 import b64decode
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from adapters.cache.redis import RedisCacheInvalidation, make_redis
from adapters.clock import SystemClock
from adapters.crypto import BlindIndex, FieldCipher, parse_keyring
from adapters.holiday_calendar import moroccan_calendar
from adapters.passwords import Argon2Passwords, TotpCodes
from adapters.patient_keys import BlindPatientKey
from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from adapters.sql.accounts import SqlAccountStore
from adapters.sql.anomaly_flags import SqlFlagReader
from adapters.sql.authorizations import SqlAuthorizationStore
from adapters.sql.checkpoints import SqliteCheckpointer
from adapters.sql.claim_lines import SqlClaimHistoryReader
from adapters.sql.direct_reads import (
    DirectClaimHistory,
    DirectIdempotencyLookup,
    PostgresDirect,
    SqliteDirect,
    postgres_pool,
)
from adapters.sql.engine import make_engine, reader_engine
from adapters.sql.ledger import SqlLedgerReader
from adapters.sql.member_lookup import PostgresMemberLookup, SqliteMemberLookup
from adapters.sql.payment_clock import SqlClaimClock
from adapters.sql.reads import SqlExchangeStore, SqlIdempotencyStore, SqlMemberDirectory, SqlReads
from adapters.sql.recorder import GroupCommitRecorder
from adapters.sql.registry_version import PolledRegistryVersion
from adapters.sql.settlement_history import SqlSettlementHistory
from adapters.sql.statistics import SqlFigures
from adapters.sql.subscriptions import SqlSubscriptionStore
from adapters.sql.transfers import SqlTransferReader
from adapters.sql.uow import SqlUnitOfWorkFactory
from domain.authorization_ports import ClaimHistoryReader
from domain.errors import Unavailable
from domain.ports import (
    AuditTrail,
    CacheInvalidation,
    Clock,
    IdempotencyStore,
    IdGenerator,
    MemberDirectory,
    RateLimiter,
)
from domain.reference import ReferenceData
from domain.services.accounts import AccountPorts
from domain.services.anomalies import AnomalyPorts
from domain.services.claim_ports import ClaimPorts
from domain.services.eligibility import EligibilityPorts
from domain.services.exchanges import ExchangePorts
from domain.services.payments import PaymentPorts
from domain.services.prior_auth import PriorAuthPorts
from domain.services.settlement_history import HistoryPorts
from domain.services.statement import StatementPorts
from domain.services.statistics import FiguresPorts
from domain.services.subscriptions import SubscriptionPorts
from domain.transfer_ports import TransferReader
from domain.uow_ports import UnitOfWorkFactory
from fhir_profiles import claim_billing_in
from fhir_profiles.claim_form import rerender
from gateway.auth import TokenService
from gateway.ids import new_id
from gateway.metrics import Metrics
from gateway.settings import Settings
from gateway.shared_state import login_limiters, shared_state

log = logging.getLogger("amo.bootstrap")


@dataclass(frozen=True, slots=True)
class Storage:
    """The SQL store with the personal-data keys: what commands and the app share."""

    engine: Engine
    uow: UnitOfWorkFactory
    index: BlindIndex

    def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))


@dataclass(frozen=True, slots=True)
class Gateway:
    """What the app's edge uses, wired once in its lifespan; each route takes what it needs."""

    settings: Settings
    reference: ReferenceData
    clock: Clock
    storage: Storage
    tokens: TokenService
    metrics: Metrics
    exchange: ExchangePorts
    eligibility: EligibilityPorts
    prior_auth: PriorAuthPorts
    claims: ClaimPorts
    registry: PolledRegistryVersion  # followed while the app serves
    subscriptions: SubscriptionPorts
    statement: StatementPorts
    anomalies: AnomalyPorts
    payments: PaymentPorts
    accounts: AccountPorts  # the extranet's people
    settlements: HistoryPorts  # the payers' batches, for their finance officers
    figures: FiguresPorts  # the payers' statistics


@contextmanager
def open_storage(settings: Settings) -> Iterator[Storage]:
    """The SQL engine and unit-of-work factory, disposed of on leaving."""
    settings = settings.with_secrets()
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    try:
        yield Storage(engine, _uow_factory(engine, settings), _index(settings))
    finally:
        engine.dispose()


@contextmanager
def cache_invalidation(settings: Settings, storage: Storage) -> Iterator[CacheInvalidation]:
    """How a command forgets cached decisions: in Redis, or nothing to do in process (the
    serving processes watch the registry's latest change themselves)."""
    if not settings.redis_url:
        yield _NoSharedCache()
        return
    client = make_redis(settings.redis_url)
    try:
        yield RedisCacheInvalidation(client, index=storage.index)
    finally:
        client.close()


class _NoSharedCache:
    def invalidate(self, identifiers: object) -> bool:
        """Nothing is shared between processes without Redis: each follows the version."""
        return True


def data_cipher(settings: Settings) -> FieldCipher:
    """The personal-data cipher: every key of the keyring, writing with the current one."""
    keys = parse_keyring(settings.data_keys.get_secret_value())
    return FieldCipher(keys, settings.data_key_current or next(iter(keys)))


def _index(settings: Settings) -> BlindIndex:
    return BlindIndex(b64decode(settings.index_key.get_secret_value()))


def _uow_factory(engine: Engine, settings: Settings) -> SqlUnitOfWorkFactory:
    return SqlUnitOfWorkFactory(
        engine,
        cipher=data_cipher(settings),
        index=_index(settings),
        audit_stream_id=settings.instance_id,
    )


def load_reference(uow: UnitOfWorkFactory) -> ReferenceData:
    """The current reference dataset, with the working calendar its payment terms count in;
    the repository's files are loaded on first start."""
    with uow() as work:
        current = work.reference.current()
        if current is not None:
            return with_calendar(current)
        data = load_reference_files(DEFAULT_REFDATA_DIR)
        work.reference.store(data)
        work.commit()
        log.info("reference data %s loaded from %s", data.version, DEFAULT_REFDATA_DIR)
        return with_calendar(data)


def with_calendar(data: ReferenceData) -> ReferenceData:
    """The dataset with Morocco's public holidays over the years a due date computed now can
    count: a claim filed last year or this year, a term running into next year. (Each year
    costs the `holidays` package a few hundred milliseconds at start.)"""
    this_year = datetime.now(UTC).year
    return replace(data, calendar=moroccan_calendar(range(this_year - 1, this_year + 2)))


async def _direct(
    settings: Settings, stack: AsyncExitStack
) -> SqliteDirect | PostgresDirect | None:
    """The connections the reads without a thread hop use (adapters/sql/direct_reads.py): the
    event loop's own read-only connection to a SQLite file, or an async pool on PostgreSQL;
    None when the settings ask for neither kind of direct read, or on an in-memory database."""
    if not (settings.direct_member_lookup or settings.direct_reads):
        return None
    url, deadline = make_url(settings.database_url), settings.request_deadline_seconds
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            return None
        sqlite = SqliteDirect(path, deadline=deadline)
        stack.callback(sqlite.close)
        return sqlite
    pool = postgres_pool(settings.database_url, size=settings.db_pool_size, deadline=deadline)
    await pool.open(wait=False)  # a database still starting is waited for by each read
    stack.push_async_callback(pool.close)
    return PostgresDirect(pool, deadline=deadline)


def _member_directory(
    settings: Settings,
    storage: Storage,
    reads: SqlReads,
    direct: SqliteDirect | PostgresDirect | None,
) -> MemberDirectory:
    """The cold check's lookup: one statement without a thread hop (adapters/sql/member_lookup),
    unless the settings ask for the threaded one or the database is in memory."""
    threaded = SqlMemberDirectory(reads)
    if not settings.direct_member_lookup or direct is None:
        return threaded
    if isinstance(direct, SqliteDirect):
        return SqliteMemberLookup(direct, index=storage.index, fallback=threaded)
    return PostgresMemberLookup(direct, index=storage.index)


@asynccontextmanager
async def wire(
    settings: Settings,
    metrics: Metrics,
    *,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    transfers: TransferReader | None = None,
) -> AsyncIterator[Gateway]:
    """Build every adapter inside the running event loop; close them all on leaving.

    `clock` and `ids` replace the system's (tests that compare answers byte for byte).
    `transfers` is where the settlement's transfers are read; without it, from the
    settlement's tables."""
    settings = settings.with_secrets()
    clock = clock or SystemClock()
    async with AsyncExitStack() as stack:
        storage = stack.enter_context(open_storage(settings))
        checkpointer = SqliteCheckpointer.start_for(storage.engine)
        if checkpointer is not None:
            stack.callback(checkpointer.stop)
        recorder = GroupCommitRecorder(
            storage.uow,
            deadline=settings.request_deadline_seconds,
            between_batches=None if checkpointer is None else checkpointer.between_batches,
        )
        stack.callback(recorder.close)  # runs first: what is queued is committed
        reader = _uow_factory(reader_engine(storage.engine), settings)
        reads = SqlReads(
            reader, threads=settings.db_pool_size, deadline=settings.request_deadline_seconds
        )
        cache, limiter, in_flight, local = await shared_state(settings, storage.index, stack)
        registry = PolledRegistryVersion(
            reads,
            interval=settings.registry_poll_seconds,
            # Three missed reads: past that, a cached answer could outlive an import unseen.
            stale_after=3 * settings.registry_poll_seconds,
            on_change=None if local is None else local.clear,  # free what no one will read
        )
        with contextlib.suppress(Unavailable):  # unknown until the database answers
            await registry.refresh()
        direct = await _direct(settings, stack)
        idempotency: IdempotencyStore = SqlIdempotencyStore(reads)
        history: ClaimHistoryReader = SqlClaimHistoryReader(reads)
        if direct is not None and settings.direct_reads:
            idempotency = DirectIdempotencyLookup(direct, fallback=idempotency)
            history = DirectClaimHistory(direct, index=storage.index, fallback=history)
        exchange = ExchangePorts(
            limiter=limiter,
            idempotency=idempotency,
            recorder=recorder,
            audit=recorder,
            store=SqlExchangeStore(reads),
            clock=clock,
            new_id=ids or new_id,
            in_flight=in_flight,
            wait_seconds=settings.idempotency_wait_seconds,
        )
        members = _member_directory(settings, storage, reads, direct)
        authorizations = SqlAuthorizationStore(
            reads, storage.uow, deadline=settings.request_deadline_seconds
        )
        patient = BlindPatientKey(storage.index)
        yield Gateway(
            settings=settings,
            reference=load_reference(storage.uow),
            clock=clock,
            storage=storage,
            tokens=_tokens(settings, storage.uow, clock),
            metrics=metrics,
            exchange=exchange,
            eligibility=EligibilityPorts(exchange, cache, members, metrics, registry),
            prior_auth=PriorAuthPorts(
                exchange, members, authorizations, render=rerender, patient=patient
            ),
            claims=ClaimPorts(
                exchange,
                members,
                authorizations,
                render=rerender,
                hold_minutes=settings.claim_hold_minutes,
                ledger=SqlLedgerReader(reads),
                history=history,
                supply_days=settings.claim_supply_days,
                stored=claim_billing_in.stored,
                patient=patient,
            ),
            statement=StatementPorts(SqlClaimClock(reads), exchange.store, clock),
            registry=registry,
            anomalies=AnomalyPorts(exchange, SqlFlagReader(reads)),
            payments=PaymentPorts(transfers if transfers is not None else SqlTransferReader(reads)),
            subscriptions=SubscriptionPorts(
                SqlSubscriptionStore(storage.uow, deadline=settings.request_deadline_seconds),
                exchange,
            ),
            accounts=account_ports(
                settings, storage, exchange.audit, clock, await login_limiters(settings, stack)
            ),
            settlements=HistoryPorts(SqlSettlementHistory(reads), exchange.audit, clock),
            figures=FiguresPorts(SqlFigures(reads), exchange.audit, clock),
        )


def account_ports(
    settings: Settings,
    storage: Storage,
    audit: AuditTrail,
    clock: Clock,
    limiters: tuple[RateLimiter, RateLimiter],
) -> AccountPorts:
    """The people's accounts: their SQL store, argon2id, TOTP, and the sign-in throttles."""
    assert isinstance(storage.uow, SqlUnitOfWorkFactory)
    store = SqlAccountStore(
        storage.uow, cipher=data_cipher(settings), deadline=settings.request_deadline_seconds
    )
    return AccountPorts(
        accounts=store,
        sessions=store,
        hasher=Argon2Passwords(),
        second_factor=TotpCodes(),
        per_account=limiters[0],
        per_address=limiters[1],
        audit=audit,
        clock=clock,
        new_token=lambda: secrets.token_urlsafe(32),  # 256 bits
        new_id=new_id,
        session_hours=settings.portal_session_hours,
        lockout_minutes=settings.login_lockout_minutes,
    )


def _tokens(settings: Settings, uow: UnitOfWorkFactory, clock: Clock) -> TokenService:
    return TokenService(
        key=b64decode(settings.token_key.get_secret_value()),
        issuer=settings.public_url,
        audience=settings.fhir_base,
        token_url=settings.token_url,
        uow=uow,
        clock=clock,
        token_seconds=settings.access_token_seconds,
        assertion_max_seconds=settings.assertion_max_seconds,
    )
