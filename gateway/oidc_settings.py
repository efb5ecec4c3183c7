"""The single sign-on settings: each payer's OpenID Connect provider, read and checked."""

from __future__ import annotations


def oidc_providers(issuers: str, secrets: str) -> dict[str, tuple[str, str]]:
    """{payer: (issuer, client secret)} from "CNSS=https://…,CNOPS=https://…" and
    "CNSS:SECRET,CNOPS:SECRET" (a secret may hold colons; a payer without one gets "")."""
    secrets_of = dict(
        entry.strip().partition(":")[::2] for entry in secrets.split(",") if entry.strip()
    )
    pairs = (entry.strip().partition("=") for entry in issuers.split(",") if entry.strip())
    return {
        payer.strip(): (issuer.strip(), secrets_of.get(payer.strip(), ""))
        for payer, _, issuer in pairs
    }


def oidc_problems(providers: dict[str, tuple[str, str]], *, production: bool) -> list[str]:
    """A provider without its secret, malformed, or reached in clear in production."""
    problems = []
    for payer, (issuer, secret) in providers.items():
        if not payer or not issuer.startswith(("https://", "http://")):
            problems.append("AMO_OIDC_ISSUERS : « payeur=https://émetteur » attendu / expected")
        elif production and not issuer.startswith("https://"):
            problems.append(f"AMO_OIDC_ISSUERS : {payer} en https en production / https only")
        if not secret:
            problems.append(f"AMO_OIDC_CLIENT_SECRETS : pas de secret pour / no secret for {payer}")
    return problems
