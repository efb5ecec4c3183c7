"""`amo-gateway serve`: uvicorn with one process or several workers, settings given explicitly.

The settings are read and checked once, here, and reach the app as an argument, never through
os.environ. With one worker uvicorn calls the factory in this process; with several, uvicorn's
supervisor (the one `uvicorn.run` uses) pickles its Config, the factory and its settings
included, to each worker over a pipe: every worker runs with the same settings, command-line
overrides and resolved embedded keys included, and no secret is written to a file or an
environment. (`uvicorn.run` wants an import string for several workers, and an import string
could only find its settings in the environment.)
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

import uvicorn
from uvicorn.supervisors import Multiprocess

from gateway.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

STARTUP_FAILURE = 3  # uvicorn's exit status when the app did not start


def serve(settings: Settings, *, workers: int = 1) -> int:
    """Run the gateway until stopped; returns the exit status."""
    settings = settings.with_secrets()  # refuse, or generate the embedded keys, before forking
    factory = partial(single_app if workers == 1 else worker_app, settings)
    config = uvicorn.Config(
        factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        access_log=False,  # ours logs the route template, never the raw path (gateway.middleware)
        # The client's address is the app's to read, from AMO_TRUSTED_PROXIES only
        # (gateway/addresses.py): uvicorn's own reading trusts 127.0.0.1 by default. The
        # scheme is not read either: links and Secure cookies follow AMO_PUBLIC_URL.
        proxy_headers=False,
        log_level="warning",
    )
    try:
        if workers > 1:
            # uvicorn.run's own path for several workers. Its signature has changed across
            # uvicorn releases (it once took a target): tests/e2e/test_deployment.py starts
            # two workers, so an upgrade that changes it again fails there, not in production.
            Multiprocess(config, sockets=[config.bind_socket()]).run()
            return 0
        server = uvicorn.Server(config)
        server.run()
    except KeyboardInterrupt:
        return 0
    return 0 if server.started else STARTUP_FAILURE


def single_app(settings: Settings) -> FastAPI:
    """The app of a one-process server."""
    # Imported here, not at the top: a worker unpickles this module's factory before it
    # starts answering the supervisor's health pings, which kills a worker silent for 5 s;
    # importing the whole app (FastAPI, FHIR models, SQLAlchemy) takes longer on a busy
    # machine. Once unpickled, the worker answers pings while uvicorn imports the app.
    from gateway.app import create_app

    return create_app(settings)


def worker_app(settings: Settings) -> FastAPI:
    """One worker's app: its own audit stream, since one stream is written by one process."""
    own = f"{settings.instance_id}-{secrets.token_hex(4)}"
    return single_app(replace(settings, instance_id=own))
