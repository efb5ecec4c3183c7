"""`amo-gateway payments clock` on a SQLite state: overdue claims by band, claim-to-cash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.ledger import claim_accepted, payment
from domain.money import Money
from gateway import cli
from gateway.bootstrap import open_storage
from gateway.commands import admin
from gateway.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A migrated SQLite state; the CLI reads the same from the environment."""
    monkeypatch.setenv("AMO_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("AMO_DATABASE_URL", f"sqlite:///{tmp_path / 'gateway.db'}")
    monkeypatch.setenv("AMO_LOG_LEVEL", "WARNING")
    settings = Settings.from_env().with_secrets()
    admin.run_migrations(settings)
    return settings


class TestPaymentsClock:
    def test_prints_bands_and_delays(
        self, settings: Settings, capsys: pytest.CaptureFixture[str]
    ) -> None:
        now = datetime.now(UTC)
        late = claim_accepted("org-ph:F-1", payer="CNSS", provider="org-ph",
                              benefit=Money(123_450), at=now - timedelta(days=50),
                              due=(now - timedelta(days=35)).date())  # fmt: skip
        paid = claim_accepted("org-ph:F-2", payer="CNSS", provider="org-ph",
                              benefit=Money(1_000), at=now - timedelta(days=20))  # fmt: skip
        assert late is not None and paid is not None
        settled = payment("V-1", payer="CNSS", provider="org-ph", claims=(paid.source,),
                          amount=Money(1_000), at=now - timedelta(days=8))  # fmt: skip
        with open_storage(settings) as storage, storage.uow() as uow:
            uow.ledger.add_many([late, paid, settled])
            uow.commit()
        assert cli.main(["payments", "clock", "--by", "provider"]) == 0
        out = capsys.readouterr().out.splitlines()
        assert "retards\torg-ph\t31-60\t1\t1234.50" in out
        assert "délai\torg-ph\t1\t12.0\t12.0" in out

    def test_an_unknown_grouping_is_refused(self, settings: Settings) -> None:
        from gateway.commands.payments import clock_report

        with pytest.raises(SystemExit, match="inconnu"):
            clock_report(settings, by="region")
