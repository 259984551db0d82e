"""ONNX export of a fine-tuned transformer, with dynamic int8 quantisation for scoring.

The exported graph is the encoder + classifier (per-context logits, tokens pooled as the model
pools them); pooling over contexts and the target mask stay in Python, exactly as in
:class:`TransformerStanceModel`. ``export_onnx`` checks
parity (predicted labels on a fixed evaluation set) and measures the speed-up.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stancekit.models.transformer import TransformerStanceModel, sequence_logits

ONNX_FILE = "model.onnx"
QUANT_FILE = "model.int8.onnx"


@dataclass
class ExportReport:
    label_agreement: float  # share of rows where the ONNX (int8) model predicts the PyTorch label
    max_abs_proba_diff: float
    torch_rows_per_s: float
    onnx_rows_per_s: float
    speedup: float
    rows: int
    passed: bool
    min_agreement: float


class OnnxTransformerStanceModel(TransformerStanceModel):
    """A :class:`TransformerStanceModel` whose encoder runs in onnxruntime (int8 by default)."""

    family = "transformer_onnx"
    _onnx_path: Path
    _sess: Any = None

    def _session(self) -> Any:
        if getattr(self, "_sess", None) is None:
            import onnxruntime as ort

            opts = ort.SessionOptions()
            self._sess = ort.InferenceSession(
                str(self._onnx_path), opts, providers=["CPUExecutionProvider"]
            )
            self._inputs = {i.name for i in self._sess.get_inputs()}
        return self._sess

    def _forward(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        sess = self._session()
        feed = {k: v for k, v in batch.items() if k in self._inputs}
        return np.asarray(sess.run(["logits"], feed)[0], dtype=np.float64)

    def _save_weights(self, path: Path) -> None:
        # The ONNX graph replaces the PyTorch weights: only the tokenizer and the graph are kept.
        import shutil

        self.tokenizer_.save_pretrained(path / "encoder")
        (path / "history.json").write_text(json.dumps(self.history_, indent=1), encoding="utf-8")
        shutil.copy(self._onnx_path, path / QUANT_FILE)

    @classmethod
    def _load(cls, path: Path, manifest: dict[str, Any]) -> OnnxTransformerStanceModel:
        from transformers import AutoTokenizer

        model = cls(**manifest.get("params", {}), label_space=manifest["label_space"])
        model.tokenizer_ = AutoTokenizer.from_pretrained(
            str(path / "encoder"), local_files_only=True, trust_remote_code=False
        )
        model.encoder_ = None
        model._onnx_path = path / QUANT_FILE
        model._sess = None
        return model


def export_onnx(
    model: TransformerStanceModel,
    out_dir: str | Path,
    eval_frame: pd.DataFrame,
    quantize: bool = True,
    min_agreement: float = 0.99,
) -> tuple[OnnxTransformerStanceModel, ExportReport]:
    """Export ``model``'s encoder to ONNX (opset 17, dynamic batch/length), quantise, check parity."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    encoder = model.encoder_.eval()
    sample = model.tokenizer_(
        ["stance", "probe"], ["a short text", "another"], return_tensors="pt", padding=True
    )
    names = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in sample]

    class Logits(torch.nn.Module):
        def __init__(self, enc: Any):
            super().__init__()
            self.enc = enc

        def forward(self, *args: torch.Tensor) -> torch.Tensor:
            return sequence_logits(self.enc, model.pooling, **dict(zip(names, args, strict=True)))

    fp32 = out_dir / ONNX_FILE
    torch.onnx.export(
        Logits(encoder),
        tuple(sample[k] for k in names),
        str(fp32),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={**{k: {0: "batch", 1: "length"} for k in names}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    final = fp32
    if quantize:
        final = out_dir / QUANT_FILE
        quantize_dynamic(str(fp32), str(final), weight_type=QuantType.QInt8)
    onnx_model = OnnxTransformerStanceModel(**model.get_config(), label_space=model.label_space)
    onnx_model.tokenizer_, onnx_model.encoder_ = model.tokenizer_, model.encoder_
    onnx_model.history_ = model.history_
    onnx_model._onnx_path, onnx_model._sess = final, None

    X = eval_frame[["target", "text"]]
    t0 = time.perf_counter()
    p_torch = model.predict_proba(X)
    t_torch = time.perf_counter() - t0
    onnx_model.predict_proba(X.head(2))  # session start-up is not part of the steady-state speed
    t0 = time.perf_counter()
    p_onnx = onnx_model.predict_proba(X)
    t_onnx = time.perf_counter() - t0
    agree = float((p_torch.argmax(1) == p_onnx.argmax(1)).mean()) if len(X) else 1.0
    report = ExportReport(
        label_agreement=agree,
        max_abs_proba_diff=float(np.abs(p_torch - p_onnx).max()) if len(X) else 0.0,
        torch_rows_per_s=len(X) / t_torch,
        onnx_rows_per_s=len(X) / t_onnx,
        speedup=t_torch / t_onnx,
        rows=len(X),
        passed=agree >= min_agreement,
        min_agreement=min_agreement,
    )
    (out_dir / "onnx_report.json").write_text(
        json.dumps(asdict(report), indent=2), encoding="utf-8"
    )
    return onnx_model, report
