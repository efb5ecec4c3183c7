"""Single sign-on to the console with the payer's OpenID Connect provider, through a real
gateway (uvicorn) and a real provider on loopback (tests/e2e/oidc_provider.py): the payer's
reviewer signs in without a password; a forged, stale, misdirected or replayed answer, a
person of another organization, an unverified or unknown address are all refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from devtools.server import free_port, running
from gateway.commands.users import add_user
from tests.e2e.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, serving
from tests.e2e.portal_world import PASSWORD, csrf_of
from tests.e2e.support import prepare_state

pytestmark = pytest.mark.e2e
REVIEWER = "relecteur@cnss.example.ma"
OTHER_PAYER = "relecteur@cnops.example.ma"
PHARMACIST = "pharmacien@pharmacie.example.ma"


@dataclass(frozen=True)
class World:
    base: str
    provider: Provider
    log: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A gateway whose CNSS console signs in with the CNSS provider."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with serving(f"{base}/console/sso/CNSS/callback") as provider:
        work = tmp_path_factory.mktemp("sso")
        state = prepare_state(
            work, base, AMO_OIDC_ISSUERS=f"CNSS={provider.base}",
            AMO_OIDC_CLIENT_ID=CLIENT_ID, AMO_OIDC_CLIENT_SECRETS=f"CNSS:{CLIENT_SECRET}",
            AMO_LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE="10000",
        )  # fmt: skip
        for org, email, role in (("CNSS", REVIEWER, "reviewer"), ("CNOPS", OTHER_PAYER, "reviewer"),
                                 (state.pharmacy.inpe, PHARMACIST, "pharmacist")):  # fmt: skip
            add_user(state.settings, org=org, email=email, role=role, password=PASSWORD)
        with running(state.env, port, work / "server.log"):
            yield World(base, provider, work / "server.log")


@pytest.fixture
def client(world: World) -> Iterator[httpx.Client]:
    """A browser of our own: its cookies."""
    with httpx.Client(base_url=world.base, timeout=15) as opened:
        yield opened


def sign_on(
    world: World, client: httpx.Client, email: str, *, verified: bool = True
) -> httpx.Response:
    """Press the console's CNSS button as `email` signed in at the provider; the gateway's
    last answer (after the provider's redirect back)."""
    world.provider.person = {"email": email, "email_verified": verified}
    page = client.get("/console/login")
    assert "/console/sso/CNSS" in page.text
    to_provider = client.post("/console/sso/CNSS", data={"csrf": csrf_of(page)})
    assert to_provider.status_code == 303, to_provider.text[:300]
    back = httpx.get(to_provider.headers["location"], timeout=15)  # at the provider
    assert back.status_code == 302
    return client.get(back.headers["location"])


class TestSignOn:
    def test_the_payers_reviewer_signs_in_without_a_password(
        self, world: World, client: httpx.Client
    ) -> None:
        answer = sign_on(world, client, REVIEWER)
        assert answer.status_code == 303 and answer.headers["location"] == "/console"
        home = client.get("/console")
        assert home.status_code == 200 and REVIEWER in home.text
        assert client.get("/portal").status_code == 403  # a payer's person, not a provider's
        assert "amo_sso" not in client.cookies  # the sign-in's secrets are forgotten

    def test_what_is_sent_to_the_provider(self, world: World, client: httpx.Client) -> None:
        page = client.get("/console/login")
        target = client.post("/console/sso/CNSS", data={"csrf": csrf_of(page)}).headers["location"]
        asked = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
        assert target.startswith(f"{world.provider.base}/authorize?")
        assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
        assert asked["redirect_uri"] == f"{world.base}/console/sso/CNSS/callback"
        assert len(asked["state"]) >= 43 and len(asked["nonce"]) >= 43
        assert asked["state"] != asked["nonce"]

    def test_the_button_needs_its_csrf_token(self, world: World, client: httpx.Client) -> None:
        client.get("/console/login")
        assert client.post("/console/sso/CNSS", data={"csrf": "0" * 64}).status_code == 403

    def test_only_the_console_offers_it(self, world: World, client: httpx.Client) -> None:
        assert "/console/sso/" not in client.get("/portal/login").text


class TestRefused:
    @pytest.mark.parametrize(
        "email", [OTHER_PAYER, PHARMACIST, "inconnu@cnss.example.ma"],
        ids=["another-payers-person", "a-providers-person", "no-account"],
    )  # fmt: skip
    def test_a_person_not_of_this_payer(
        self, world: World, client: httpx.Client, email: str
    ) -> None:
        answer = sign_on(world, client, email)
        assert answer.status_code == 401
        assert "Connexion refusée" in answer.text
        assert client.get("/console", follow_redirects=False).status_code == 303  # to sign in

    def test_an_unverified_address(self, world: World, client: httpx.Client) -> None:
        answer = sign_on(world, client, REVIEWER, verified=False)
        assert answer.status_code == 401

    @pytest.mark.parametrize(
        "spoil",
        [{"aud": "another-client"}, {"nonce": "another-nonce"}, {"iss": "https://elsewhere"},
         {"exp": 1_000_000_000}, "foreign-key"],
        ids=["audience", "nonce", "issuer", "expired", "signature"],
    )  # fmt: skip
    def test_a_spoiled_id_token(self, world: World, client: httpx.Client, spoil: object) -> None:
        if spoil == "foreign-key":
            world.provider.foreign_key = True
        else:
            assert isinstance(spoil, dict)
            world.provider.spoil = dict(spoil)
        answer = sign_on(world, client, REVIEWER)
        assert answer.status_code == 401
        assert client.get("/console", follow_redirects=False).status_code == 303

    def test_a_callback_with_another_state(self, world: World, client: httpx.Client) -> None:
        world.provider.person = {"email": REVIEWER, "email_verified": True}
        page = client.get("/console/login")
        target = client.post("/console/sso/CNSS", data={"csrf": csrf_of(page)}).headers["location"]
        code = parse_qs(urlsplit(httpx.get(target).headers["location"]).query)["code"][0]
        answer = client.get("/console/sso/CNSS/callback", params={"code": code, "state": "x" * 43})
        assert answer.status_code == 401 and "expiré" in answer.text

    def test_a_callback_in_another_browser(self, world: World, client: httpx.Client) -> None:
        """A link to the callback sent to someone else (login CSRF) opens nothing there."""
        world.provider.person = {"email": REVIEWER, "email_verified": True}
        page = client.get("/console/login")
        target = client.post("/console/sso/CNSS", data={"csrf": csrf_of(page)}).headers["location"]
        back = httpx.get(target).headers["location"]
        with httpx.Client(base_url=world.base) as victim:
            assert victim.get(back).status_code == 401
            assert victim.get("/console", follow_redirects=False).status_code == 303

    def test_a_callback_used_twice(self, world: World, client: httpx.Client) -> None:
        world.provider.person = {"email": REVIEWER, "email_verified": True}
        page = client.get("/console/login")
        target = client.post("/console/sso/CNSS", data={"csrf": csrf_of(page)}).headers["location"]
        back = httpx.get(target).headers["location"]
        assert client.get(back).status_code == 303
        client.cookies.delete("amo_session")
        assert client.get(back).status_code == 401  # the cookie is gone, the code is spent

    def test_the_refusals_are_audited_and_never_log_a_token(
        self, world: World, client: httpx.Client
    ) -> None:
        sign_on(world, client, OTHER_PAYER)
        logged = world.log.read_text(encoding="utf-8")
        assert not re.search(r"eyJ[A-Za-z0-9_-]{20,}\.", logged)  # no JWT in the logs
