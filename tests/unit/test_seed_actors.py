"""The canonical example article: every actor found once, mentions merged, nothing spurious."""

from __future__ import annotations

import pytest

from stancekit.actors import ActorExtractor
from stancekit.config import build_extractor, compose
from tests.conftest import ROOT, SEED_ARTICLE

pytestmark = pytest.mark.skipif(
    not SEED_ARTICLE.exists(), reason="../shared/data/seed is not present"
)

EXPECTED = {
    "vladimir_putin",
    "kim_jong_un",
    "russia",
    "north_korea",
    "usa",
    "south_korea",
    "dmitry_peskov",
    "shin_won_sik",
    "kim_dae_ki",
    "un_security_council",
    "ukraine",
}
# "the West" (Запада) is a named collective actor of LABELS.md, not a generic word.
ALSO_ACTORS = {"the_west"}


@pytest.fixture(scope="module")
def seed_actors() -> dict:
    extractor: ActorExtractor = build_extractor(compose([]).actors, ROOT)
    found = extractor.actors(SEED_ARTICLE.read_text(encoding="utf-8"), "bg")
    ids = [a.actor_id for a in found]
    assert len(ids) == len(set(ids)), "an actor was found twice"
    return {a.actor_id: a for a in found}


def test_every_actor_once_and_nothing_spurious(seed_actors: dict) -> None:
    assert set(seed_actors) >= EXPECTED
    assert set(seed_actors) - EXPECTED <= ALSO_ACTORS


def test_mentions_are_merged(seed_actors: dict) -> None:
    forms = {k: set(a.surface_forms) for k, a in seed_actors.items()}
    assert {"Владимир Путин", "Путин", "руският президент"} <= forms["vladimir_putin"]
    assert {"Ким Чен Ун", "Ким"} <= forms["kim_jong_un"]
    assert forms["kim_dae_ki"] == {"Ким Дае-ки"}  # not confused with the bare "Ким"
    assert {"Русия", "Москва", "Кремъл"} <= forms["russia"]
    assert {"Северна Корея", "КНДР", "Пхенян", "Севера"} <= forms["north_korea"]
    assert {"САЩ", "Вашингтон", "Съединените щати"} <= forms["usa"]
    assert len(seed_actors["kim_jong_un"].mentions) >= 13


def test_speakers_in_seed(seed_actors: dict) -> None:
    assert seed_actors["vladimir_putin"].role == "speaker"  # "каза Путин", "Путин отвърна"
    assert seed_actors["kim_jong_un"].role == "speaker"  # "каза Ким на Путин"
    assert seed_actors["dmitry_peskov"].role == "speaker"  # "Песков коментира"
    assert seed_actors["kim_dae_ki"].role == "speaker"  # '"...", каза началникът ... Ким Дае-ки'
    assert seed_actors["un_security_council"].role == "mentioned"
