"""Finding gazetteer actors in text: inflection- and case-aware token matching, then merging per article.

Forms are stored in base form; a text token matches a form token when it is the same word or the
form's stem plus an inflectional ending of Bulgarian, Russian, Ukrainian or English. Capitalised
forms keep their first letter's case (so "Запада" is the West but "запада" is a direction);
lower-case forms (role titles) match in any case; abbreviations match exactly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from stancekit.actors.gazetteer import ActorEntry, Gazetteer

TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)

#: Inflectional endings tried after a form's stem (Bulgarian articles and plurals, Russian and
#: Ukrainian case endings, English possessives). Longer lists raise recall and false matches alike.
ENDINGS = frozenset(
    [
        "а",
        "я",
        "у",
        "ю",
        "е",
        "и",
        "ы",
        "і",
        "ї",
        "о",
        "ь",
        "й",
        "ът",
        "ят",
        "та",
        "то",
        "те",
        "ия",
        "ият",
        "ите",
        "ове",
        "овете",
        "ета",
        "ето",
        "ом",
        "ем",
        "ём",
        "ой",
        "ей",
        "ою",
        "ею",
        "ым",
        "им",
        "ах",
        "ях",
        "ам",
        "ям",
        "ами",
        "ями",
        "ов",
        "ев",
        "ий",
        "ая",
        "ое",
        "ые",
        "ого",
        "его",
        "ому",
        "ему",
        "ую",
        "юю",
        "ові",
        "еві",
        "ою",
        "ою",
        "ам",
        "ям",
        "ах",
        "ях",
        "ом",
        "'s",
        "’s",
        "s",
        "es",
    ]
)
_VOWELS = set("аеиоуъюяыіїєaeiouyьй")
STRONG_KINDS = ("name", "aliases", "metonyms")
_KIND_RANK = {"name": 0, "aliases": 1, "metonyms": 2, "roles": 3, "short": 4}


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


@dataclass(frozen=True)
class _FormToken:
    text: str
    lower: str
    stem: str
    exact: bool  # abbreviations and very short words never inflect
    cased: bool  # the first letter's case must agree

    @classmethod
    def of(cls, word: str) -> _FormToken:
        lower = word.lower()
        is_abbrev = len(word) > 1 and word.isupper()
        exact = is_abbrev or len(word) < 3
        stem = lower
        if not exact and len(lower) > 3 and lower[-1] in _VOWELS:
            stem = lower[:-1]
        return cls(word, lower, stem, exact, word[:1].isupper())

    def matches(self, tok: str) -> bool:
        if self.exact:
            return tok == self.text
        if self.cased and tok[:1] != self.text[:1]:
            return False
        low = tok.lower()
        if low == self.lower:
            return True
        for base in (self.lower, self.stem):
            if low.startswith(base):
                rest = low[len(base) :].removeprefix("-")
                if rest in ENDINGS:
                    return True
        return False


@dataclass(frozen=True)
class _Form:
    actor_id: str
    kind: str
    tokens: tuple[_FormToken, ...]
    text: str


@dataclass(frozen=True)
class ActorMention:
    """One place in a text where an actor is named."""

    actor_id: str
    text: str
    start: int
    end: int
    kind: str  # name | aliases | metonyms | roles | short | ner | label


def _key(word: str) -> str:
    return word.lower()[:3]


class GazetteerMatcher:
    """Compiled gazetteer: finds every actor mention in a text."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self._index: dict[str, list[_Form]] = defaultdict(list)
        for entry in gazetteer.entries.values():
            self._add_entry(entry)
        for forms in self._index.values():
            forms.sort(key=lambda f: (-len(f.tokens), _KIND_RANK[f.kind]))

    def _add_entry(self, entry: ActorEntry) -> None:
        seen: set[tuple[str, str]] = set()
        for kind in ("name", "aliases", "metonyms", "roles", "short"):
            for forms in entry.forms.get(kind, {}).values():
                for form in forms:
                    words = [t.text for t in tokenize(form)]
                    if not words or (kind, form) in seen:
                        continue
                    seen.add((kind, form))
                    if kind == "roles":
                        words = [w.lower() for w in words]
                    self._index[_key(words[0])].append(
                        _Form(entry.id, kind, tuple(_FormToken.of(w) for w in words), form)
                    )

    def _match_at(self, text: str, tokens: list[Token], i: int) -> list[tuple[int, _Form]]:
        found = []
        tok = tokens[i].text
        for form in self._index.get(_key(tok), ()):
            n = len(form.tokens)
            if i + n > len(tokens):
                continue
            ok = True
            for j, ft in enumerate(form.tokens):
                if j and text[tokens[i + j - 1].end : tokens[i + j].start].strip():
                    ok = False  # words of a form must be adjacent
                    break
                if not ft.matches(tokens[i + j].text):
                    ok = False
                    break
            if ok:
                found.append((i + n, form))
        return found

    def find(self, text: str) -> list[ActorMention]:
        """All actor mentions in ``text``, overlaps resolved and weak forms resolved per article."""
        tokens = tokenize(text)
        candidates: list[tuple[int, int, _Form]] = []
        for i in range(len(tokens)):
            for end, form in self._match_at(text, tokens, i):
                candidates.append((i, end, form))
        # Longest match first, then a form of an actor named in the text, then the stronger kind;
        # a chosen span blocks every overlapping one.
        named = {f.actor_id for _, _, f in candidates if f.kind in STRONG_KINDS}
        candidates.sort(
            key=lambda c: (-(c[1] - c[0]), c[2].actor_id not in named, _KIND_RANK[c[2].kind], c[0])
        )
        taken = [False] * len(tokens)
        chosen: list[tuple[int, int, _Form]] = []
        for start, end, form in candidates:
            if any(taken[start:end]):
                continue
            for k in range(start, end):
                taken[k] = True
            chosen.append((start, end, form))
        chosen.sort(key=lambda c: c[0])
        strong = {f.actor_id for _, _, f in chosen if f.kind in STRONG_KINDS}
        starts = {s: f for s, _, f in chosen}
        mentions: list[ActorMention] = []
        for start, end, form in chosen:
            if form.kind not in STRONG_KINDS:
                if form.actor_id not in strong:
                    continue  # a bare surname or title only resolves to an actor named in the article
                nxt = starts.get(end)
                if form.kind == "roles" and nxt is not None and nxt.kind in STRONG_KINDS:
                    continue  # "the Russian president Vladimir Putin": the name that follows decides
            s, e = tokens[start].start, tokens[end - 1].end
            mentions.append(ActorMention(form.actor_id, text[s:e], s, e, form.kind))
        return mentions
