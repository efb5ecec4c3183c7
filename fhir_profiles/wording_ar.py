"""The answers' sentences in Arabic, translating `fhir_profiles.wording_fr`.

Written in logical order; right to left is the reader's display. Codes, FHIR element names and
dates keep their Latin characters and Western digits, as Moroccan administrative texts write
them.
"""

from __future__ import annotations

from typing import Final

from domain.prior_auth import PaStatus
from fhir_profiles.wording import Wording

RESUMES: Final = "تُستأنف دراسة الطلب عند التوصل بها."

WORDING: Final = Wording(
    language="ar",
    while_pending={
        "examen-medical": "انتظروا قرار المراقبة الطبية، المرتقب في أجل أقصاه {deadline}؛ "
        "وأجيبوا دون تأخير عن كل طلب لمعلومات إضافية.",
        "hors-liste-medicaments-couteux": "تحققوا من رمز EAN-13 للدواء؛ وإلا فإن المراقبة "
        "الطبية تدرس الطلب على أساس الوصفة الطبية والتقرير الطبي.",
        "indication-non-couverte": "أرسلوا التقرير الطبي الذي يبرر دواعي الاستعمال والمرض "
        "المزمن أو المكلف (ALD/ALC) للمريض، أو طلب الاعتراف له بهذا المرض.",
        "specialite-non-autorisee": "حددوا تخصص الطبيب الواصف (careTeam.qualification، نظام "
        "الرموز specialty) أو أرسلوا وصفة طبيب واصف مؤهل.",
        "quantite-au-dela-du-plafond": "بَرِّروا الكمية في التقرير الطبي، أو أودعوا طلبا جديدا "
        "في حدود سقف الفترة.",
    },
    while_information={
        "complement-compte-rendu": "أرسلوا التقرير الطبي المطلوب إلى الهيئة المؤدية: تُستأنف "
        "دراسة الطلب عند التوصل به.",
        "complement-piece-manquante": f"أرسلوا الوثيقة الناقصة إلى الهيئة المؤدية: {RESUMES}",
        "complement-ordonnance": f"أرسلوا الوصفة الطبية إلى الهيئة المؤدية: {RESUMES}",
        "complement-resultats-examens": "أرسلوا نتائج التحاليل أو الفحوصات المطلوبة إلى الهيئة "
        f"المؤدية: {RESUMES}",
        "complement-imagerie": "أرسلوا تقرير التصوير الطبي إلى الهيئة المؤدية: تُستأنف دراسة "
        "الطلب عند التوصل به.",
        "complement-devis": "أرسلوا التقدير المفصل لتكلفة العلاجات إلى الهيئة المؤدية: تُستأنف "
        "دراسة الطلب عند التوصل به.",
        "complement-precisions": "أجيبوا عن ملاحظة المراقبة الطبية: تُستأنف دراسة الطلب عند "
        "التوصل بجوابكم.",
    },
    always={
        "droits-non-ouverts": "تحققوا من حقوق المريض (طلب الأهلية) ومن تسجيله في الصندوق "
        "الوطني للضمان الاجتماعي أو انخراطه في الصندوق الوطني لمنظمات الاحتياط الاجتماعي؛ "
        "يمكن إيداع طلب جديد بعد فتح الحقوق.",
        "code-hors-nomenclature": "رمّزوا السطر برمز EAN-13 (GS1) إذا تعلق الأمر بدواء، أو في "
        "نظام الرموز care-category للبوابة إذا تعلق بعمل طبي أو إقامة، ثم أودعوا طلبا جديدا "
        "لهذا السطر.",
        "ligne-non-accordee": "لا يمكن فوترة هذا السطر بنظام الثالث المؤدي في إطار هذا التكفل؛ "
        "يظل إيداع طلب جديد معلل ممكنا.",
        "refus-non-justifie": "يظل إيداع طلب جديد ممكنا بملف طبي يبرر العلاجات.",
        "refus-hors-nomenclature": "العمل أو المنتج غير قابل للتعويض: لا يمكن فوترته للهيئة "
        "المؤدية بنظام الثالث المؤدي.",
    },
    provisional="أرسلوا ملف القبول إلى المراقبة الطبية قصد التسوية في أجل أقصاه {deadline}: "
    "لا تسري الموافقة المؤقتة إلا إلى حين تأكيدها.",
    states={
        PaStatus.REQUESTED: "انتظروا قرار الهيئة المؤدية، المرتقب في أجل أقصاه {deadline}.",
        PaStatus.INFO_REQUESTED: f"أرسلوا إلى الهيئة المؤدية الوثائق المطلوبة: {RESUMES}",
        PaStatus.GRANTED: "فوتروا العلاجات الموافق عليها إلى غاية {valid_until} مع ذكر مرجع "
        "التكفل (preAuthRef).",
        PaStatus.PARTIAL: "فوتروا العلاجات الموافق عليها وحدها، إلى غاية {valid_until}، مع ذكر "
        "مرجع التكفل (preAuthRef).",
        PaStatus.REFUSED: "يمكن إيداع طلب جديد مرفق بالوثائق المثبتة.",
        PaStatus.CONSUMED: "استُعملت الموافقة بالكامل: أودعوا طلبا جديدا لعلاجات إضافية.",
        PaStatus.EXPIRED: "انتهت صلاحية الموافقة بتاريخ {valid_until}: أودعوا طلبا جديدا "
        "للعلاجات المقبلة.",
        PaStatus.CANCELLED: "لم يعد ممكنا فوترة أي شيء في إطار هذا التكفل.",
    },
    status_labels={
        PaStatus.REQUESTED: "طلب في انتظار قرار الهيئة المؤدية",
        PaStatus.INFO_REQUESTED: "طلبت المراقبة الطبية معلومات إضافية",
        PaStatus.GRANTED: "تمت الموافقة على التكفل",
        PaStatus.PARTIAL: "تمت الموافقة على التكفل جزئيا",
        PaStatus.REFUSED: "رُفض التكفل",
        PaStatus.CONSUMED: "استُعمل التكفل بالكامل",
        PaStatus.EXPIRED: "انتهت صلاحية التكفل",
        PaStatus.CANCELLED: "أُلغي التكفل",
    },
    provisional_grant="تمت الموافقة على التكفل بصفة مؤقتة (قبول استعجالي)",
    decision_due="، والقرار مرتقب في أجل أقصاه {deadline}",
    valid_between="، صالح من {start} إلى {end}",
    preauthorization="طلب تكفل مسبق",
    billing_steps={
        "code-hors-nomenclature": "رمّزوا السطر برمز EAN-13 (GS1) أو بحرف مفتاح NGAP أو بعمل "
        "NABM أو بجزاف أو بيوم استشفاء (أنظمة رموز البوابة)، ثم أودعوه من جديد.",
        "pieces-manquantes": "أرسلوا الوثائق الناقصة: سيُدرس السطر عند التوصل بها.",
        "accord-prealable-requis": "اطلبوا تكفلا مسبقا، ثم فوتروا السطر مع ذكر مرجعه (preAuthRef).",
        "depassement-tarif": "يبقى التجاوز على عاتق المريض أو تأمينه التكميلي.",
        "doublon": "إذا كان الطلب السابق خاطئا فألغوه (Task cancel) أو عوّضوه بطلب يحيل عليه "
        "(Claim.related)؛ وإلا فلا تفوتروا السطر مرة ثانية.",
        "ordonnance-deja-servie": "تحققوا من مرجع الوصفة: بعد صرفها لدى صيدلية أخرى لم تعد تُصرف "
        "في إطار الثالث المؤدي.",
        "renouvellement-premature": "ما زال العلاج المصروف سابقا يغطي هذا التاريخ: فوتروا التجديد "
        "ابتداء من يوم انتهائه.",
        "plafond-atteint": "يبقى الباقي على عاتق المريض أو تأمينه التكميلي.",
        "medicament-inconnu": "تحققوا من رمز EAN-13 للدواء.",
        "tarif-introuvable": "تحققوا من الرمز ومن تاريخ العلاج.",
        "quantite-au-dela-prescription": "يبقى الفائض على عاتق المريض: أرفقوا الوصفة التي تبرر "
        "الكمية المصروفة (Claim.prescription)، أو فوتروا الكمية الموصوفة.",
        "complementaire-inconnue": "تحققوا من هيئة التغطية التكميلية للمريض ومن رمزها (النظام "
        "https://fhir.tiers-payant.ma/sid/complementary)؛ يأخذها تصحيح الطلب (Claim.related) "
        "بعين الاعتبار.",
    },
    claim="طلب تعويض",
    processed="عولج الطلب",
    estimate="تقدير",
    ro_share="{said}: حصة التأمين الإجباري عن المرض {amount} درهم",
    payment_due="، والأداء مرتقب بتاريخ {day}",
    colon=": ",
    semicolon="؛ ",
    moment_format="%d/%m/%Y على الساعة %H:%M بالتوقيت العالمي المنسق (UTC)",
    day_format="%d/%m/%Y",
)
