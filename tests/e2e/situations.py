"""A registry file with one household per situation of issue 7, at fixed dates, and what the
end-to-end test needs to ask about them: providers with other admissions, FHIR requests."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import orjson
from authlib.integrations.httpx_client import OAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import ECKey

from gateway.commands import admin
from gateway.commands.client import generate_client_key
from tests.e2e.support import ALL_SCOPES, CATEGORY, IDCS, Client, GatewayState

Json = dict[str, Any]
ALD_SYSTEM = "https://fhir.tiers-payant.ma/CodeSystem/ald"
# A stage served in 2015: the insureds of long standing.
SERVED = [{"month": f"2015-0{m}", "days": 26} for m in (1, 2, 3)]
FIFTY_THREE_DAYS = [{"month": "2025-01", "days": 27}, {"month": "2025-02", "days": 26}]


def idcs(number: int) -> str:
    """The IDCS of a person of this file (a range the synthetic population does not draw)."""
    return f"99000{number:05d}"


def insured(number: int, **cover: Any) -> Json:
    """An insured salarié of long standing unless `cover` says otherwise, and its ALD."""
    ald = cover.pop("ald", [])
    affiliation = {"scheme": "AMO_SALARIES", "start": "2015-01-01", "contributions": SERVED}
    return {
        "member_id": f"CNSS-{number:09d}",
        "role": "insured",
        "identifiers": {"idcs": idcs(number)},
        "family_name": "Situation",
        "given_name": f"Assuré {number}",
        "birth_date": "1975-04-02",
        "sex": "female",
        "affiliations": [affiliation | cover],
        "ald": ald,
    }


def dependant(number: int, of: int, role: str, birth: str, **facts: Any) -> Json:
    """A spouse or child of insured `of`; `end` in `facts` ends the link."""
    link = {"scheme": "AMO_SALARIES", "start": "2015-01-01", "end": facts.pop("end", None)}
    return {
        "member_id": f"CNSS-{of:09d}-{number}",
        "role": role,
        "insured": f"CNSS-{of:09d}",
        "identifiers": {"idcs": idcs(number)},
        "family_name": "Situation",
        "given_name": f"Ayant droit {number}",
        "birth_date": birth,
        "sex": "male",
        "dependant": {"student_until": None, "married": role == "spouse", **facts},
        "affiliations": [link],
        "ald": [],
    }


def households() -> list[Json]:
    """One household per situation; the comments name the person asked about."""
    renal = [{"condition": "ALD17", "start": "2020-01-01", "end": None}]
    own_tns = insured(
        31, scheme="AMO_TNS", start="2022-01-01", contributions=[],
        first_payment="2022-01-05", suspended_from="2025-03-01",
    )  # fmt: skip
    own_tns["identifiers"] = {"idcs": idcs(32)}  # the spouse of household 30, in her own right
    public = insured(41, scheme="AMO_PUBLIC", start="2020-09-01", contributions=[])
    public["member_id"], public["identifiers"] = "CNOPS-000000041", {"idcs": idcs(40)}
    found = [
        # 2: a child, 22 on 16 June 2025.
        ("CNSS", insured(1), dependant(2, 1, "child", "2003-06-16")),
        # 4: a student whose studies ended on 15 June 2025, aged 23.
        ("CNSS", insured(3), dependant(4, 3, "child", "2001-09-01", student_until="2025-06-15")),
        # 6: a spouse whose link ended on 1 March 2025 (a divorce).
        ("CNSS", insured(5), dependant(6, 5, "spouse", "1978-05-02", end="2025-03-01")),
        # 7: an insured whose job ended on 1 February 2025.
        ("CNSS", insured(7, end="2025-02-01")),
        # 8: a dialysis patient whose employer stopped paying on 1 January, job ended 1 March.
        ("CNSS", insured(8, suspended_from="2025-01-01", end="2025-03-01", ald=renal)),
        # 9: immatriculated on 15 January 2025, 53 days declared.
        ("CNSS", insured(9, start="2025-01-15", contributions=FIFTY_THREE_DAYS)),
        # 32: a spouse insured in her own right as a TNS, in arrears.
        ("CNSS", insured(30), dependant(32, 30, "spouse", "1980-02-02")),
        ("CNSS", own_tns),
        # 40: a salarié also insured in the public sector.
        ("CNSS", insured(40)),
        ("CNOPS", public),
    ]
    return [
        {"household": f"S{n:03d}", "payer": payer, "members": list(members)}
        for n, (payer, *members) in enumerate(found, 1)
    ]


def write_registry(path: Path) -> Path:
    """The registry file, JSON Lines."""
    path.write_bytes(b"".join(orjson.dumps(h) + b"\n" for h in households()))
    return path


def register(state: GatewayState, work: Path, inpe: str, payers: list[str]) -> Client:
    """Another provider of the live gateway, admitted with these payers."""
    key = work / f"{inpe}.jwk.json"
    (work / f"{inpe}.jwks.json").write_bytes(orjson.dumps(generate_client_key(key)))
    provider = admin.add_provider(
        state.settings, inpe=inpe, name=f"Pharmacie {inpe}", category="pharmacy",
        payers=payers, jwks_path=work / f"{inpe}.jwks.json",
    )  # fmt: skip
    return Client(provider.client_id, key, inpe)


def token(base: str, client: Client) -> str:
    """An access token fetched by authlib's OAuth2 client with a private_key_jwt assertion."""
    token_url = f"{base}/auth/token"
    private_key = ECKey.import_key(orjson.loads(client.key.read_bytes()))
    auth = PrivateKeyJWT(
        token_url, alg="ES384", headers={"kid": private_key.kid},
        claims={"exp": int(time.time()) + 240},  # SMART: at most five minutes
    )  # fmt: skip
    with OAuth2Client(
        client_id=client.client_id, client_secret=private_key,
        token_endpoint_auth_method=auth, scope=ALL_SCOPES,
    ) as oauth:  # fmt: skip
        return str(oauth.fetch_token(token_url, grant_type="client_credentials")["access_token"])


def request(person: int, day: str, *, dialysis: bool = False) -> Json:
    """A pharmacy's request about a person of the file on a date of care; with `dialysis`, a
    dialysis session declared linked to ALD17."""
    item: Json = {"category": {"coding": [{"system": CATEGORY, "code": "pharmacy"}]}}
    if dialysis:
        item = {
            "category": {"coding": [{"system": CATEGORY, "code": "dialysis"}]},
            "diagnosis": [
                {"diagnosisCodeableConcept": {"coding": [{"system": ALD_SYSTEM, "code": "ALD17"}]}}
            ],
        }
    return {
        "resourceType": "CoverageEligibilityRequest",
        "status": "active",
        "purpose": ["validation", "benefits", "auth-requirements"],
        "patient": {"identifier": {"system": IDCS, "value": idcs(person)}},
        "created": day,
        "servicedDate": day,
        "insurer": {"display": "AMO"},
        "item": [item],
    }
