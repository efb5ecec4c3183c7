"""The payments' charts and the statement's filing days."""

FR = {
    "charts.title": "Délais et paiements par mois",
    "charts.intro": "Pour les demandes payées, le délai entre leur acceptation et leur "
    "paiement, et ce qui a été payé, selon le mois du paiement.",
    "charts.delay": "Délai de paiement (jours)",
    "charts.delay.desc": "{months} mois. En {month} : délai médian {median} jours, "
    "90 % des demandes payées en {p90} jours au plus.",
    "charts.paid": "Montants payés",
    "charts.paid.desc": "{months} mois. En {month} : {amount} payés.",
    "charts.figures": "Les chiffres",
    "charts.col.month": "Mois",
    "charts.col.paid": "Demandes payées",
    "charts.col.median": "Délai médian (jours)",
    "charts.col.p90": "90e centile (jours)",
    "charts.col.amount": "Montant payé",
    "charts.csv": "Télécharger ces chiffres (CSV)",
    "charts.none": "Aucune demande payée pour l'instant.",
    "charts.filed-from": "Demandes déposées du",
    "charts.filed-to": "au (inclus)",
}

AR = {
    "charts.title": "الآجال والأداءات حسب الشهر",
    "charts.intro": "بالنسبة للطلبات المؤداة: المدة بين قبولها وأدائها، وما تم أداؤه، حسب شهر "
    "الأداء.",
    "charts.delay": "أجل الأداء (بالأيام)",
    "charts.delay.desc": "{months} شهر. في {month}: الأجل الوسيط {median} يوم، "
    "و90 % من الطلبات أديت في {p90} يوم على الأكثر.",
    "charts.paid": "المبالغ المؤداة",
    "charts.paid.desc": "{months} شهر. في {month}: تم أداء {amount}.",
    "charts.figures": "الأرقام",
    "charts.col.month": "الشهر",
    "charts.col.paid": "الطلبات المؤداة",
    "charts.col.median": "الأجل الوسيط (أيام)",
    "charts.col.p90": "المئين 90 (أيام)",
    "charts.col.amount": "المبلغ المؤدى",
    "charts.csv": "تحميل هذه الأرقام (CSV)",
    "charts.none": "لا يوجد أي طلب مؤدى حاليا.",
    "charts.filed-from": "الطلبات المودعة من",
    "charts.filed-to": "إلى (مشمول)",
}

EN = {
    "charts.title": "Delays and payments by month",
    "charts.intro": "For the claims paid, the time from their acceptance to their payment, "
    "and what was paid, by month of payment.",
    "charts.delay": "Time to payment (days)",
    "charts.delay.desc": "{months} month(s). In {month}: median {median} days, 90% of the "
    "claims paid within {p90} days.",
    "charts.paid": "Amounts paid",
    "charts.paid.desc": "{months} month(s). In {month}: {amount} paid.",
    "charts.figures": "The figures",
    "charts.col.month": "Month",
    "charts.col.paid": "Claims paid",
    "charts.col.median": "Median (days)",
    "charts.col.p90": "90th percentile (days)",
    "charts.col.amount": "Amount paid",
    "charts.csv": "Download these figures (CSV)",
    "charts.none": "No claim paid yet.",
    "charts.filed-from": "Claims filed from",
    "charts.filed-to": "to (included)",
}
