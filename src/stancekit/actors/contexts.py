"""Sentences, per-article actors, and the context windows a model reads for each actor."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from stancekit.actors.discovery import Recogniser, discover
from stancekit.actors.gazetteer import Gazetteer
from stancekit.actors.matcher import ActorMention, GazetteerMatcher
from stancekit.actors.sources import cited_only, looks_like_outlet
from stancekit.actors.speakers import speaking

#: The markers around an actor's mentions in a model input (the defaults of :class:`ContextConfig`).
ACTOR_OPEN, ACTOR_CLOSE = "[ACTOR]", "[/ACTOR]"

# A sentence ends at . ! ? … (optionally followed by closing quotes) before a capital or an opening
# quote; a line break always ends one (headlines, paragraphs).
_SENT_END = re.compile(r"(?<=[.!?…])[\"'»“”]*\s+(?=[\"'«„“(\[]?[A-ZА-ЯЁЇІЄҐ0-9])")


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    pos = 0
    for para in text.split("\n"):
        base = pos
        pos += len(para) + 1
        if not para.strip():
            continue
        last = 0
        for m in _SENT_END.finditer(para):
            piece = para[last : m.start()]
            if piece.strip():
                lead = len(piece) - len(piece.lstrip())
                out.append(Sentence(piece.strip(), base + last + lead, base + m.start()))
            last = m.end()
        piece = para[last:]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append(
                Sentence(piece.strip(), base + last + lead, base + last + lead + len(piece.strip()))
            )
    return out


@dataclass(frozen=True)
class ContextConfig:
    """How contexts are cut around an actor's mentions (the same at training and scoring time)."""

    window: int = 0  # sentences either side of a mentioning sentence
    max_contexts: int = 8  # mentioning sentences kept per actor, in article order
    marker_open: str = ACTOR_OPEN
    marker_close: str = ACTOR_CLOSE
    separator: str = " | "
    role_marker: bool = True  # start the input with [SPEAKER] or [MENTIONED]


@dataclass
class Actor:
    """One actor of one article with all its mentions merged."""

    actor_id: str
    name: str
    type: str
    mentions: list[ActorMention] = field(default_factory=list)
    speaks: list[bool] = field(default_factory=list)  # per mention: is the actor speaking there?
    provisional: bool = False  # found by a recogniser, not in the gazetteer (id "new:...")

    @property
    def surface_forms(self) -> list[str]:
        return list(dict.fromkeys(m.text for m in self.mentions))

    @property
    def n_speaking(self) -> int:
        return sum(self.speaks)

    @property
    def role(self) -> str:
        """``speaker`` when the article reports the actor's words anywhere, else ``mentioned``."""
        return "speaker" if any(self.speaks) else "mentioned"


@dataclass
class ActorContext:
    """What a model reads for one actor: marked sentences, and their concatenation."""

    actor: Actor
    role: str  # speaker | mentioned
    sentences: list[str]  # marked mentioning sentences (evidence candidates)
    plain_sentences: list[str]  # the same sentences unmarked (as shown to people)
    text: str  # the model input: windows around mentions, actor marked
    # How ``text`` is made: ``prefix + separator.join(parts)`` (the window's sentences, marked
    # where they mention the actor), so a model can build its features from the sentences'.
    parts: list[str] = field(default_factory=list)
    prefix: str = ""
    separator: str = ""


def mark_mentions(
    text: str, offset: int, mentions: Sequence[ActorMention], cfg: ContextConfig
) -> str:
    """``text`` (which starts at ``offset`` in its article) with each mention inside it wrapped in
    the markers; overlapping mentions after the first are left unmarked."""
    out, last = [], 0
    for m in sorted(mentions, key=lambda m: m.start):
        s, e = m.start - offset, m.end - offset
        if s < last or s < 0 or e > len(text):
            continue
        out += [text[last:s], cfg.marker_open, " ", text[s:e], " ", cfg.marker_close]
        last = e
    out.append(text[last:])
    return "".join(out)


def _bounds(sentences: list[Sentence]) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in sentences]


