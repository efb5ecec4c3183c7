"""Settings as a deployment gives them: typed AMO_* variables, modes, keys kept secret."""

from __future__ import annotations

import ast
import pickle
import secrets
import threading
from base64 import b64encode
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from gateway.settings import ConfigurationError, Secret, Settings

ROOT = Path(__file__).resolve().parents[3]
POSTGRES = "postgresql+psycopg://amo:s3cr3t-pw@db.internal:5432/amo"


def key(size: int = 32) -> str:
    """A fresh random base64 key of `size` bytes."""
    return b64encode(secrets.token_bytes(size)).decode()


def production(**values: object) -> Settings:
    """Production settings on PostgreSQL with three strong keys, changed by `values`."""
    given: dict[str, object] = {
        "env": "production",
        "database_url": POSTGRES,
        "token_key": Secret(key()),
        "data_keys": Secret(f"k1:{key()}"),
        "index_key": Secret(key()),
    }
    return Settings(**{**given, **values})  # type: ignore[arg-type]


def refusal(settings: Settings) -> str:
    """The message with which these settings are refused."""
    with pytest.raises(ConfigurationError) as refused:
        settings.with_secrets()
    return str(refused.value)


class TestSecret:
    def test_repr_and_str_hide_the_value(self) -> None:
        secret = Secret("hunter2-long-enough")
        assert "hunter2" not in repr(secret)
        assert "hunter2" not in str(secret)
        assert "hunter2" not in f"{secret}"
        assert secret.get_secret_value() == "hunter2-long-enough"

    def test_an_empty_secret_is_falsy_and_shows_empty(self) -> None:
        assert not Secret()
        assert str(Secret()) == ""

    def test_equality_follows_the_value(self) -> None:
        assert Secret("a") == Secret("a")
        assert Secret("a") != Secret("b")

    def test_it_survives_pickling_for_uvicorn_workers(self) -> None:
        assert pickle.loads(pickle.dumps(Secret("abc"))).get_secret_value() == "abc"


class TestFromEnvironment:
    def test_environment_is_read_and_typed(self) -> None:
        env = {"AMO_PORT": "9001", "AMO_RATE_LIMIT_PER_SECOND": "2.5", "AMO_LOG_JSON": "false"}
        settings = Settings.from_env(env)
        assert settings.port == 9001
        assert settings.rate_limit_per_second == 2.5
        assert settings.log_json is False

    def test_overrides_win_over_the_environment(self) -> None:
        settings = Settings.from_env(
            {"AMO_DATABASE_URL": "sqlite:///a.db"}, database_url="sqlite:///b.db"
        )
        assert settings.database_url == "sqlite:///b.db"

    def test_keys_are_read_as_secrets_without_their_trailing_newline(self) -> None:
        token = key()
        settings = Settings.from_env({"AMO_TOKEN_KEY": token + "\n"})
        assert isinstance(settings.token_key, Secret)
        assert settings.token_key.get_secret_value() == token

    def test_the_mode_is_read(self) -> None:
        assert Settings.from_env({}).env == "embedded"
        assert Settings.from_env({"AMO_ENV": "production"}).env == "production"

    def test_an_unknown_mode_is_refused(self) -> None:
        with pytest.raises(ConfigurationError, match="AMO_ENV"):
            Settings.from_env({"AMO_ENV": "prod"})

    def test_idempotency_keys_are_kept_a_day_at_least(self) -> None:
        assert Settings.from_env({}).idempotency_keep_hours == 72
        assert Settings.from_env({"AMO_IDEMPOTENCY_KEEP_HOURS": "24"}).idempotency_keep_hours == 24
        with pytest.raises(ConfigurationError, match="AMO_IDEMPOTENCY_KEEP_HOURS : au moins"):
            Settings.from_env({"AMO_IDEMPOTENCY_KEEP_HOURS": "23"})

    def test_waits_and_holds_may_be_fractions(self) -> None:
        env = {"AMO_IDEMPOTENCY_WAIT_SECONDS": "0.5", "AMO_CLAIM_HOLD_MINUTES": "0.02"}
        settings = Settings.from_env(env)
        assert (settings.idempotency_wait_seconds, settings.claim_hold_minutes) == (0.5, 0.02)


