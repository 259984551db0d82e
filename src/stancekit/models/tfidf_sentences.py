"""TF-IDF features of actor contexts built from their sentences' term counts, each sentence once.

An actor's input is ``prefix + separator.join(parts)``. Where every junction between those pieces
is whitespace, the word tokens and the ``char_wb`` words of the whole are the pieces' own, in
order, so the whole's term counts are the sum of the pieces' counts plus the word n-grams that
span a junction; sublinear tf, idf and the norm then apply to that sum exactly as
:class:`TfidfVectorizer` applies them to the whole. A batch's distinct sentences are counted once
and serve every actor that reads them, every target, and the evidence (each marked sentence
alone). A context whose junctions are not whitespace is counted whole.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

from stancekit.actors.contexts import ActorContext

#: scikit-learn's default word pattern; another pattern might match across a junction.
DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"


def decomposable(vectorizer: Any) -> bool:
    """Whether a fitted vectorizer's counts of a whitespace-joined text are its pieces' counts
    (plus, for word n-grams, the n-grams across junctions)."""
    if not isinstance(vectorizer, TfidfVectorizer) or vectorizer.binary:
        return False
    if vectorizer.input != "content" or vectorizer.preprocessor is not None:
        return False
    if vectorizer.strip_accents is not None:  # NFKD may join a mark across a junction
        return False
    if vectorizer.analyzer == "char_wb":
        return True
    return (
        vectorizer.analyzer == "word"
        and vectorizer.tokenizer is None
        and vectorizer.token_pattern == DEFAULT_TOKEN_PATTERN
    )


def pieces(ctx: ActorContext) -> list[str]:
    """The strings whose concatenation is ``ctx.text``, split at whitespace junctions only."""
    out = [p for p in [ctx.prefix, *_interleave(ctx.parts, ctx.separator)] if p]
    if not ctx.parts or "".join(out) != ctx.text:
        return [ctx.text]
    for left, right in zip(out, out[1:], strict=False):
        if not (left[-1].isspace() or right[0].isspace()):
            return [ctx.text]
    return out


def _interleave(parts: Sequence[str], separator: str) -> list[str]:
    out: list[str] = []
    for i, part in enumerate(parts):
        if i:
            out.append(separator)
        out.append(part)
    return out


def tfidf_from_counts(vectorizer: TfidfVectorizer, counts: sp.csr_matrix) -> sp.csr_matrix:
    """What ``vectorizer.transform`` gives for texts with these raw term counts."""
    X = sp.csr_matrix(counts, dtype=np.float64, copy=True)
    if vectorizer.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    if vectorizer.use_idf:
        X.data *= vectorizer.idf_[X.indices]
    if vectorizer.norm is not None:
        X = normalize(X, norm=vectorizer.norm, copy=False)
    return sp.csr_matrix(X)


def _junction_ngrams(
    vectorizer: TfidfVectorizer,
    pieces_of: Sequence[list[str]],
    tokens_of: Callable[[str], list[str]],
) -> sp.csr_matrix:
    """Per context, the counts of word n-grams (n >= 2) that span a junction between pieces."""
    lo, hi = vectorizer.ngram_range
    vocab = vectorizer.vocabulary_
    rows: list[int] = []
    cols: list[int] = []
    for r, ps in enumerate(pieces_of):
        if hi < 2 or len(ps) < 2:
            continue
        seq: list[str] = []
        junctions = set()
        for p in ps:
            if seq:
                junctions.add(len(seq))
            seq.extend(tokens_of(p))
        for n in range(max(lo, 2), hi + 1):
            starts = {
                j for b in junctions for j in range(max(0, b - n + 1), min(b, len(seq) - n + 1))
            }
            for j in starts:
                col = vocab.get(" ".join(seq[j : j + n]))
                if col is not None:
                    rows.append(r)
                    cols.append(col)
    return sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(pieces_of), len(vocab)), dtype=np.float64
    )


def _word_tokens(vectorizer: TfidfVectorizer) -> Callable[[str], list[str]]:
    preprocess, tokenize = vectorizer.build_preprocessor(), vectorizer.build_tokenizer()
    stop = vectorizer.get_stop_words()
    cache: dict[str, list[str]] = {}

    def tokens(doc: str) -> list[str]:
        if doc not in cache:
            words = tokenize(preprocess(doc))
            cache[doc] = [w for w in words if w not in stop] if stop else words
        return cache[doc]

    return tokens


#: Words whose char n-grams a :class:`WordNgramCache` keeps before it starts afresh.
MAX_CACHED_WORDS = 200_000


class WordNgramCache:
    """``char_wb`` counts of texts, built from each distinct word's n-grams, looked up once.

    ``char_wb`` n-grams never cross a space, so a text's counts are its words' counts summed; news
    repeats its words, and most of a batch's words were seen before. Bounded: it starts afresh
    after :data:`MAX_CACHED_WORDS` words, so memory stays flat over a long run.
    """

    def __init__(self) -> None:
        self.columns: dict[int, dict[str, np.ndarray]] = {}

    def counts(self, vectorizer: TfidfVectorizer, docs: Sequence[str]) -> sp.csr_matrix:
        cache = self.columns.setdefault(id(vectorizer), {})
        if len(cache) > MAX_CACHED_WORDS:
            cache.clear()
        analyze, preprocess = vectorizer.build_analyzer(), vectorizer.build_preprocessor()
        vocab = vectorizer.vocabulary_
        empty = np.zeros(0, dtype=np.int64)
        indices: list[np.ndarray] = []
        indptr = [0]
        for doc in docs:
            n = indptr[-1]
            for word in preprocess(doc).split():
                cols = cache.get(word)
                if cols is None:
                    found = [vocab[g] for g in analyze(word) if g in vocab]
                    cols = cache[word] = np.array(found, dtype=np.int64) if found else empty
                indices.append(cols)
                n += len(cols)
            indptr.append(n)
        flat = np.concatenate(indices) if indices else empty
        out = sp.csr_matrix(
            (np.ones(len(flat)), flat, np.array(indptr)), shape=(len(docs), len(vocab))
        )
        out.sum_duplicates()
        return out


def context_blocks(
    vectorizers: Sequence[TfidfVectorizer],
    contexts: Sequence[ActorContext],
    words: WordNgramCache | None = None,
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The vectorizers' features (side by side, as a FeatureUnion gives them) of each context's
    input, and of each of its marked sentences alone (contexts in order, sentences in order)."""
    index: dict[str, int] = {}
    pieces_of = [pieces(ctx) for ctx in contexts]
    unit_rows: list[int] = []
    unit_cols: list[int] = []
    for r, ps in enumerate(pieces_of):
        for p in ps:
            unit_rows.append(r)
            unit_cols.append(index.setdefault(p, len(index)))
    sentence_cols = [index.setdefault(s, len(index)) for ctx in contexts for s in ctx.sentences]
    # how many times each distinct piece occurs in each context (a separator k - 1 times)
    incidence = sp.csr_matrix(
        (np.ones(len(unit_rows)), (unit_rows, unit_cols)), shape=(len(contexts), len(index))
    )
    docs = list(index)
    units, sentences = [], []
    for vec in vectorizers:
        if vec.analyzer == "char_wb" and words is not None:
            counts = words.counts(vec, docs)
        else:
            counts = sp.csr_matrix(CountVectorizer.transform(vec, docs), dtype=np.float64)
        whole = incidence @ counts
        if vec.analyzer == "word":
            whole = whole + _junction_ngrams(vec, pieces_of, _word_tokens(vec))
        units.append(tfidf_from_counts(vec, whole))
        sentences.append(tfidf_from_counts(vec, counts[sentence_cols]))
    return sp.hstack(units, format="csr"), sp.hstack(sentences, format="csr")
