"""Cyrillic → Latin transliteration, so English text finds actors the gazetteer names in Cyrillic.

Bulgarian follows the official Streamlined System (2009); Russian and Ukrainian follow the common
passport-style systems ("Песков" → "Peskov", "Київ" → "Kyiv").
"""

from __future__ import annotations

_COMMON = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ь": "",
    "ю": "yu",
    "я": "ya",
    "ё": "e",
    "ы": "y",
    "э": "e",
}
TABLES = {
    "bg": {**_COMMON, "х": "h", "щ": "sht", "ъ": "a", "ь": "y"},
    "ru": dict(_COMMON),
    "uk": {
        **_COMMON,
        "г": "h",
        "ґ": "g",
        "и": "y",
        "і": "i",
        "ї": "yi",
        "є": "ye",
        "'": "",
        "’": "",
    },
}


def to_latin(text: str, lang: str = "bg") -> str:
    """Transliterate Cyrillic letters (keeping case); other characters pass through."""
    table = TABLES.get(lang, TABLES["ru"])
    out = []
    for i, ch in enumerate(text):
        low = ch.lower()
        if low in table:
            rep = table[low]
            if lang == "uk" and low == "ї" and i and text[i - 1].isalpha():
                rep = "i"  # "Київ" → "Kyiv": yi only at the start of a word
            out.append(rep.capitalize() if ch != low and rep else rep)
        else:
            out.append(ch)
    return "".join(out)


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in text)
