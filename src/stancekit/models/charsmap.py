"""A SentencePiece ``precompiled_charsmap`` built from a per-codepoint normalisation map.

The ``tokenizers`` ``Precompiled`` normaliser reads SentencePiece's blob: a little-endian ``u32``
trie size, a darts-clone double-array trie over the UTF-8 bytes of each source string, then the
NUL-terminated replacement strings the trie's leaves point into. This writes that blob, so a
tokenizer can carry XLM-R's normalisation (NFKC plus SentencePiece's own rules) without
SentencePiece or a download.

A double-array unit (``u32``) reads as: bits 0-7 the label byte, bit 8 "has a leaf", bit 9 the
offset's 256× scale (unused here), bits 10-30 the offset to the node's children (``pos ^ offset``).
A leaf unit sits at its node's child slot 0 and holds the value with bit 31 set, so it never
matches a label.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

import numpy as np

_LEAF_FLAG = 1 << 31
_MAX_OFFSET = 1 << 21


def _trie(keys: Mapping[bytes, int]) -> list[dict[int, int]]:
    """Nodes as ``{label: child node}``; label ``-1`` marks a key ending there (value = child)."""
    nodes: list[dict[int, int]] = [{}]
    for key, value in keys.items():
        node = 0
        for byte in key:
            nxt = nodes[node].get(byte)
            if nxt is None:
                nxt = len(nodes)
                nodes.append({})
                nodes[node][byte] = nxt
            node = nxt
        nodes[node][-1] = value
    return nodes


def double_array(keys: Mapping[bytes, int]) -> np.ndarray:
    """The darts-clone units (``uint32``) for ``keys`` (non-empty, NUL-free byte strings → values)."""
    for key, value in keys.items():
        if not key or 0 in key:
            raise ValueError(f"charsmap key {key!r}: keys must be non-empty and free of NUL bytes")
        if not 0 <= value < _LEAF_FLAG:
            raise ValueError(f"charsmap key {key!r}: value {value} out of range")
    nodes = _trie(keys)
    if not keys:
        return np.zeros(1, dtype=np.uint32)
    units = [0] * 1024
    used = bytearray(1024)
    used[0] = 1  # the root
    bases: set[int] = set()
    position = {0: 0}  # node → slot
    queue = [0]
    while queue:
        node = queue.pop(0)
        children = nodes[node]
        labels = sorted(0 if lab == -1 else lab for lab in children)
        # children sit at base ^ label; every base is distinct, so a slot reached through a label
        # the node lacks belongs to another parent and carries a different label
        free = used.find(0)
        while True:
            base = free ^ labels[0]
            if (base | 0xFF) >= len(used):
                units += [0] * len(units)
                used += bytearray(len(used))
            if base != 0 and base not in bases and not any(used[base ^ lab] for lab in labels):
                break
            free = used.find(0, free + 1)
            if free < 0:
                free = len(used)
        bases.add(base)
        pos = position[node]
        offset = pos ^ base
        if offset >= _MAX_OFFSET:
            raise ValueError("charsmap trie too large for a 21-bit offset")
        has_leaf = -1 in children
        units[pos] = (units[pos] & 0xFF) | (offset << 10) | (int(has_leaf) << 8)
        for lab in labels:
            used[base ^ lab] = 1
        if has_leaf:
            units[base] = children[-1] | _LEAF_FLAG
        for lab, child in children.items():
            if lab == -1:
                continue
            position[child] = base ^ lab
            units[base ^ lab] = lab
            queue.append(child)
    last = max(i for i, u in enumerate(used) if u) + 1
    return np.array(units[:last], dtype=np.uint32)


def precompiled_charsmap(mapping: Mapping[str, str]) -> bytes:
    """The ``Precompiled`` normaliser blob that replaces each key string by its value."""
    blob = bytearray()
    where: dict[str, int] = {}
    keys: dict[bytes, int] = {}
    for src, dst in sorted(mapping.items()):
        if dst not in where:
            if "\0" in dst:
                raise ValueError(f"charsmap value for {src!r} contains a NUL character")
            where[dst] = len(blob)
            blob += dst.encode("utf-8") + b"\0"
        keys[src.encode("utf-8")] = where[dst]
    units = double_array(keys)
    trie = units.astype("<u4").tobytes()
    return struct.pack("<I", len(trie)) + trie + bytes(blob)
