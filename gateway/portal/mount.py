"""The extranet on the app: its routes, its own static assets (no CDN), its refusals."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gateway.portal import (
    authorization_pages,
    charts,
    claim_pages,
    console_anomalies,
    console_money,
    console_reviews,
    console_stats,
    developers,
    guards,
    pages,
    payment_pages,
    people,
    routes,
    security,
    sso,
)

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Mount /portal and /console, and /portal/static for their stylesheet."""
    app.mount("/portal/static", StaticFiles(directory=STATIC), name="portal-static")
    app.include_router(routes.router)
    app.include_router(pages.router)
    app.include_router(claim_pages.router)
    app.include_router(charts.router)
    app.include_router(payment_pages.router)
    app.include_router(developers.router)
    app.include_router(sso.router)
    app.include_router(authorization_pages.router)
    app.include_router(security.router)
    app.include_router(people.router)
    app.include_router(console_reviews.router)
    app.include_router(console_anomalies.router)
    app.include_router(console_money.router)
    app.include_router(console_stats.router)
    guards.install(app)
