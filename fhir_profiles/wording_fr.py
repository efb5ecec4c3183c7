"""The answers' sentences in French, the reference the other languages translate."""

from __future__ import annotations

from typing import Final

from fhir_profiles import labels, next_steps
from fhir_profiles.wording import Wording

# What the provider can do about a claim line's reason.
BILLING_STEPS: Final[dict[str, str]] = {
    "code-hors-nomenclature": "Codez la ligne en EAN-13 (GS1), lettre clé NGAP, acte NABM, "
    "forfait ou journée (CodeSystems de la passerelle), puis déposez-la à nouveau.",
    "pieces-manquantes": "Envoyez les pièces manquantes : la ligne sera examinée à leur réception.",
    "accord-prealable-requis": "Demandez une prise en charge préalable, puis facturez la ligne "
    "en citant sa référence (preAuthRef).",
    "depassement-tarif": "Le dépassement reste à la charge du patient ou de sa complémentaire.",
    "doublon": "Si la demande précédente était erronée, annulez-la (Task cancel) ou remplacez-la "
    "par une demande qui la cite (Claim.related) ; sinon, ne facturez pas la ligne une seconde "
    "fois.",
    "ordonnance-deja-servie": "Vérifiez la référence de l'ordonnance : servie ailleurs, elle ne "
    "l'est plus en tiers payant.",
    "renouvellement-premature": "Le traitement délivré précédemment couvre encore cette date : "
    "facturez le renouvellement à partir du jour où il prend fin.",
    "plafond-atteint": "Le reste est à la charge du patient ou de sa complémentaire.",
    "medicament-inconnu": "Vérifiez le code EAN-13 du médicament.",
    "tarif-introuvable": "Vérifiez le code et la date des soins.",
    "quantite-au-dela-prescription": "Le surplus reste à la charge du patient : joignez "
    "l'ordonnance qui justifie la quantité délivrée (Claim.prescription), ou facturez la "
    "quantité prescrite.",
    "complementaire-inconnue": "Vérifiez l'organisme complémentaire du patient et son code "
    "(système https://fhir.tiers-payant.ma/sid/complementary) ; une correction de la demande "
    "(Claim.related) en tient compte.",
}

WORDING: Final = Wording(
    language="fr",
    while_pending=next_steps.WHILE_PENDING,
    while_information=next_steps.WHILE_INFORMATION,
    always=next_steps.ALWAYS,
    provisional=next_steps.PROVISIONAL,
    states=next_steps.STATES,
    status_labels=labels.PA_STATUS_LABELS,
    provisional_grant="Prise en charge accordée à titre provisoire (admission urgente)",
    decision_due=", décision due au plus tard le {deadline}",
    valid_between=", valable du {start} au {end}",
    preauthorization="Prise en charge préalable",
    billing_steps=BILLING_STEPS,
    claim="Demande de remboursement",
    processed="Demande traitée",
    estimate="Estimation",
    ro_share="{said} : part de l'AMO {amount} MAD",
    payment_due=", paiement prévu le {day}",
    colon=" : ",
    semicolon=" ; ",
    moment_format="%d/%m/%Y à %H:%M UTC",
    day_format="%d/%m/%Y",
)
