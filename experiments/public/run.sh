#!/usr/bin/env bash
# Every family on every public dataset, same splits and seed; C tuned on the dev split only.
# Usage: bash experiments/public/run.sh [dataset ...]   (from anywhere; about 1-2 h on 2 CPU cores)
set -euo pipefail
cd "$(dirname "$0")/../.."
export HF_HUB_OFFLINE=1 DVC_NO_ANALYTICS=1
export MLFLOW_TRACKING_URI="${MLFLOW_TRACKING_URI:-sqlite:///$PWD/mlflow.db}"
PY=.venv/bin/python
for d in ${@:-semeval2016 ruw newsmtsc semeval2025_t10 cinexio}; do
  case $d in
    cinexio|semeval2025_t10) embed=embed_e5 ;;   # Bulgarian / multilingual: multilingual-e5-small
    *) embed=embed_minilm ;;                     # English: MiniLM
  esac
  echo "== $d: tfidf_logreg" >&2
  $PY -m stancekit.train -m data=$d model=tfidf_logreg model.C=0.1,0.25,0.5,2,8 tracking.experiment=public-$d tracking.log_model=false
  echo "== $d: $embed" >&2
  $PY -m stancekit.train -m data=$d model=$embed model.C=0.5,2,8 tracking.experiment=public-$d tracking.log_model=false
  # Fine-tuned MiniLM on the English datasets; CPU time is limited, so epochs are capped (see README).
  [ "${SKIP_TRANSFORMER:-0}" = 1 ] && continue
  case $d in
    semeval2016) epochs=4 ;;
    newsmtsc) epochs=2 ;;
    ruw) epochs=1 ;;
    *) continue ;;
  esac
  echo "== $d: transformer_minilm ($epochs epochs)" >&2
  $PY -m stancekit.train data=$d model=transformer_minilm model.epochs=$epochs model.progress=false \
    tracking.experiment=public-$d tracking.log_model=false
done
