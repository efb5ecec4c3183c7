"""Labels of the reason codes in French, Arabic and English, the answers' wording in each, and
Accept-Language parsing.

French labels are the reference ones, held by the domain (`domain.reasons`); the Arabic and
English ones translate them here, where they are shown to people.
"""

from __future__ import annotations

from typing import Final

from domain.reasons import ALL_REASONS
from fhir_profiles import wording_ar, wording_en, wording_fr
from fhir_profiles.wording import FRENCH, LANGUAGES, Wording

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "label", "pick_language", "wording"]
DEFAULT_LANGUAGE: Final = FRENCH

ARABIC: Final[dict[str, str]] = {
    "droits-ouverts": "الحقوق مفتوحة في تاريخ العلاج",
    "jours-cotises-insuffisants": "فترة التدريب جارية: عدد أيام العمل المصرح بها منذ التسجيل "
    "أقل من الحد الأدنى المطلوب",
    "stage-en-cours": "فترة التدريب جارية: الحقوق غير مفتوحة بعد",
    "mutation-sans-stage": "تغيير نظام التأمين الإجباري عن المرض: بدون فترة تدريب",
    "cotisations-impayees": "الخدمات موقوفة بسبب اشتراكات غير مؤداة",
    "suspension-sauf-ald": "توقيف: تبقى العلاجات المرتبطة بمرض مزمن أو مكلف وحدها مغطاة",
    "droits-maintenus": "الحقوق محتفظ بها بعد فقدان الأهلية",
    "droits-expires": "الحقوق منتهية: انقضت فترة الاحتفاظ",
    "maintien-interrompu": "انتهى الاحتفاظ بالحقوق: الشخص يخضع لانخراط آخر",
    "membre-introuvable": "لم يتم العثور على أي مؤمن له بهذا المعرف",
    "double-affiliation": "أكثر من انخراط نشط في التأمين الإجباري عن المرض في تاريخ العلاج",
    "affiliation-non-commencee": "لا يبدأ الانخراط إلا بعد تاريخ العلاج",
    "ayant-droit-age-limite": "ذو حق تجاوز السن المحددة",
    "ayant-droit-etudiant": "ذو حق طالب: تمديد السن المحددة",
    "ayant-droit-handicape": "ذو حق في وضعية إعاقة: بدون حد للسن",
    "assure-principal-sans-droits": "المؤمن له الرئيسي ليست له حقوق مفتوحة",
    "exoneration-ald": "إعفاء من الجزء المتبقي على عاتق المؤمن: علاجات مرتبطة بمرض مزمن أو مكلف",
    "accord-prealable-requis": "يلزم الحصول على تحمل مسبق",
    "categorie-non-couverte": "فئة علاجات بدون نسبة تغطية لهذا النظام",
    "payeur-non-route": "لا توجد هيئة مؤدية لهذا النظام في تاريخ العلاج",
    "droits-non-ouverts": "رُفض التكفل: لا حقوق مفتوحة في تاريخ العلاج",
    "accord-controle-medical": "موافقة المراقبة الطبية للجهة المؤدية",
    "accord-partiel-controle-medical": "موافقة جزئية من المراقبة الطبية: كمية أو مبلغ مخفض",
    "refus-non-justifie": "رفض المراقبة الطبية: علاجات غير مبررة طبيا بناء على الملف",
    "refus-hors-nomenclature": "رفض: عمل أو منتج خارج قائمة ما يتم تعويضه",
    "complement-compte-rendu": "طلب معلومات إضافية: تقرير طبي",
    "complement-piece-manquante": "طلب معلومات إضافية: وثيقة مطلوبة غير موجودة في الملف",
    "complement-ordonnance": "طلب معلومات إضافية: الوصفة الطبية",
    "complement-resultats-examens": "طلب معلومات إضافية: نتائج التحاليل أو الفحوصات",
    "complement-imagerie": "طلب معلومات إضافية: تقرير التصوير الطبي",
    "complement-devis": "طلب معلومات إضافية: تقدير مفصل لتكلفة العلاجات",
    "complement-precisions": "طلب معلومات إضافية: توضيحات حول الطلب (انظر الملاحظة)",
    "annulation-demandeur": "ألغي بطلب من مهني الصحة",
    "consommation-atypique": "استهلاك يفوق بكثير استهلاك النظراء: يستحق الفحص",
    "admission-urgente": "قبول استعجالي: موافقة مؤقتة تجب تسويتها داخل الأجل",
    "examen-medical": "أُحيل الطلب على المراقبة الطبية للهيئة المؤدية",
    "accord-automatique": "موافقة فورية: دواء مدرج، استطباب مغطى، واصف وكمية مطابقان",
    "hors-liste-medicaments-couteux": "منتج غير مدرج في لائحة الأدوية الباهظة المعوضة: "
    "يُحال على المراقبة الطبية",
    "indication-non-couverte": "الدواء غير مستطب لمرض مزمن مسجل للمريض في تاريخ العلاج",
    "specialite-non-autorisee": "تخصص الواصف غير مسموح به لهذا الدواء",
    "quantite-au-dela-du-plafond": "الكمية تتجاوز سقف الفهرس للفترة",
    "regime-inconnu": "نظام التأمين الإجباري عن المرض غير معروف أو غير ساري في تاريخ العلاج",
    "ayant-droit-non-prevu": "صفة ذي الحق غير منصوص عليها في النظام في تاريخ العلاج",
    "ayant-droit-lien-termine": "انتهى ارتباط ذي الحق بالمؤمن له",
    "categorie-non-reconnue": "فئة علاجات غير معروفة: الخدمات العامة للنظام",
    "prestataire-non-admis": "مقدم العلاج غير مقبول في نظام الثالث المؤدي لدى هذه الهيئة المؤدية: "
    "لا فوترة بنظام الثالث المؤدي",
    "prestataire-suspendu": "اتفاقية الثالث المؤدي لمقدم العلاج موقوفة: "
    "لا فوترة بنظام الثالث المؤدي",
    "prestataire-deconventionne": "مقدم العلاج خارج الاتفاقية: لا فوترة بنظام الثالث المؤدي",
    "code-hors-nomenclature": "سطر مرمز خارج تسميات الهيئة المؤدية: لم يُدرس",
    "ligne-non-accordee": "سطر لم تشمله موافقة المراقبة الطبية",
    "depot-hors-delai": "أودع بعد أجل إيداع هذا النوع من الملفات: رُفض السطر",
    "tarif-introuvable": "لا توجد تعريفة سارية لهذا الرمز والهيئة المؤدية وفئة مقدم العلاج في "
    "تاريخ العلاج",
    "medicament-inconnu": "دواء غير مدرج في فهرس الهيئة المؤدية في تاريخ الصرف",
    "medicament-non-remboursable": "دواء غير قابل للتعويض",
    "depassement-tarif": "مبلغ مفوتر يتجاوز التعريفة المرجعية: يبقى التجاوز على عاتق المريض أو "
    "تأمينه التكميلي",
    "forfait-substitue": "عمل غير مبرر بالوثيقة المطلوبة: يؤدى بتعريفة العمل البديل (ولادة "
    "قيصرية بدون تقرير الاستطباب: جزاف الولادة الطبيعية)",
    "plafond-atteint": "تم بلوغ سقف التعويض للفترة: خُفض جزء التأمين الإجباري",
    "pieces-manquantes": "ملف غير مكتمل: أرسلوا الوثائق الناقصة (ليس رفضا)",
    "doublon": "سطر سبقت فوترته: نفس مقدم العلاج والمريض والعمل والتاريخ",
    "ordonnance-deja-servie": "وصفة سبق صرفها في صيدلية أخرى",
    "renouvellement-premature": "تجديد قبل انتهاء العلاج المصروف سابقا",
    "quantite-au-dela-prescription": "كمية تتجاوز الوصفة: تؤدى عن الكمية الموصوفة",
    "ald-non-detenue": "سطر مرتبط بمرض مزمن أو مكلف لا يتوفر عليه المريض في تاريخ العلاج: النسبة "
    "العادية",
    "complementaire-inconnue": "هيئة التغطية التكميلية غير معروفة أو ليس لها جدول تعويض ساري "
    "المفعول لهذه العلاجات في تاريخها: عولج السطر دون حصة تكميلية",
    "erreur-metier": "لا يمكن معالجة الطلب",
    "requete-invalide": "الطلب غير صالح",
    "requete-interrompue": "طلب منقطع: أغلق العميل الاتصال",
    "ressource-invalide": "مورد FHIR غير صالح",
    "json-invalide": "محتوى الطلب ليس JSON صالحا",
    "json-trop-profond": "تداخل JSON يتجاوز العمق المسموح به",
    "corps-trop-volumineux": "حجم محتوى الطلب يتجاوز الحد المسموح به",
    "json-trop-volumineux": "يحتوي JSON على عناصر أكثر مما تقرؤه البوابة",
    "transition-refusee": "لا تقبل الموافقة المسبقة هذا التغيير في وضعها الحالي",
    "accord-insuffisant": "لا تغطي الموافقة المسبقة المطلوب: الكمية أو المبلغ المتبقي غير كافٍ",
    "usage-non-pris-en-charge": "غرض الطلب غير مدعوم في نقطة الولوج هذه: "
    "لا يُعالج هنا إلا طلب التحمل المسبق (preauthorization)",
    "type-prise-en-charge-requis": "يجب تحديد نوع التحمل في Claim.subType",
    "deja-regle": "تم أداء هذا الطلب لمقدم العلاج: لم يعد يلغى ولا يصحح عبر البوابة، ويسوى "
    "أي فرق مع الهيئة المؤدية",
    "demande-corrigee-inconnue": "الطلب المصحح (Claim.related) غير معروف: لم يُسجل للأداء أي "
    "طلب لمقدم العلاج هذا بهذا المعرف",
    "demande-deja-annulee": "الطلب المصحح (Claim.related) ملغى أو مصحح من قبل: لا يصحح الطلب "
    "إلا مرة واحدة",
    "correction-meme-identifiant": "يحمل التصحيح معرفه الخاص (Claim.identifier)، المختلف عن "
    "معرف الطلب الذي يصححه (Claim.related)",
    "ecriture-desequilibree": "قيد محاسبي مرفوض: مبالغه غير متوازنة",
    "deja-comptabilise": "سبق تسجيل هذا الطلب للأداء: لا يؤدى الطلب إلا مرة واحدة",
    "quantite-invalide": "يجب أن تكون كمية السطر عددا صحيحا موجبا",
    "montant-invalide": "مبلغ السطر غائب أو غير صالح: موجب، بالدرهم، بدقة السنتيم",
    "identifiants-invalides": "العنوان أو كلمة المرور أو الرمز المؤقت غير صحيح",
    "action-non-permise": "لا يسمح دورك بهذا الإجراء: اطلبه من مسؤول مؤسستك",
    "compte-existant": "يوجد حساب بهذا العنوان",
    "rib-invalide": "رقم الحساب البنكي (RIB أو IBAN) غير صالح: 24 رقما ومفتاح يجعله مضاعفا "
    "للعدد 97",
    "double-validation-requise": "يصادق على تغيير الحساب مستعمل ثان غير الذي اقترحه",
    "aucun-changement-en-attente": "لا يوجد تغيير حساب في انتظار المصادقة لمقدم العلاج هذا",
    "deja-en-paiement": "أحد هذه الطلبات مدرج في تحويل جار: لا يؤدى إلا مرة واحدة",
    "ordre-des-creances": "قرئت المستحقات خارج الترتيب: توقفت الدورة دون أداء أي شيء",
    "devise-non-prise-en-charge": "عملة غير مدعومة: تُعبَّر المبالغ بالدرهم (MAD)",
    "requete-trop-volumineuse": "يحمل الطلب عناصر أكثر مما تعالجه البوابة دفعة واحدة: قسّمه",
    "type-contenu-invalide": "نوع المحتوى غير مدعوم: استعمل application/fhir+json",
    "type-ressource-invalide": "نوع مورد غير متوقع لنقطة الولوج هذه",
    "enveloppe-invalide": "غلاف FHIR غير سليم (حزمة من نوع document أو message)",
    "identifiant-invalide": "معرف غير صالح",
    "code-inconnu": "رمز غير موجود في مجموعة القيم المطلوبة",
    "parametre-invalide": "معامل بحث غير صالح",
    "ressource-introuvable": "المورد غير موجود",
    "conflit": "الطلب يتعارض مع الحالة المسجلة",
    "referentiel-incomplet": "المرجع غير مكتمل بالنسبة للتاريخ المطلوب",
    "authentification-requise": "المصادقة مطلوبة: رمز الولوج غائب",
    "jeton-invalide": "رمز الولوج غير صالح أو منتهي الصلاحية",
    "portee-insuffisante": "نطاق الصلاحيات غير كاف لهذه العملية",
    "role-non-autorise": "ليس لهذا العميل الدور المطلوب لهذه العملية",
    "motif-inconnu": "سبب غير معروف: استعمل رمزا من نظام الرموز",
    "modification-concurrente": "تغير ملف التكفل في الأثناء: أعد قراءته ثم حاول من جديد",
    "accord-partiel-incoherent": "الموافقة الجزئية تمنح أقل من المطلوب",
    "limite-de-debit": "طلبات كثيرة جدا: أعد المحاولة لاحقا",
    "cle-idempotence-invalide": "مفتاح عدم التكرار غير صالح: من 1 إلى 128 حرفا مرئيا",
    "cle-idempotence-reutilisee": "سبق استعمال مفتاح عدم التكرار هذا لطلب آخر",
    "requete-en-cours": "طلب بنفس مفتاح عدم التكرار قيد المعالجة: أعد المحاولة بعد لحظة",
    "methode-non-autorisee": "طريقة HTTP غير مسموح بها في نقطة الولوج هذه",
    "format-non-accepte": "صيغة الجواب غير مدعومة: استعمل application/fhir+json",
    "service-indisponible": "الخدمة غير متوفرة مؤقتا: أعد المحاولة لاحقا",
    "erreur-interne": "خطأ داخلي: تم تسجيل الحادث",
    "sujet-inconnu": "موضوع اشتراك غير معروف: انظر المواضيع المنشورة في /metadata",
    "canal-non-pris-en-charge": "قناة إشعار غير مدعومة: rest-hook و application/fhir+json "
    "ومحتوى id-only",
    "point-de-terminaison-non-enregistre": "نقطة استقبال الإشعارات غير مسجلة لمقدم العلاج هذا",
    "filtre-non-pris-en-charge": "معيار تصفية الاشتراك غير مدعوم",
    "motif-non-adapte": "هذا السبب لا يناسب طلب معلومات إضافية: استعمل سببا من نوع complement-*",
    "texte-trop-long": "النص طويل جدا: لخصه أو أرفق الوثيقة",
    "demande-complement-absente": "يجب أن يحدد الجواب طلب المعلومات الإضافية الذي يجيب عنه "
    "(basedOn: CommunicationRequest/[id])",
    "complement-deja-fourni": "سبق الرد على طلب المعلومات الإضافية هذا",
    "statut-communication-invalide": "يجب أن يكون وضع الجواب المرسل « completed »",
    "communication-vide": "الجواب لا يحمل نصا ولا مرفقا",
    "pieces-jointes-trop-nombreuses": "عدد المرفقات في الجواب كبير جدا: أرسل الباقي في جواب لاحق",
    "piece-jointe-trop-lourde": "حجم المرفق كبير جدا: خفض دقة المسح أو قسم الوثيقة",
    "type-piece-jointe-refuse": "نوع المرفق مرفوض: PDF أو PNG أو JPEG فقط",
    "piece-jointe-illisible": "المرفق غير مقروء: يجب إرفاق المحتوى بترميز base64 في data",
    "piece-jointe-non-conforme": "محتوى المرفق لا يطابق النوع المصرح به",
}

