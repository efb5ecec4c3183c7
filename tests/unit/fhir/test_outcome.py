"""OperationOutcome, reason labels and Accept-Language."""

from __future__ import annotations

import pytest

from domain.reasons import ALL_REASONS
from fhir_profiles import messages, r4, systems
from fhir_profiles.outcome import operation_outcome, pick_language
from tests.fhir_schema import assert_valid_r4, r4_errors


class TestOperationOutcome:
    def test_is_valid_r4(self) -> None:
        outcome = operation_outcome(
            "identifiant-invalide", expression="CoverageEligibilityRequest.patient"
        )
        assert_valid_r4(outcome)
        r4.parse(outcome)

    def test_issue_carries_type_reason_and_expression(self) -> None:
        issue = operation_outcome(
            "code-inconnu", expression="Bundle.type", issue_type="code-invalid"
        )["issue"][0]
        assert (issue["severity"], issue["code"]) == ("error", "code-invalid")
        assert issue["details"]["coding"] == [
            {
                "system": systems.CS_REASON,
                "code": "code-inconnu",
                "display": ALL_REASONS["code-inconnu"],
            }
        ]
        assert issue["expression"] == ["Bundle.type"]
        assert "diagnostics" not in issue

    def test_detail_replaces_the_label_as_text(self) -> None:
        details = operation_outcome("requete-invalide", detail="Date manquante")["issue"][0][
            "details"
        ]
        assert details["text"] == "Date manquante"

    def test_label_follows_the_language(self) -> None:
        details = operation_outcome("ressource-introuvable", lang="en")["issue"][0]["details"]
        assert details["coding"][0]["display"] == details["text"] == "Resource not found"

    def test_no_expression_no_expression_element(self) -> None:
        assert "expression" not in operation_outcome("conflit")["issue"][0]

    def test_unknown_issue_type_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="issue-type"):
            operation_outcome("conflit", issue_type="oops")


class TestMessages:
    @pytest.mark.parametrize("lang", ["ar", "en"])
    def test_every_reason_is_translated(self, lang: str) -> None:
        for code in ALL_REASONS:
            assert messages.label(code, lang) != ALL_REASONS[code], code

    def test_an_unknown_language_falls_back_to_french(self) -> None:
        assert messages.label("conflit", "de") == ALL_REASONS["conflit"]

    def test_an_unknown_code_is_shown_as_is(self) -> None:
        assert messages.label("pas-un-code", "en") == "pas-un-code"


class TestPickLanguage:
    @pytest.mark.parametrize(
        ("header", "expected"),
        [
            (None, "fr"),
            ("", "fr"),
            ("en", "en"),
            ("ar-MA,fr;q=0.8", "ar"),
            ("fr;q=0.5, en;q=0.9", "en"),
            ("de-DE, en;q=0.1", "en"),
            ("en;q=0, ar;q=0.2", "ar"),
            ("en, ar", "en"),
            ("*", "fr"),
            ("es;q=1, ar;q=abc", "fr"),
            ("AR;Q=0.7", "ar"),
            ("en;q=2", "fr"),
        ],
    )
    def test_picks_our_best_language(self, header: str | None, expected: str) -> None:
        assert pick_language(header) == expected


class TestSchemaHelper:
    def test_reports_what_is_wrong(self) -> None:
        errors = r4_errors({"resourceType": "OperationOutcome", "issue": [{"severity": "grave"}]})
        assert errors == [
            "issue/0/severity: 'grave' is not one of ['fatal', 'error', 'warning', 'information']"
        ]

    def test_rejects_an_invalid_resource(self) -> None:
        with pytest.raises(AssertionError, match="not valid FHIR R4"):
            assert_valid_r4({"resourceType": "OperationOutcome"})
