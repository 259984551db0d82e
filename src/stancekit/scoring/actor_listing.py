"""What ``stancekit actors`` shows: each article's actors, and gazetteer stubs for unknown ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from stancekit.actors import Actor, ActorExtractor
from stancekit.data.io import BadRecord
from stancekit.scoring.inputs import open_articles


@dataclass
class Proposed:
    """Actors outside the gazetteer seen over a run: how many articles, with which forms."""

    counts: Counter[str] = field(default_factory=Counter)
    info: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, actors: list[Actor]) -> None:
        for a in actors:
            if a.provisional:
                self.counts[a.actor_id] += 1
                info = self.info.setdefault(
                    a.actor_id, {"name": a.name, "type": a.type, "forms": set()}
                )
                info["forms"].update(a.surface_forms)

    def stubs_yaml(self, recogniser: str) -> str:
        """Gazetteer entries to review: id, type, name and aliases under the placeholder key ``xx``."""
        stubs = [
            {
                "id": actor_id.removeprefix("new:"),
                "type": self.info[actor_id]["type"],
                "name": {"xx": self.info[actor_id]["name"]},
                "aliases": {"xx": sorted(self.info[actor_id]["forms"])},
                "note": f"proposed by {recogniser}; seen in {n} article(s); "
                "set the language keys and review before adding",
            }
            for actor_id, n in self.counts.most_common()
        ]
        return yaml.safe_dump(stubs, allow_unicode=True, sort_keys=False)


def actor_record(doc_id: Any, a: Actor) -> dict[str, Any]:
    return {
        "doc_id": doc_id,
        "actor_id": a.actor_id,
        "actor": a.name,
        "type": a.type,
        "provisional": a.provisional,
        "n_mentions": len(a.mentions),
        "n_speaking": a.n_speaking,
        "mentions": a.surface_forms,
    }


def list_actors(
    path: Path, extractor: ActorExtractor, proposed: Proposed
) -> Iterator[tuple[Any, list[Actor]] | str]:
    """(doc_id, actors) per article of ``path``; a line naming file, line and reason per skipped
    record. Unknown actors are counted in ``proposed``."""
    for rec in open_articles(path):
        if isinstance(rec, BadRecord):
            yield f"skipped {rec.where()}: {rec.message}"
            continue
        text = rec.data.get("text")
        if not isinstance(text, str):
            yield f"skipped {rec.where('text')}: text is not a string"
            continue
        found = extractor.actors(text, rec.data.get("lang"))
        proposed.add(found)
        yield rec.data.get("id", rec.data.get("doc_id")), found
