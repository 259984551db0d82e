"""Batch 2 into the annotated set: every annotator's rows and the adjudicated gold, stand-off.

    python experiments/annotation/integrate_batch2.py --work /tmp/ann2

Reads the first-pass rows (``rows_c*.jsonl``, from ``stancekit annotate import``), the second pass
mapped onto the first pass's actor ids (``rows_second_aligned.jsonl``, from disagreements.py), the
rejected actors and the adjudicator's ``decisions.jsonl``; writes each annotator's stand-off rows
to ``data/annotations/raw/``, appends them and the gold rows to ``actor_stance.jsonl`` (batch 1's
rows stay as they are) and the decisions to ``adjudication.jsonl``. Idempotent: batch 2's rows
are replaced, not added twice.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from stancekit.annotation.adjudicate import adjudicate  # noqa: E402
from stancekit.annotation.standoff import to_standoff  # noqa: E402
from stancekit.data.adapters import read_semeval_articles  # noqa: E402
from stancekit.data.io import read_records, write_records  # noqa: E402

TEXTS = ROOT.parent / "shared/data/semeval2025_t10/train"
ANN = ROOT / "data/annotations"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--work", type=Path, default=Path("/tmp/ann2"))
    args = ap.parse_args()
    batch = json.loads((ANN / "batch2.json").read_text())
    docs = {d for v in batch["batch"].values() for d in v}
    arts = {a.id: a for a in read_semeval_articles(TEXTS, ("bg", "ru", "en"), None) if a.id in docs}
    first_files = sorted(args.work.glob("rows_c?.jsonl"))
    passes = {p.stem.removeprefix("rows_"): [r.data for r in read_records(p)] for p in first_files}
    second = [r.data for r in read_records(args.work / "rows_second_aligned.jsonl")]
    for who in sorted({r["annotator"].split("@")[0] for r in second}):
        passes[who] = [r for r in second if r["annotator"].startswith(who + "@")]
    every = []
    for who, rows in sorted(passes.items()):
        standoff = to_standoff(rows, arts)
        write_records(ANN / f"raw/annotator-{who}.jsonl", standoff)
        rej = args.work / f"rows_{who}.rejected.jsonl"
        if rej.exists():
            write_records(
                ANN / f"raw/annotator-{who}.rejected.jsonl", [r.data for r in read_records(rej)]
            )
        every += standoff
    decisions = []
    for rec in read_records(args.work / "decisions.jsonl"):
        d = dict(rec.data)
        if "target" in d:
            ev = to_standoff([{**d, "annotator": "adjudicator"}], arts)[0]
            d["evidence_start"], d["evidence_end"] = ev["evidence_start"], ev["evidence_end"]
            d.pop("evidence", None)
        d["batch"] = 2
        decisions.append(d)
    gold = adjudicate(every, decisions)
    old = [r.data for r in read_records(ANN / "actor_stance.jsonl") if r.data["doc_id"] not in docs]
    write_records(ANN / "actor_stance.jsonl", [*old, *every, *gold.rows])
    old_dec = [r.data for r in read_records(ANN / "adjudication.jsonl") if r.data.get("batch") != 2]
    write_records(ANN / "adjudication.jsonl", [*old_dec, *decisions])
    print(
        f"batch 2: {len(every)} annotator rows, {len(gold.rows)} gold rows {gold.stats}; "
        f"{len(decisions)} decisions; set now {len(old) + len(every) + len(gold.rows)} rows"
    )


if __name__ == "__main__":
    main()
