"""The actor gazetteer: stable ids, names and aliases per language, loaded from reviewed YAML."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ACTOR_TYPES = frozenset(
    {"person", "state", "bloc", "collective", "organisation", "party", "armed_group", "media"}
)
#: Kinds of surface form, strongest first: a name or alias names the actor on its own; a metonym
#: (capital, seat of power) stands for it; roles and short forms only resolve to an actor already
#: named in the same article.
FORM_KINDS = ("name", "aliases", "metonyms", "roles", "short")


class GazetteerError(ValueError):
    """A gazetteer file that breaks the schema; the message names the file, entry and field."""


@dataclass(frozen=True)
class ActorEntry:
    id: str
    type: str
    name: Mapping[str, str]
    forms: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    affiliation: str | None = None

    def display_name(self, lang: str | None = None) -> str:
        for key in (lang, "en", "bg"):
            if key and key in self.name:
                return self.name[key]
        return next(iter(self.name.values()), self.id)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type, "name": dict(self.name)}
        if self.affiliation:
            d["affiliation"] = self.affiliation
        for kind in FORM_KINDS[1:]:
            if self.forms.get(kind):
                d[kind] = {lang: list(v) for lang, v in self.forms[kind].items()}
        return d


def _lang_lists(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise GazetteerError(f"{where}: expected a mapping language -> list of strings")
    out: dict[str, tuple[str, ...]] = {}
    for lang, forms in value.items():
        if isinstance(forms, str):
            forms = [forms]
        if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
            raise GazetteerError(f"{where}.{lang}: expected a list of non-empty strings")
        out[str(lang)] = tuple(f.strip() for f in forms)
    return out


def parse_entry(raw: Any, where: str) -> ActorEntry:
    if not isinstance(raw, Mapping):
        raise GazetteerError(f"{where}: expected a mapping, got {type(raw).__name__}")
    actor_id = raw.get("id")
    if not isinstance(actor_id, str) or not actor_id:
        raise GazetteerError(f"{where} field 'id': missing or not a string")
    where = f"{where} ({actor_id})"
    actor_type = raw.get("type")
    if actor_type not in ACTOR_TYPES:
        raise GazetteerError(
            f"{where} field 'type': '{actor_type}' is not one of {sorted(ACTOR_TYPES)}"
        )
    name = raw.get("name")
    if not isinstance(name, Mapping) or not name:
        raise GazetteerError(f"{where} field 'name': expected a mapping language -> name")
    forms = {kind: _lang_lists(raw.get(kind), f"{where} field '{kind}'") for kind in FORM_KINDS[1:]}
    forms["name"] = {str(k): (str(v),) for k, v in name.items()}
    unknown = set(raw) - {"id", "type", "name", "affiliation", "note", *FORM_KINDS}
    if unknown:
        raise GazetteerError(f"{where}: unknown field(s) {sorted(unknown)}")
    return ActorEntry(
        id=actor_id,
        type=actor_type,
        name={str(k): str(v) for k, v in name.items()},
        forms=forms,
        affiliation=raw.get("affiliation"),
    )


@dataclass
class Gazetteer:
    entries: dict[str, ActorEntry]

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self.entries

    def __getitem__(self, actor_id: str) -> ActorEntry:
        return self.entries[actor_id]

    @classmethod
    def from_entries(cls, raws: Iterable[tuple[Any, str]]) -> Gazetteer:
        """Entries by id; an entry ``{extends: <id>, aliases: ...}`` adds forms to another one
        (demonyms and groups kept in a file of their own), after every file is read."""
        entries: dict[str, ActorEntry] = {}
        where_of: dict[str, str] = {}
        extensions: list[tuple[Mapping[str, Any], str]] = []
        for raw, where in raws:
            if isinstance(raw, Mapping) and "extends" in raw:
                extensions.append((raw, where))
                continue
            entry = parse_entry(raw, where)
            if entry.id in entries:
                raise GazetteerError(
                    f"{where}: duplicate actor id '{entry.id}' (first at {where_of[entry.id]})"
                )
            entries[entry.id] = entry
            where_of[entry.id] = where
        for raw, where in extensions:
            target = raw["extends"]
            if target not in entries:
                raise GazetteerError(f"{where} field 'extends': no actor '{target}' to extend")
            unknown = set(raw) - {"extends", "note", *FORM_KINDS[1:]}
            if unknown:
                raise GazetteerError(f"{where} ({target}): unknown field(s) {sorted(unknown)}")
            base = entries[target]
            forms = {k: dict(v) for k, v in base.forms.items()}
            for kind in FORM_KINDS[1:]:
                for lang, more in _lang_lists(raw.get(kind), f"{where} field '{kind}'").items():
                    forms.setdefault(kind, {})[lang] = (*forms.get(kind, {}).get(lang, ()), *more)
            entries[target] = ActorEntry(base.id, base.type, base.name, forms, base.affiliation)
        return cls(entries)

    @classmethod
    def load(cls, path: str | Path | Iterable[str | Path]) -> Gazetteer:
        """Load one YAML file, every ``*.yaml`` in a folder, or several of either."""
        paths = [path] if isinstance(path, (str, Path)) else list(path)
        files: list[Path] = []
        for p in map(Path, paths):
            if p.is_dir():
                files.extend(sorted(p.glob("*.yaml")))
            elif p.exists():
                files.append(p)
            else:
                raise FileNotFoundError(f"gazetteer not found: {p}")
        if not files:
            raise GazetteerError(f"no gazetteer files in {', '.join(map(str, paths))}")

        def raws() -> Iterable[tuple[Any, str]]:
            for f in files:
                data = yaml.safe_load(f.read_text(encoding="utf-8")) or []
                if isinstance(data, Mapping) and "actors" in data:
                    data = data["actors"]
                if not isinstance(data, list):
                    raise GazetteerError(f"{f}: expected a list of actor entries")
                for i, raw in enumerate(data, start=1):
                    yield raw, f"{f} entry {i}"

        return cls.from_entries(raws())

    def to_yaml(self) -> str:
        return yaml.safe_dump(
            {"actors": [e.to_dict() for e in self.entries.values()]},
            allow_unicode=True,
            sort_keys=False,
        )
