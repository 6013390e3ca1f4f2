"""Comparing Turkish text: search and matching that work the same on SQLite and PostgreSQL.

Neither database lower-cases Turkish I/İ correctly (SQLite folds ASCII letters only), so the
portal compares folded text in Python (`fold`) or asks the database for every case form of the
search text (`search_variants`).
"""

from __future__ import annotations

_FOLD = str.maketrans({"İ": "i", "I": "i", "ı": "i", "Ş": "s", "ş": "s", "Ğ": "g", "ğ": "g", "Ü": "u", "ü": "u",
                       "Ö": "o", "ö": "o", "Ç": "c", "ç": "c", "Â": "a", "â": "a", "Î": "i", "î": "i",
                       "Û": "u", "û": "u"})


def fold(text: str) -> str:
    """Lower-case, Turkish letters folded to ASCII: "Şikâyet İŞLEMLERİ" -> "sikayet islemleri"."""
    return (text or "").translate(_FOLD).lower()


def search_variants(text: str) -> set[str]:
    """The search text in its Turkish lower, upper and title forms, for a database `icontains`
    that folds only ASCII letters: "ışık" also finds "IŞIK" and "Işık"."""
    lower = text.replace("I", "ı").replace("İ", "i").lower()
    upper = text.replace("i", "İ").replace("ı", "I").upper()
    title = " ".join(w[:1].replace("i", "İ").replace("ı", "I").upper() + w[1:] for w in lower.split(" "))
    return {text, lower, upper, title, lower.capitalize(), upper[:1] + lower[1:]}
