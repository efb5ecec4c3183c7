"""The one error table: every class of error gets its status, issue type and body shape."""

from __future__ import annotations

import pytest
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from domain import errors as domain
from domain import ledger
from domain.claims import CorrectedClaimUnknown
from gateway import errors as edge
from gateway.search import InvalidSearch


class TestRuleFor:
    @pytest.mark.parametrize(
        ("error", "status", "issue_type"),
        [
            (domain.MalformedRequest("x"), 400, "invalid"),
            (InvalidSearch("x"), 400, "invalid"),
            (domain.InvalidRequest("x"), 422, "business-rule"),
            (domain.InvalidIdentifier("x"), 422, "value"),
            (domain.UnknownCode("x"), 422, "code-invalid"),
            (domain.ReferenceDataError("x"), 422, "business-rule"),
            (domain.NotFound("x"), 404, "not-found"),
            (domain.Conflict("x"), 409, "conflict"),
            (domain.KeyReused("x"), 422, "business-rule"),
            (domain.InProgress(1.0), 409, "conflict"),
            (domain.RateLimited(2.0), 429, "throttled"),
            (domain.Unavailable("x"), 503, "transient"),
            (domain.DomainError("x"), 422, "business-rule"),
            (CorrectedClaimUnknown("x"), 422, "business-rule"),
            (ledger.AlreadyReversed("x"), 409, "conflict"),
            (ledger.AlreadySettled("x"), 422, "business-rule"),
            (ledger.AlreadyRecorded("x"), 409, "conflict"),
            (edge.Unauthenticated(), 401, "login"),
            (edge.InvalidAccessToken(), 401, "login"),
            (edge.ScopeMissing(), 403, "forbidden"),
            (edge.NotAcceptable(), 406, "not-supported"),
            (edge.UnsupportedMediaType(), 415, "not-supported"),
            (edge.PayloadTooLarge(), 413, "too-costly"),
            (edge.TooDeep(), 400, "too-costly"),
            (edge.MalformedBody(), 400, "invalid"),
            (edge.InvalidClient("x"), 401, "login"),
            (edge.InvalidScope("x"), 400, "invalid"),
            (RequestValidationError([]), 400, "invalid"),
            (ClientDisconnect(), 499, "incomplete"),
            (HTTPException(404), 404, "not-found"),
            (HTTPException(405), 405, "not-supported"),
            (OperationalError("SELECT 1", {}, Exception("gone")), 503, "transient"),
            (RuntimeError("bug"), 500, "exception"),
        ],
    )
    def test_each_class_has_its_status(
        self, error: Exception, status: int, issue_type: str
    ) -> None:
        rule = edge.rule_for(error)
        assert (rule.status, rule.issue_type) == (status, issue_type)

    def test_a_subclass_takes_its_nearest_ancestor_s_rule(self) -> None:
        class Narrower(domain.NotFound):
            pass

        assert edge.rule_for(Narrower("x")).status == 404

    def test_oauth_errors_keep_rfc_6749_bodies(self) -> None:
        assert edge.rule_for(edge.UnsupportedGrant("x")).oauth
        assert not edge.rule_for(domain.NotFound("x")).oauth

    def test_codes_come_from_the_error_unless_the_rule_fixes_one(self) -> None:
        assert edge.rule_for(domain.NotFound("x")).code is None
        assert edge.rule_for(RuntimeError()).code == "erreur-interne"
        assert edge.rule_for(RequestValidationError([])).code == "parametre-invalide"
