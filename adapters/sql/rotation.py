"""Key rotation: re-encrypt personal data still under an older key with the current one.

Tokens name their key, so rows written before a rotation stay readable as long as the old
key is in the keyring; this rewrites them, so that the old key can then be withdrawn.
Batches commit one at a time: the work can be interrupted and resumed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from sqlalchemy import ColumnElement, Engine, Table, select, update

from adapters.crypto import FieldCipher
from adapters.sql.accounts import USER, totp_aad
from adapters.sql.exchanges import EXCHANGE, exchange_aad
from adapters.sql.members import MEMBER
from adapters.sql.messages import MESSAGE, message_aad
from adapters.sql.subscriptions import ENDPOINT, secret_aad

EXCHANGE_COLUMNS = ("request", "response", "patient")
# A message's body holds its documents (up to ~14 MB with its attachments): a few at a time
# keep a batch's memory bounded whatever the batch size asked for the other tables.
MESSAGE_BATCH = 8


@dataclass(frozen=True, slots=True)
class RotationReport:
    """How many rows were re-encrypted."""

    members: int
    exchanges: int
    webhook_secrets: int = 0
    messages: int = 0
    totp_secrets: int = 0  # staff accounts' second factors


def rotate_keys(engine: Engine, cipher: FieldCipher, *, batch: int = 500) -> RotationReport:
    """Re-encrypt every member, exchange, webhook secret, message and staff TOTP secret not
    yet under the current key."""
    return RotationReport(
        _members(engine, cipher, batch),
        _exchanges(engine, cipher, batch),
        _webhook_secrets(engine, cipher),
        _messages(engine, cipher, min(batch, MESSAGE_BATCH)),
        _totp_secrets(engine, cipher, batch),
    )


def _members(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    done, after = 0, ""
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(MEMBER.c.member_id, MEMBER.c.names_enc)
                .where(MEMBER.c.member_id > after)
                .order_by(MEMBER.c.member_id)
                .limit(batch)
            ).all()
            for member_id, token in rows:
                if cipher.needs_rotation(bytes(token)):
                    aad = member_id.encode()
                    fresh = cipher.encrypt(cipher.decrypt(bytes(token), aad=aad), aad=aad)
                    connection.execute(
                        update(MEMBER)
                        .where(MEMBER.c.member_id == member_id)
                        .values(names_enc=fresh)
                    )
                    done += 1
        if len(rows) < batch:
            return done
        after = rows[-1][0]


def _exchanges(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    sealed = {f"{name}_enc": partial(exchange_aad, column=name) for name in EXCHANGE_COLUMNS}
    return _reseal_rows(engine, cipher, EXCHANGE, sealed, batch)


def _webhook_secrets(engine: Engine, cipher: FieldCipher) -> int:
    """The endpoints' signing secrets: a few rows per provider, in one transaction."""
    return _reseal_rows(engine, cipher, ENDPOINT, {"secret_enc": secret_aad}, None)


def _messages(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    return _reseal_rows(engine, cipher, MESSAGE, {"body_enc": message_aad}, batch)


def _totp_secrets(engine: Engine, cipher: FieldCipher, batch: int) -> int:
    """The staff accounts' second factors (of the accounts that have one)."""
    sealed = {"totp_enc": totp_aad}
    return _reseal_rows(engine, cipher, USER, sealed, batch, USER.c.totp_enc.is_not(None))


def _reseal_rows(
    engine: Engine,
    cipher: FieldCipher,
    table: Table,
    sealed: Mapping[str, Callable[[str], bytes]],
    batch: int | None,
    *where: ColumnElement[bool],
) -> int:
    """Re-encrypt the `sealed` columns (each with the associated data of its row's id) of the
    rows of `table` whose key_id is not the current one, `batch` rows a transaction (None: all
    in one). A row rewritten carries the current key id, so a run stopped halfway resumes
    with the rest; how many rows were rewritten."""
    done = 0
    columns = [table.c[name] for name in sealed]
    while True:
        with engine.begin() as connection:
            rows = connection.execute(
                select(table.c.id, *columns)
                .where(table.c.key_id != cipher.current_key_id, *where)
                .limit(batch)
            ).all()
            for row_id, *tokens in rows:
                values = {
                    name: _reseal(cipher, token, aad(row_id))
                    for (name, aad), token in zip(sealed.items(), tokens, strict=True)
                }
                connection.execute(
                    update(table)
                    .where(table.c.id == row_id)
                    .values(key_id=cipher.current_key_id, **values)
                )
            done += len(rows)
        if batch is None or len(rows) < batch:
            return done


def _reseal(cipher: FieldCipher, token: bytes | None, aad: bytes) -> bytes | None:
    if token is None:
        return None
    return cipher.encrypt(cipher.decrypt(bytes(token), aad=aad), aad=aad)
