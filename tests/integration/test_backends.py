"""The rule that missing test servers skip on a laptop and fail under CI."""

from __future__ import annotations

import pytest

from tests.integration.conftest import unavailable


class TestUnavailable:
    def test_skips_without_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("CI", raising=False)
        with pytest.raises(pytest.skip.Exception, match="unreachable"):
            unavailable("PostgreSQL unreachable at x")

    def test_fails_under_ci(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("CI", "true")
        with pytest.raises(pytest.fail.Exception, match="unreachable"):
            unavailable("Redis unreachable at y")
