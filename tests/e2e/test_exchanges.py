"""The eligibility exchange through the real app: answers, storage, reads and searches."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from tests.e2e.support import IDCS, GatewayState, eligibility_request
from tests.fhir_schema import assert_valid_r4

SUBMIT = "/fhir/CoverageEligibilityRequest/$submit"


def status_of(response: dict[str, object]) -> str:
    """The eligibility-status extension of the first insurance."""
    insurance = response["insurance"][0]  # type: ignore[index]
    for extension in insurance.get("extension", []):
        if extension["url"].endswith("/eligibility-status"):
            return str(extension["valueCoding"]["code"])
    raise AssertionError("no eligibility-status extension")


class TestEligibilityAnswers:
    def test_open_member_is_in_force(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.post(
            SUBMIT, json=eligibility_request(state.people["open"][1]), headers=pharmacy_auth
        )
        assert answer.status_code == 200
        body = answer.json()
        assert_valid_r4(body)
        assert body["insurance"][0]["inforce"] is True
        assert status_of(body) == "open"
        assert body["outcome"] == "complete"

    def test_each_persona_gets_its_status(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        expected = {
            "waiting-period": "waiting-period",
            "suspended": "suspended",
            "maintained": "maintained",
            "tns-waiting": "waiting-period",
            "student": "open",
        }
        for case, status in expected.items():
            _, idcs = state.people[case]
            body = app_client.post(
                SUBMIT, json=eligibility_request(idcs), headers=pharmacy_auth
            ).json()
            assert status_of(body) == status, case
            assert body["insurance"][0]["inforce"] is (status in ("open", "maintained")), case
            assert_valid_r4(body)

    def test_double_affiliation_is_a_coded_error_naming_candidates_not_in_force(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        _, idcs = state.people["double-affiliation"]
        body = app_client.post(SUBMIT, json=eligibility_request(idcs), headers=pharmacy_auth).json()
        assert_valid_r4(body)
        assert body["outcome"] == "error"
        assert [i["inforce"] for i in body["insurance"]] == [False, False]
        schemes = sorted(c["class"][0]["value"] for c in body["contained"])
        assert schemes == ["AMO_PUBLIC", "AMO_SALARIES"]
        assert all(c["payor"][0]["identifier"]["value"] for c in body["contained"])
        assert [e["code"]["coding"][0]["code"] for e in body["error"]] == ["double-affiliation"]

    def test_unknown_member_is_an_error_outcome_not_coverage(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        body = app_client.post(
            SUBMIT, json=eligibility_request("9999999999"), headers=pharmacy_auth
        ).json()
        assert body["resourceType"] == "CoverageEligibilityResponse"
        assert body["outcome"] == "error"
        assert all(not ins.get("inforce") for ins in body.get("insurance", []))
        assert_valid_r4(body)

    def test_hospitalisation_needs_a_prior_authorization(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        request = eligibility_request(
            state.people["open"][1], categories=("hospitalisation", "consultation")
        )
        body = app_client.post(SUBMIT, json=request, headers=pharmacy_auth).json()
        asked = {
            item["category"]["coding"][0]["code"]: item.get("authorizationRequired")
            for item in body["insurance"][0]["item"]
            if "authorizationRequired" in item
        }
        assert asked["hospitalisation"] is True
        assert asked["consultation"] is False

    def test_create_answers_201_with_locations(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.post(
            "/fhir/CoverageEligibilityRequest",
            json=eligibility_request(state.people["open"][1]),
            headers=pharmacy_auth,
        )
        assert answer.status_code == 201
        request_url = answer.headers["Location"].removeprefix("http://testserver")
        stored_request = app_client.get(request_url, headers=pharmacy_auth)
        assert stored_request.status_code == 200
        assert stored_request.json()["resourceType"] == "CoverageEligibilityRequest"
        assert_valid_r4(stored_request.json())
        assert answer.json()["request"]["reference"].endswith(stored_request.json()["id"])


class TestBundles:
    def test_collection_bundle_with_patient_coverage_and_organization(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        _, idcs = state.people["open"]
        request = eligibility_request(idcs)
        request["patient"] = {"reference": "urn:uuid:8e1e6a3c-0b7a-4a52-9d3e-2f8a9c1d0001"}
        request["insurance"] = [
            {"coverage": {"reference": "urn:uuid:8e1e6a3c-0b7a-4a52-9d3e-2f8a9c1d0002"}}
        ]
        bundle = {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": "urn:uuid:8e1e6a3c-0b7a-4a52-9d3e-2f8a9c1d0000", "resource": request},
                {
                    "fullUrl": "urn:uuid:8e1e6a3c-0b7a-4a52-9d3e-2f8a9c1d0001",
                    "resource": {
                        "resourceType": "Patient",
                        "identifier": [{"system": IDCS, "value": idcs}],
                    },
                },
                {
                    "fullUrl": "urn:uuid:8e1e6a3c-0b7a-4a52-9d3e-2f8a9c1d0002",
                    "resource": {
                        "resourceType": "Coverage",
                        "status": "active",
                        "beneficiary": {
                            "reference": "urn:uuid:8e1e6a3c-0b7a-4a52-9d3e-2f8a9c1d0001"
                        },
                        "payor": [{"display": "CNSS"}],
                    },
                },
            ],
        }
        answer = app_client.post(SUBMIT, json=bundle, headers=pharmacy_auth)
        assert answer.status_code == 200, answer.text
        assert answer.json()["insurance"][0]["inforce"] is True
        assert_valid_r4(answer.json())


class TestSearch:
    def test_by_patient_identifier_created_and_request(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        _, idcs = state.people["maintained"]
        made = app_client.post(SUBMIT, json=eligibility_request(idcs), headers=pharmacy_auth).json()
        today = date.today().isoformat()
        found = app_client.get(
            "/fhir/CoverageEligibilityResponse",
            params={"patient:identifier": f"{IDCS}|{idcs}", "created": f"ge{today}"},
            headers=pharmacy_auth,
        ).json()
        assert_valid_r4(found)
        assert found["type"] == "searchset"
        assert made["id"] in [e["resource"]["id"] for e in found["entry"]]
        assert all(e["resource"]["patient"] == made["patient"] for e in found["entry"])
        by_request = app_client.get(
            "/fhir/CoverageEligibilityResponse",
            params={"request": made["request"]["reference"]},
            headers=pharmacy_auth,
        ).json()
        assert [e["resource"]["id"] for e in by_request["entry"]] == [made["id"]]

    def test_created_in_the_past_finds_nothing_new(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        found = app_client.get(
            "/fhir/CoverageEligibilityResponse",
            params={"created": "lt2000-01-01"},
            headers=pharmacy_auth,
        ).json()
        assert found["total"] == 0

    def test_paging_links(
        self, app_client: TestClient, state: GatewayState, pharmacy_auth: dict[str, str]
    ) -> None:
        for _ in range(3):
            app_client.post(
                SUBMIT, json=eligibility_request(state.people["open"][1]), headers=pharmacy_auth
            )
        page = app_client.get(
            "/fhir/CoverageEligibilityResponse", params={"_count": "2"}, headers=pharmacy_auth
        ).json()
        assert len(page["entry"]) == 2
        assert any(link["relation"] == "next" for link in page["link"])

    def test_unknown_parameter_is_refused(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.get(
            "/fhir/CoverageEligibilityResponse", params={"name": "x"}, headers=pharmacy_auth
        )
        assert answer.status_code == 400
        assert answer.json()["issue"][0]["details"]["coding"][0]["code"] == "parametre-invalide"

    def test_bad_date_is_refused(
        self, app_client: TestClient, pharmacy_auth: dict[str, str]
    ) -> None:
        answer = app_client.get(
            "/fhir/CoverageEligibilityResponse",
            params={"created": "ge2026-13-45"},
            headers=pharmacy_auth,
        )
        assert answer.status_code == 400
