"""Discovering actors the gazetteer does not know, with pluggable recognisers.

A recogniser proposes (start, end, type) spans; spans that no gazetteer mention covers become
provisional actors with ids ``new:<slug>``, reported so that a person can add them to the
gazetteer. Recognisers: natasha (ships its weights; trained on Russian news, rough on Bulgarian), a
transformers token-classification model from a local path, and a rule-based fallback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from stancekit.actors.matcher import ActorMention, tokenize
from stancekit.actors.translit import is_cyrillic, to_latin

#: Last words that make a recognised name a place rather than an actor.
PLACE_WORDS = frozenset(
    """
    изток запад север юг море океан река остров острови полуостров област регион край залив
    восток регион область остров острова полуостров залив морe реки
    схід захід північ південь область регіон острів затока
    east west north south sea ocean river island islands peninsula region oblast gulf bay
    """.split()
)
#: Entity types that can be actors; places (LOC) are left to the gazetteer's states and capitals.
ACTOR_TYPES = {"PER": "person", "ORG": "organisation"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str  # PER | ORG | LOC | MISC
    titled: bool = False  # a title stands before it ("Gen Cavoli"): a one-word name may stand alone


class Recogniser(Protocol):
    def spans(self, text: str, lang: str | None = None) -> list[Span]: ...


class NatashaRecogniser:
    """natasha's news NER (PER/ORG/LOC); its embeddings and model ship inside the package."""

    def __init__(self) -> None:
        from natasha import NewsEmbedding, NewsNERTagger, Segmenter

        self._segmenter = Segmenter()
        self._tagger = NewsNERTagger(NewsEmbedding())

    def spans(self, text: str, lang: str | None = None) -> list[Span]:
        from natasha import Doc

        doc = Doc(text)
        doc.segment(self._segmenter)
        doc.tag_ner(self._tagger)
        return [Span(s.start, s.stop, s.type) for s in doc.spans]


class TransformersRecogniser:
    """A token-classification model from a local folder (no download; safetensors; no remote code)."""

    def __init__(self, model: str, aggregation_strategy: str = "simple", device: int | str = -1):
        from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline

        tok = AutoTokenizer.from_pretrained(model, local_files_only=True)
        net = AutoModelForTokenClassification.from_pretrained(
            model, local_files_only=True, use_safetensors=True, trust_remote_code=False
        )
        self._pipe = pipeline(
            "token-classification",
            model=net,
            tokenizer=tok,
            aggregation_strategy=aggregation_strategy,
            device=device,
        )

    def spans(self, text: str, lang: str | None = None) -> list[Span]:
        out = []
        for ent in self._pipe(text):
            label = (
                str(ent.get("entity_group", ent.get("entity", "")))
                .upper()
                .removeprefix("B-")
                .removeprefix("I-")
            )
            out.append(
                Span(
                    int(ent["start"]),
                    int(ent["end"]),
                    label[:3] if label.startswith("PER") else label,
                )
            )
        return out


# Two or more capitalised words in a row ("Стефан Янев", "Open Society Foundations"), or an
# abbreviation of 2-6 capitals ("ОССЕ", "IAEA").
_CAP = r"[A-ZА-ЯЁЇІЄҐ][\w'’-]+"
_RULE = re.compile(rf"\b{_CAP}(?:\s+{_CAP})+|\b[A-ZА-ЯЁЇІЄҐ]{{2,6}}\b")


class RuleRecogniser:
    """No model: capitalised word sequences not at a sentence start, and abbreviations."""

    def spans(self, text: str, lang: str | None = None) -> list[Span]:
        out = []
        for m in _RULE.finditer(text):
            before = text[: m.start()].rstrip()
            sentence_start = not before or before[-1] in '.!?\n"„«“:'
            words = m.group().split()
            if sentence_start and len(words) > 1:
                # "Вчера Стефан Янев": drop the capitalised first word of the sentence
                rest = m.group()[len(words[0]) :].lstrip()
                start = m.end() - len(rest)
                if len(rest.split()) < 2:
                    continue
                out.append(Span(start, m.end(), "PER"))
            elif not sentence_start:
                out.append(Span(m.start(), m.end(), "ORG" if m.group().isupper() else "PER"))
        return out


class ScriptRecogniser:
    """Every script: Cyrillic text gets natasha's spans plus the Latin-script rules (for Latin
    names inside it, "The Federalist"), overlaps to the longest; Latin-script text the rules."""

    def __init__(self, cyrillic: Recogniser, latin: Recogniser):
        self.cyrillic, self.latin = cyrillic, latin

    def spans(self, text: str, lang: str | None = None) -> list[Span]:
        latin = self.latin.spans(text, lang)
        if not _is_cyrillic_text(text, lang):
            return latin  # natasha's Russian-trained tagger adds mostly noise to English text
        return longest_spans([*self.cyrillic.spans(text, lang), *latin])


def _is_cyrillic_text(text: str, lang: str | None) -> bool:
    if lang:
        return lang in ("bg", "ru", "uk", "sr", "mk", "be")
    letters = [c for c in text[:2000] if c.isalpha()]
    return sum(is_cyrillic(c) for c in letters) > len(letters) / 2


