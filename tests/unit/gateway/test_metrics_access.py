"""Who may read /metrics: the scraper with the token; nobody in production without one."""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException
from starlette.requests import Request

from gateway.errors import InvalidAccessToken, Unauthenticated
from gateway.routes.ops import admit_scraper
from gateway.settings import PRODUCTION, Secret, Settings

TOKEN = "t" * 40


def request(authorization: str | None = None) -> Request:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return Request({"type": "http", "method": "GET", "path": "/metrics", "headers": headers})


class TestAdmitScraper:
    def test_production_without_a_token_serves_no_metrics(self) -> None:
        with pytest.raises(HTTPException) as refused:
            admit_scraper(request(), Settings(env=PRODUCTION))
        assert refused.value.status_code == 404

    def test_embedded_without_a_token_serves_them(self) -> None:
        admit_scraper(request(), Settings())

    @pytest.mark.parametrize("env", ["embedded", PRODUCTION])
    def test_with_a_token_only_its_bearer_reads(self, env: str) -> None:
        settings = Settings(env=env, metrics_token=Secret(TOKEN))
        with pytest.raises(Unauthenticated):
            admit_scraper(request(), settings)
        with pytest.raises(InvalidAccessToken):
            admit_scraper(request(f"Bearer {TOKEN}x"), settings)
        admit_scraper(request(f"Bearer {TOKEN}"), settings)