ENGLISH: Final[dict[str, str]] = {
    "droits-ouverts": "Coverage in force on the date of care",
    "jours-cotises-insuffisants": "Waiting period: fewer working days declared since "
    "registration than the minimum required",
    "stage-en-cours": "Waiting period in progress: rights not yet open",
    "mutation-sans-stage": "Move from another AMO scheme: no waiting period",
    "cotisations-impayees": "Benefits suspended for unpaid contributions",
    "suspension-sauf-ald": "Suspended: only care linked to a long-term condition stays covered",
    "droits-maintenus": "Rights maintained after loss of eligibility",
    "droits-expires": "Rights expired: the maintenance period is over",
    "maintien-interrompu": "Rights no longer maintained: the person comes under another "
    "affiliation",
    "membre-introuvable": "No insured person found for this identifier",
    "double-affiliation": "More than one active AMO affiliation on the date of care",
    "affiliation-non-commencee": "The affiliation only starts after the date of care",
    "ayant-droit-age-limite": "Dependant over the age limit",
    "ayant-droit-etudiant": "Student dependant: extended age limit",
    "ayant-droit-handicape": "Disabled dependant: no age limit",
    "assure-principal-sans-droits": "The main insured person has no rights in force",
    "exoneration-ald": "Co-payment waived: care linked to a long-term condition",
    "accord-prealable-requis": "Prior authorization required",
    "categorie-non-couverte": "Care category without a coverage rate for this scheme",
    "payeur-non-route": "No payer for this scheme on the date of care",
    "droits-non-ouverts": "Prior authorization refused: no open rights on the date of care",
    "accord-controle-medical": "Granted by the payer's medical review",
    "accord-partiel-controle-medical": "Partly granted by the medical review: reduced quantity "
    "or amount",
    "refus-non-justifie": "Refused by the medical review: care not medically justified by the file",
    "refus-hors-nomenclature": "Refused: act or product outside the reimbursable lists",
    "complement-compte-rendu": "More information requested: a medical report",
    "complement-piece-manquante": "More information requested: a required document is missing",
    "complement-ordonnance": "More information requested: the prescription",
    "complement-resultats-examens": "More information requested: laboratory or test results",
    "complement-imagerie": "More information requested: an imaging report",
    "complement-devis": "More information requested: a detailed estimate of the care",
    "complement-precisions": "More information requested: details on the request (see the note)",
    "annulation-demandeur": "Cancelled at the care provider's request",
    "consommation-atypique": "Consumption far above the peers': to be examined (a signal for "
    "the payer's review, never a decision)",
    "admission-urgente": "Urgent admission: provisional grant, to be regularised in time",
    "examen-medical": "Request sent to the payer's medical review",
    "accord-automatique": "Granted at once: listed drug, covered indication, prescriber and "
    "quantity within the rules",
    "hors-liste-medicaments-couteux": "Not on the list of reimbursable costly drugs: sent to "
    "medical review",
    "indication-non-couverte": "The drug is not indicated for a long-term condition the patient "
    "holds on the date of care",
    "specialite-non-autorisee": "The prescriber's specialty is not allowed for this drug",
    "quantite-au-dela-du-plafond": "Quantity above the catalog's ceiling for the period",
    "regime-inconnu": "AMO scheme unknown or not in force on the date of care",
    "ayant-droit-non-prevu": "Dependant status not provided for by the scheme on the date of care",
    "ayant-droit-lien-termine": "The dependant's link to the insured person has ended",
    "categorie-non-reconnue": "Care category not recognised: the plan's general benefits",
    "prestataire-non-admis": "Provider not admitted to this payer's direct billing: "
    "no direct billing",
    "prestataire-suspendu": "The provider's direct billing agreement is suspended: "
    "no direct billing",
    "prestataire-deconventionne": "The provider's agreement has ended: no direct billing",
    "code-hors-nomenclature": "Line coded outside the payer's code systems: not examined",
    "ligne-non-accordee": "Line left out of the medical review's grant",
    "depot-hors-delai": "Filed after this claim type's filing window: line rejected",
    "tarif-introuvable": "No tariff in force for this code, payer and provider category on the "
    "date of service",
    "medicament-inconnu": "Drug not in the payer's catalog on the dispensing date",
    "medicament-non-remboursable": "Drug not reimbursable",
    "depassement-tarif": "Billed above the reference tariff: the excess is the patient's or the "
    "complementary insurer's",
    "forfait-substitue": "Act not justified by the required document: paid at the substitute "
    "act's tariff (caesarean without its indication report: vaginal-delivery fee)",
    "plafond-atteint": "Reimbursement cap for the period reached: the AMO share is reduced",
    "pieces-manquantes": "Incomplete claim: send the missing documents (this is not a refusal)",
    "doublon": "Line already billed: same provider, patient, item and date",
    "ordonnance-deja-servie": "Prescription already dispensed at another pharmacy",
    "renouvellement-premature": "Refill before the end of the supply dispensed earlier",
    "quantite-au-dela-prescription": "Quantity above the prescription: paid for the prescribed "
    "quantity",
    "ald-non-detenue": "Line linked to an ALD/ALC the patient does not hold on the date of "
    "service: ordinary rate",
    "complementaire-inconnue": "Complementary insurer unknown, or without a scale in force for "
    "this care on its date: line adjudicated without a complementary share",
    "erreur-metier": "The request cannot be processed",
    "requete-invalide": "The request is invalid",
    "requete-interrompue": "Request interrupted: the client closed the connection",
    "ressource-invalide": "The FHIR resource is invalid",
    "json-invalide": "The request body is not valid JSON",
    "json-trop-profond": "The JSON is nested deeper than allowed",
    "corps-trop-volumineux": "The request body is larger than allowed",
    "json-trop-volumineux": "The JSON holds more values than the gateway reads",
    "transition-refusee": "The prior authorization does not allow this change in its state",
    "accord-insuffisant": "The prior authorization does not cover what is asked: not enough "
    "quantity or amount left",
    "usage-non-pris-en-charge": "Claim use not handled at this endpoint: only prior "
    "authorization (preauthorization) is",
    "type-prise-en-charge-requis": "State the kind of prior authorization in Claim.subType",
    "deja-regle": "Already paid to the provider: it can no longer be cancelled nor corrected "
    "through the gateway; a difference is settled with the payer",
    "demande-corrigee-inconnue": "The corrected claim (Claim.related) is unknown: no claim of "
    "this provider was made payable under that identifier",
    "demande-deja-annulee": "The corrected claim (Claim.related) was already cancelled or "
    "corrected: a claim is corrected once",
    "correction-meme-identifiant": "A correction carries its own identifier (Claim.identifier), "
    "other than the one of the claim it corrects (Claim.related)",
    "ecriture-desequilibree": "Ledger entry refused: its amounts do not balance",
    "deja-comptabilise": "Already recorded: this claim was made payable before (a claim is "
    "paid once)",
    "quantite-invalide": "A line's quantity must be a positive whole number",
    "montant-invalide": "Line amount missing or invalid: positive, in dirhams, to the centime",
    "identifiants-invalides": "Wrong address, password or one-time code",
    "action-non-permise": "Your role does not allow this action: ask your organization's "
    "administrator",
    "compte-existant": "An account with this address exists already",
    "rib-invalide": "Invalid RIB or IBAN: 24 digits (bank 3, city 3, account 16, key 2) whose "
    "key makes a multiple of 97",
    "double-validation-requise": "A change of account is approved by a second user, not the "
    "one who proposed it",
    "aucun-changement-en-attente": "No change of account awaits approval for this provider",
    "deja-en-paiement": "One of these claims is already in a transfer under way: it is paid once",
    "ordre-des-creances": "Payables read out of (provider, claim) order: the cycle stopped "
    "without paying anything",
    "devise-non-prise-en-charge": "Currency not supported: amounts are in dirhams (MAD)",
    "requete-trop-volumineuse": "The request carries more elements than the gateway handles at "
    "once: split it",
    "type-contenu-invalide": "Unsupported content type: use application/fhir+json",
    "type-ressource-invalide": "Unexpected resource type for this endpoint",
    "enveloppe-invalide": "Malformed FHIR envelope (document or message Bundle)",
    "identifiant-invalide": "Invalid identifier",
    "code-inconnu": "Code not in the required value set",
    "parametre-invalide": "Invalid search parameter",
    "ressource-introuvable": "Resource not found",
    "conflit": "The request conflicts with the recorded state",
    "referentiel-incomplet": "Reference data incomplete for the requested date",
    "authentification-requise": "Authentication required: access token missing",
    "jeton-invalide": "Invalid or expired access token",
    "portee-insuffisante": "Insufficient scope for this operation",
    "role-non-autorise": "This client does not have the role this operation requires",
    "motif-inconnu": "Unknown reason: use a code of the reason CodeSystem",
    "modification-concurrente": "The prior authorization changed meanwhile: read it again, "
    "then retry",
    "accord-partiel-incoherent": "A partial grant gives less than asked",
    "limite-de-debit": "Too many requests: try again later",
    "cle-idempotence-invalide": "Invalid idempotency key: 1 to 128 visible ASCII characters",
    "cle-idempotence-reutilisee": "This idempotency key was already used for another request",
    "requete-en-cours": "A request with this idempotency key is still being processed: try "
    "again in a moment to get its answer",
    "methode-non-autorisee": "HTTP method not allowed on this endpoint",
    "format-non-accepte": "Unsupported response format: use application/fhir+json",
    "service-indisponible": "Service temporarily unavailable: try again later",
    "erreur-interne": "Internal error: the incident has been recorded",
    "sujet-inconnu": "Unknown subscription topic: see the topics published in /metadata",
    "canal-non-pris-en-charge": "Unsupported notification channel: rest-hook, "
    "application/fhir+json, id-only content",
    "point-de-terminaison-non-enregistre": "Notification endpoint not registered for this provider",
    "filtre-non-pris-en-charge": "Unsupported subscription filter criterion",
    "motif-non-adapte": "This reason does not fit a request for information: use a "
    "complement-* reason",
    "texte-trop-long": "Text too long: summarise it, or attach the document",
    "demande-complement-absente": "The answer must name the request for information it answers "
    "(basedOn: CommunicationRequest/[id])",
    "complement-deja-fourni": "This request for information has already been answered",
    "statut-communication-invalide": "An answer sent has the status « completed »",
    "communication-vide": "The answer carries neither text nor attachment",
    "pieces-jointes-trop-nombreuses": "Too many attachments in one answer: send the others in a "
    "further answer",
    "piece-jointe-trop-lourde": "Attachment too large: lower the scan's resolution or split the "
    "document",
    "type-piece-jointe-refuse": "Attachment type refused: PDF, PNG or JPEG only",
    "piece-jointe-illisible": "Unreadable attachment: the content must be attached in base64 "
    "in data",
    "piece-jointe-non-conforme": "The attachment's content does not match its declared type",
}

