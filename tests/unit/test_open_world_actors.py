"""Open-world actors: discovery in Cyrillic and Latin script, merging of discovered mentions,
demonyms and groups of states, outlets cited only as sources, and the recall measure."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancekit.actors import ActorExtractor, Gazetteer, GazetteerError
from stancekit.actors.discovery import Span, discover, make_recogniser, same_word
from stancekit.actors.matcher import ActorMention
from stancekit.actors.names import LatinNameRecogniser
from stancekit.config import build_extractor, compose
from stancekit.evaluation.actors import GoldActor, actor_scores, gold_actors, match_actors

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def default_extractor() -> ActorExtractor:
    """The extractor users train and score with: the project gazetteer, discovery on."""
    return build_extractor(compose([]).actors, ROOT)


def _ids(extractor: ActorExtractor, text: str, lang: str) -> dict[str, list[str]]:
    return {a.actor_id: a.surface_forms for a in extractor.actors(text, lang)}


def test_discovery_is_on_by_default() -> None:
    assert compose([]).actors.discovery.recogniser == "auto"


def test_latin_script_people_and_organisations() -> None:
    text = (
        "Analyst Ron Unz said the war was lost. Gen Cavoli disagreed, and the Heritage Foundation "
        "agreed with him. On Monday the Ministry of Defence said nothing."
    )
    found = {text[s.start : s.end]: s for s in LatinNameRecogniser().spans(text)}
    assert found["Ron Unz"].type == "PER"
    assert found["Cavoli"].type == "PER" and found["Cavoli"].titled
    assert found["Heritage Foundation"].type == "ORG"
    assert found["Ministry of Defence"].type == "ORG"
    assert "On Monday" not in found and "Analyst Ron Unz" not in found


def test_latin_names_with_inner_capitals_and_hyphens() -> None:
    text = "Cathryn McGahey met Sarah Huckabee-Sanders and Sean O'Brien."
    found = {text[s.start : s.end] for s in LatinNameRecogniser().spans(text)}
    assert {"Cathryn McGahey", "Sarah Huckabee-Sanders", "Sean O'Brien"} <= found


def test_cyrillic_discovery_in_bulgarian(default_extractor: ActorExtractor) -> None:
    text = "Британският политик Джордж Галоуей заяви, че Западът греши. Галоуей призова за мир."
    actors = {a.actor_id: a for a in default_extractor.actors(text, "bg")}
    galloway = [a for k, a in actors.items() if k.startswith("new:") and "Галоуей" in a.name]
    assert len(galloway) == 1, actors.keys()
    assert {"Джордж Галоуей", "Галоуей"} <= set(galloway[0].surface_forms)
    assert galloway[0].role == "speaker"


def test_english_discovery_merges_full_name_title_and_surname(
    default_extractor: ActorExtractor,
) -> None:
    text = (
        "Gen Christopher Cavoli told reporters that NATO is ready. "
        "Later Cavoli added that Moscow would fail."
    )
    actors = default_extractor.actors(text, "en")
    cavoli = [a for a in actors if a.provisional]
    assert len(cavoli) == 1 and cavoli[0].actor_id == "new:christopher_cavoli"
    assert cavoli[0].surface_forms == ["Christopher Cavoli", "Cavoli"]
    assert {a.actor_id for a in actors} >= {"nato", "russia"}


def test_inflected_russian_names_are_one_actor() -> None:
    text = (
        "Ханно Певкур заявил об этом. Встреча с Ханно Певкуром прошла в Таллине. Певкура спросили."
    )
    spans = [
        Span(text.index("Ханно Певкур "), text.index("Ханно Певкур ") + 12, "PER"),
        Span(text.index("Ханно Певкуром"), text.index("Ханно Певкуром") + 14, "PER"),
        Span(text.index("Певкура"), text.index("Певкура") + 7, "PER"),
    ]

    class Fixed:
        def spans(self, text: str, lang: str | None = None) -> list[Span]:
            return spans

    found = discover(text, [], Fixed(), "ru")
    assert len(found) == 1 and len(found[0].mentions) == 3
    assert same_word("Певкур", "Певкуром") and not same_word("Певкур", "Песков")


def test_lone_one_word_person_needs_a_title_or_a_full_name() -> None:
    text = "Симферопол е град. Генерал Иванов говори."

    class Fixed:
        def spans(self, text: str, lang: str | None = None) -> list[Span]:
            return [Span(0, 10, "PER"), Span(text.index("Иванов"), len(text) - 8, "PER", True)]

    names = [d.name for d in discover(text, [], Fixed(), "bg")]
    assert names == ["Иванов"]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Поляците и чехите подкрепят Украйна.", "bg", {"poland", "czechia", "ukraine"}),
        (
            "Поляки и страны Балтии выступили против, заявили европейцы.",
            "ru",
            {"poland", "baltic_states", "europe"},
        ),
        (
            "The Poles and the Baltic states backed Kyiv; Western countries agreed.",
            "en",
            {"poland", "baltic_states", "ukraine", "the_west"},
        ),
        (
            "Балтийските държави и африканските страни гласуваха.",
            "bg",
            {"baltic_states", "african_countries"},
        ),
        ("Руснаците настъпват.", "bg", {"russia"}),
    ],
)
def test_demonyms_and_groups_resolve_to_states_and_collectives(
    default_extractor: ActorExtractor, text: str, lang: str, expected: set[str]
) -> None:
    assert set(_ids(default_extractor, text, lang)) == expected


def test_singular_demonym_is_a_person_not_the_state(default_extractor: ActorExtractor) -> None:
    assert "poland" not in _ids(default_extractor, "Един поляк каза, че е студено.", "bg")


@pytest.mark.parametrize(
    ("text", "lang", "outlet", "kept"),
    [
        ("Според Ройтерс руските войски напредват.", "bg", "reuters", False),
        ("Русия настъпва, съобщи Ройтерс.", "bg", "reuters", False),
        ("Об этом сообщает ТАСС.", "ru", "tass", False),
        ("KYIV (Reuters) - Russian forces attacked.", "en", "reuters", False),
        ("Russia banned the BBC, which it accuses of lying.", "en", "bbc", True),
        ("Русия забрани BBC в страната.", "bg", "bbc", True),
        ("RT обвини Запада в лицемерие.", "bg", "rt", True),
    ],
)
def test_outlets_cited_only_as_sources_are_not_actors(
    default_extractor: ActorExtractor, text: str, lang: str, outlet: str, kept: bool
) -> None:
    assert (outlet in _ids(default_extractor, text, lang)) is kept


def test_unknown_outlets_and_platforms_are_not_proposed(default_extractor: ActorExtractor) -> None:
    text = "Writing on Telegram, the Daily Bugle News said Kyiv would win. Tom Lee agreed."
    ids = _ids(default_extractor, text, "en")
    assert not any("bugle" in k or "telegram" in k for k in ids)
    assert "new:tom_lee" in ids


def test_gazetteer_extends_adds_forms_and_names_unknown_targets(tmp_path: Path) -> None:
    base = "- {id: poland, type: state, name: {en: Poland}}\n"
    (tmp_path / "a.yaml").write_text(base, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("- {extends: poland, aliases: {en: [Poles]}}\n", "utf-8")
    g = Gazetteer.load(tmp_path)
    assert g["poland"].forms["aliases"]["en"] == ("Poles",)
    (tmp_path / "c.yaml").write_text("- {extends: narnia, aliases: {en: [Narnians]}}\n", "utf-8")
    with pytest.raises(GazetteerError, match="c.yaml entry 1 field 'extends': no actor 'narnia'"):
        Gazetteer.load(tmp_path)


def test_transliteration_skips_abbreviations() -> None:
    g = Gazetteer.from_entries([({"id": "eu", "type": "bloc", "name": {"bg": "ЕС"}}, "x")])
    assert ActorExtractor(g).actors("Yes, he said.", "en") == []


def test_recall_precision_and_splits_against_gold() -> None:
    text = "Gen Christopher Cavoli spoke. Cavoli left. Poland agreed."
    gold = gold_actors(
        [
            {"doc_id": "d", "actor_id": "new:cavoli", "mentions": ["Christopher Cavoli", "Cavoli"]},
            {"doc_id": "d", "actor_id": "poland", "mentions": ["Poland"]},
            {"doc_id": "d", "actor_id": "new:someone", "mentions": ["Someone"]},
        ]
    )["d"]
    assert [g.actor_id for g in gold] == ["new:cavoli", "new:someone", "poland"]
    g = Gazetteer.from_entries([({"id": "poland", "type": "state", "name": {"en": "Poland"}}, "x")])
    ex = ActorExtractor(g, recogniser=make_recogniser("latin"))
    m = match_actors(text, ex.actors(text, "en"), gold)
    assert {x.actor_id for x in m.found} == {"new:cavoli", "poland"}
    assert [x.actor_id for x in m.missed] == ["new:someone"]
    scores = actor_scores([m])
    assert scores["recall"] == pytest.approx(2 / 3) and scores["precision_vs_gold"] == 1.0
    split = match_actors(
        text,
        [
            *ex.actors(text, "en"),
            type(ex.actors(text, "en")[0])(
                "new:other",
                "Cavoli",
                "person",
                [ActorMention("new:other", "Cavoli", 30, 36, "ner")],
            ),
        ],
        [GoldActor("d", "new:cavoli", ("Cavoli",))],
    )
    assert split.split == 1


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u00ad", "\u2060"])
def test_invisible_characters_inside_names_are_matched_with_original_offsets(
    default_extractor: ActorExtractor, hidden: str
) -> None:
    text = f"Вчера Пу{hidden}тин каза, че Зеленски греши."
    actors = {a.actor_id: a for a in default_extractor.actors(text, "bg")}
    putin = actors["vladimir_putin"].mentions[0]
    assert text[putin.start : putin.end] == putin.text == f"Пу{hidden}тин"
    zelensky = actors["volodymyr_zelensky"].mentions[0]
    assert text[zelensky.start : zelensky.end] == "Зеленски"
    assert actors["vladimir_putin"].role == "speaker"


def test_speaker_check_reads_a_window_not_the_whole_sentence() -> None:
    """A page without full stops is one sentence; each mention's decision reads a bounded window,
    so it is the same as in a short text (and the work per mention does not grow)."""
    from stancekit.actors.speakers import WINDOW_CHARS, speaking

    filler = "и още думи " * (WINDOW_CHARS // 5)
    text = filler + "Путин каза това " + filler
    start = text.index("Путин")
    m = ActorMention("vladimir_putin", "Путин", start, start + 5, "name")
    assert speaking(text, [m], [(0, len(text))]) == [True]
    far = "Путин " + filler + " каза"
    assert speaking(far, [ActorMention("x", "Путин", 0, 5, "name")], [(0, len(far))]) == [False]


def test_actors_command_skips_a_non_string_text_with_its_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from stancekit.cli import app

    src = tmp_path / "a.jsonl"
    src.write_text(
        '{"id": "a", "text": 42}\n{"id": "b", "text": "Путин каза, че НАТО греши.", "lang": "bg"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["actors", "--input", str(src), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert "a.jsonl:1" in result.output and "text is not a string" in result.output
    assert "vladimir_putin" in result.output and "nato" in result.output
