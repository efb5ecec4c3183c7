"""The answers in French, Arabic or English: every sentence translated with the same codes and
placeholders, ClaimResponses of claims and of prises en charge written in the language asked,
and that language kept with the stored Claim so that later renderings speak it too."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import orjson
import pytest

from adapters.refdata_files import DEFAULT_REFDATA_DIR, load_reference_files
from domain.claims import Adjudication, LineResult, LineStatus
from domain.money import ZERO, Money
from domain.prior_auth import PaStatus
from domain.reference import ReferenceData
from fhir_profiles import claim_billing_out, messages, systems, wording, wording_fr
from fhir_profiles.claim_form import PriorAuthForm, rerender
from fhir_profiles.wording import Wording
from tests.fhir_schema import assert_valid_r4
from tests.unit.fhir.claims import (
    NOW,
    STAMP,
    TODAY,
    bare_claim,
    claim_reference_data,
    granted_whole,
    outcome,
    queued,
    refused,
)
from tests.unit.fhir.test_claim_billing import claim, ngap_item, read

Json = dict[str, Any]
ARABIC_LETTER = re.compile("[\u0621-\u064a]")
FRENCH_ONLY = re.compile(r"[éèàùç]|\b(?:les?|la|des|du|une?|est|pour)\b")
TRANSLATIONS = ("ar", "en")


@pytest.fixture(scope="module")
def ref() -> ReferenceData:
    return load_reference_files(DEFAULT_REFDATA_DIR)


def tables(w: Wording) -> dict[str, Mapping[Any, str]]:
    return {
        "while_pending": w.while_pending,
        "while_information": w.while_information,
        "always": w.always,
        "states": w.states,
        "status_labels": w.status_labels,
        "billing_steps": w.billing_steps,
    }


def sentences(w: Wording) -> dict[str, str]:
    """Every sentence of a wording, named by its table and code (or its field)."""
    found = {f"{name}.{code}": text for name, table in tables(w).items()
             for code, text in table.items()}  # fmt: skip
    for field in ("provisional", "provisional_grant", "decision_due", "valid_between",
                  "preauthorization", "claim", "processed", "estimate", "ro_share",
                  "payment_due"):  # fmt: skip
        found[field] = getattr(w, field)
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class TestTranslations:
    @pytest.mark.parametrize("lang", TRANSLATIONS)
    def test_every_sentence_is_translated_by_the_same_codes(self, lang: str) -> None:
        french, other = messages.wording("fr"), messages.wording(lang)
        assert other.language == lang
        for name, table in tables(french).items():
            assert set(tables(other)[name]) == set(table), name
        assert set(french.states) == set(PaStatus) == set(french.status_labels)

    @pytest.mark.parametrize("lang", TRANSLATIONS)
    def test_every_sentence_takes_the_same_values(self, lang: str) -> None:
        french, other = sentences(messages.wording("fr")), sentences(messages.wording(lang))
        for name, text in french.items():
            assert placeholders(other[name]) == placeholders(text), name

    def test_the_arabic_is_arabic(self) -> None:
        for name, text in sentences(messages.wording("ar")).items():
            assert ARABIC_LETTER.search(text), name
            assert not FRENCH_ONLY.search(text), name

    def test_the_english_is_not_french(self) -> None:
        for name, text in sentences(messages.wording("en")).items():
            assert not ARABIC_LETTER.search(text) and not FRENCH_ONLY.search(text), name

    def test_a_language_not_ours_is_french(self) -> None:
        assert messages.wording("de") is wording_fr.WORDING is messages.wording()

    def test_dates_as_each_language_writes_them(self) -> None:
        moment = datetime(2026, 3, 4, 9, 5)  # no zone: UTC
        assert messages.wording("fr").moment(moment) == "04/03/2026 à 09:05 UTC"
        assert messages.wording("en").moment(moment) == "2026-03-04 at 09:05 UTC"
        assert messages.wording("ar").day(date(2026, 3, 4)) == "04/03/2026"


def reduced(reasons: tuple[str, ...]) -> LineResult:
    return LineResult(
        1, LineStatus.REDUCED, Money.mad(200), Money.mad(150), Money.mad(120), ZERO,
        Money.mad(80), Money.mad(50), Decimal("0.8"), False, reasons, (), "v1",
    )  # fmt: skip


def billed(ref: ReferenceData, lang: str, *reasons: str) -> Json:
    parsed = read(claim(ngap_item(1)), ref)
    adjudication = Adjudication(
        parsed.claim_id, parsed.use, (reduced(reasons or ("depassement-tarif",)),),
        date(2026, 4, 1), "v1",
    )  # fmt: skip
    return claim_billing_out.from_domain(
        parsed, adjudication, response_id="cr-1", created=NOW, language=lang
    )


class TestClaimAnswer:
    def test_french_by_default(self, ref: ReferenceData) -> None:
        parsed = read(claim(ngap_item(1)), ref)
        adjudication = Adjudication(parsed.claim_id, parsed.use, (reduced(("doublon",)),),
                                    date(2026, 4, 1), "v1")  # fmt: skip
        response = claim_billing_out.from_domain(
            parsed, adjudication, response_id="cr-1", created=NOW
        )
        assert response["language"] == "fr"
        assert response["disposition"] == (
            "Demande traitée : part de l'AMO 120 MAD, paiement prévu le 01/04/2026"
        )
        assert response["processNote"][0]["text"].startswith("Ligne déjà facturée")

    @pytest.mark.parametrize(
        ("lang", "disposition", "note"),
        [
            ("ar", "عولج الطلب: حصة التأمين الإجباري عن المرض 120 درهم، والأداء مرتقب "
                   "بتاريخ 01/04/2026", "مبلغ مفوتر يتجاوز التعريفة المرجعية"),
            ("en", "Claim processed: AMO share 120 MAD, payment expected on 2026-04-01",
             "Billed above the reference tariff"),
        ],
    )  # fmt: skip
    def test_in_the_language_asked(
        self, ref: ReferenceData, lang: str, disposition: str, note: str
    ) -> None:
        response = billed(ref, lang)
        assert_valid_r4(response)
        assert (response["language"], response["disposition"]) == (lang, disposition)
        [written] = response["processNote"]
        assert written["language"]["coding"][0] == {"system": systems.BCP47, "code": lang}
        assert written["text"].startswith(note)
        assert written["text"].endswith(messages.wording(lang).billing_steps["depassement-tarif"])
        reason = response["item"][0]["adjudication"][3]["reason"]["coding"][0]
        assert reason["display"] == messages.label("depassement-tarif", lang)

    def test_an_unknown_complementary_is_said_on_the_complementary_share(
        self, ref: ReferenceData
    ) -> None:
        response = billed(ref, "en", "depassement-tarif", "complementaire-inconnue")
        shares = {
            a["category"]["coding"][0]["code"]: a for a in response["item"][0]["adjudication"]
        }
        assert shares["benefit"]["reason"]["coding"][0]["code"] == "depassement-tarif"
        assert shares["complementary"]["reason"]["coding"][0]["code"] == "complementaire-inconnue"
        assert response["item"][0]["noteNumber"] == [1, 2]
        assert "sid/complementary" in response["processNote"][1]["text"]

    def test_a_warning_alone_leaves_the_benefit_without_reason(self, ref: ReferenceData) -> None:
        response = billed(ref, "fr", "complementaire-inconnue")
        shares = {
            a["category"]["coding"][0]["code"]: a for a in response["item"][0]["adjudication"]
        }
        assert "reason" not in shares["benefit"] and "reason" in shares["complementary"]


def asked(lang: str, **changes: Any) -> PriorAuthForm:
    found = PriorAuthForm(
        bare_claim(**changes), ref=claim_reference_data(), requestor_inpe="123456789",
        language=lang,
    )  # fmt: skip
    found.read(TODAY)
    return found


class TestPriorAuthorizationAnswer:
    def test_the_stored_claim_keeps_the_language_and_every_rendering_speaks_it(self) -> None:
        found = asked("ar")
        result = outcome(queued(found.parsed))
        rendered = found.render(result, STAMP)
        stored = orjson.loads(rendered.request_body)
        assert stored["extension"] == [{"url": systems.EXT_ANSWER_LANGUAGE, "valueCode": "ar"}]
        first = orjson.loads(rendered.response_body)
        assert_valid_r4(first)
        assert first["language"] == "ar" and ARABIC_LETTER.search(first["disposition"])
        assert all(n["language"]["coding"][0]["code"] == "ar" for n in first["processNote"])
        decided = orjson.loads(rerender(rendered.request_body, granted_whole(result.stamped(STAMP)),
                                        at=NOW))  # fmt: skip
        assert decided["language"] == "ar"
        assert decided["disposition"].startswith("تمت الموافقة على التكفل، صالح من 02/03/2026")

    def test_french_records_nothing_and_replaces_what_the_client_wrote(self) -> None:
        written = [{"url": systems.EXT_ANSWER_LANGUAGE, "valueCode": "en"},
                   {"url": "urn:x:other", "valueString": "kept"}]  # fmt: skip
        found = asked("fr", extension=written)
        rendered = found.render(outcome(queued(found.parsed)), STAMP)
        stored = orjson.loads(rendered.request_body)
        assert stored["extension"] == [{"url": "urn:x:other", "valueString": "kept"}]
        assert orjson.loads(rendered.response_body)["language"] == "fr"
        assert wording.language_of(stored) == "fr"

    def test_a_refusal_restates_its_reason_in_english(self) -> None:
        found = asked("en")
        result = outcome(refused(queued(found.parsed)))
        response = orjson.loads(found.render(result, STAMP).response_body)
        assert response["disposition"] == (
            "Prior authorization refused: no open rights on the date of care"
        )
        step = messages.wording("en").always["droits-non-ouverts"]
        assert any(n["text"].endswith(step) for n in response["processNote"])

    def test_a_pending_request_says_its_deadline_in_arabic(self) -> None:
        found = asked("ar")
        response = orjson.loads(found.render(outcome(queued(found.parsed)), STAMP).response_body)
        assert response["disposition"].startswith(
            "طلب في انتظار قرار الهيئة المؤدية، والقرار مرتقب في أجل أقصاه 04/03/2026 على الساعة"
        )
