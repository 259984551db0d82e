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

from stancekit.actors.gazetteer import FORM_KINDS, ActorEntry, Gazetteer
from stancekit.actors.translit import TABLES, is_cyrillic, to_latin

# Words, with inner apostrophes ("прем'єр"), and dotted abbreviations ("U.S.", "J.D."). Hyphens
# split words, so "Украйна-САЩ" and "US-led" expose their names; a form written with a hyphen
# ("Дае-ки", "ПП-ДБ") matches its parts joined by a hyphen or dash.
TOKEN_RE = re.compile(r"(?:\w\.){2,}|\w+(?:['’]\w+)*", re.UNICODE)
_JOINERS = " \t\n-‐–—"
#: Adjective endings (Russian/Ukrainian/Bulgarian) whose two letters go to reach the declension stem:
#: "Зеленский" → "Зеленск-ого", "Российская" → "Российск-ой".
_ADJ_ENDINGS = ("ий", "ый", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ій")
_FOLD = str.maketrans({"‐": "-", "–": "-", "’": "'", "ё": "е", "Ё": "Е"})

#: Inflectional endings tried after a form's stem (Bulgarian articles and plurals, Russian and
#: Ukrainian case endings, English possessives). Longer lists raise recall and false matches alike.
ENDINGS = frozenset(
    """
    а я у ю е и ы і ї о ь й
    ът ят та то те ия ият ите ове овете ета ето
    ом ем ём ой ей ою ею ым им ах ях ам ям ами ями ов ев ий ая ое ые ого его ому ему ую юю
    х их ых ими ыми
    ові еві ої ій ім
    's ’s s es
    """.split()
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


def fold(word: str) -> str:
    """Spelling variants that should not matter for matching: dashes, apostrophes, ё."""
    return word.translate(_FOLD)


#: How well a text token matches a form token.
NO, STEM, EXACT = 0, 1, 2


@dataclass(frozen=True)
class _FormToken:
    text: str
    lower: str
    stem: str
    exact: bool  # abbreviations and very short words never inflect
    cased: bool  # the first letter's case must agree
    adj_stem: str | None = None  # declension stem of an adjective-like word

    @classmethod
    def of(cls, word: str) -> _FormToken:
        word = fold(word)
        lower = word.lower()
        is_abbrev = len(word) > 1 and word.replace(".", "").isupper()
        exact = is_abbrev or len(word) < 3
        stem = lower
        if not exact and len(lower) > 3 and lower[-1] in _VOWELS:
            stem = lower[:-1]
        adj = lower[:-2] if not exact and len(lower) > 5 and lower.endswith(_ADJ_ENDINGS) else None
        return cls(word, lower, stem, exact, word[:1].isupper(), adj)

    def match(self, tok: str, low: str | None = None) -> int:
        """How well ``tok`` matches; with ``low`` given, ``tok`` is already folded and ``low`` is
        its lower case (the matcher folds each text token once, not once per form)."""
        if low is None:
            tok = fold(tok)
            low = tok.lower()
        if self.exact:
            return EXACT if tok == self.text else NO
        if self.cased and tok[:1] != self.text[:1]:
            return NO
        if low == self.lower:
            return EXACT
        for base in (self.lower, self.stem, self.adj_stem):
            if base is None:
                continue
            rest = low[len(base) :]
            # an empty ending after the stem: genitive plurals ("войска" → "войск")
            if low.startswith(base) and (rest in ENDINGS or not rest):
                return STEM
        return NO


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


def derived_forms(entry: ActorEntry) -> list[tuple[str, str, str]]:
    """(kind, language, form) for the entry's own forms plus two derived kinds.

    - a person's surname (the last word of each name) becomes a short form, so "Песков" resolves to
      Dmitry Peskov once the article has named him;
    - Cyrillic names and aliases get a Latin transliteration under ``en`` unless English forms
      already spell them, so "Kostadin Kostadinov" is found in English text.
    """
    out = [
        (kind, lang, form)
        for kind in FORM_KINDS
        for lang, forms in entry.forms.get(kind, {}).items()
        for form in forms
    ]
    own = {form for _, _, form in out}
    extra: list[tuple[str, str, str]] = []
    if entry.type == "person":
        for lang, names in entry.forms.get("name", {}).items():
            for name in names:
                words = name.split()
                if len(words) > 1 and len(words[-1]) > 2 and words[-1] not in own:
                    extra.append(("short", lang, words[-1]))
    for kind, lang, form in out + extra:
        # abbreviations and very short words transliterate into English words ("ЕС" → "Yes")
        if (
            kind in ("name", "aliases", "short")
            and lang in TABLES
            and is_cyrillic(form)
            and len(form) > 3
            and not form.isupper()
        ):
            latin = to_latin(form, lang)
            if latin not in own:
                extra.append((kind, "en", latin))
    return list(dict.fromkeys(out + extra))


def _key(word: str) -> str:
    """The index key of a form's first word: its first four letters where every way it can match
    (the word, its stem, an adjective's stem) is at least four letters long, else three. A text
    token is looked up under both, so fewer forms are tried per token at the same recall."""
    ft = _FormToken.of(word)
    bases = [ft.lower] if ft.exact else [b for b in (ft.lower, ft.stem, ft.adj_stem) if b]
    return ft.lower[:4] if min(map(len, bases)) >= 4 else ft.lower[:3]


class GazetteerMatcher:
    """Compiled gazetteer: finds every actor mention in a text.

    With the article's language known, only that language's forms (and the Latin-script English
    ones, which cannot collide with Cyrillic words) are tried, so a Bulgarian alias does not fire on
    a Russian word that happens to share its spelling.
    """

    ANY = "*"

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self._index: dict[str, dict[str, list[_Form]]] = defaultdict(lambda: defaultdict(list))
        for entry in gazetteer.entries.values():
            self._add_entry(entry)
        for by_key in self._index.values():
            for forms in by_key.values():
                forms.sort(key=lambda f: (-len(f.tokens), _KIND_RANK[f.kind]))
        self.languages = frozenset(self._index) - {self.ANY}

    def _add_entry(self, entry: ActorEntry) -> None:
        seen: set[tuple[str, str, str]] = set()
        for kind, lang, form in derived_forms(entry):
            words = [t.text for t in tokenize(form)]
            if not words:
                continue
            if kind == "roles":
                words = [w.lower() for w in words]
            compiled = _Form(entry.id, kind, tuple(_FormToken.of(w) for w in words), form)
            for index in (lang, self.ANY):
                if (index, kind, form) not in seen:
                    seen.add((index, kind, form))
                    self._index[index][_key(words[0])].append(compiled)

    def _indexes(self, lang: str | None) -> list[dict[str, list[_Form]]]:
        if lang and lang in self.languages:
            return [self._index[lang]] + (
                [self._index["en"]] if lang != "en" and "en" in self.languages else []
            )
        return [self._index[self.ANY]]

    def _candidates(
        self, text: str, tokens: list[Token], lang: str | None
    ) -> list[tuple[int, int, int, _Form]]:
        """(start, end, exact tokens, form) for every form matching at every token."""
        out = []
        indexes = self._indexes(lang)
        folded = [fold(t.text) for t in tokens]
        lowered = [f.lower() for f in folded]
        for i in range(len(tokens)):
            low = lowered[i]
            for index in indexes:
                forms = index.get(low[:3], ())
                if len(low) >= 4 and low[:4] in index:
                    forms = [*forms, *index[low[:4]]]
                for form in forms:
                    n = len(form.tokens)
                    if i + n > len(tokens):
                        continue
                    exact = 0
                    for j, ft in enumerate(form.tokens):
                        gap = text[tokens[i + j - 1].end : tokens[i + j].start] if j else ""
                        # words of a form must be adjacent; an initial may keep its dot ("George W. Bush")
                        if gap.strip(_JOINERS) and not (
                            gap.strip() == "." and len(tokens[i + j - 1].text) == 1
                        ):
                            break
                        quality = ft.match(folded[i + j], lowered[i + j])
                        if quality == NO:
                            break
                        exact += quality == EXACT
                    else:
                        out.append((i, i + n, exact, form))
        return out

    def find(self, text: str, lang: str | None = None) -> list[ActorMention]:
        """All actor mentions in ``text``, overlaps resolved and weak forms resolved per article."""
        tokens = tokenize(text)
        candidates = self._candidates(text, tokens, lang)
        strong_starts = {c[0] for c in candidates if c[3].kind in STRONG_KINDS}
        # "the Russian president Vladimir Putin": the name that follows a title decides, and the
        # title's words stay free for other actors ("лидерът на Възраждане Костадин Костадинов").
        candidates = [c for c in candidates if not (c[3].kind == "roles" and c[1] in strong_starts)]
        named = {c[3].actor_id for c in candidates if c[3].kind in STRONG_KINDS}
        # Longest match first, then a form of an actor named in the text, then more words matched
        # exactly (not through an ending), then the stronger kind.
        candidates.sort(
            key=lambda c: (
                -(c[1] - c[0]),
                c[3].actor_id not in named,
                -c[2],
                _KIND_RANK[c[3].kind],
                c[0],
            )
        )
        dropped: set[int] = set()
        for _ in range(4):
            taken = [False] * len(tokens)
            chosen: list[tuple[int, int, _Form]] = []
            for n, (start, end, _, form) in enumerate(candidates):
                if n in dropped or any(taken[start:end]):
                    continue
                taken[start:end] = [True] * (end - start)
                chosen.append((start, end, form))
            strong = {f.actor_id for _, _, f in chosen if f.kind in STRONG_KINDS}
            # A bare surname or title only resolves to an actor named in the article; drop the
            # others and choose again, so the words they held can match something else.
            orphans = {
                n
                for n, c in enumerate(candidates)
                if n not in dropped
                and c[3].kind not in STRONG_KINDS
                and c[3].actor_id not in strong
            }
            if not orphans:
                break
            dropped |= orphans
        chosen.sort(key=lambda c: c[0])
        return [
            ActorMention(
                f.actor_id,
                text[tokens[s].start : tokens[e - 1].end],
                tokens[s].start,
                tokens[e - 1].end,
                f.kind,
            )
            for s, e, f in chosen
            if f.kind in STRONG_KINDS or f.actor_id in strong
        ]
