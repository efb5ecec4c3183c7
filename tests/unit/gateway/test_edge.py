"""Units of the edge: scopes, JSON limits, search parameters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.members import IdentifierKind
from gateway.fhirjson import accepts_fhir_json, json_over_limits
from gateway.scopes import allows, grantable
from gateway.search import InvalidSearch, parse_query

REF = load_reference_files(DEFAULT_REFDATA_DIR)
IDCS = "https://fhir.tiers-payant.ma/sid/idcs"


class TestScopes:
    def test_v1_write_allows_create_not_read(self) -> None:
        scopes = ["system/CoverageEligibilityRequest.write"]
        assert allows(scopes, "CoverageEligibilityRequest", "c")
        assert not allows(scopes, "CoverageEligibilityRequest", "r")

    def test_v2_letters(self) -> None:
        scopes = ["system/CoverageEligibilityResponse.rs"]
        assert allows(scopes, "CoverageEligibilityResponse", "s")
        assert not allows(scopes, "CoverageEligibilityResponse", "c")
        assert not allows(scopes, "CoverageEligibilityRequest", "r")

    def test_wildcard_resource(self) -> None:
        assert allows(["system/*.read"], "CoverageEligibilityResponse", "r")

    def test_unknown_scopes_are_not_granted(self) -> None:
        requested = "system/Patient.read launch openid system/CoverageEligibilityRequest.c"
        assert grantable(requested) == ["system/CoverageEligibilityRequest.c"]

    def test_user_scopes_are_not_granted(self) -> None:
        assert grantable("user/CoverageEligibilityRequest.write") == []


class TestJsonLimits:
    def test_flat_object_is_within_limits(self) -> None:
        assert json_over_limits({"a": [1, 2, {"b": 3}]}, max_depth=3, max_nodes=None) is None

    def test_depth_is_counted_through_lists_and_objects(self) -> None:
        assert json_over_limits({"a": [{"b": [1]}]}, max_depth=3, max_nodes=None) == "depth"

    def test_objects_and_arrays_are_counted_on_every_level(self) -> None:
        body = {"a": [{"b": 1}, {"c": [2]}]}  # 5 objects and arrays in all
        assert json_over_limits(body, max_depth=10, max_nodes=5) is None
        assert json_over_limits(body, max_depth=10, max_nodes=4) == "nodes"

    def test_the_first_limit_passed_is_named(self) -> None:
        assert json_over_limits([[[[]]]], max_depth=2, max_nodes=1) == "nodes"
        assert json_over_limits([[[[]]]], max_depth=1, max_nodes=1) == "depth"

    def test_accept_headers(self) -> None:
        assert accepts_fhir_json(None)
        assert accepts_fhir_json("application/fhir+json; fhirVersion=4.0")
        assert accepts_fhir_json("text/html, */*;q=0.1")
        assert not accepts_fhir_json("application/xml")


class TestSearchParameters:
    def test_identifier_created_and_paging(self) -> None:
        query = parse_query(
            [
                ("patient:identifier", f"{IDCS}|1234567890"),
                ("created", "ge2026-01-01"),
                ("created", "lt2026-02-01"),
                ("_count", "10"),
            ],
            tenant="t",
            kind="eligibility",
            ref=REF,
        )
        assert query.patient_identifier is not None
        assert query.patient_identifier.kind == IdentifierKind.IDCS
        assert query.created_from == datetime(2026, 1, 1, tzinfo=UTC)
        assert query.created_to == datetime(2026, 2, 1, tzinfo=UTC)
        assert query.limit == 10

    def test_eq_day_covers_the_whole_day(self) -> None:
        query = parse_query([("created", "2026-03-05")], tenant="t", kind="eligibility", ref=REF)
        assert query.created_from == datetime(2026, 3, 5, tzinfo=UTC)
        assert query.created_to == datetime(2026, 3, 6, tzinfo=UTC)

    @pytest.mark.parametrize(
        "params",
        [
            [("name", "x")],
            [("_count", "1000")],
            [("_count", "-1")],
            [("created", "xx2026-01-01")],
            [("created", "ge2026-02-30")],
            [("patient:identifier", "1234567890")],
            [("patient:identifier", "http://unknown|1")],
            [("_count", "²")],  # a digit to str.isdigit(), not to int()
            [("_offset", "1" * 20)],
            [("created", "9999-12-31")],  # its end would overflow
            [("created", "gt9999-12-31T23:59:59Z")],
            [("created", "0001-01-01T00:00:00+05:00")],  # before datetime.min in UTC
            [("request", "x\x00")],
            [("request", "CoverageEligibilityRequest/" + "a" * 65)],
            [("request", "Patient/1")],
            [("patient", "Patient/1\x00")],
            [("patient", "Patient/" + "1" * 300)],
            [("patient:identifier", f"{IDCS}|12\n34")],
        ],
    )
    def test_bad_parameters_are_refused(self, params: list[tuple[str, str]]) -> None:
        with pytest.raises(InvalidSearch):
            parse_query(params, tenant="t", kind="eligibility", ref=REF)

    def test_request_by_reference_or_id(self) -> None:
        for value in ("CoverageEligibilityRequest/0a1-b.C", "0a1-b.C"):
            query = parse_query([("request", value)], tenant="t", kind="eligibility", ref=REF)
            assert query.request_id == "0a1-b.C"

    def test_an_unreadable_parameter_name_is_not_echoed(self) -> None:
        with pytest.raises(InvalidSearch) as refused:
            parse_query([("x\x00<script>", "1")], tenant="t", kind="eligibility", ref=REF)
        assert "script" not in str(refused.value.detail)