class TestEmbeddedMode:
    def test_generated_secrets_are_stable_and_private(self, tmp_path: Path) -> None:
        first = Settings(state_dir=tmp_path).with_secrets()
        second = Settings(state_dir=tmp_path).with_secrets()
        assert first.token_key
        assert first.token_key == second.token_key
        assert first.data_keys == second.data_keys
        assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0

    def test_processes_starting_at_once_on_a_new_directory_share_one_set_of_keys(
        self, tmp_path: Path
    ) -> None:
        """The gateway, its worker and a command started together on a new state directory:
        none fails for finding the file another has just created, all get the same keys,
        and no draft file stays behind."""
        starters = 8
        for attempt in range(20):
            state = tmp_path / f"state-{attempt}"
            together = threading.Barrier(starters)

            def start(state: Path = state, together: threading.Barrier = together) -> Settings:
                together.wait()
                return Settings(state_dir=state).with_secrets()

            with ThreadPoolExecutor(starters) as pool:
                started = list(pool.map(lambda _: start(), range(starters)))
            assert len({(s.token_key, s.data_keys, s.index_key) for s in started}) == 1
            assert [p.name for p in state.iterdir()] == ["secrets.json"]

    def test_given_keys_win_over_generated_ones(self, tmp_path: Path) -> None:
        token = key()
        settings = Settings(state_dir=tmp_path, token_key=Secret(token)).with_secrets()
        assert settings.token_key.get_secret_value() == token
        assert settings.index_key

    def test_a_weak_given_key_is_refused_too(self, tmp_path: Path) -> None:
        weak = key(16)
        message = refusal(Settings(state_dir=tmp_path, index_key=Secret(weak)))
        assert "AMO_INDEX_KEY" in message
        assert weak not in message


class TestProductionMode:
    def test_strong_keys_on_postgresql_are_accepted(self, tmp_path: Path) -> None:
        settings = production(state_dir=tmp_path)
        assert settings.with_secrets() == settings
        assert not (tmp_path / "secrets.json").exists()

    def test_missing_keys_are_named_and_never_generated(self, tmp_path: Path) -> None:
        given = production(state_dir=tmp_path, token_key=Secret(), index_key=Secret())
        message = refusal(given)
        assert "AMO_TOKEN_KEY" in message
        assert "AMO_INDEX_KEY" in message
        assert "AMO_DATA_KEYS" not in message
        assert "manquantes" in message and "missing" in message
        assert not (tmp_path / "secrets.json").exists()

    def test_sqlite_is_refused(self) -> None:
        message = refusal(production(database_url="sqlite:///var/amo.db"))
        assert "AMO_DATABASE_URL" in message
        assert "PostgreSQL" in message

    def test_a_short_key_is_refused_without_being_quoted(self) -> None:
        weak = key(16)
        message = refusal(production(token_key=Secret(weak)))
        assert "AMO_TOKEN_KEY" in message
        assert weak not in message

    def test_a_key_that_is_not_base64_is_refused(self) -> None:
        message = refusal(production(index_key=Secret("not base64 at all!")))
        assert "AMO_INDEX_KEY" in message
        assert "not base64" in message

    def test_a_data_key_without_its_id_is_refused_without_being_quoted(self) -> None:
        bare = key()
        message = refusal(production(data_keys=Secret(f"k1:{key()},{bare}")))
        assert "AMO_DATA_KEYS" in message
        assert "entry 2" in message
        assert bare not in message

    def test_a_data_key_must_be_exactly_256_bits(self) -> None:
        message = refusal(production(data_keys=Secret(f"k1:{key(48)}")))
        assert "AMO_DATA_KEYS (k1)" in message

    def test_the_current_data_key_must_be_in_the_ring(self) -> None:
        message = refusal(production(data_key_current="k2"))
        assert "AMO_DATA_KEY_CURRENT" in message

    def test_every_problem_is_reported_at_once(self) -> None:
        message = refusal(production(database_url="sqlite://", token_key=Secret(key(8))))
        assert "AMO_DATABASE_URL" in message
        assert "AMO_TOKEN_KEY" in message


