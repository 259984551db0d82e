"""How well the gazetteer actor layer finds the entities annotated in SemEval-2025 Task 10, subtask 1.

    python experiments/actors/semeval_recall.py \
        [--data /work/shared/data/semeval2025_t10/train] [--langs bg ru en] \
        [--out experiments/actors/results.json] [--audit-dir /tmp] [--seed 13]

For each language it reads the articles that have subtask-1 (entity framing) annotations, runs
``ActorExtractor.actors(text, lang)`` and measures

* recall over all annotated mentions (found = some extracted mention overlaps the span by >= 1 char);
* recall over annotated mentions that NAME A SPECIFIC ACTOR (see ``is_named`` below);
* "precision against annotations": extracted mentions overlapping some annotated span / all
  extracted mentions. SemEval annotates only entities that carry a role, so this is a LOWER bound;
* an audit sample: a seeded random sample of extracted mentions that overlap no annotation is
  written to ``<audit-dir>/actor_audit_<lang>.tsv`` (outside the repository: it holds article
  context). If ``<audit-dir>/actor_audit_<lang>.judged.tsv`` exists (the same file with a last
  column ``correct`` = y/n filled in by a person), the audited precision estimate
  (overlapping + unmatched * correct share) / extracted is computed too;
* the most frequent missed named mentions (inflected variants grouped), each with a heuristic
  diagnosis: the bare string is matched (lost in its article), only another language's form
  matches it or a near form exists (inflection gap), its words occur only inside a longer form or
  in another case (partial/case variant), or nothing (not in the gazetteer);
* articles per second of extraction.

Offsets. The annotation ``end`` is INCLUSIVE (text[start:end+1] == mention). The offsets are
not always code points of the file as read: BG offsets count the file's own characters (some
files have CRLF line ends, some LF), RU offsets in most articles count every line break as two
characters (CRLF) although the files have LF, and EN offsets count UTF-16 code units (an emoji
counts twice).
The script reads every article with universal newlines (as stancekit does), tries each offset
convention per article, keeps the one under which most mentions match exactly, and maps the
spans into the normalised text; a mention that still does not match is searched for within
+-50 characters. The agreement rates are reported.

Only counts, ids and short mention strings are written; no article text enters the JSON.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.actors import ActorExtractor, Gazetteer  # noqa: E402
from stancekit.data.public import offset_table, read_article  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/semeval2025_t10/train")
LANG_DIR = {"bg": "BG", "ru": "RU", "en": "EN"}
AUDIT_N = 60
CONTEXT = 60
TIMING_PASSES = 3

# ---------------------------------------------------------------------------------------------
# Reading articles and aligning the annotation offsets
# ---------------------------------------------------------------------------------------------

#: offset conventions: (name, newline width from its raw form, count astral chars twice)
SCHEMES = [
    ("raw", "raw", False),  # code points of the file as stored (CRLF = 2, LF = 1)
    ("crlf", "two", False),  # every line break counted as two characters
    ("lf", "one", False),  # every line break counted as one character
    ("raw+utf16", "raw", True),
    ("crlf+utf16", "two", True),
    ("lf+utf16", "one", True),
]


@dataclass
class Span:
    article: str
    mention: str
    start: int  # normalised text, inclusive
    end: int  # normalised text, exclusive
    role: str
    aligned: str  # exact | nearby | unaligned
    named: bool = False
    found: bool = False


@dataclass
class Doc:
    article: str
    text: str
    spans: list[Span] = field(default_factory=list)
    scheme: str = ""


def read_annotations(path: Path) -> dict[str, list[list[str]]]:
    rows: dict[str, list[list[str]]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 5:
                rows[parts[0]].append(parts)
    return rows


def align_doc(article: str, text: str, rawlen: list[int], rows: list[list[str]], stats: Counter):
    tables = {name: offset_table(text, rawlen, nl, u16) for name, nl, u16 in SCHEMES}

    def exact(table: dict[int, int], mention: str, s: int, e: int) -> tuple[int, int] | None:
        if s in table and e + 1 in table:
            a, b = table[s], table[e + 1]
            if text[a:b] == mention:
                return a, b
        return None

    # plain Python indexing on the normalised text, end exclusive vs inclusive (for the report)
    for r in rows:
        s, e = int(r[2]), int(r[3])
        stats["check_inclusive_end"] += text[s : e + 1] == r[1]
        stats["check_exclusive_end"] += text[s:e] == r[1]
    scores = {
        name: sum(exact(t, r[1], int(r[2]), int(r[3])) is not None for r in rows)
        for name, t in tables.items()
    }
    for name in scores:
        stats[f"scheme_match_{name}"] += scores[name]
    best = max(SCHEMES, key=lambda sc: (scores[sc[0]], -SCHEMES.index(sc)))[0]
    stats[f"docs_scheme_{best}"] += 1
    spans: list[Span] = []
    for r in rows:
        mention, s, e = r[1], int(r[2]), int(r[3])
        hit = exact(tables[best], mention, s, e)
        how = "exact"
        if hit is None:
            how = "nearby"
            approx = tables[best].get(s, min(s, len(text)))
            cands = [m.start() for m in re.finditer(re.escape(mention), text)]
            cands = [c for c in cands if abs(c - approx) <= 50]
            if cands:
                c = min(cands, key=lambda c: abs(c - approx))
                hit = (c, c + len(mention))
            else:
                how = "unaligned"
                hit = (approx, min(len(text), approx + len(mention)))
        stats[f"aligned_{how}"] += 1
        spans.append(Span(article, mention, hit[0], hit[1], r[4], how))
    return spans, best


# ---------------------------------------------------------------------------------------------
# Which annotated mentions name a specific actor
# ---------------------------------------------------------------------------------------------

WORD_RE = re.compile(r"\w+(?:[-'’.]\w+)*\.?", re.UNICODE)
UPPER = re.compile(r"[A-ZА-ЯЁЇІЄҐ]")

#: relational adjectives and demonyms: capitalised in English, or sentence-initial in bg/ru,
#: but they describe a group rather than name an actor ("Russian forces", "Российские войска").
ADJ_RE = re.compile(
    r"^(?:"
    r"(?:руск|русск|российск|украинск|американск|западн|европейск|британск|английск|германск"
    r"|немск|немецк|френск|французск|китайск|полск|польск|естонск|эстонск|израелск|израильск"
    r"|турск|турецк|грузинск|белорусск|беларуск|киевск|московск|советск|съветск|натовск"
    r"|вашингтонск|международн|международ)\w*"
    r"|(?:russian|ukrainian|western|european|american|british|german|french|chinese|polish"
    r"|estonian|israeli|palestinian|vietnamese|soviet|georgian|belarusian|iranian|zionist"
    r"|slovak|hungarian|english|international)s?"
    r")$",
    re.IGNORECASE,
)

#: lower-case heads that still denote one specific actor when a name follows: titles
#: ("президент России", "адмиралу Ефтимову") and a named actor's institutions ("власти Эстонии",
#: "вооруженные силы Украины", "администрация Байдена").
TITLE_RE = re.compile(
    r"^(?:президент|премиер|премьер|генсек|генерален|министър|министр|канцлер|кмет|мэр|адмирал"
    r"|генерал|председател|spokes|president|prime|chancellor|mayor|minister|secretary|general"
    r"|admiral|professor|dr|mr|mrs|ms|lord|ayatollah"
    r"|администраци|правителств|министерств|посольств|посолств|власт|вооруженн|въоръжен|сил"
    r"|спецслужб|разузнаван|разведк|government|administration)\w*\.?$",
    re.IGNORECASE,
)

#: common nouns that complete a proper name after a capitalised adjective ("Руската федерация",
#: "Европейский союз").
PROPER_HEAD_RE = re.compile(r"^(?:федераци|съюз|союз|штат|щат|кралств|королевств)\w*$", re.I)


def case_counts(texts: list[str]) -> tuple[Counter, Counter]:
    """Per lower-cased word: occurrences in lower case, and capitalised NOT at a sentence start."""
    lower: Counter = Counter()
    cap_mid: Counter = Counter()
    for t in texts:
        for m in WORD_RE.finditer(t):
            w = m.group(0)
            if w[:1].islower():
                lower[w.lower()] += 1
            elif w[:1].isupper() and not _sentence_initial(t, m.start()):
                cap_mid[w.lower()] += 1
    return lower, cap_mid


def _sentence_initial(text: str, pos: int) -> bool:
    before = text[max(0, pos - 4) : pos].rstrip(" \t\"'«„“”»(")
    return pos == 0 or before == "" or before[-1:] in ".!?…\n:—–-"


def is_named(span: Span, text: str, vocab: tuple[Counter, Counter], lang: str) -> bool:
    """Does the annotated mention name a specific actor (a proper name or abbreviation as head)?

    A token is a NAME when it is an abbreviation (two or more capitals: САЩ, ВСУ, NATO, U.S) or
    a capitalised word that is not a relational adjective/demonym (Russian, Российские,
    Украинските, Ukrainians) and, if it stands at the start of a sentence, is not a common word
    capitalised only by position (its lower-case form occurs elsewhere in the corpus: "Беженцы").
    The mention names a specific actor when it contains a name AND its head is that name or a
    title before it: in bg/ru (head first) the first word must be a name or a title
    ("граждане РФ", "власти Эстонии", "спецслужбы Украины" are groups, excluded); in en (head
    last) the mention may not end in a lower-case plural ("US politicians", "KREMLIN
    propagandists", "German generals" excluded; "Biden administration" kept).
    """
    toks = [(m.group(0).strip("."), span.start + m.start()) for m in WORD_RE.finditer(span.mention)]
    toks = [(w, p) for w, p in toks if w]
    if not toks:
        return False

    lower, cap_mid = vocab

    def name_like(w: str, pos: int) -> bool:
        letters = [c for c in w if c.isalpha()]
        if sum(c.isupper() for c in letters) >= 2 and all(c.isupper() for c in letters[:2]):
            return not ADJ_RE.match(w)  # "RUSSIA", "NATO", "ВСУ", "U.S"
        if not w[:1].isupper():
            return False
        initial = _sentence_initial(text, pos)
        if ADJ_RE.match(w):
            return lang in ("bg", "ru") and not initial
        # a sentence-initial word that is usually lower case is a common word ("Беженцы")
        return not (initial and lower[w.lower()] > cap_mid[w.lower()])

    flags = [name_like(w, p) for w, p in toks]
    if (
        len(toks) > 1
        and toks[0][0][:1].isupper()
        and ADJ_RE.match(toks[0][0])
        and PROPER_HEAD_RE.match(toks[1][0])
    ):
        return True  # "Руската федерация", "Европейский союз"
    if not any(flags):
        return False
    if lang in ("bg", "ru"):
        first, pos = toks[0]
        # head first: a name; a title or institution before a name ("президент России",
        # "власти Эстонии"); a capitalised adjective before a name ("Украинските въоръжени сили
        # (ВСУ)"); a sentence-initial capitalised word
        # before a capitalised (non-abbreviation) name ("Бил Гейтс", "Совет Федераций").
        # Not a common noun heading a group ("граждане РФ", "Командиры ВСУ").
        first_cap = first[:1].isupper()
        second = toks[1][0] if len(toks) > 1 else ""
        adj_head = bool(ADJ_RE.match(first)) and first_cap and any(flags[1:])
        two_names = (
            first_cap
            and len(toks) > 1
            and flags[1]
            and not second.isupper()
            and second[:1].isupper()
        )
        return flags[0] or bool(TITLE_RE.match(first)) or adj_head or two_names
    last = toks[-1][0]
    plural_group = last[:1].islower() and last.endswith("s") and not TITLE_RE.match(last)
    return flags[-1] or not plural_group


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5) / (1 + z * z / n)
    return centre - half, centre + half


def overlaps(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def norm_key(mention: str) -> str:
    return mention.strip(" \t\"'«»„“”()[]?!.,:;-")


def gazetteer_tokens(gaz: Gazetteer, lang: str) -> list[set[str]]:
    """Per gazetteer entry, the lower-cased words of every form it lists for ``lang``."""
    out: list[set[str]] = []
    for entry in gaz.entries.values():
        forms = [entry.name.get(lang, "")]
        for by_lang in entry.forms.values():
            forms += list(by_lang.get(lang, ()))
        words = {w.lower() for f in forms for w in WORD_RE.findall(f)}
        if words:
            out.append(words)
    return out


def near_form(mention: str, entries: list[set[str]], lang: str) -> str:
    """Why an unmatched mention may still be close to ONE gazetteer entry (else ""):
    every capitalised word of the mention is a word of that entry's forms, or looks like an
    inflected form of one (a shared prefix of at least max(4, longer length - 3) letters:
    "Зеленского"/"Зеленский", "Российской Федерации"/"Российская Федерация") -> an inflection
    the matcher's endings fail to produce; all words present verbatim -> the mention is part
    of a longer form or differs in case ("West" of "the West", "Nato" of "NATO"). The
    inflection test is not applied to English (it would call "Europe" a form of "European")."""
    words = [w.lower() for w in WORD_RE.findall(mention) if w[:1].isupper() and len(w) >= 3]
    if not words:
        return ""

    def related(t: str, f: str) -> bool:
        n = 0
        while n < min(len(t), len(f)) and t[n] == f[n]:
            n += 1
        return n >= max(4, max(len(t), len(f)) - 3)

    best = ""
    for ws in entries:
        if all(w in ws for w in words):
            best = best or "partial-or-case-variant"  # "West" of "the West", "Nato" of "NATO"
        elif lang != "en" and all(w in ws or any(related(w, f) for f in ws) for w in words):
            return "inflection-gap-near-form-exists"
    return best


def read_domains(path: Path) -> dict[str, str]:
    """Article topic from the subtask-2 narratives: climate (CC:), ukraine_war (URW:), other."""
    out: dict[str, str] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            labels = parts[1]
            out[parts[0]] = (
                "climate" if "CC:" in labels else "ukraine_war" if "URW:" in labels else "other"
            )
    return out


def group_key(mention: str) -> str:
    """First five letters of the last capitalised word: groups a name's inflected forms."""
    caps = [w for w in WORD_RE.findall(mention) if w[:1].isupper()]
    return caps[-1][:5].lower() if caps else mention.lower()


def run_lang(ex: ActorExtractor, data: Path, lang: str, audit_dir: Path, seed: int) -> dict:
    d = data / LANG_DIR[lang]
    ann = read_annotations(d / "subtask-1-annotations.txt")
    topic = read_domains(d / "subtask-2-annotations.txt")
    stats: Counter = Counter()
    all_texts = [read_article(p)[0] for p in sorted((d / "raw-documents").glob("*.txt"))]
    vocab = case_counts(all_texts)
    docs: list[Doc] = []
    for article in sorted(ann):
        path = d / "raw-documents" / article
        if not path.exists():
            stats["missing_docs"] += 1
            continue
        text, rawlen = read_article(path)
        spans, scheme = align_doc(article, text, rawlen, ann[article], stats)
        for sp in spans:
            sp.named = is_named(sp, text, vocab, lang)
        docs.append(Doc(article, text, spans, scheme))

    # extraction (a warm-up article first so lazy set-up is not counted; median of 3 passes)
    if docs:
        ex.actors(docs[0].text, lang)
    times = []
    for _ in range(TIMING_PASSES):
        t0 = time.perf_counter()
        extracted = {doc.article: ex.actors(doc.text, lang) for doc in docs}
        times.append(time.perf_counter() - t0)
    elapsed = sorted(times)[len(times) // 2]  # median pass

    n_ext = n_ext_overlap = 0
    unmatched: list[dict] = []
    by_kind_total: Counter = Counter()
    by_kind_overlap: Counter = Counter()
    for doc in docs:
        mentions = [m for a in extracted[doc.article] for m in a.mentions]
        for sp in doc.spans:
            sp.found = any(overlaps(sp.start, sp.end, m.start, m.end) for m in mentions)
        for m in mentions:
            n_ext += 1
            by_kind_total[m.kind] += 1
            if any(overlaps(sp.start, sp.end, m.start, m.end) for sp in doc.spans):
                n_ext_overlap += 1
                by_kind_overlap[m.kind] += 1
            else:
                unmatched.append(
                    {
                        "article": doc.article,
                        "start": m.start,
                        "end": m.end,
                        "mention": m.text,
                        "actor_id": m.actor_id,
                        "kind": m.kind,
                        "context": doc.text[max(0, m.start - CONTEXT) : m.end + CONTEXT],
                    }
                )

    spans = [sp for doc in docs for sp in doc.spans]
    named = [sp for sp in spans if sp.named]
    # the crudest alternative definition, for comparison: any upper-case letter in the mention
    upper = [sp for sp in spans if UPPER.search(sp.mention)]

    def rec(xs: list[Span]) -> float | None:
        return round(sum(x.found for x in xs) / len(xs), 4) if xs else None

    # missed named mentions, with a diagnosis: does the gazetteer match the bare string at all?
    missed = Counter(norm_key(sp.mention) for sp in named if not sp.found)
    lang_tokens = gazetteer_tokens(ex.gazetteer, lang)
    diagnosis: dict[str, str] = {}
    for key in missed:
        if ex.matcher.find(key, lang):
            diagnosis[key] = "form-exists-missed-in-article"
        elif ex.matcher.find(key, None):
            diagnosis[key] = "inflection-gap-other-language-form-matches"
        else:
            diagnosis[key] = near_form(key, lang_tokens, lang) or "not-in-gazetteer"
    diag_counts: Counter = Counter()
    for key, n in missed.items():
        diag_counts[diagnosis[key]] += n
    # group inflected variants of one name ("Зеленского", "Владимира Зеленского", "Зеленскому"),
    # keyed by the last name word and the diagnosis (keeps "Совет Федераций" apart from "Российской
    # Федерации")
    groups: dict[str, Counter] = defaultdict(Counter)
    for key, n in missed.items():
        groups[f"{group_key(key)}|{diagnosis[key]}"][key] += n
    top_missed = sorted(
        (
            {
                "mention": g.most_common(1)[0][0],
                "count": sum(g.values()),
                "variants": [k for k, _ in sorted(g.items(), key=lambda kv: (-kv[1], kv[0]))][:4],
                "diagnosis": diagnosis[g.most_common(1)[0][0]],
            }
            for g in groups.values()
        ),
        key=lambda d: (-d["count"], d["mention"]),
    )[:15]

    excluded = Counter(norm_key(sp.mention) for sp in spans if not sp.named)

    # audit sample of extracted mentions that overlap no annotation
    rng = random.Random(f"{seed}-{lang}")
    sample = rng.sample(unmatched, min(AUDIT_N, len(unmatched)))
    sample.sort(key=lambda r: (r["article"], r["start"]))
    audit_dir.mkdir(parents=True, exist_ok=True)
    audit_path = audit_dir / f"actor_audit_{lang}.tsv"
    cols = ["article", "start", "end", "mention", "actor_id", "kind", "context"]
    with audit_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
        w.writerow(cols)
        for r in sample:
            w.writerow([str(r[c]).replace("\n", " ⏎ ").replace("\t", " ") for c in cols])

    audit = {"sample_size": len(sample), "file": str(audit_path)}
    judged = audit_dir / f"actor_audit_{lang}.judged.tsv"
    if judged.exists():
        with judged.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
        keys = {(r["article"], str(r["start"]), str(r["end"])) for r in sample}
        labels = [
            r["correct"].strip().lower() in ("y", "yes", "1", "true")
            for r in rows
            if (r["article"], r["start"], r["end"]) in keys
        ]
        if labels:
            share = sum(labels) / len(labels)
            est = (n_ext_overlap + (n_ext - n_ext_overlap) * share) / n_ext if n_ext else None
            lo, hi = wilson(sum(labels), len(labels))
            ov = n_ext_overlap / n_ext if n_ext else 0.0
            audit.update(
                judged=len(labels),
                correct=sum(labels),
                correct_share=round(share, 4),
                precision_estimate=round(est, 4) if est is not None else None,
                precision_estimate_95ci=[
                    round(ov + (1 - ov) * lo, 4),
                    round(ov + (1 - ov) * hi, 4),
                ],
            )

    roles = sorted({sp.role for sp in spans})
    return {
        "lang": lang,
        "articles": len(docs),
        "annotated_mentions": len(spans),
        "named_mentions": len(named),
        "recall_all": rec(spans),
        "recall_named": rec(named),
        "recall_named_by_topic": {
            t: rec([s for s in named if topic.get(s.article, "unknown") == t])
            for t in sorted({topic.get(s.article, "unknown") for s in named})
        },
        "named_mentions_by_topic": dict(
            sorted(Counter(topic.get(s.article, "unknown") for s in named).items())
        ),
        "uppercase_mentions": len(upper),
        "recall_uppercase": rec(upper),
        "recall_named_by_role": {r: rec([s for s in named if s.role == r]) for r in roles},
        "recall_named_found": sum(s.found for s in named),
        "extracted_mentions": n_ext,
        "extracted_overlapping": n_ext_overlap,
        "precision_vs_annotations": round(n_ext_overlap / n_ext, 4) if n_ext else None,
        "extracted_by_kind": {
            k: {"total": by_kind_total[k], "overlapping": by_kind_overlap[k]}
            for k in sorted(by_kind_total)
        },
        "extracted_actors_per_article": round(
            sum(len(v) for v in extracted.values()) / max(1, len(docs)), 2
        ),
        "audit": audit,
        "top_missed_named": top_missed,
        "missed_named_total": sum(missed.values()),
        "missed_named_diagnosis": dict(diag_counts),
        "excluded_as_not_named_examples": [
            {"mention": k, "count": n} for k, n in excluded.most_common(8)
        ],
        "excluded_as_not_named_total": sum(excluded.values()),
        "alignment": {k: v for k, v in sorted(stats.items())},
        "extraction_seconds_median_of_3": round(elapsed, 4),
        "articles_per_second": round(len(docs) / elapsed, 1) if elapsed > 0 else None,
        "chars_per_second": round(sum(len(d.text) for d in docs) / elapsed) if elapsed else None,
    }


def provenance(gazetteer: Path) -> dict:
    """Commit, whether the actor code and gazetteer differ from it, and a hash of the gazetteer."""

    def git(*a: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(ROOT), *a], capture_output=True, text=True, check=True
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    h = hashlib.sha256()
    files = sorted(gazetteer.rglob("*.yaml")) if gazetteer.is_dir() else [gazetteer]
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes_in": git(
            "status", "--porcelain", "--", "src/stancekit/actors", str(gazetteer)
        ).splitlines(),
        "gazetteer_sha256": h.hexdigest()[:16],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--langs", nargs="+", default=["bg", "ru", "en"], choices=sorted(LANG_DIR))
    ap.add_argument("--out", type=Path, default=ROOT / "experiments/actors/results.json")
    ap.add_argument("--gazetteer", type=Path, default=ROOT / "conf/actors/gazetteer")
    ap.add_argument("--audit-dir", type=Path, default=Path("/tmp"))
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument(
        "--discover",
        default=None,
        help="also count actors proposed by a recogniser (natasha, rules)",
    )
    args = ap.parse_args(argv)

    from stancekit.actors.discovery import make_recogniser

    t0 = time.perf_counter()
    gaz = Gazetteer.load(args.gazetteer)
    ex = ActorExtractor(gaz, recogniser=make_recogniser(args.discover))
    load_s = time.perf_counter() - t0

    results = [run_lang(ex, args.data, lang, args.audit_dir, args.seed) for lang in args.langs]

    print(
        "| lang | articles | annotated | recall (all) | named | recall (named) | extracted "
        "| precision vs annotations (lower bound) | audited precision est. | articles/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        a = r["audit"]
        est = (
            f"{a['precision_estimate']:.3f} ({a['correct']}/{a['judged']} audited ok)"
            if "precision_estimate" in a
            else "not judged"
        )
        print(
            f"| {r['lang']} | {r['articles']} | {r['annotated_mentions']} | {r['recall_all']:.3f} "
            f"| {r['named_mentions']} | {r['recall_named']:.3f} | {r['extracted_mentions']} "
            f"| {r['precision_vs_annotations']:.3f} | {est} | {r['articles_per_second']:.0f} |"
        )
    for r in results:
        print(
            f"\nTop missed named mentions, {r['lang']} "
            f"({r['missed_named_total']} missed; {r['missed_named_diagnosis']}):"
        )
        for m in r["top_missed_named"]:
            variants = ", ".join(m["variants"])
            print(f"  {m['count']:3d}  {m['mention']}  ({variants})  [{m['diagnosis']}]")

    out = {
        "data": str(args.data),
        "gazetteer": str(args.gazetteer),
        "gazetteer_actors": len(gaz),
        "provenance": provenance(args.gazetteer),
        "gazetteer_load_seconds": round(load_s, 3),
        "seed": args.seed,
        "discover": args.discover,
        "overlap_rule": "annotated span [start, end] (end inclusive) found if any extracted "
        "mention shares at least one character",
        "results": {r["lang"]: r for r in results},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
