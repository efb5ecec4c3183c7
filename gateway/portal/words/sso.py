"""Signing in to the console with a payer's own identity provider."""

from __future__ import annotations

from typing import Final

FR: Final[dict[str, str]] = {
    "login.sso.with": "Se connecter avec le compte {payer}",
    "login.sso.refused": (
        "Connexion refusée : votre identité n'a pas pu être confirmée, ou aucun compte actif de "
        "cet organisme ne porte cette adresse. Demandez à l'administrateur de votre organisme."
    ),
    "login.sso.expired": "La connexion a expiré ou a déjà servi : recommencez.",
    "login.sso.unreachable": "Le service d'identité de l'organisme ne répond pas : réessayez.",
    "login.sso.throttled": "Trop de tentatives de connexion : réessayez dans quelques minutes.",
}
AR: Final[dict[str, str]] = {
    "login.sso.with": "الدخول بحساب {payer}",
    "login.sso.refused": (
        "رُفض الدخول: تعذّر تأكيد هويتك، أو لا يوجد حساب نشط لهذه الهيئة بهذا العنوان. "
        "اتصل بمسؤول هيئتك."
    ),
    "login.sso.expired": "انتهت صلاحية الدخول أو سبق استعماله: أعد المحاولة.",
    "login.sso.unreachable": "خدمة الهوية الخاصة بالهيئة لا تستجيب: أعد المحاولة.",
    "login.sso.throttled": "محاولات دخول كثيرة: أعد المحاولة بعد بضع دقائق.",
}
EN: Final[dict[str, str]] = {
    "login.sso.with": "Sign in with your {payer} account",
    "login.sso.refused": (
        "Sign-in refused: your identity could not be confirmed, or no active account of this "
        "organization has that address. Ask your organization's administrator."
    ),
    "login.sso.expired": "The sign-in expired or was already used: start again.",
    "login.sso.unreachable": "The organization's identity service does not answer: try again.",
    "login.sso.throttled": "Too many sign-in attempts: try again in a few minutes.",
}
