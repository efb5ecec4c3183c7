"""Two `amo-gateway settle` processes at once, on SQLite and PostgreSQL: each claim paid once.

Both run the same cycle of the same payer at the same instant, round after round, with new
claims each round: the payer's advisory lock lets one plan the batch, the other takes up the
same batch (or finds nothing left), and the unique index over live transfer claims would
refuse a second payment if the lock ever failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from adapters.crypto import BlindIndex, FieldCipher, new_key, parse_keyring
from adapters.sql import SqlUnitOfWorkFactory, make_engine, migrate
from tests.cli_children import exit_status, start_cli
from tests.integration.conftest import our_tables
from tests.settlement_world import CYCLE, DEBTOR, accept, add_provider, assert_settled, ledger

ROUNDS = 4
SETTLE = ["settle", "--payer", "CNSS", "--date", CYCLE.isoformat(), "--quiet"]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A migrated database the children reach by URL, its tables emptied: a SQLite file (one
    writer at a time), or the session's PostgreSQL database (the payer's advisory lock)."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        engine: Engine = request.getfixturevalue("postgres_engine")
        with engine.begin() as connection:
            for table in reversed(our_tables()):
                connection.execute(delete(table))
        yield url, engine
        return
    url = f"sqlite:///{tmp_path / 'race.db'}"
    engine = make_engine(url)
    migrate(engine)
    yield url, engine
    engine.dispose()


def test_two_processes_never_pay_twice(database: tuple[str, Engine], tmp_path: Path) -> None:
    url, engine = database
    keys = parse_keyring(f"k1:{new_key()},idx:{new_key()}")
    factory = SqlUnitOfWorkFactory(
        engine, cipher=FieldCipher(keys, "k1"), index=BlindIndex(keys["idx"]),
        audit_stream_id="race",
    )  # fmt: skip
    providers = [f"P{n}" for n in range(1, 6)]
    for provider in providers:
        add_provider(factory, provider)
    env = {
        "AMO_STATE_DIR": str(tmp_path),
        "AMO_DATABASE_URL": url,
        "AMO_SETTLEMENT_DIR": str(tmp_path / "settlement"),
        "AMO_SETTLEMENT_DEBTORS": f"CNSS={DEBTOR.value}",
        "AMO_LOG_LEVEL": "WARNING",
    }
    sources = []
    for round_ in range(ROUNDS):
        for n, provider in enumerate(providers):
            for k in range(4):
                claim = f"r{round_}-{n}-{k}"
                accept(factory, provider, claim, 1_000 + 37 * k + n, CYCLE)
                sources.append(f"{provider}:{claim}")
        children = [start_cli(env, SETTLE), start_cli(env, SETTLE)]
        assert [exit_status(child) for child in children] == [0, 0]
    book = assert_settled(factory, tmp_path / "settlement", sources)
    assert len(book.payments()) == ROUNDS * len(providers)
    assert len(list((tmp_path / "settlement").glob("*.xml"))) == ROUNDS
    assert ledger(factory).live_paid() == {s: 1 for s in sources}
