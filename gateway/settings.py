"""Settings: the only place that reads the environment (AMO_* variables)."""

from __future__ import annotations

import os
import secrets
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import orjson

DEFAULT_STATE_DIR = Path("var")


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the embedded defaults (SQLite, no Redis)."""

    database_url: str = "sqlite:///var/amo-gateway.db"
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"  # as providers reach us: token audience, links
    host: str = "127.0.0.1"
    port: int = 8000
    state_dir: Path = DEFAULT_STATE_DIR  # where generated secrets live when none are given
    token_key: str = ""  # base64 HMAC key signing access tokens (shared by all replicas)
    data_keys: str = ""  # "k1:BASE64,k2:BASE64": AES-256-GCM keys for personal data
    data_key_current: str = ""  # the key id new writes use
    index_key: str = ""  # base64 HMAC key of the blind indexes
    access_token_seconds: int = 300  # SMART backend services: at most five minutes
    assertion_max_seconds: int = 300  # how far in the future a client assertion may expire
    rate_limit_per_second: float = 50.0
    rate_limit_burst: int = 100
    cache_ttl_seconds: int = 300
    registry_poll_seconds: float = 2.0  # without Redis: how often to look for registry changes
    max_body_bytes: int = 1_048_576
    max_json_depth: int = 32
    db_pool_size: int = 10
    retry_after_seconds: int = 5
    instance_id: str = field(default_factory=lambda: secrets.token_hex(4))
    log_level: str = "INFO"
    log_json: bool = True

    @property
    def fhir_base(self) -> str:
        """The FHIR base URL providers use."""
        return self.public_url.rstrip("/") + "/fhir"

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
        """Fill missing keys from `state_dir/secrets.json`, creating it (mode 600) if absent."""
        if self.token_key and self.data_keys and self.index_key:
            return self
        stored = load_or_create_secrets(self.state_dir / "secrets.json")
        return replace(
            self,
            token_key=self.token_key or stored["token_key"],
            data_keys=self.data_keys or stored["data_keys"],
            data_key_current=self.data_key_current or stored["data_key_current"],
            index_key=self.index_key or stored["index_key"],
        )


def _convert(kind: Any, raw: str) -> Any:
    text = str(kind)
    if "bool" in text:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if text.startswith("int"):
        return int(raw)
    if text.startswith("float"):
        return float(raw)
    if "Path" in text:
        return Path(raw)
    return raw


def _random_key() -> str:
    return b64encode(secrets.token_bytes(32)).decode()


def load_or_create_secrets(path: Path) -> dict[str, str]:
    """Secrets for a single machine (demo, development); production passes AMO_* keys."""
    if path.exists():
        loaded: dict[str, str] = orjson.loads(path.read_bytes())
        return loaded
    path.parent.mkdir(parents=True, exist_ok=True)
    created = {
        "token_key": _random_key(),
        "data_keys": "k1:" + _random_key(),
        "data_key_current": "k1",
        "index_key": _random_key(),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(orjson.dumps(created, option=orjson.OPT_INDENT_2))
    return created
