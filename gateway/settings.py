"""Settings: the only place that reads the environment (AMO_* variables)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fhir_profiles import attachments
from gateway.addresses import proxy_problems
from gateway.key_settings import KEY_VARIABLES, key_problems, load_or_create_secrets
from gateway.oidc_settings import oidc_problems, oidc_providers
from gateway.secret import HIDDEN as _HIDDEN
from gateway.secret import NO_SECRET, Secret

DEFAULT_STATE_DIR = Path("var")
EMBEDDED = "embedded"  # demo and development: missing keys are generated into state_dir
PRODUCTION = "production"  # keys come from the AMO_* variables only; nothing is generated
MODES = (EMBEDDED, PRODUCTION)
MIN_KEEP_HOURS = 24  # the Idempotency-Key promise: a retry within a day gets the first answer


class ConfigurationError(Exception):
    """Settings the gateway must not start with; the message names variables, never values."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"configuration refusée / configuration refused:\n{lines}")


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything configurable, with the embedded defaults (SQLite, no Redis)."""

    env: str = EMBEDDED  # AMO_ENV, the deployment mode: embedded or production
    database_url: str = "sqlite:///var/amo-gateway.db"
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"  # as providers reach us: token audience, links
    host: str = "127.0.0.1"
    port: int = 8000
    state_dir: Path = DEFAULT_STATE_DIR  # embedded mode: where generated secrets live
    token_key: Secret = NO_SECRET  # base64 HMAC key signing access tokens (shared by all replicas)
    data_keys: Secret = NO_SECRET  # "k1:BASE64,k2:BASE64": AES-256-GCM keys for personal data
    data_key_current: str = ""  # the key id new writes use
    index_key: Secret = NO_SECRET  # base64 HMAC key of the blind indexes
    # The bearer token Prometheus sends to read /metrics. Unset: /metrics is open in the
    # embedded mode (a developer's loopback) and not served at all in production.
    metrics_token: Secret = NO_SECRET
    # SMART Backend Services recommends 300 s access tokens: a leaked token is short-lived,
    # and a client asks for a new one with a signed assertion, no person involved.
    access_token_seconds: int = 300
    # SMART Backend Services: a client assertion's exp is at most five minutes in the future.
    assertion_max_seconds: int = 300
    # Per client: a desk asks about one patient at a time, so 50 requests a second is far above
    # any honest client, while a client stuck in a retry loop is cut before it takes the
    # capacity every other provider shares.
    rate_limit_per_second: float = 50.0
    # Two seconds at the full rate: a batch sent at once when a shift opens goes through.
    rate_limit_burst: int = 100
    # The same patient is often asked again within minutes (one request per prescription
    # line, a desk's retry); registry imports drop cached answers, so five minutes only
    # bounds how long a change made outside an import stays unseen.
    cache_ttl_seconds: int = 300
    # A registry import reaches every process's cached answers within 2 s (the registry's
    # version is read again; older cached decisions are then unused), for one primary-key
    # read every 2 s per process.
    registry_poll_seconds: float = 2.0
    # Worker processes of `members import` that read and encrypt the file's households (the
    # main process stores them): unset, one per core; 0 reads in the command's own process.
    import_workers: int | None = None
    # The largest of the 62 third-party FHIR financial examples the tests read from
    # ../shared/fhir-examples is 119 KB (an NHCX eligibility Bundle);
    # 1 MiB leaves room for large claim Bundles and bounds the memory one request holds.
    max_body_bytes: int = 1_048_576
    # Each document a provider joins to an answer to a request for information: a scanned
    # page at 200 dpi weighs 100 to 500 KB as JPEG or PDF, a report of a few pages or a
    # phone's photo stays under 2 MiB. Bigger files are nearly always uncompressed scans,
    # better sent again at a lower resolution than stored encrypted and read back by every
    # reviewer. Only POST /fhir/Communication reads bodies past max_body_bytes: its own limit
    # adds room for fhir_profiles.limits.MAX_ATTACHMENTS such documents in base64.
    max_attachment_bytes: int = attachments.DEFAULT_MAX_BYTES
    # Those examples nest at most 18 levels (a Da Vinci PAS notification Bundle); 32 leaves
    # room and refuses documents built to make the parser and the mapping recurse.
    max_json_depth: int = 32
    # Those examples hold at most 531 JSON values; 10,000 objects and arrays bound the time
    # one request's mapping holds the event loop to milliseconds, whatever the body's shape.
    max_json_nodes: int = 10_000
    # Per process, plus SQLAlchemy's default overflow of 10: 20 per process keeps four
    # processes (replicas x workers) under PostgreSQL's default of 100 connections. Ten is
    # plenty: exchanges are stored by one writer thread (group commit), the rest only read.
    db_pool_size: int = 10
    # How long a request waits on the database (a read, its commit) before it is answered 503
    # with Retry-After: our queries take milliseconds, so five seconds means the database is
    # gone or hung, and a desk learns it while its own client (10 to 30 s) is still waiting.
    request_deadline_seconds: float = 5.0
    # Retry-After of a 503 when the database is unreachable: a restart or a failover takes
    # seconds; 5 s keeps desks from hammering it meanwhile without a noticeable wait after.
    retry_after_seconds: int = 5
    # Notifications, delivered by `amo-gateway worker`. A receiver answers a webhook in
    # milliseconds; ten seconds covers a slow TLS handshake, and bounds how long one dead
    # endpoint holds a delivery slot (the whole attempt, DNS resolution included).
    webhook_timeout_seconds: float = 10.0
    # Twelve attempts with the backoff below span about three hours on average (six at the
    # most): a receiver down for a maintenance window still gets its notifications; after
    # that the delivery is dead until the provider replays it ($replay). At least five.
    webhook_max_attempts: int = 12
    # The first retry within 30 s (a receiver restarting), the ceiling doubling at each
    # failure, each wait drawn at random below it (full jitter: receivers coming back are not
    # hit by every retry at once), never more than an hour apart.
    webhook_backoff_base_seconds: float = 30.0
    webhook_backoff_cap_seconds: float = 3600.0
    # Endpoints resolving to loopback, private, link-local or reserved addresses are refused:
    # a provider's URL must not reach into the gateway's own network. Loopback tests allow it.
    webhook_allow_private_networks: bool = False
    # http:// endpoints (no TLS) are registered only when allowed, for loopback tests; never in
    # production, where a notification and its signature would cross networks in clear.
    webhook_allow_http: bool = False
    # An idle worker looks for new events every second: a notification leaves about a second
    # after its commit, for one indexed query a second per worker.
    worker_poll_seconds: float = 1.0
    # A claimed delivery is taken again by another worker once its lease runs out: six times
    # the webhook timeout, so that a live worker always settles its attempts first, while a
    # dead worker's claims wait a minute.
    worker_lease_seconds: float = 60.0
    # A prise en charge's timers (expiry past its last valid day, a deadline passed) are
    # checked every minute: deadlines are counted in hours, validities in days.
    pa_timer_seconds: float = 60.0
    # At most this many of each per run and transaction: a backlog is worked through in
    # short transactions that never hold the writers back long.
    pa_timer_batch: int = 500
    # A counter check (Claim.use = predetermination) holds the prise en charge's units for the
    # claim that follows it: long enough to dispense at the counter, short enough that an
    # abandoned check does not keep a patient's treatment from another pharmacy for long.
    claim_hold_minutes: float = 15.0
    # How far back a claim's drug line looks for the patient's earlier supplies (refill too
    # early): a year, twelve times the longest period of the drug catalog (30 days), is past
    # what one dispensing supplies. Caps look back their own period (caps.csv), duplicates
    # the day itself, a prescription's earlier lines whenever.
    claim_supply_days: int = 365
    # The payers' data-mining (statistical anomaly flags) is rebuilt every six hours: a run
    # reads a whole period of claim lines, too heavy to redo every minute, and reviewers work
    # from the flags of the day, so four runs a day keep them current enough.
    anomaly_profile_seconds: float = 21600.0
    # A profile covers the last 90 days of service: a quarter, the period payers' controls
    # compare consumption over; long enough for a small provider to have peers' figures.
    anomaly_profile_days: int = 90
    # A figure is flagged at a robust score of 3.5 (Iglewicz and Hoaglin's cut-off for the
    # modified z-score), among at least 10 peers (fewer says nothing about a group), or, when
    # the peers do not vary, above their median by half again.
    anomaly_score: str = "3.5"
    anomaly_min_peers: int = 10
    anomaly_relative_excess: str = "0.5"
    # A retry sent while its first request is still being answered waits this long for that
    # answer (a claim takes tens of milliseconds), then is answered 409 with Retry-After.
    idempotency_wait_seconds: float = 2.0
    # Answers kept for their Idempotency-Key: three days covers a desk retrying over a long
    # weekend; the promise made to providers is 24 hours at least (refused below).
    idempotency_keep_hours: int = 72
    # The extranet's sign-in: five failures a minute per account (then one a minute), past
    # which the account is locked for login_lockout_minutes, stop password guessing long
    # before it could succeed against a 12-character password, while a person mistyping
    # twice is never slowed down; per address, thirty attempts a minute let a whole
    # pharmacy's staff behind one address sign in at the start of a shift.
    login_attempts_per_minute: int = 5
    login_attempts_per_address_per_minute: int = 30
    login_lockout_minutes: float = 15.0
    # A cold eligibility check finds its member in one statement without a thread hop
    # (adapters/sql/member_lookup.py); false reads through the threaded directory instead.
    direct_member_lookup: bool = True
    # On a SQLite file, a request's Idempotency-Key and a claim's history are read on the event
    # loop without a thread hop (adapters/sql/direct_reads.py); false: through the read threads.
    direct_reads: bool = True
    # Proxies in front ("10.0.0.5,10.1.0.0/16") whose X-Forwarded-For is believed; none: ignored.
    trusted_proxies: str = ""
    # A session lasts a working day at most; signing out ends it sooner.
    portal_session_hours: float = 8.0
    # Single sign-on of a payer's staff with the payer's own OpenID Connect provider (off
    # unless set): "CNSS=https://sso.cnss.ma/realms/agents,CNOPS=https://…" (payer=issuer),
    # the client id the gateway is registered under with each, and each one's client secret
    # ("CNSS:SECRET,CNOPS:SECRET"). Accounts are still created by the organization's admin:
    # the provider vouches for who signs in, never for what they may do.
    oidc_issuers: str = ""
    oidc_client_id: str = "amo-gateway"
    oidc_client_secrets: Secret = NO_SECRET
    # Settlement: where the pain.001 files are written for the bank to fetch, and each
    # payer's own account they are paid from ("CNSS=<RIB>,CNOPS=<RIB>", RIB or IBAN).
    settlement_dir: Path = Path("var/settlement")
    settlement_debtors: str = ""
    # Payers the worker settles on its own ("CNSS,CNOPS"), once a day: payment terms are
    # counted in days. None by default: a payer's finance runs `amo-gateway settle` until
    # it chooses to hand the cycle to the worker.
    settlement_payers: str = ""
    settlement_seconds: float = 86400.0
    # Tests only: stop dead at a step of a cycle (gateway/commands/settlement.py).
    settlement_crash_at: str = ""
    instance_id: str = field(default_factory=lambda: secrets.token_hex(4))  # audit stream id
    log_level: str = "INFO"
    log_json: bool = True

    def __post_init__(self) -> None:
        if self.env not in MODES:
            expected = " | ".join(MODES)
            raise ConfigurationError([f"AMO_ENV={self.env!r} inconnu / unknown: {expected}"])
        if self.idempotency_keep_hours < MIN_KEEP_HOURS:
            raise ConfigurationError([
                f"AMO_IDEMPOTENCY_KEEP_HOURS : au moins / at least {MIN_KEEP_HOURS} (une "
                "réponse est rejouée au moins un jour / an answer is replayed a day at least)"
            ])  # fmt: skip

    def __repr__(self) -> str:
        shown = (f"{f.name}={_shown(getattr(self, f.name))!r}" for f in fields(self))
        return f"Settings({', '.join(shown)})"

    @property
    def fhir_base(self) -> str:
        """The FHIR base URL providers use."""
        return self.public_url.rstrip("/") + "/fhir"

    def oidc(self) -> dict[str, tuple[str, str]]:
        """Each payer's OpenID Connect provider: its issuer and our client secret there."""
        return oidc_providers(self.oidc_issuers, self.oidc_client_secrets.get_secret_value())

    @property
    def token_url(self) -> str:
        """The token endpoint: the audience client assertions must name."""
        return self.public_url.rstrip("/") + "/auth/token"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Read AMO_<FIELD> variables (upper case), then apply explicit overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get("AMO_" + f.name.upper())
            if raw is not None and raw != "":
                values[f.name] = _convert(f.type, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_secrets(self) -> Settings:
        """These settings with their keys, checked; only the embedded mode generates keys."""
        settings = self
        if self.env == EMBEDDED and not all(getattr(self, name) for name in KEY_VARIABLES):
            settings = self._with_stored_keys()
        settings.check()
        return settings

    def check(self) -> None:
        """Refuse what must not start: missing or weak keys, SQLite in production."""
        keys = {name: getattr(self, name) for name in KEY_VARIABLES}
        problems = key_problems(keys, self.data_key_current, env=self.env)
        # Production refuses SQLite. Production means replicas behind a load balancer, and a
        # SQLite file belongs to one machine: each replica would keep its own token replay
        # store, idempotency keys and audit chains, so a replayed token or a retried request
        # would pass on the next replica. It also catches a forgotten AMO_DATABASE_URL, whose
        # default is a file inside the container that the next deployment throws away.
        if self.env == PRODUCTION and self.database_url.startswith("sqlite"):
            problems.append(
                "AMO_DATABASE_URL : SQLite refusé en production, utilisez PostgreSQL / "
                "SQLite is refused in production, use PostgreSQL"
            )
        problems += _worker_problems(self) + proxy_problems(self.trusted_proxies)
        problems += oidc_problems(self.oidc(), production=self.env == PRODUCTION)
        if problems:
            raise ConfigurationError(problems)

    def _with_stored_keys(self) -> Settings:
        stored = load_or_create_secrets(self.state_dir / "secrets.json")
        return replace(
            self,
            token_key=self.token_key or Secret(stored["token_key"]),
            data_keys=self.data_keys or Secret(stored["data_keys"]),
            data_key_current=self.data_key_current or stored["data_key_current"],
            index_key=self.index_key or Secret(stored["index_key"]),
        )


MIN_ATTEMPTS = 5  # a receiver restarting twice in a row still gets its notification


def _worker_problems(settings: Settings) -> list[str]:
    """Delivery settings that would deliver twice, never retry, or send in clear."""
    problems = []
    if settings.env == PRODUCTION and settings.webhook_allow_http:
        problems.append(
            "AMO_WEBHOOK_ALLOW_HTTP : refusé en production, les notifications passent en "
            "https / refused in production, notifications go over https"
        )
    if settings.webhook_max_attempts < MIN_ATTEMPTS:
        problems.append(f"AMO_WEBHOOK_MAX_ATTEMPTS : au moins / at least {MIN_ATTEMPTS}")
    if settings.worker_lease_seconds <= 2 * settings.webhook_timeout_seconds:
        problems.append(
            "AMO_WORKER_LEASE_SECONDS : plus du double de / more than twice "
            "AMO_WEBHOOK_TIMEOUT_SECONDS (sinon une livraison en cours serait reprise / "
            "else a delivery in progress would be taken again)"
        )
    if not 0 < settings.webhook_backoff_base_seconds <= settings.webhook_backoff_cap_seconds:
        problems.append(
            "AMO_WEBHOOK_BACKOFF_BASE_SECONDS : entre 0 et / between 0 and "
            "AMO_WEBHOOK_BACKOFF_CAP_SECONDS"
        )
    return problems


def _shown(value: Any) -> Any:
    """A setting as a repr may show it: secrets masked, URL passwords hidden."""
    if isinstance(value, str) and "://" in value:
        parts = urlsplit(value)
        if parts.password is not None:
            user_info, _, host = parts.netloc.rpartition("@")
            hidden = parts._replace(netloc=f"{user_info.partition(':')[0]}:{_HIDDEN}@{host}")
            return hidden.geturl()
    return value


def _boolean(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "bool": _boolean,
    "int": int,
    "float": float,
    "Path": Path,
    # A key mounted from a file usually ends with a newline, which base64 would refuse.
    "Secret": lambda raw: Secret(raw.strip()),
}


def _convert(kind: Any, raw: str) -> Any:
    return _CONVERTERS.get(str(kind).split(" | ")[0], str)(raw)
