"""Public datasets → ready-made model examples, read in the format of their original releases.

Each adapter returns ``(frame, label_space)``: a frame with :data:`EXAMPLE_COLUMNS` plus ``split``
(train/val/test) and the dataset's own ``target -> labels``. ``doc_id`` is the grouping unit that
splits and cross-validation keep together. A dataset's dev portion becomes ``val``; where a test
portion is absent (withheld here) ``test`` is carved out of train by ``doc_id``, seeded and
stratified (:func:`carve_splits`), so the same adapter reads a released test file unchanged.
Label mappings and offset conventions are documented on each adapter.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from io import StringIO
from pathlib import Path
from typing import Any

import pandas as pd

from stancekit.actors.contexts import (
    ACTOR_CLOSE,
    ACTOR_OPEN,
    ContextConfig,
    mark_mentions,
    split_sentences,
)
from stancekit.actors.matcher import ActorMention
from stancekit.data.split import _one_split
from stancekit.data.validate import text_hash
from stancekit.training.examples import EXAMPLE_COLUMNS

SPLIT_NAMES = ("train", "val", "test")
STANCE = ["favor", "against", "none"]
SENTIMENT = ["negative", "neutral", "positive"]
WAR = ["pro_russia", "pro_ukraine", "neutral", "none"]
MAIN_ROLES = ["protagonist", "antagonist", "innocent"]

LabelSpace = dict[str, list[str]]


# -- shared helpers ---------------------------------------------------------------------------


def mark_span(text: str, start: int, end: int, role_marker: bool = True) -> str:
    """``text`` with ``[ACTOR] ... [/ACTOR]`` around ``text[start:end]`` (end exclusive), as the
    actor layer marks contexts; ``role_marker`` prefixes ``[MENTIONED]`` like its contexts do."""
    marked = f"{text[:start]}{ACTOR_OPEN} {text[start:end]} {ACTOR_CLOSE}{text[end:]}"
    marked = re.sub(r"\s+", " ", marked).strip()
    return f"[MENTIONED] {marked}" if role_marker else marked


def _slug(name: str) -> str:
    return re.sub(r"\W+", "_", name.lower()).strip("_") or "unknown"


def _frame(rows: list[dict[str, Any]], extra: Iterable[str] = ()) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*EXAMPLE_COLUMNS, *extra, "split"])


def _example(**values: Any) -> dict[str, Any]:
    return {"n_mentions": 1, "role": "mentioned", **values}


def carve_splits(
    frame: pd.DataFrame,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
) -> pd.DataFrame:
    """Fill in missing splits by ``doc_id``: ``test`` (and ``val`` when absent) come out of train.

    Rows whose ``split`` is null are train candidates. ``test_size``/``val_size`` are fractions of
    those groups, stratified on each group's most frequent label of the frame's first target.
    """
    out = frame.copy()
    given = set(out["split"].dropna())
    pool = out[out["split"].isna() | (out["split"] == "train")]
    if pool.empty:
        return out
    first = pool["target"].iloc[0]
    strata_of = (
        pool[pool["target"] == first].groupby("doc_id")["label"].agg(lambda s: s.mode().iloc[0])
    )
    docs = sorted(pool["doc_id"].unique())
    strata = [str(strata_of.get(d, "_none")) for d in docs]
    held: dict[str, str] = {}
    if "test" not in given:
        rest, test = _one_split(docs, docs, strata, test_size, seed)
        held.update({docs[i]: "test" for i in test})
        docs, strata = [docs[i] for i in rest], [strata[i] for i in rest]
    if "val" not in given:
        frac = val_size / (1 - test_size) if "test" not in given and test_size < 1 else val_size
        _, val = _one_split(docs, docs, strata, frac, seed + 1)
        held.update({docs[i]: "val" for i in val})
    in_pool = out["split"].isna() | (out["split"] == "train")
    out.loc[in_pool, "split"] = out.loc[in_pool, "doc_id"].map(held).fillna("train")
    return out


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # RUW's CSVs are GB18030 (its "…" and "‘" are GB byte pairs); plain UTF-8 elsewhere.
        return raw.decode("gb18030")


def _jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# -- NewsMTSC ---------------------------------------------------------------------------------

NEWSMTSC_POLARITY = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}
# primary_gid: allsides_<article>_<story>_<sentence>_<name>_<from>_<to> or polusa_v1_<article>_-1_...
_NEWSMTSC_GID = re.compile(
    r"^(allsides)_(\d+)_(\d+)_\d+_(.*)_\d+_\d+$|^(polusa)_v1_(\d+)_-?\d+_\d+_(.*)_\d+_\d+$"
)


def _newsmtsc_ids(gid: str, mention: str) -> tuple[str, str]:
    """(doc_id, actor_id): AllSides sentences group by story (the same sentence recurs across
    outlets' articles of one story), POLUSA by article; the actor is the gid's target name."""
    m = _NEWSMTSC_GID.match(gid)
    if not m:
        return f"newsmtsc_{gid}", _slug(mention)
    if m.group(1):
        return f"allsides_story_{m.group(3)}", _slug(m.group(4))
    return f"polusa_{m.group(6)}", _slug(m.group(7))


def read_newsmtsc(
    path: str | Path,
    variant: str = "rw",
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
    role_marker: bool = True,
) -> tuple[pd.DataFrame, LabelSpace]:
    """NewsMTSC: one row per labelled target; polarity 2.0/4.0/6.0 → negative/neutral/positive.

    ``train.jsonl`` is train; ``paper_splits_<variant>/dev.jsonl`` is val and its ``test.jsonl``
    (when present) is test, else test is carved out of train. ``from``/``to`` are a Python slice.
    """
    if variant not in ("rw", "mt"):
        raise ValueError(f"NewsMTSC variant must be 'rw' or 'mt', got '{variant}'")
    root = Path(path)
    files = {
        "train": root / "train.jsonl",
        "val": root / f"paper_splits_{variant}" / "dev.jsonl",
        "test": root / f"paper_splits_{variant}" / "test.jsonl",
    }
    if not files["train"].exists():
        raise FileNotFoundError(f"{files['train']}: no NewsMTSC train.jsonl")
    rows: list[dict[str, Any]] = []
    for split, file in files.items():
        if not file.exists():
            continue
        for rec in _jsonl(file):
            sentence = rec["sentence_normalized"]
            for t in rec["targets"]:
                start, end, mention = int(t["from"]), int(t["to"]), t["mention"]
                if sentence[start:end] != mention:
                    raise ValueError(
                        f"{file}: span {start}:{end} is not '{mention}' in {rec['primary_gid']}"
                    )
                doc_id, actor_id = _newsmtsc_ids(t.get("Input.gid", rec["primary_gid"]), mention)
                rows.append(
                    _example(
                        doc_id=doc_id,
                        lang="en",
                        actor_id=actor_id,
                        actor=mention,
                        target="sentiment",
                        label=NEWSMTSC_POLARITY[float(t["polarity"])],
                        text=mark_span(sentence, start, end, role_marker),
                        source="newsmtsc",
                        split=split,
                    )
                )
    frame = carve_splits(_frame(rows), val_size, test_size, seed)
    return frame, label_space_of("newsmtsc")


# -- RUW --------------------------------------------------------------------------------------


def ruw_war_label(russia: str, ukraine: str) -> str:
    """Both RUW stances → one LABELS.md ``war`` label.

    Favouring Russia or opposing Ukraine is ``pro_russia``; opposing Russia or favouring Ukraine is
    ``pro_ukraine``; signals on both sides (against both, favour both) take no side: ``neutral``;
    NONE toward both is ``none``.
    """
    pro_r = russia == "favor" or ukraine == "against"
    pro_u = russia == "against" or ukraine == "favor"
    if pro_r and pro_u:
        return "neutral"
    if pro_r:
        return "pro_russia"
    if pro_u:
        return "pro_ukraine"
    return "none"


def read_ruw(
    path: str | Path,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
) -> tuple[pd.DataFrame, LabelSpace]:
    """RUW tweets: ``stance_russia``/``stance_ukraine`` (favor/against/none) and the mapped ``war``.

    ``raw_{train,val,test}_Russia_Ukraine.csv``; test is carved out of train when absent.
    ``doc_id`` hashes the tweet text, so duplicate tweets stay in one split.
    """
    root = Path(path)
    rows: list[dict[str, Any]] = []
    for split in SPLIT_NAMES:
        file = root / f"raw_{split}_Russia_Ukraine.csv"
        if not file.exists():
            if split == "train":
                raise FileNotFoundError(f"{file}: no RUW training file")
            continue
        data = pd.read_csv(StringIO(_read_text(file)), dtype=str, keep_default_na=False)
        for rec in data.to_dict(orient="records"):
            tweet = rec["Tweet"].strip()
            stances = {
                rec["Target 1"].strip().lower(): rec["Stance 1"].strip().lower(),
                rec["Target 2"].strip().lower(): rec["Stance 2"].strip().lower(),
            }
            labels = {
                "stance_russia": stances["russia"],
                "stance_ukraine": stances["ukraine"],
                "war": ruw_war_label(stances["russia"], stances["ukraine"]),
            }
            doc_id = f"ruw_{text_hash(tweet)[:16]}"
            for target, label in labels.items():
                rows.append(
                    _example(
                        doc_id=doc_id,
                        lang="en",
                        actor_id=target,
                        actor=target,
                        target=target,
                        label=label,
                        text=tweet,
                        source="ruw",
                        split=split,
                    )
                )
    frame = carve_splits(_frame(rows), val_size, test_size, seed)
    return frame, label_space_of("ruw")


# -- SemEval-2016 Task 6 (TweetEval layout) ---------------------------------------------------

SEMEVAL2016_TARGETS = ("abortion", "atheism", "climate", "feminist", "hillary")


def read_semeval2016(
    path: str | Path,
    topics: Iterable[str] = SEMEVAL2016_TARGETS,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
) -> tuple[pd.DataFrame, LabelSpace]:
    """SemEval-2016 Task 6A via TweetEval: ``<topic>/{train,val,test}_{text,labels}.txt``.

    Label ids follow ``mapping.txt`` (0 none, 1 against, 2 favor); target ``stance_<topic>``.
    """
    root = Path(path)
    mapping = {"0": "none", "1": "against", "2": "favor"}
    if (root / "mapping.txt").exists():
        pairs = [ln.split() for ln in (root / "mapping.txt").read_text().splitlines() if ln.strip()]
        mapping = {k: v for k, v in pairs}
    rows: list[dict[str, Any]] = []
    topics = list(topics)
    for topic in topics:
        target = f"stance_{topic}"
        for split in SPLIT_NAMES:
            texts, labels = root / topic / f"{split}_text.txt", root / topic / f"{split}_labels.txt"
            if not texts.exists():
                if split == "train":
                    raise FileNotFoundError(f"{texts}: no SemEval-2016 training file")
                continue
            x = [t for t in texts.read_text(encoding="utf-8").split("\n")]
            y = [lab.strip() for lab in labels.read_text(encoding="utf-8").split("\n")]
            while x and not x[-1].strip() and y and not y[-1]:
                x, y = x[:-1], y[:-1]
            if len(x) != len(y):
                raise ValueError(f"{texts}: {len(x)} tweets but {len(y)} labels in {labels}")
            for tweet, label in zip(x, y, strict=True):
                tweet = tweet.strip()
                rows.append(
                    _example(
                        doc_id=f"semeval2016_{text_hash(tweet)[:16]}",
                        lang="en",
                        actor_id=target,
                        actor=topic,
                        target=target,
                        label=mapping[label],
                        text=tweet,
                        source="semeval2016",
                        split=split,
                    )
                )
    return carve_splits(_frame(rows), val_size, test_size, seed), label_space_of(
        "semeval2016", topics
    )


# -- Cinexio (bgGLUE) -------------------------------------------------------------------------


def cinexio_label(rating: float) -> str:
    """The dataset's own 3-way ``Category`` bands: <2 negative, 2-3.5 neutral, >=4 positive."""
    if rating < 2.0:
        return "negative"
    return "neutral" if rating < 4.0 else "positive"


def read_cinexio(
    path: str | Path,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
) -> tuple[pd.DataFrame, LabelSpace]:
    """Cinexio movie reviews: ``train.jsonl`` is train, ``dev.jsonl`` val; test carved from train.

    bgGLUE's ``test.jsonl`` hides its ratings (all 0.0), so it is never read. ``doc_id`` is the
    movie (bgGLUE's train/dev share no movie, and many short reviews recur within one).
    """
    root = Path(path)
    rows: list[dict[str, Any]] = []
    for split, name in (("train", "train.jsonl"), ("val", "dev.jsonl")):
        file = root / name
        if not file.exists():
            if split == "train":
                raise FileNotFoundError(f"{file}: no Cinexio training file")
            continue
        for rec in _jsonl(file):
            movie = str(rec.get("Cinexio_URL") or rec["ID"]).rstrip("/").rsplit("/", 1)[-1]
            rows.append(
                _example(
                    doc_id=f"cinexio_movie_{movie}",
                    lang="bg",
                    actor_id=f"movie_{movie}",
                    actor=f"movie_{movie}",
                    target="sentiment",
                    label=cinexio_label(float(rec["User_Rating"])),
                    text=str(rec["Comment"]).strip(),
                    source="cinexio",
                    split=split,
                )
            )
    frame = carve_splits(_frame(rows), val_size, test_size, seed)
    return frame, label_space_of("cinexio")


# -- SemEval-2025 Task 10, subtask 1 ----------------------------------------------------------

SEMEVAL2025_LANGS = {"bg": "BG", "ru": "RU", "en": "EN", "pt": "PT", "hi": "HI"}
SEMEVAL2025_SPLITS = {"train": ("train",), "val": ("dev", "dev_set"), "test": ("test",)}
#: offset conventions: (line break counted as: its raw length | two | one, astral chars count two)
_OFFSET_SCHEMES = [(nl, u16) for u16 in (False, True) for nl in ("raw", "two", "one")]


def read_article(path: Path) -> tuple[str, list[int]]:
    """Text with universal newlines and, per character, how many raw characters it stood for."""
    raw = path.read_bytes().decode("utf-8")
    chars: list[str] = []
    rawlen: list[int] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\r":
            two = raw[i : i + 2] == "\r\n"
            chars.append("\n")
            rawlen.append(2 if two else 1)
            i += 2 if two else 1
        else:
            chars.append(raw[i])
            rawlen.append(1)
            i += 1
    return "".join(chars), rawlen


def offset_table(text: str, rawlen: list[int], newline: str, utf16: bool) -> dict[int, int]:
    """Annotation offset → index in the normalised text, for one offset convention."""
    table: dict[int, int] = {}
    pos = 0
    for i, ch in enumerate(text):
        table[pos] = i
        if ch == "\n":
            pos += {"raw": rawlen[i], "two": 2, "one": 1}[newline]
        else:
            pos += 2 if (utf16 and ord(ch) > 0xFFFF) else 1
    table[pos] = len(text)
    return table


def align_spans(
    text: str, rawlen: list[int], spans: list[tuple[str, int, int]]
) -> list[tuple[int, int] | None]:
    """Annotation (mention, start, end inclusive) → (start, end exclusive) in ``text``.

    The offsets do not share one convention (BG counts its CRLFs, most RU articles count each
    line break twice though stored with LF, EN counts astral characters as two UTF-16 units), so
    per article the convention under which most mentions match exactly is used; a mention that
    still does not match is taken from its nearest occurrence within 50 characters, else None.
    """
    tables = [offset_table(text, rawlen, nl, u16) for nl, u16 in _OFFSET_SCHEMES]

    def exact(table: dict[int, int], mention: str, s: int, e: int) -> tuple[int, int] | None:
        if s in table and e + 1 in table and text[table[s] : table[e + 1]] == mention:
            return table[s], table[e + 1]
        return None

    best = max(tables, key=lambda t: sum(exact(t, *sp) is not None for sp in spans))
    out: list[tuple[int, int] | None] = []
    for mention, s, e in spans:
        hit = exact(best, mention, s, e)
        if hit is None:
            approx = best.get(s, min(s, len(text)))
            near = [m.start() for m in re.finditer(re.escape(mention), text)]
            near = [c for c in near if abs(c - approx) <= 50]
            if near:
                c = min(near, key=lambda c: abs(c - approx))
                hit = (c, c + len(mention))
        out.append(hit)
    return out


def entity_context(
    text: str, start: int, end: int, window: int = 0, role_marker: bool = True
) -> str:
    """The sentence(s) holding ``text[start:end]`` plus ``window`` either side, the span marked."""
    sentences = split_sentences(text)
    hits = [i for i, s in enumerate(sentences) if s.start < end and start < s.end]
    if not hits:
        return mark_span(text, start, end, role_marker)
    lo, hi = max(0, hits[0] - window), min(len(sentences), hits[-1] + window + 1)
    a, b = sentences[lo].start, sentences[hi - 1].end
    return mark_span(text[a:b], start - a, end - a, role_marker)


def entity_contexts(
    text: str,
    start: int,
    end: int,
    others: Iterable[tuple[int, int]] = (),
    max_contexts: int = 8,
    role_marker: bool = True,
) -> str:
    """Every sentence of ``text`` that names the entity of ``text[start:end]``, as the actor layer
    pools an actor's sentences: the annotated mention's sentence first, then the others in article
    order, each with its mentions marked, joined by `` | ``. An entity's mentions are ``others``
    (its other annotated spans) and each further occurrence of the mention's surface form
    (case-insensitive, whole words)."""
    surface = text[start:end].strip()
    spans = {(start, end), *others}
    if surface:
        pattern = re.compile(rf"(?<!\w){re.escape(surface)}(?!\w)", re.IGNORECASE)
        spans |= {(m.start(), m.end()) for m in pattern.finditer(text)}
    sentences = split_sentences(text)

    def sentence_of(pos: int) -> int | None:
        return next((i for i, x in enumerate(sentences) if x.start <= pos < x.end), None)

    first = sentence_of(start)
    if first is None:
        return mark_span(text, start, end, role_marker)
    order = [first] + sorted({i for a, _ in spans if (i := sentence_of(a)) not in (None, first)})
    cfg = ContextConfig()
    mentions = [ActorMention("", text[a:b], a, b, "label") for a, b in spans]
    parts = []
    for i in order[:max_contexts]:
        sent = sentences[i]
        marked = mark_mentions(sent.text, sent.start, mentions, cfg)
        parts.append(re.sub(r"\s+", " ", marked).strip())
    body = cfg.separator.join(parts)
    return f"[MENTIONED] {body}" if role_marker else body


def _semeval2025_folder(root: Path, split: str, lang: str) -> Path | None:
    for name in SEMEVAL2025_SPLITS[split]:
        folder = root / name / SEMEVAL2025_LANGS.get(lang, lang.upper())
        if (folder / "subtask-1-annotations.txt").exists():
            return folder
    return None


def read_semeval2025(
    path: str | Path,
    langs: Iterable[str] = ("bg", "ru", "en", "pt", "hi"),
    narrative_prefix: str | None = None,
    window: int = 0,
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
    role_marker: bool = True,
    contexts: str = "mention",
    max_contexts: int = 8,
) -> tuple[pd.DataFrame, LabelSpace]:
    """SemEval-2025 T10 subtask 1: one row per annotated entity mention, target ``main_role``.

    ``contexts="mention"`` gives the mention's sentence (± ``window`` sentences); ``"entity"``
    gives up to ``max_contexts`` sentences of the article that name the same entity
    (:func:`entity_contexts`), the way the actor layer pools an actor's sentences.

    Reads ``<path>/{train,dev,test}/<LANG>/`` (``raw-documents/`` or ``subtask-1-documents/`` and
    ``subtask-1-annotations.txt``); missing val/test are carved out of train by article. Main roles
    are lower-cased; ``fine_roles`` keeps the fine roles as released (for the official EMR).
    ``narrative_prefix`` (``URW``/``CC``) keeps only articles with such a subtask-2 narrative.
    ``dropped`` rows (mentions that cannot be located) are counted in ``frame.attrs``.
    """
    from stancekit.data.adapters import semeval_narratives

    if contexts not in ("mention", "entity"):
        raise ValueError(f"contexts must be 'mention' or 'entity', got '{contexts}'")
    root = Path(path)
    rows: list[dict[str, Any]] = []
    dropped = 0
    for lang in langs:
        found = False
        for split in SPLIT_NAMES:
            folder = _semeval2025_folder(root, split, lang)
            if folder is None:
                continue
            found = True
            narratives = semeval_narratives(folder) if narrative_prefix else {}
            docs = next(
                (
                    folder / d
                    for d in ("raw-documents", "subtask-1-documents")
                    if (folder / d).is_dir()
                ),
                folder / "raw-documents",
            )
            by_doc: dict[str, list[list[str]]] = {}
            ann = folder / "subtask-1-annotations.txt"
            for line in ann.read_text(encoding="utf-8").splitlines():
                parts = [p.strip() for p in line.split("\t")]
                if len(parts) >= 5:
                    by_doc.setdefault(parts[0], []).append(parts)
            for article, anns in sorted(by_doc.items()):
                if narrative_prefix and not any(
                    n.startswith(narrative_prefix) for n in narratives.get(article, [])
                ):
                    continue
                text, rawlen = read_article(docs / article)
                spans = align_spans(text, rawlen, [(a[1], int(a[2]), int(a[3])) for a in anns])
                for a, span in zip(anns, spans, strict=True):
                    if span is None:
                        dropped += 1
                        continue
                    if contexts == "entity":
                        same = [
                            o
                            for b, o in zip(anns, spans, strict=True)
                            if o is not None and b[1].lower() == a[1].lower()
                        ]
                        context = entity_contexts(text, *span, same, max_contexts, role_marker)
                    else:
                        context = entity_context(text, *span, window, role_marker)
                    rows.append(
                        _example(
                            doc_id=article,
                            lang=lang,
                            actor_id=_slug(a[1]),
                            actor=a[1],
                            target="main_role",
                            label=a[4].lower(),
                            text=context,
                            source="semeval2025_t10",
                            fine_roles=[r for r in a[5:] if r],
                            split=split,
                        )
                    )
        if not found:
            raise FileNotFoundError(f"{root}: no SemEval-2025 T10 subtask-1 data for '{lang}'")
    frame = _frame(rows, extra=["fine_roles"])
    frame = carve_splits(frame, val_size, test_size, seed)
    frame.attrs["dropped"] = dropped
    return frame, label_space_of("semeval2025_t10")


# -- registry ---------------------------------------------------------------------------------

#: Each dataset's targets and labels (SemEval-2016's targets follow its ``topics`` option).
LABEL_SPACES: dict[str, LabelSpace] = {
    "newsmtsc": {"sentiment": SENTIMENT},
    "ruw": {"stance_russia": STANCE, "stance_ukraine": STANCE, "war": WAR},
    "semeval2016": {f"stance_{t}": STANCE for t in SEMEVAL2016_TARGETS},
    "semeval2025_t10": {"main_role": MAIN_ROLES},
    "cinexio": {"sentiment": SENTIMENT},
}


def label_space_of(name: str, topics: Iterable[str] | None = None) -> LabelSpace:
    """The label space adapter ``name`` returns, without reading its files."""
    if name not in LABEL_SPACES:
        raise ValueError(f"unknown public dataset '{name}' (known: {sorted(LABEL_SPACES)})")
    space = LABEL_SPACES[name]
    if name == "semeval2016" and topics is not None:
        space = {f"stance_{t}": STANCE for t in topics}
    return {t: list(labels) for t, labels in space.items()}


ADAPTERS: dict[str, Callable[..., tuple[pd.DataFrame, LabelSpace]]] = {
    "newsmtsc": read_newsmtsc,
    "ruw": read_ruw,
    "semeval2016": read_semeval2016,
    "semeval2025_t10": read_semeval2025,
    "cinexio": read_cinexio,
}


def load_public(name: str, path: str | Path, **options: Any) -> tuple[pd.DataFrame, LabelSpace]:
    """Run the adapter ``name`` (a key of :data:`ADAPTERS`) on ``path`` with its options."""
    if name not in ADAPTERS:
        raise ValueError(f"unknown public dataset '{name}' (known: {sorted(ADAPTERS)})")
    frame, space = ADAPTERS[name](path, **options)
    return frame.reset_index(drop=True), space


def cap_per_split(frame: pd.DataFrame, max_docs: int | None) -> pd.DataFrame:
    """Smoke cap: the first ``max_docs`` groups (``doc_id``) of each split."""
    if not max_docs:
        return frame
    keep: set[str] = set()
    for _, part in frame.groupby("split", sort=False):
        keep.update(part["doc_id"].drop_duplicates().iloc[:max_docs])
    return frame[frame["doc_id"].isin(keep)].reset_index(drop=True)


__all__ = [
    "ADAPTERS",
    "LABEL_SPACES",
    "EXAMPLE_COLUMNS",
    "carve_splits",
    "cap_per_split",
    "entity_contexts",
    "cinexio_label",
    "label_space_of",
    "load_public",
    "mark_span",
    "read_cinexio",
    "read_newsmtsc",
    "read_ruw",
    "read_semeval2016",
    "read_semeval2025",
    "ruw_war_label",
]