def longest_spans(spans: Sequence[Span]) -> list[Span]:
    """Overlapping spans resolved to the longest; on a tie, the titled one (it may stand alone)."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), not s.titled, s.start)):
        if not any(k.start < s.end and s.start < k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def slug(text: str, lang: str | None = None) -> str:
    latin = to_latin(text, lang or "bg") if is_cyrillic(text) else text
    latin = unicodedata.normalize("NFKD", latin).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", latin.lower()).strip("_") or "unnamed"


def same_word(a: str, b: str) -> bool:
    """Two inflected forms of one name word ("Певкур", "Певкуром"; "Янев", "Янева")."""
    a, b = a.lower(), b.lower()
    short, long_ = sorted((a, b), key=len)
    return len(long_) - len(short) <= 3 and long_.startswith(short[: max(3, len(short) - 2)])


def _same_name(x: Sequence[str], y: Sequence[str]) -> bool:
    return len(x) == len(y) and all(same_word(a, b) for a, b in zip(x, y, strict=True))


def _add_bare_surnames(
    text: str, groups: Sequence[tuple[list[str], Discovered]], taken: Sequence[tuple[int, int]]
) -> None:
    """A person named in full is also every bare, capitalised use of the surname ("Later Cavoli
    added"), which recognisers miss more often than full names."""
    people = [(w[-1], d) for w, d in groups if d.type == "person" and len(w) > 1]
    if not people:
        return
    used = [*taken, *((m.start, m.end) for _, d in groups for m in d.mentions)]
    for tok in tokenize(text):
        if not tok.text[:1].isupper() or any(s < tok.end and tok.start < e for s, e in used):
            continue
        owners = [d for surname, d in people if same_word(tok.text, surname)]
        if len(owners) == 1:  # two people of one surname: leave it unresolved
            owners[0].mentions.append(
                ActorMention(owners[0].actor_id, tok.text, tok.start, tok.end, "ner")
            )


@dataclass
class Discovered:
    """A provisional actor: a name the recogniser found that no gazetteer entry covers."""

    actor_id: str
    name: str
    type: str
    mentions: list[ActorMention]


def discover(
    text: str,
    known: Sequence[ActorMention],
    recogniser: Recogniser,
    lang: str | None = None,
    stoplist: frozenset[str] = frozenset(),
) -> list[Discovered]:
    """Actors in ``text`` outside the gazetteer: recognised spans that overlap no known mention.

    A person's full name ("Стефан Янев") makes its surname ("Янев", "Янева") a mention of the same
    actor anywhere in the article; a one-word person name that is no such surname is kept only
    after a title ("Gen Cavoli"), since alone it is as often a place or a misread word.
    """
    taken = [(m.start, m.end) for m in known]
    candidates = []
    for span in sorted(recogniser.spans(text, lang), key=lambda s: s.start):
        kind = ACTOR_TYPES.get(span.type)
        surface = text[span.start : span.end].strip()
        words = [t.text for t in tokenize(surface)]
        if kind is None or not words or any(s < span.end and span.start < e for s, e in taken):
            continue
        if (
            "\n" in surface
            or len(surface) < 2
            or any(p.lower() in stoplist for p in (surface, *surface.split("/"), *words))
        ):
            continue
        if kind == "person" and not all(w[:1].isupper() for w in words):
            continue  # "Заместник-председателят": a title, not a name
        if words[-1].lower() in PLACE_WORDS:
            continue  # "Далечен Изток", "Black Sea": a place
        if kind == "organisation" and len(surface) <= 3 and surface.isupper():
            continue  # "МИД", "ВС": a state body whose state the letters do not say
        candidates.append((span, kind, surface, words))
    groups: list[tuple[list[str], Discovered]] = []
    # full names first, so a surname anywhere in the article finds its person
    for span, kind, surface, words in sorted(
        candidates, key=lambda c: (len(c[3]) == 1, c[0].start)
    ):
        group = next((d for w, d in groups if d.type == kind and _same_name(words, w)), None)
        if group is None and kind == "person" and len(words) == 1:
            group = next(
                (
                    d
                    for w, d in groups
                    if d.type == kind and len(w) > 1 and same_word(words[0], w[-1])
                ),
                None,
            )
            if group is None and not span.titled:
                continue  # alone, a one-word "name" is as often a place or a misread word
        if group is None:
            group = Discovered(f"new:{slug(surface, lang)}", surface, kind, [])
            groups.append((words, group))
        group.mentions.append(ActorMention(group.actor_id, surface, span.start, span.end, "ner"))
    _add_bare_surnames(text, groups, taken)
    for _, d in groups:
        d.mentions.sort(key=lambda m: m.start)
    return [d for _, d in groups]


def make_recogniser(name: str | None, model: str | None = None) -> Recogniser | None:
    """``auto`` (natasha + Latin-script rules: every script), ``natasha``, ``latin``,
    ``transformers`` (with ``model``: a local folder), ``rules``, or none."""
    if not name or name == "none":
        return None
    if name in ("auto", "latin"):
        from stancekit.actors.names import LatinNameRecogniser

        latin = LatinNameRecogniser()
        return latin if name == "latin" else ScriptRecogniser(NatashaRecogniser(), latin)
    if name == "natasha":
        return NatashaRecogniser()
    if name == "transformers":
        if not model:
            raise ValueError(
                "the transformers recogniser needs actors.discovery.model: a local model folder"
            )
        return TransformersRecogniser(model)
    if name == "rules":
        return RuleRecogniser()
    raise ValueError(
        f"unknown recogniser '{name}' (auto, natasha, latin, transformers, rules or none)"
    )