def build_context(
    text: str, sentences: list[Sentence], actor: Actor, cfg: ContextConfig
) -> ActorContext:
    """Cut the windows around ``actor``'s mentions in ``text`` and mark the actor in them."""
    if len(actor.speaks) != len(actor.mentions):
        actor.speaks = speaking(text, actor.mentions, _bounds(sentences))
    starts = [s.start for s in sentences]
    hits = sorted(
        {
            i
            for m in actor.mentions
            if (i := bisect_right(starts, m.start) - 1) >= 0 and m.start < sentences[i].end + 1
        }
    )
    hits = hits[: cfg.max_contexts]

    def marked(i: int) -> str:
        s = sentences[i]
        return mark_mentions(
            s.text, s.start, [m for m in actor.mentions if s.start <= m.start < s.end + 1], cfg
        )

    windows: list[int] = []
    for i in hits:
        for j in range(max(0, i - cfg.window), min(len(sentences), i + cfg.window + 1)):
            if j not in windows:
                windows.append(j)
    windows.sort()
    marked_hits = {i: marked(i) for i in hits}
    parts = [marked_hits[j] if j in marked_hits else sentences[j].text for j in windows]
    prefix = f"[{actor.role.upper()}] " if cfg.role_marker else ""
    return ActorContext(
        actor=actor,
        role=actor.role,
        sentences=[marked_hits[i] for i in hits],
        plain_sentences=[sentences[i].text for i in hits],
        text=prefix + cfg.separator.join(parts),
        parts=parts,
        prefix=prefix,
        separator=cfg.separator,
    )


class ActorExtractor:
    """Article text in, its actors (mentions merged by id) and their contexts out.

    With a ``recogniser``, names the gazetteer does not cover become provisional actors too.
    """

    def __init__(
        self,
        gazetteer: Gazetteer,
        context: ContextConfig | None = None,
        recogniser: Recogniser | None = None,
        discovery: Mapping[str, Any] | None = None,
    ):
        self.gazetteer = gazetteer
        self.matcher = GazetteerMatcher(gazetteer)
        self.context = context or ContextConfig()
        self.recogniser = recogniser
        self.discovery = dict(discovery or {})

    def actors(
        self, text: str, lang: str | None = None, sentences: list[Sentence] | None = None
    ) -> list[Actor]:
        """The article's actors, each with all its mentions and where it speaks.

        Invisible format characters ("Пу\u200bтин", a soft hyphen) are removed for matching;
        the mentions' offsets and text still point into ``text`` as given.
        """
        sentences = split_sentences(text) if sentences is None else sentences
        clean, origin = strip_invisible(text)
        by_id: dict[str, Actor] = {}
        for m in self.matcher.find(clean, lang):
            if m.actor_id not in by_id:
                entry = self.gazetteer[m.actor_id]
                by_id[m.actor_id] = Actor(m.actor_id, entry.display_name(lang), entry.type)
            by_id[m.actor_id].mentions.append(m)
        if self.recogniser is not None:
            known = [m for a in by_id.values() for m in a.mentions]
            ignore = frozenset(str(w).lower() for w in self.discovery.get("ignore") or ())
            for d in discover(clean, known, self.recogniser, lang, ignore):
                if d.type == "organisation" and looks_like_outlet(d.name):
                    continue  # unknown outlets are sources or page chrome; known ones are listed
                by_id.setdefault(
                    d.actor_id, Actor(d.actor_id, d.name, d.type, provisional=True)
                ).mentions.extend(d.mentions)
        if origin is not None:
            for actor in by_id.values():
                actor.mentions = [_restore(m, text, origin) for m in actor.mentions]
        # LABELS.md: an outlet only cited as the source of news is not an actor of the article
        by_id = {
            k: a for k, a in by_id.items() if a.type != "media" or not cited_only(text, a.mentions)
        }
        bounds = _bounds(sentences)
        for actor in by_id.values():
            actor.speaks = speaking(text, actor.mentions, bounds)
        return list(by_id.values())

    def contexts(self, text: str, lang: str | None = None) -> list[ActorContext]:
        sentences = split_sentences(text)
        return [
            build_context(text, sentences, a, self.context)
            for a in self.actors(text, lang, sentences)
        ]


#: Format characters that change no word but break matching: zero-width space, (non-)joiners,
#: word joiner, soft hyphen, byte-order mark.
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\u00ad\ufeff")
_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE)) + "]")


def strip_invisible(text: str) -> tuple[str, list[int] | None]:
    """``text`` without invisible format characters, and for each kept character its offset in
    ``text`` (``None`` when there was nothing to remove)."""
    if not _INVISIBLE_RE.search(text):
        return text, None
    origin = [i for i, c in enumerate(text) if c not in INVISIBLE]
    return "".join(text[i] for i in origin), origin


def _restore(m: ActorMention, text: str, origin: list[int]) -> ActorMention:
    start, end = origin[m.start], origin[m.end - 1] + 1
    return ActorMention(m.actor_id, text[start:end], start, end, m.kind)


def mentions_from_strings(actor_id: str, text: str, forms: Sequence[str]) -> list[ActorMention]:
    """Mentions located by literal search for annotated surface forms (used when the gazetteer misses)."""
    out: list[ActorMention] = []
    for form in sorted(set(forms), key=len, reverse=True):
        for m in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            if not any(o.start < m.end() and m.start() < o.end for o in out):
                out.append(ActorMention(actor_id, form, m.start(), m.end(), "label"))
    return sorted(out, key=lambda m: m.start)
