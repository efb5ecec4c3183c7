"""The pharmacist's claim form against a real uvicorn (patients no other portal test bills,
whose history would change the shares they expect): a counter check says, line by line,
what the AMO pays and the patient owes and holds the prise en charge's units; billing sends
the claim once whatever the clicks; bad input is said in words; another organization, a desk
and a forged form are refused."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.pa_world import AMOXICILLIN, EPOETIN, costly_drug
from tests.e2e.portal_money import Settled, api
from tests.e2e.portal_world import PortalWorld, csrf_of, sign_in

pytestmark = pytest.mark.e2e
KEY = re.compile(r'name="key" value="([^"]+)"')


@pytest.fixture
def pharmacist(portal: PortalWorld, settled: Settled) -> Iterator[httpx.Client]:
    """The pharmacy's pharmacist, signed in; the pharmacy's money seeded first (a payer's
    cycle pays every claim due: it would pay these bills too, were they billed before)."""
    with httpx.Client(base_url=portal.base, timeout=20) as client:
        assert sign_in(client, portal.emails["pharmacist"]).status_code == 303
        yield client


def granted(portal: PortalWorld, day: date) -> str:
    """A prise en charge of epoetin for the dialysis patient, asked through the API."""
    body = costly_drug(portal.state.people["dialysis"][1], day=day)
    answer = httpx.post(f"{portal.base}/fhir/Claim/$submit", json=body, headers=api(portal))
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def opened(client: httpx.Client) -> tuple[str, str]:
    """The form's CSRF token and the Idempotency-Key it was rendered with."""
    page = client.get("/portal/claims/new")
    assert page.status_code == 200, page.text
    found = KEY.search(page.text)
    assert found
    return csrf_of(page), found.group(1)


def fields(csrf: str, key: str, idcs: str, day: date, use: str, *lines: tuple[str, str],
           pec: str = "") -> dict[str, Any]:  # fmt: skip
    """The posted form: the patient, the day, a PEC, the lines (EAN-13, boxes)."""
    data: dict[str, Any] = {
        "csrf": csrf, "key": key, "kind": "IDCS", "value": idcs, "date": day.isoformat(),
        "prescriber": "Dr Alaoui", "prescribed": day.isoformat(), "pec": pec, "use": use,
        "doc": ["feuille-de-soins", "ordonnance", "vignettes"],
    }  # fmt: skip
    for n, (ean, qty) in enumerate(lines, 1):
        data[f"ean-{n}"], data[f"qty-{n}"] = ean, qty
    return data


def text(page: httpx.Response) -> str:
    return page.text.replace("&#39;", "'").replace("\u202f", " ").replace("\xa0", " ")