class TestDeliverySettings:
    def test_the_defaults_pass(self) -> None:
        production().with_secrets()

    def test_they_are_read_from_the_environment(self) -> None:
        env = {"AMO_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "1", "AMO_WORKER_LEASE_SECONDS": "90.5"}
        settings = Settings.from_env(env)
        assert settings.webhook_allow_private_networks is True
        assert settings.worker_lease_seconds == 90.5

    def test_http_endpoints_are_refused_in_production(self) -> None:
        assert "AMO_WEBHOOK_ALLOW_HTTP" in refusal(production(webhook_allow_http=True))

    def test_http_endpoints_may_be_allowed_elsewhere(self, tmp_path: Path) -> None:
        Settings(state_dir=tmp_path, webhook_allow_http=True).with_secrets()

    def test_fewer_than_five_attempts_are_refused(self) -> None:
        assert "AMO_WEBHOOK_MAX_ATTEMPTS" in refusal(production(webhook_max_attempts=4))

    def test_a_lease_shorter_than_two_attempts_is_refused(self) -> None:
        message = refusal(production(webhook_timeout_seconds=30.0, worker_lease_seconds=60.0))
        assert "AMO_WORKER_LEASE_SECONDS" in message

    def test_a_backoff_base_above_its_cap_is_refused(self) -> None:
        message = refusal(
            production(webhook_backoff_base_seconds=10.0, webhook_backoff_cap_seconds=5.0)
        )
        assert "AMO_WEBHOOK_BACKOFF_BASE_SECONDS" in message


class TestRepr:
    def test_no_secret_shows_in_the_repr(self) -> None:
        settings = production(redis_url="redis://:r3dis-pw@cache.internal:6379/0")
        shown = repr(settings)
        for secret in (settings.token_key, settings.data_keys, settings.index_key):
            assert secret.get_secret_value() not in shown
        assert settings.data_keys.get_secret_value().partition(":")[2] not in shown
        assert "s3cr3t-pw" not in shown
        assert "r3dis-pw" not in shown

    def test_the_repr_still_says_where_things_are(self) -> None:
        shown = repr(production())
        assert "postgresql+psycopg://amo:**********@db.internal:5432/amo" in shown
        assert "env='production'" in shown
        assert "token_key=Secret('**********')" in shown


class TestEnvironmentRule:
    """Settings is the only module that reads (or writes) the process environment."""

    def test_no_other_module_touches_the_environment(self) -> None:
        offenders = [
            str(path.relative_to(ROOT))
            for package in ("domain", "fhir_profiles", "adapters", "gateway")
            for path in (ROOT / package).rglob("*.py")
            if path != ROOT / "gateway" / "settings.py" and _touches_environment(path)
        ]
        assert offenders == []

    def test_the_check_sees_a_write(self, tmp_path: Path) -> None:
        sample = tmp_path / "sample.py"
        sample.write_text('import os\nos.environ["AMO_PORT"] = "1"\n')
        assert _touches_environment(sample)


def _touches_environment(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {"environ", "getenv", "putenv", "unsetenv", "environb"}
    return any(
        (isinstance(node, ast.Attribute) and node.attr in names)
        or (isinstance(node, ast.Name) and node.id in names)
        for node in ast.walk(tree)
    )


class TestSingleSignOn:
    def test_each_payers_provider_and_its_secret(self) -> None:
        settings = Settings.from_env({
            "AMO_OIDC_ISSUERS": "CNSS=https://sso.cnss.ma/realms/agents, CNOPS=https://id.cnops.ma",
            "AMO_OIDC_CLIENT_SECRETS": "CNSS:s1,CNOPS:s2:with-colon",
        })  # fmt: skip
        assert settings.oidc() == {
            "CNSS": ("https://sso.cnss.ma/realms/agents", "s1"),
            "CNOPS": ("https://id.cnops.ma", "s2:with-colon"),
        }
        assert "s1" not in repr(settings)

    def test_off_by_default(self) -> None:
        assert Settings().oidc() == {}

    def test_a_provider_without_its_secret_is_refused(self) -> None:
        settings = production(oidc_issuers="CNSS=https://sso.cnss.ma")
        assert "AMO_OIDC_CLIENT_SECRETS" in refusal(settings) and "CNSS" in refusal(settings)

    def test_a_provider_in_clear_is_refused_in_production(self) -> None:
        settings = production(oidc_issuers="CNSS=http://sso.cnss.ma",
                              oidc_client_secrets=Secret("CNSS:s"))  # fmt: skip
        assert "https" in refusal(settings)

    def test_a_malformed_entry_is_refused(self) -> None:
        settings = production(oidc_issuers="sso.cnss.ma", oidc_client_secrets=Secret("CNSS:s"))
        assert "AMO_OIDC_ISSUERS" in refusal(settings)

    def test_a_well_formed_provider_starts(self) -> None:
        production(
            oidc_issuers="CNSS=https://sso.cnss.ma", oidc_client_secrets=Secret("CNSS:s")
        ).check()
