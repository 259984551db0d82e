"""Agreement between annotators on rows labelled more than once: Cohen's kappa, Krippendorff's alpha."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


def cohen_kappa(a: Sequence[str], b: Sequence[str]) -> float:
    """Cohen's kappa of two annotators over the same items (1 = perfect, 0 = chance)."""
    if len(a) != len(b) or not a:
        raise ValueError("cohen_kappa needs two equally long, non-empty label lists")
    labels = sorted(set(a) | set(b))
    idx = {lab: i for i, lab in enumerate(labels)}
    m = np.zeros((len(labels), len(labels)))
    for x, y in zip(a, b, strict=True):
        m[idx[x], idx[y]] += 1
    n = m.sum()
    po = np.trace(m) / n
    pe = float((m.sum(axis=1) * m.sum(axis=0)).sum()) / n**2
    return 1.0 if pe == 1 else float((po - pe) / (1 - pe))


def krippendorff_alpha(units: Sequence[Sequence[str]]) -> float:
    """Krippendorff's alpha (nominal) over units, each the labels its annotators gave (≥2 to count)."""
    units = [u for u in units if len(u) >= 2]
    if not units:
        raise ValueError("krippendorff_alpha needs units with at least two labels")
    labels = sorted({x for u in units for x in u})
    idx = {lab: i for i, lab in enumerate(labels)}
    o = np.zeros((len(labels), len(labels)))  # coincidence matrix
    for u in units:
        m = len(u)
        for i, j in ((i, j) for i in range(m) for j in range(m) if i != j):
            o[idx[u[i]], idx[u[j]]] += 1 / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    d_o = n - np.trace(o)
    d_e = (n * n - (n_c**2).sum()) / (n - 1)
    return 1.0 if d_e == 0 else float(1 - d_o / d_e)


@dataclass
class TargetAgreement:
    target: str
    n_items: int
    n_annotators: int
    kappa: float | None  # when exactly two annotators labelled every shared item
    alpha: float
    confusion: pd.DataFrame  # annotator A label × annotator B label (first two annotators)


def agreement(
    rows: pd.DataFrame, label_space: Mapping[str, Sequence[str]]
) -> list[TargetAgreement]:
    """Per target, agreement on (doc_id, actor_id) items labelled by at least two annotators.

    Kappa and the confusion compare the first and second annotation of each item in row order
    ("first pass" × "second pass"), which also works when different people did the first pass.
    """
    out = []
    for target in label_space:
        sub = rows[rows["target"] == target]
        by_item: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
        for r in sub.itertuples():
            by_item[(r.doc_id, r.actor_id)].setdefault(str(r.annotator), r.label)
        multi = {k: v for k, v in by_item.items() if len(v) >= 2}
        if not multi:
            continue
        annotators = sorted({a for v in multi.values() for a in v})
        alpha = krippendorff_alpha([list(v.values()) for v in multi.values()])
        pairs = [tuple(v.values())[:2] for v in multi.values()]
        kappa = cohen_kappa([p[0] for p in pairs], [p[1] for p in pairs])
        labels = list(label_space[target])
        conf = pd.DataFrame(
            0,
            index=pd.Index(labels, name="first pass"),
            columns=pd.Index(labels, name="second pass"),
        )
        for x, y in pairs:
            conf.loc[x, y] += 1
        out.append(TargetAgreement(target, len(multi), len(annotators), kappa, alpha, conf))
    return out


def agreement_by_language(
    rows: pd.DataFrame, label_space: Mapping[str, Sequence[str]]
) -> list[tuple[str, list[TargetAgreement]]]:
    """:func:`agreement` over all rows (``"all"``) and then per ``lang``, the adjudicated gold
    rows left out: they are no annotator of their own."""
    from stancekit.annotation.adjudicate import GOLD

    people = rows[rows["annotator"] != GOLD]
    langs = sorted(people["lang"].dropna().unique()) if "lang" in people.columns else []
    return [("all", agreement(people, label_space))] + [
        (lang, agreement(people[people["lang"] == lang], label_space)) for lang in langs
    ]


def agreement_markdown(rows: pd.DataFrame, label_space: Mapping[str, Sequence[str]]) -> str | None:
    """Agreement per target and language as a markdown table, then each target's confusion matrix;
    ``None`` when no (article, actor) was labelled by two annotators."""
    by_language = agreement_by_language(rows, label_space)
    results = by_language[0][1]
    if not results:
        return None
    lines = [
        "| target | language | items | annotators | Cohen's kappa | Krippendorff's alpha |",
        "|---|---|---|---|---|---|",
    ]
    for lang, res in by_language:
        for r in res:
            kappa = f"{r.kappa:.3f}" if r.kappa is not None else "–"
            lines.append(
                f"| {r.target} | {lang} | {r.n_items} | {r.n_annotators} | {kappa} | {r.alpha:.3f} |"
            )
    report = "\n".join(lines) + "\n"
    for r in results:
        cols = list(r.confusion.columns)
        report += f"\n### {r.target}: {r.confusion.index.name} (rows) × {r.confusion.columns.name} (columns)\n\n"
        report += "| | " + " | ".join(cols) + " |\n|---|" + "---|" * len(cols) + "\n"
        for lab, row in r.confusion.iterrows():
            report += f"| {lab} | " + " | ".join(str(v) for v in row) + " |\n"
    return report
