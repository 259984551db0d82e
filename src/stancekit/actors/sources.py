"""Outlets cited as sources are not actors (LABELS.md): "според Ройтерс", "as Reuters reported".

A media actor (gazetteer type ``media``, or a discovered organisation whose name says it is an
outlet) is kept only if at least one of its mentions is not a citation, i.e. the article does
something with the outlet besides quoting it as the source of news: it is banned, accused,
argues, takes a side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stancekit.actors.matcher import ActorMention

_Q = r"[\"„“”«»'’]?"
# What stands right before a cited outlet: an attribution or a reporting verb addressed to it.
_BEFORE = re.compile(
    r"(?:according to|citing|cited by|quoted by|reported by|as reported by|told|"
    r"in an interview (?:with|to)|interview with|(?:said|says|wrote|writes|reported|reports)"
    r"(?: to| in| on)?|"
    r"според|по данни на|по информация на|цитиран[аио]? от|цитира|съобщ\w*|пише|писа|предава|"
    r"предаде|информира|пред|интервю за|изявление за|коментар за|каза за|заяви за|"
    r"по данным|по информации|как сообщ\w*|сообщ\w*|переда[её]т|пишет|писал\w*|со ссылкой на|"
    r"согласно|в интервью|заявил\w*|сказал\w*|рассказал\w*|пояснил\w*|"
    r"за даними|як повідомля\w*|повідомля\w*|з посиланням на|в інтерв['’]ю|"
    r"отбеляз\w*|посоч\w*|добав\w*|подчерт\w*|коментир\w*|твърд\w*|"
    r"отмеча\w*|отметил\w*|указыва\w*|уточня\w*|добавля\w*|notes|noted|adds|added|"
    r"снимк[аи]:|фото:|photos?:|source:|източник:|источник:|джерело:|credit:|"
    r"\(|—|–|-)\s*(?:[\w.]+\s*/\s*)*(?:the\s+)?(?:агенция|агентство|агентству|изданието|издание|изданию|вестник|"
    r"вестника|газета|газете|телевизия|телеканал|телеканалу|сайт|сайта|портал|outlet|newspaper|"
    r"agency|broadcaster)?\s*" + _Q + r"\s*$",
    re.IGNORECASE,
)
# What follows a cited outlet: a reporting verb or the closing bracket of a dateline "(Reuters)".
_AFTER = re.compile(
    r"^\s*" + _Q + r"\s*(?:\)|,\s*citing|(?:has |had )?(?:reported|reports|reporting|said|says|"
    r"wrote|writes|quoted|cited|learned|learnt)\b|"
    r"съобщ\w*|пише\b|писа\b|предаде\b|предава\b|информира\b|цитира\b|"
    r"сообщ\w*|пишет\b|переда\w*|информир\w*|повідом\w*)",
    re.IGNORECASE,
)
_OUTLET_WORDS = re.compile(
    r"\b(?:News|Times|Post|Journal|Review|Daily|Gazette|Herald|Telegraph|Tribune|Radio|TV|"
    r"Television|Magazine|Channel|Press|Agency|Media|вестник|агенция|агентство|телевизия|"
    r"телеканал|радио|газета|издание|новини|новости|новини)\b",
    re.IGNORECASE,
)


def looks_like_outlet(name: str) -> bool:
    """A discovered organisation named like a news outlet ("The Unz Review", "агенция Синхуа")."""
    return bool(_OUTLET_WORDS.search(name))


def is_citation(text: str, mention: ActorMention, window: int = 60) -> bool:
    """Is this mention the source of a report rather than an actor in it?"""
    head = text[max(0, mention.start - window) : mention.start]
    tail = text[mention.end : mention.end + window]
    return bool(_BEFORE.search(head) or _AFTER.search(tail))


def cited_only(text: str, mentions: Sequence[ActorMention]) -> bool:
    """Every mention of the outlet is a citation: it is not an actor of this article."""
    return bool(mentions) and all(is_citation(text, m) for m in mentions)
