"""Splits by article: every row of one article (and of articles with the same text) lands in one split."""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from stancekit.data.schema import Article, LabelRow
from stancekit.data.validate import text_hash


def _group_labels(
    articles: list[Article], labels: list[LabelRow]
) -> tuple[list[str], list[str], list[str]]:
    group_of = {a.id: text_hash(a.text) for a in articles}
    by_doc: dict[str, Counter[str]] = {}
    for r in labels:
        if r.target == "war":
            by_doc.setdefault(r.doc_id, Counter())[r.label] += 1
    ids = [a.id for a in articles]
    # Stratify on each article's most frequent `war` label, the rarest signal we most want in every split.
    strata = [by_doc[i].most_common(1)[0][0] if i in by_doc else "none" for i in ids]
    return ids, [group_of[i] for i in ids], strata


def _one_split(
    ids: list[str], groups: list[str], strata: list[str], frac: float, seed: int
) -> tuple[list[int], list[int]]:
    n_splits = max(2, round(1 / frac)) if frac > 0 else 0
    n_groups = len(set(groups))
    if n_splits == 0 or n_groups < 2:
        return list(range(len(ids))), []
    n_splits = min(n_splits, n_groups)
    counts = Counter(strata)
    # Rare strata cannot be spread over every fold; pool them so stratification still applies to the rest.
    strat = [s if counts[s] >= n_splits else "_rare" for s in strata]
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    rest, held = next(splitter.split(np.zeros(len(ids)), strat, groups))
    return rest.tolist(), held.tolist()


def split_by_article(
    articles: list[Article],
    labels: list[LabelRow],
    val_size: float = 0.2,
    test_size: float = 0.2,
    seed: int = 42,
) -> dict[str, list[str]]:
    """Assign article ids to train/val/test, grouped by text, stratified where possible, seeded."""
    ids, groups, strata = _group_labels(articles, labels)
    rest, test = _one_split(ids, groups, strata, test_size, seed)
    ids_r = [ids[i] for i in rest]
    val_frac = val_size / (1 - test_size) if test_size < 1 else 0
    rest2, val = _one_split(
        ids_r, [groups[i] for i in rest], [strata[i] for i in rest], val_frac, seed + 1
    )
    return {
        "train": sorted(ids_r[i] for i in rest2),
        "val": sorted(ids_r[i] for i in val),
        "test": sorted(ids[i] for i in test),
    }
