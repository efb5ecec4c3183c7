"""The keys' settings: which must be given, whether each is strong enough, and the ones the
embedded mode generates for a single machine.

Every message names the variable, never the key: a refused configuration is printed and logged.
"""

from __future__ import annotations

import binascii
import os
import re
import secrets
from base64 import b64decode, b64encode
from collections.abc import Mapping
from pathlib import Path

import orjson

from gateway.secret import Secret

# RFC 7518 §3.2: an HS256 key is at least as long as the hash, 256 bits; the blind index is
# HMAC-SHA256 too, and AES-256-GCM takes exactly 32 bytes.
KEY_BYTES = 32
KEY_VARIABLES = {
    "token_key": "AMO_TOKEN_KEY",
    "data_keys": "AMO_DATA_KEYS",
    "index_key": "AMO_INDEX_KEY",
}
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")  # the ids adapters.crypto accepts


def key_problems(keys: Mapping[str, Secret], current: str, *, env: str) -> list[str]:
    """Missing or weak keys, and a current key id the keyring lacks; `keys` maps each name of
    KEY_VARIABLES to its setting, `current` is AMO_DATA_KEY_CURRENT, `env` the mode."""
    return _missing_keys(keys, env) + _weak_keys(keys, current)


def _missing_keys(keys: Mapping[str, Secret], env: str) -> list[str]:
    missing = [variable for name, variable in KEY_VARIABLES.items() if not keys[name]]
    if not missing:
        return []
    return [
        f"variables manquantes / missing variables: {', '.join(missing)} "
        f"(AMO_ENV={env} : aucune clé n'est générée / no key is generated; "
        "`amo-gateway keys new` en crée une / makes one)"
    ]


def _weak_keys(keys: Mapping[str, Secret], current: str) -> list[str]:
    problems = [
        _weak_key(variable, keys[name].get_secret_value())
        for name, variable in KEY_VARIABLES.items()
        if name != "data_keys" and keys[name]
    ]
    if keys["data_keys"]:
        problems += _keyring_problems(keys["data_keys"].get_secret_value(), current)
    return [problem for problem in problems if problem]


def _weak_key(label: str, encoded: str, *, exact: bool = False) -> str | None:
    """Why a base64 key is unusable, in words that never quote it (None: usable)."""
    try:
        size = len(b64decode(encoded, validate=True))
    except binascii.Error:
        return f"{label} : pas du base64 / not base64"
    if size < KEY_BYTES or (exact and size != KEY_BYTES):
        amount = "exactement / exactly" if exact else "au moins / at least"
        return (
            f"{label} : clé faible / weak key, {amount} {KEY_BYTES} octets / bytes "
            "après décodage base64 / after base64 decoding"
        )
    return None


def _keyring_problems(text: str, current: str) -> list[str | None]:
    problems: list[str | None] = []
    ids = []
    for number, entry in enumerate(filter(None, (p.strip() for p in text.split(","))), 1):
        key_id, _, encoded = entry.partition(":")
        if not _KEY_ID.fullmatch(key_id) or not encoded:
            # Never quote the entry: without its "id:" it is the key itself.
            problems.append(
                f"AMO_DATA_KEYS, entrée / entry {number} : id:base64 attendu / expected"
            )
            continue
        ids.append(key_id)
        problems.append(_weak_key(f"AMO_DATA_KEYS ({key_id})", encoded.strip(), exact=True))
    if current and ids and current not in ids:
        problems.append(f"AMO_DATA_KEY_CURRENT={current!r} absente de / not in AMO_DATA_KEYS")
    return problems


def _random_key() -> str:
    return b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def load_or_create_secrets(path: Path) -> dict[str, str]:
    """Secrets for a single machine (demo, development); production passes AMO_* keys.

    Several processes may start at once on a new state directory (the gateway, a worker, a
    command): the first to publish its keys wins and every other reads those. A file is
    written whole under a name of its own, then linked to `path` (which fails if it exists),
    so `path` is never seen half written."""
    if path.exists():
        return _stored_secrets(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    created = {
        "token_key": _random_key(),
        "data_keys": "k1:" + _random_key(),
        "data_key_current": "k1",
        "index_key": _random_key(),
    }
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(orjson.dumps(created, option=orjson.OPT_INDENT_2))
            out.flush()
            os.fsync(out.fileno())
        os.link(draft, path)
    except FileExistsError:  # another process published its keys first: those are the keys
        return _stored_secrets(path)
    finally:
        draft.unlink(missing_ok=True)
    return created


def _stored_secrets(path: Path) -> dict[str, str]:
    loaded: dict[str, str] = orjson.loads(path.read_bytes())
    return loaded
