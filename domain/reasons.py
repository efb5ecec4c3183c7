"""Reason codes: the stable codes of the published reason CodeSystem, with French labels.

Decision reasons explain an eligibility answer; error reasons explain a refused request.
Codes never change once published; labels may be reworded.
"""

from __future__ import annotations

# Decision reasons: why an answer is what it is.
DECISION_REASONS: dict[str, str] = {
    "droits-ouverts": "Droits ouverts à la date des soins",
    "jours-cotises-insuffisants": "Stage en cours : moins de jours de travail déclarés depuis "
    "l'immatriculation que le minimum requis",
    "stage-en-cours": "Période de stage en cours : droits non encore ouverts",
    "mutation-sans-stage": "Changement de régime AMO : pas de période de stage",
    "cotisations-impayees": "Prestations suspendues pour cotisations impayées",
    "suspension-sauf-ald": "Suspension : seuls les soins liés à une ALD/ALC restent couverts",
    "droits-maintenus": "Droits maintenus après la perte d'éligibilité",
    "droits-expires": "Droits expirés : la période de maintien est écoulée",
    "maintien-interrompu": "Maintien des droits terminé : la personne relève d'une autre "
    "affiliation",
    "membre-introuvable": "Aucun assuré trouvé pour cet identifiant",
    "double-affiliation": "Plus d'une affiliation AMO active à la date des soins",
    "affiliation-non-commencee": "L'affiliation ne commence qu'après la date des soins",
    "ayant-droit-age-limite": "Ayant droit au-delà de la limite d'âge",
    "ayant-droit-etudiant": "Ayant droit étudiant : limite d'âge prolongée",
    "ayant-droit-handicape": "Ayant droit handicapé : sans limite d'âge",
    "assure-principal-sans-droits": "L'assuré principal n'a pas de droits ouverts",
    "exoneration-ald": "Ticket modérateur exonéré : soins liés à une ALD/ALC",
    "accord-prealable-requis": "Prise en charge préalable requise",
    "categorie-non-couverte": "Catégorie de soins sans taux de couverture pour ce régime",
    "payeur-non-route": "Aucun organisme payeur pour ce régime à la date des soins",
    "droits-non-ouverts": "Prise en charge refusée : pas de droits ouverts à la date des soins",
    "admission-urgente": "Admission urgente : accord provisoire, à régulariser dans le délai",
    "examen-medical": "Demande transmise au contrôle médical du payeur",
    "accord-automatique": "Accord immédiat : médicament de la liste, indication couverte, "
    "prescripteur et quantité conformes",
    "hors-liste-medicaments-couteux": "Produit absent de la liste des médicaments coûteux "
    "remboursables : examen par le contrôle médical",
    "indication-non-couverte": "Le médicament n'est pas indiqué pour une ALD/ALC du patient à "
    "la date des soins",
    "specialite-non-autorisee": "La spécialité du prescripteur n'est pas autorisée pour ce "
    "médicament",
    "quantite-au-dela-du-plafond": "Quantité au-delà du plafond du catalogue pour la période",
    "regime-inconnu": "Régime AMO inconnu ou non en vigueur à la date des soins",
    "ayant-droit-non-prevu": "Qualité d'ayant droit non prévue par le régime à la date des soins",
    "ayant-droit-lien-termine": "Le rattachement de l'ayant droit à l'assuré a pris fin",
    "categorie-non-reconnue": "Catégorie de soins non reconnue : prestations générales du régime",
    "prestataire-non-admis": "Prestataire non admis au tiers payant de cet organisme payeur : "
    "pas de facturation en tiers payant",
    "prestataire-suspendu": "Convention de tiers payant du prestataire suspendue : "
    "pas de facturation en tiers payant",
    "prestataire-deconventionne": "Prestataire déconventionné : pas de facturation en tiers payant",
    "accord-controle-medical": "Accord du contrôle médical du payeur",
    "accord-partiel-controle-medical": "Accord partiel du contrôle médical : quantité ou montant "
    "réduit",
    "refus-non-justifie": "Refus du contrôle médical : soins non justifiés médicalement au vu "
    "du dossier",
    "refus-hors-nomenclature": "Refus : acte ou produit hors nomenclature remboursable",
    "complement-compte-rendu": "Complément demandé : compte rendu médical",
    "complement-piece-manquante": "Complément demandé : une pièce requise manque au dossier",
    "complement-ordonnance": "Complément demandé : l'ordonnance ou la prescription médicale",
    "complement-resultats-examens": "Complément demandé : résultats d'analyses ou d'examens",
    "complement-imagerie": "Complément demandé : compte rendu d'imagerie médicale",
    "complement-devis": "Complément demandé : devis détaillé des soins",
    "complement-precisions": "Complément demandé : précisions sur la demande (voir la note)",
    "annulation-demandeur": "Annulée à la demande du professionnel de santé",
    "consommation-atypique": "Consommation très au-dessus de celle des pairs : à examiner "
    "(signal pour le contrôle du payeur, jamais une décision)",
    "code-hors-nomenclature": "Ligne codée hors des nomenclatures du payeur : non examinée",
    "ligne-non-accordee": "Ligne non retenue dans l'accord du contrôle médical",
    "depot-hors-delai": "Déposée après le délai de dépôt de ce type de dossier : ligne refusée",
    "tarif-introuvable": "Aucun tarif en vigueur pour ce code, ce payeur et cette catégorie de "
    "prestataire à la date des soins",
    "medicament-inconnu": "Médicament absent du catalogue du payeur à la date de dispensation",
    "medicament-non-remboursable": "Médicament non remboursable",
    "depassement-tarif": "Montant facturé au-delà du tarif de référence : le dépassement reste à "
    "la charge du patient ou de sa complémentaire",
    "forfait-substitue": "Acte non justifié par la pièce requise : payé au tarif de l'acte de "
    "substitution (césarienne sans compte rendu d'indication : forfait de l'accouchement par "
    "voie basse)",
    "plafond-atteint": "Plafond de remboursement de la période atteint : part de l'AMO réduite",
    "pieces-manquantes": "Dossier incomplet : envoyez les pièces manquantes (ce n'est pas un "
    "refus)",
    "doublon": "Ligne déjà facturée : même prestataire, patient, acte et date",
    "ordonnance-deja-servie": "Ordonnance déjà servie dans une autre pharmacie",
    "renouvellement-premature": "Renouvellement avant la fin du traitement précédemment délivré",
    "quantite-au-dela-prescription": "Quantité au-delà de l'ordonnance : payée pour la quantité "
    "prescrite",
    "ald-non-detenue": "Ligne liée à une ALD/ALC que le patient ne détient pas à la date des "
    "soins : taux ordinaire",
    "complementaire-inconnue": "Organisme complémentaire inconnu ou sans barème en vigueur "
    "pour ces soins à leur date : ligne traitée sans part complémentaire",
}

