"""The answers' sentences in English, translating `fhir_profiles.wording_fr`."""

from __future__ import annotations

from typing import Final

from domain.prior_auth import PaStatus
from fhir_profiles.wording import Wording

RESUMES: Final = "the review of the request resumes when it is received."

WORDING: Final = Wording(
    language="en",
    while_pending={
        "examen-medical": "Wait for the medical review's decision, due by {deadline} at the "
        "latest; answer any request for more information without delay.",
        "hors-liste-medicaments-couteux": "Check the drug's EAN-13 code; otherwise the medical "
        "review examines the request on the prescription and the medical report.",
        "indication-non-couverte": "Send the medical report that justifies the indication and "
        "the patient's ALD/ALC, or their application for recognition of an ALD/ALC.",
        "specialite-non-autorisee": "State the prescriber's specialty (careTeam.qualification, "
        "CodeSystem specialty) or send the prescription of an authorised prescriber.",
        "quantite-au-dela-du-plafond": "Justify the quantity in the medical report, or file a "
        "new request brought down to the period's ceiling.",
    },
    while_information={
        "complement-compte-rendu": f"Send the requested medical report to the payer: {RESUMES}",
        "complement-piece-manquante": f"Send the missing document to the payer: {RESUMES}",
        "complement-ordonnance": f"Send the prescription to the payer: {RESUMES}",
        "complement-resultats-examens": "Send the requested laboratory or test results to the "
        "payer: the review of the request resumes when they are received.",
        "complement-imagerie": f"Send the imaging report to the payer: {RESUMES}",
        "complement-devis": f"Send the detailed estimate of the care to the payer: {RESUMES}",
        "complement-precisions": "Answer the medical review's note: the review of the request "
        "resumes when your answer is received.",
    },
    always={
        "droits-non-ouverts": "Check the patient's rights (eligibility request) and their "
        "registration with the CNSS or affiliation with the CNOPS; a new request may be filed "
        "once the rights are open.",
        "code-hors-nomenclature": "Code the line as an EAN-13 (GS1) for a drug, or in the "
        "gateway's care-category CodeSystem for an act or a stay, then file a new request for "
        "this line.",
        "ligne-non-accordee": "This line cannot be billed directly under this prior "
        "authorization; a new request, with its reasons, remains possible.",
        "refus-non-justifie": "A new request remains possible with a medical file that "
        "justifies the care.",
        "refus-hors-nomenclature": "The act or product is not reimbursable: it cannot be billed "
        "directly to the payer.",
    },
    provisional="Send the admission file to the medical review for regularisation by "
    "{deadline} at the latest: the provisional grant holds only until it is confirmed.",
    states={
        PaStatus.REQUESTED: "Wait for the payer's decision, due by {deadline} at the latest.",
        PaStatus.INFO_REQUESTED: "Send the requested documents to the payer: the review of the "
        "request resumes when they are received.",
        PaStatus.GRANTED: "Bill the granted care until {valid_until}, quoting the prior "
        "authorization reference (preAuthRef).",
        PaStatus.PARTIAL: "Bill only the granted care, until {valid_until}, quoting the prior "
        "authorization reference (preAuthRef).",
        PaStatus.REFUSED: "A new request, with the supporting documents, may be filed.",
        PaStatus.CONSUMED: "The grant is fully used: file a new request for further care.",
        PaStatus.EXPIRED: "The grant's validity ended on {valid_until}: file a new request for "
        "care to come.",
        PaStatus.CANCELLED: "Nothing more can be billed under this prior authorization.",
    },
    status_labels={
        PaStatus.REQUESTED: "Request awaiting the payer's decision",
        PaStatus.INFO_REQUESTED: "More information requested by the medical review",
        PaStatus.GRANTED: "Prior authorization granted",
        PaStatus.PARTIAL: "Prior authorization partly granted",
        PaStatus.REFUSED: "Prior authorization refused",
        PaStatus.CONSUMED: "Prior authorization fully used",
        PaStatus.EXPIRED: "Prior authorization expired",
        PaStatus.CANCELLED: "Prior authorization cancelled",
    },
    provisional_grant="Prior authorization granted provisionally (urgent admission)",
    decision_due=", decision due by {deadline} at the latest",
    valid_between=", valid from {start} to {end}",
    preauthorization="Prior authorization",
    billing_steps={
        "code-hors-nomenclature": "Code the line as an EAN-13 (GS1), an NGAP key letter, a NABM "
        "act, a flat fee or a day rate (the gateway's CodeSystems), then file it again.",
        "pieces-manquantes": "Send the missing documents: the line will be examined when they "
        "are received.",
        "accord-prealable-requis": "Ask for a prior authorization, then bill the line quoting "
        "its reference (preAuthRef).",
        "depassement-tarif": "The excess is for the patient or their complementary insurer to pay.",
        "doublon": "If the earlier claim was wrong, cancel it (Task cancel) or replace it with a "
        "claim that cites it (Claim.related); otherwise do not bill the line a second time.",
        "ordonnance-deja-servie": "Check the prescription's reference: dispensed elsewhere, it "
        "can no longer be dispensed in tiers payant.",
        "renouvellement-premature": "The supply dispensed earlier still covers this date: bill "
        "the refill from the day it runs out.",
        "plafond-atteint": "The rest is the patient's or their complementary's to pay.",
        "medicament-inconnu": "Check the drug's EAN-13 code.",
        "tarif-introuvable": "Check the code and the date of care.",
        "quantite-au-dela-prescription": "The rest is the patient's to pay: attach the "
        "prescription that justifies the quantity dispensed (Claim.prescription), or bill the "
        "prescribed quantity.",
        "complementaire-inconnue": "Check the patient's complementary insurer and its code "
        "(system https://fhir.tiers-payant.ma/sid/complementary); a correction of the claim "
        "(Claim.related) takes it into account.",
    },
    claim="Claim for payment",
    processed="Claim processed",
    estimate="Estimate",
    ro_share="{said}: AMO share {amount} MAD",
    payment_due=", payment expected on {day}",
    colon=": ",
    semicolon="; ",
    moment_format="%Y-%m-%d at %H:%M UTC",
    day_format="%Y-%m-%d",
)
