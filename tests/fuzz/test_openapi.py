"""Requests generated from the OpenAPI document (schemathesis), valid and invalid: no 5xx."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzz.conftest import FUZZING, Tally, Target

pytestmark = pytest.mark.e2e


def test_no_server_error_from_the_openapi_document(target: Target, tally: Tally) -> None:
    schema = schemathesis.openapi.from_url(f"{target.base}/openapi.json")
    cases = schema.as_strategy(GenerationMode.POSITIVE) | schema.as_strategy(
        GenerationMode.NEGATIVE
    )
    authorized = target.bearer()
    session = requests.Session()

    @FUZZING
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        case = data.draw(cases)
        anonymous = data.draw(st.integers(0, 9)) == 0
        if tally.over():
            return  # the rest of the batch is drawn alike (Hypothesis requires it), not sent
        headers = {} if anonymous else authorized
        answer = case.call(base_url=target.base, session=session, headers=headers, timeout=30)
        tally.count(answer.status_code, f"{case.method} {case.formatted_path} {case.query} "
                                        f"{case.body!r}")  # fmt: skip

    while not tally.over():  # batches of examples, until the time budget is spent
        run()
    assert tally.requests > 0
    assert tally.failures == []