# Error reasons: why a request was refused (OperationOutcome details).
ERROR_REASONS: dict[str, str] = {
    "erreur-metier": "La demande ne peut être traitée",
    "requete-invalide": "La requête est invalide",
    "requete-interrompue": "Requête interrompue : le client a fermé la connexion",
    "ressource-invalide": "La ressource FHIR est invalide",
    "json-invalide": "Le corps de la requête n'est pas un JSON valide",
    "json-trop-profond": "Le JSON est imbriqué au-delà de la profondeur autorisée",
    "corps-trop-volumineux": "Le corps de la requête dépasse la taille autorisée",
    "json-trop-volumineux": "Le JSON porte plus d'éléments que la passerelle n'en lit",
    "requete-trop-volumineuse": "La requête porte plus d'éléments que la passerelle n'en traite "
    "en une fois : scindez-la",
    "type-contenu-invalide": "Type de contenu non pris en charge : utilisez application/fhir+json",
    "type-ressource-invalide": "Type de ressource inattendu pour ce point d'accès",
    "enveloppe-invalide": "Enveloppe FHIR mal formée (Bundle document ou message)",
    "identifiant-invalide": "Identifiant invalide",
    "code-inconnu": "Code absent du jeu de valeurs requis",
    "parametre-invalide": "Paramètre de recherche invalide",
    "ressource-introuvable": "Ressource introuvable",
    "conflit": "La requête est en conflit avec l'état enregistré",
    "cle-idempotence-invalide": "Clé d'idempotence invalide : 1 à 128 caractères ASCII visibles",
    "cle-idempotence-reutilisee": "Cette clé d'idempotence a déjà servi pour une autre requête",
    "requete-en-cours": "Une requête avec cette clé d'idempotence est en cours de traitement : "
    "réessayez dans un instant pour obtenir sa réponse",
    "referentiel-incomplet": "Référentiel incomplet pour la date demandée",
    "authentification-requise": "Authentification requise : jeton d'accès absent",
    "jeton-invalide": "Jeton d'accès invalide ou expiré",
    "portee-insuffisante": "Portée (scope) insuffisante pour cette opération",
    "role-non-autorise": "Ce client n'a pas le rôle requis : un client de payeur ne peut agir "
    "pour un prestataire, ni un prestataire pour un payeur",
    "motif-inconnu": "Motif inconnu : utilisez un code du CodeSystem reason",
    "modification-concurrente": "La prise en charge a changé entre-temps : relisez-la, puis "
    "recommencez",
    "accord-partiel-incoherent": "Un accord partiel accorde moins que demandé",
    "limite-de-debit": "Trop de requêtes : réessayez plus tard",
    "methode-non-autorisee": "Méthode HTTP non autorisée sur ce point d'accès",
    "format-non-accepte": "Format de réponse non pris en charge : utilisez application/fhir+json",
    "service-indisponible": "Service momentanément indisponible : réessayez plus tard",
    "erreur-interne": "Erreur interne : l'incident a été enregistré",
    "transition-refusee": "La prise en charge n'admet pas ce changement dans son état actuel",
    "accord-insuffisant": "La prise en charge ne couvre pas ce qui est demandé : quantité ou "
    "montant restant insuffisant",
    "sujet-inconnu": "Sujet d'abonnement inconnu : voir les sujets publiés dans /metadata",
    "canal-non-pris-en-charge": "Canal de notification non pris en charge : rest-hook, "
    "application/fhir+json, contenu id-only",
    "point-de-terminaison-non-enregistre": "Point de terminaison de notification non enregistré "
    "pour ce prestataire",
    "filtre-non-pris-en-charge": "Critère de filtre d'abonnement non pris en charge",
    "usage-non-pris-en-charge": "Usage de la demande non pris en charge sur ce point d'accès : "
    "seule la prise en charge préalable (preauthorization) y est traitée",
    "type-prise-en-charge-requis": "Type de prise en charge à préciser dans Claim.subType",
    "deja-regle": "Demande déjà réglée au prestataire : elle ne s'annule ni ne se corrige plus "
    "par la passerelle ; une différence se règle avec l'organisme payeur",
    "demande-corrigee-inconnue": "La demande corrigée (Claim.related) est inconnue : aucune "
    "demande de ce prestataire n'a été rendue payable sous cet identifiant",
    "demande-deja-annulee": "La demande corrigée (Claim.related) est déjà annulée ou corrigée : "
    "une demande ne se corrige qu'une fois",
    "correction-meme-identifiant": "Une correction porte son propre identifiant "
    "(Claim.identifier), distinct de celui de la demande qu'elle corrige (Claim.related)",
    "ecriture-desequilibree": "Écriture comptable refusée : ses montants ne s'équilibrent pas",
    "deja-comptabilise": "Déjà comptabilisé : cette demande a déjà été rendue payable (une "
    "demande n'est payée qu'une fois)",
    "quantite-invalide": "La quantité d'une ligne doit être un nombre entier positif",
    "montant-invalide": "Montant de ligne absent ou invalide : positif, en dirhams, au "
    "centime près",
    "identifiants-invalides": "Adresse, mot de passe ou code à usage unique incorrect",
    "action-non-permise": "Votre rôle ne permet pas cette action : demandez-la à "
    "l'administrateur de votre organisation",
    "compte-existant": "Un compte existe déjà avec cette adresse",
    "rib-invalide": "RIB ou IBAN invalide : 24 chiffres (banque 3, ville 3, compte 16, clé 2) "
    "dont la clé fait un multiple de 97",
    "double-validation-requise": "Un changement de compte se valide par un second utilisateur, "
    "autre que celui qui l'a proposé",
    "aucun-changement-en-attente": "Aucun changement de compte n'attend de validation pour ce "
    "prestataire",
    "deja-en-paiement": "Une de ces demandes est déjà dans un virement en cours : elle n'est "
    "payée qu'une fois",
    "ordre-des-creances": "Créances lues hors de l'ordre (prestataire, demande) : le cycle "
    "s'arrête sans rien payer",
    "devise-non-prise-en-charge": "Devise non prise en charge : les montants s'expriment en "
    "dirhams (MAD)",
    "motif-non-adapte": "Ce motif ne convient pas à une demande de complément : utilisez un "
    "motif complement-*",
    "texte-trop-long": "Texte trop long : résumez-le, ou joignez le document",
    "demande-complement-absente": "La réponse doit désigner la demande de complément à laquelle "
    "elle répond (basedOn : CommunicationRequest/[id])",
    "complement-deja-fourni": "Cette demande de complément a déjà reçu sa réponse",
    "statut-communication-invalide": "Une réponse transmise a le statut « completed »",
    "communication-vide": "La réponse ne porte ni texte ni pièce jointe",
    "pieces-jointes-trop-nombreuses": "Trop de pièces jointes dans une demande ou une réponse : "
    "joignez les pièces utiles, les autres dans une réponse suivante",
    "piece-jointe-trop-lourde": "Pièce jointe trop lourde : réduisez la résolution du scan ou "
    "scindez le document",
    "type-piece-jointe-refuse": "Type de pièce jointe refusé : PDF, PNG ou JPEG uniquement",
    "piece-jointe-illisible": "Pièce jointe illisible : le contenu doit être joint en base64 "
    "dans data",
    "piece-jointe-non-conforme": "Le contenu de la pièce jointe ne correspond pas au type déclaré",
}

ALL_REASONS: dict[str, str] = {**DECISION_REASONS, **ERROR_REASONS}

# The reasons a reviewer may give when asking the provider for more: what is missing.
INFORMATION_REASONS: frozenset[str] = frozenset(
    code for code in DECISION_REASONS if code.startswith("complement-")
)
