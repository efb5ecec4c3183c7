"""`amo-gateway accounts`, `settle` and `statement` on a SQLite state, as a payer's finance
runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.bank_files import totals
from domain.records import Provider
from gateway import cli
from gateway.bootstrap import open_storage
from gateway.commands import admin
from gateway.settings import Settings
from tests.bank_documents import Booked, camt053
from tests.settlement_world import CYCLE, DEBTOR, accept, rib_for

SETTLE = ["settle", "--payer", "CNSS", "--date", CYCLE.isoformat()]


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A migrated SQLite state with one provider and a claim due; the CLI reads the same."""
    monkeypatch.setenv("AMO_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("AMO_DATABASE_URL", f"sqlite:///{tmp_path / 'gateway.db'}")
    monkeypatch.setenv("AMO_SETTLEMENT_DIR", str(tmp_path / "out"))
    monkeypatch.setenv("AMO_SETTLEMENT_DEBTORS", f"CNSS={DEBTOR.iban}")
    monkeypatch.setenv("AMO_LOG_LEVEL", "WARNING")
    settings = Settings.from_env().with_secrets()
    admin.run_migrations(settings)
    with open_storage(settings) as storage:
        with storage.uow() as uow:
            uow.providers.add(Provider("P1", "INPE-1", "Officine 1", "pharmacy", ("CNSS",),
                                       "client-1", '{"keys": []}'))  # fmt: skip
            uow.commit()
        accept(storage.uow, "P1", "F-1", 12_345, CYCLE)  # type: ignore[arg-type]
    return settings


class TestAccounts:
    def test_propose_then_approve_by_another(
        self, settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rib = rib_for(1)
        assert cli.main(["accounts", "propose", "--provider", "P1", "--rib", rib.value,
                         "--by", "alice"]) == 0  # fmt: skip
        assert cli.main(["accounts", "approve", "--provider", "P1", "--by", "alice"]) == 2
        assert "autre utilisateur" in capsys.readouterr().err
        assert cli.main(["accounts", "approve", "--provider", "P1", "--by", "bob"]) == 0
        assert f"compte {rib.iban} de P1 en vigueur" in capsys.readouterr().out

    def test_the_holder_s_name_goes_with_the_account_to_its_approver(
        self, settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rib = rib_for(1)
        assert cli.main(["accounts", "propose", "--provider", "P1", "--rib", rib.value,
                         "--by", "alice", "--holder", " Pharmacie Atlas "]) == 0  # fmt: skip
        assert f"compte {rib.iban} (Pharmacie Atlas) proposé pour P1" in capsys.readouterr().out
        assert cli.main(["accounts", "approve", "--provider", "P1", "--by", "bob"]) == 0
        assert f"compte {rib.iban} (Pharmacie Atlas) de P1 en vigueur" in capsys.readouterr().out
        assert cli.main(["accounts", "propose", "--provider", "P1", "--rib", rib.value,
                         "--by", "alice", "--holder", "x" * 500]) == 2  # fmt: skip
        assert "titulaire" in capsys.readouterr().err

    def test_a_wrong_key_is_refused(
        self, settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        wrong = rib_for(1).value[:-2] + "00"
        assert cli.main(["accounts", "propose", "--provider", "P1", "--rib", wrong,
                         "--by", "alice"]) == 2  # fmt: skip
        assert "clé du RIB" in capsys.readouterr().err


class TestSettle:
    def test_settle_then_statement(
        self, settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        assert cli.main(["settle", "--payer", "CNSS"]) == 0  # today, nothing has an account
        cli.main(["accounts", "propose", "--provider", "P1", "--rib", rib_for(1).iban,
                  "--by", "alice"])  # fmt: skip
        cli.main(["accounts", "approve", "--provider", "P1", "--by", "bob"])
        capsys.readouterr()
        assert cli.main(SETTLE) == 0
        captured = capsys.readouterr()
        assert "1 virement(s), 123.45 MAD" in captured.out and "virements [" in captured.err
        document = next((tmp_path / "out").glob("*.xml")).read_bytes()
        found = totals(document)
        assert (found.count, found.centimes) == (1, 12_345)
        statement = tmp_path / "camt053.xml"
        statement.write_bytes(camt053([Booked(found.end_to_end_ids[0], 12_345)], CYCLE))
        assert cli.main(["statement", str(statement)]) == 0
        assert cli.main(["statement", str(statement)]) == 0
        out = capsys.readouterr().out.splitlines()
        assert "1 exécuté(s), 0 rejeté(s), 0 déjà connu(s)" in out[0]
        assert "0 exécuté(s), 0 rejeté(s), 1 déjà connu(s)" in out[1]

    def test_unreadable_statement(
        self, settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
    ) -> None:
        statement = tmp_path / "not.xml"
        statement.write_bytes(b"<Document xmlns='urn:other'/>")
        assert cli.main(["statement", str(statement)]) == 2
        assert "non pris en charge" in capsys.readouterr().err