_TABLES: Final[dict[str, dict[str, str]]] = {"fr": ALL_REASONS, "ar": ARABIC, "en": ENGLISH}


_WORDINGS: Final[dict[str, Wording]] = {
    "fr": wording_fr.WORDING,
    "ar": wording_ar.WORDING,
    "en": wording_en.WORDING,
}


def wording(lang: str = DEFAULT_LANGUAGE) -> Wording:
    """The answers' sentences in a language (French when the language is not ours)."""
    return _WORDINGS.get(lang, wording_fr.WORDING)


def label(code: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The label of a reason code in a language (French when the language is not ours)."""
    table = _TABLES.get(lang, ALL_REASONS)
    return table.get(code) or ALL_REASONS.get(code) or code


def pick_language(accept_language: str | None) -> str:
    """The best of fr, ar, en for an Accept-Language header (fr when nothing matches)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for tag, q in _ranges(accept_language or ""):
        lang = _ours(tag)
        # Strictly greater: on a tie the earlier range wins, as the header's order is a hint.
        if lang is not None and q > best_q:
            best, best_q = lang, q
    return best


def _ranges(header: str) -> list[tuple[str, float]]:
    """The language ranges of a header with their weights, weight 0 left out."""
    ranges = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        q = _weight(params)
        if tag and q > 0:
            ranges.append((tag.strip().lower(), q))
    return ranges


def _weight(params: str) -> float:
    """The q value of a range's parameters (1 when absent, 0 when malformed)."""
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0
    return 1.0


def _ours(tag: str) -> str | None:
    """Which of our languages a range designates (`*` means our default)."""
    if tag == "*":
        return DEFAULT_LANGUAGE
    primary = tag.split("-")[0]
    return primary if primary in LANGUAGES else None
