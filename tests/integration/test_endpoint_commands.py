"""`amo-gateway providers endpoint add|list|remove` on a SQLite state."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway import cli
from gateway.commands import admin
from gateway.commands.endpoints import add_endpoint, list_endpoints, remove_endpoint
from gateway.settings import Settings
from tests.e2e.support import register_client

URL = "https://pharmacie.example/amo/notifications"
INPE = "111222333"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A migrated SQLite state with a pharmacy; the CLI reads the same from the environment."""
    monkeypatch.setenv("AMO_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("AMO_DATABASE_URL", f"sqlite:///{tmp_path / 'gateway.db'}")
    monkeypatch.setenv("AMO_LOG_LEVEL", "WARNING")
    settings = Settings.from_env().with_secrets()
    admin.run_migrations(settings)
    register_client(settings, tmp_path, "pharmacy", INPE)
    return settings


class TestEndpointCommands:
    def test_add_prints_the_secret_once_and_list_never(
        self, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert cli.main(["providers", "endpoint", "add", "--inpe", INPE, "--url", URL]) == 0
        added = capsys.readouterr().out
        secret = added.split("seule fois : ")[1].strip()
        assert secret.startswith("whsec_")
        assert secret.encode() not in (tmp_path / "gateway.db").read_bytes()
        assert cli.main(["providers", "endpoint", "list", "--inpe", INPE]) == 0
        listed = capsys.readouterr().out
        assert URL in listed and "whsec_" not in listed

    def test_the_same_url_twice_is_refused(self, settings: Settings) -> None:
        add_endpoint(settings, inpe=INPE, url=URL)
        with pytest.raises(SystemExit, match="déjà enregistré"):
            add_endpoint(settings, inpe=INPE, url=URL)

    @pytest.mark.parametrize("url", ["http://pharmacie.example/h", "https://u:p@h.example/"])
    def test_a_url_without_tls_or_with_credentials_is_refused(
        self, settings: Settings, url: str
    ) -> None:
        with pytest.raises(SystemExit, match="URL refusée"):
            add_endpoint(settings, inpe=INPE, url=url)

    def test_http_is_taken_where_allowed(self, settings: Settings) -> None:
        allowed = Settings(**{**settings.__dict__, "webhook_allow_http": True})
        endpoint, _ = add_endpoint(allowed, inpe=INPE, url="http://127.0.0.1:9000/h")
        assert [e.id for e in list_endpoints(settings, inpe=INPE)] == [endpoint.id]

    def test_an_unknown_provider_is_refused(self, settings: Settings) -> None:
        with pytest.raises(SystemExit, match="Aucun prestataire"):
            add_endpoint(settings, inpe="999888777", url=URL)

    def test_remove_takes_the_endpoint_away(self, settings: Settings) -> None:
        endpoint, _ = add_endpoint(settings, inpe=INPE, url=URL)
        with pytest.raises(SystemExit, match="Aucun point de terminaison"):
            remove_endpoint(settings, inpe=INPE, endpoint_id="nope")
        assert remove_endpoint(settings, inpe=INPE, endpoint_id=endpoint.id) == 0
        assert list_endpoints(settings, inpe=INPE) == []
