"""An app whose id generator fails: every submission is an unexpected error (a 500).

Started by tests/e2e/test_keepalive.py in a real uvicorn (`--factory`), settings from AMO_*.
The hot routes go through the router here, so the error crosses every layer a 500 can.
"""

from __future__ import annotations

from fastapi import FastAPI

from gateway.app import create_app
from gateway.settings import Settings


def failing_ids() -> str:
    """Stands for any bug: it raises where an id was expected."""
    raise RuntimeError("no id today")


def build() -> FastAPI:
    """The gateway, failing on every submission."""
    return create_app(Settings.from_env(), fast_path=False, ids=failing_ids)