class TestCounterCheck:
    def test_it_shows_each_share_and_until_when_the_units_are_held(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        day = date.today() - timedelta(days=60)
        pec = granted(portal, day)
        csrf, key = opened(pharmacist)
        idcs = portal.state.people["dialysis"][1]
        page = pharmacist.post("/portal/claims/new", data=fields(
            csrf, key, idcs, day, "predetermination", (EPOETIN, "4"), pec=pec))  # fmt: skip
        assert page.status_code == 200, page.text
        said = text(page)
        assert "Vérification au comptoir" in said
        assert "Part AMO (RO)" in said and "4 900,00" in said  # 98 % of 5 000 MAD
        assert "Part du patient" in said and "100,00" in said
        assert "Unités de prise en charge réservées jusqu'au" in said
        assert f'value="{key}"' in page.text and f'value="{idcs}"' in page.text  # kept


class TestBilling:
    def test_a_bill_redirects_to_its_answer(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        csrf, key = opened(pharmacist)
        idcs = portal.state.people["achamil"][1]
        day = date.today() - timedelta(days=40)
        sent = pharmacist.post("/portal/claims/new", data=fields(
            csrf, key, idcs, day, "claim", (AMOXICILLIN, "1")))  # fmt: skip
        assert sent.status_code == 303, sent.text
        answer = pharmacist.get(sent.headers["location"])
        assert answer.status_code == 200
        assert f"PORTAIL-{key}" in answer.text and "Part AMO (RO)" in answer.text

    def test_the_same_key_twice_bills_once_with_the_same_answer(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        csrf, key = opened(pharmacist)
        idcs = portal.state.people["achamil"][1]
        day = date.today() - timedelta(days=50)
        data = fields(csrf, key, idcs, day, "claim", (AMOXICILLIN, "1"))
        first = pharmacist.post("/portal/claims/new", data=data)
        again = pharmacist.post("/portal/claims/new", data=data)
        assert first.status_code == again.status_code == 303
        assert first.headers["location"] == again.headers["location"]
        listed = pharmacist.get("/portal/claims.csv")
        assert listed.status_code == 200 and listed.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(listed.text.removeprefix("\ufeff")), delimiter=";"))
        assert [row[0] for row in rows[1:]].count(f"PORTAIL-{key}") == 1

    def test_a_bad_ean13_is_said_on_its_row_with_the_form_kept(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        csrf, key = opened(pharmacist)
        idcs = portal.state.people["achamil"][1]
        data = fields(csrf, key, idcs, date.today(), "claim", (AMOXICILLIN, "1"))
        data |= {"ean-3": "6111000000077", "qty-3": "1"}  # row 2 left empty
        page = pharmacist.post("/portal/claims/new", data=data)
        assert page.status_code == 422
        said = text(page)
        assert "Demande refusée : ligne 3, Code absent du jeu de valeurs requis" in said
        assert "clé de contrôle EAN13 fausse" in said and 'role="alert"' in page.text
        assert 'value="6111000000077"' in page.text and f'value="{idcs}"' in page.text
        assert f'value="{key}"' in page.text  # nothing billed: the same key bills them later

    def test_a_key_that_billed_other_lines_bills_these_as_a_new_claim_only_when_asked(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        csrf, key = opened(pharmacist)
        idcs = portal.state.people["achamil"][1]
        day = date.today() - timedelta(days=30)
        first = fields(csrf, key, idcs, day, "claim", (AMOXICILLIN, "1"))
        assert pharmacist.post("/portal/claims/new", data=first).status_code == 303
        changed = pharmacist.post("/portal/claims/new", data={**first, "qty-1": "2"})
        assert changed.status_code == 422 and "déjà facturé d'autres lignes" in text(changed)
        found = KEY.search(changed.text)
        assert found and found.group(1) != key and 'value="2"' in changed.text
        again = pharmacist.post("/portal/claims/new",
                                data={**first, "qty-1": "2", "key": found.group(1)})  # fmt: skip
        assert again.status_code == 303
        listed = pharmacist.get("/portal/claims.csv").text
        assert f"PORTAIL-{key}" in listed and f"PORTAIL-{found.group(1)}" in listed


class TestRefusals:
    def test_another_organization_s_claim_is_not_found(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        csrf, key = opened(pharmacist)
        idcs = portal.state.people["achamil"][1]
        day = date.today() - timedelta(days=55)  # within the 60 days a bill is filed in
        sent = pharmacist.post("/portal/claims/new", data=fields(
            csrf, key, idcs, day, "claim", (AMOXICILLIN, "1")))  # fmt: skip
        assert sent.status_code == 303
        with httpx.Client(base_url=portal.base, timeout=20) as clinic:
            assert sign_in(clinic, portal.emails["other-admin"]).status_code == 303
            theirs = clinic.get(sent.headers["location"])
            assert theirs.status_code == 404 and f"PORTAIL-{key}" not in theirs.text
            assert f"PORTAIL-{key}" not in clinic.get("/portal/claims.csv").text

    def test_a_desk_may_not_bill(self, portal: PortalWorld) -> None:
        with httpx.Client(base_url=portal.base, timeout=20) as desk:
            assert sign_in(desk, portal.emails["desk"]).status_code == 303
            assert desk.get("/portal/claims/new").status_code == 403
            csrf = csrf_of(desk.get("/portal/rights"))
            posted = desk.post("/portal/claims/new", data={"csrf": csrf, "use": "claim"})
            assert posted.status_code == 403

    def test_a_form_without_its_token_is_refused(
        self, portal: PortalWorld, pharmacist: httpx.Client
    ) -> None:
        _, key = opened(pharmacist)
        idcs = portal.state.people["achamil"][1]
        data = fields("0" * 64, key, idcs, date.today(), "claim", (AMOXICILLIN, "1"))
        assert pharmacist.post("/portal/claims/new", data=data).status_code == 403
        del data["csrf"]
        assert pharmacist.post("/portal/claims/new", data=data).status_code == 403
