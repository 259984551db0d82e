"""Actor matching: inflection, metonymy, abbreviations, short forms, roles and contexts."""

from __future__ import annotations

from pathlib import Path

import pytest

from stancekit.actors import (
    ActorExtractor,
    ContextConfig,
    Gazetteer,
    GazetteerError,
    split_sentences,
)

GAZ = """
- {id: vladimir_putin, type: person, name: {bg: Владимир Путин, ru: Владимир Путин, en: Vladimir Putin},
   aliases: {bg: [Путин], ru: [Путин], en: [Putin]}, roles: {bg: [руски президент]}}
- {id: dmitry_medvedev, type: person, name: {bg: Дмитрий Медведев}, aliases: {bg: [Медведев]}}
- {id: kim_jong_un, type: person, name: {bg: Ким Чен Ун}, short: {bg: [Ким]}}
- {id: kim_dae_ki, type: person, name: {bg: Ким Дае-ки}}
- {id: russia, type: state, name: {bg: Русия, ru: Россия, en: Russia},
   metonyms: {bg: [Москва, Кремъл], ru: [Москва, Кремль], en: [Moscow, Kremlin]}}
- {id: north_korea, type: state, name: {bg: Северна Корея}, aliases: {bg: [КНДР]}, metonyms: {bg: [Пхенян, Север]}}
- {id: the_west, type: collective, name: {bg: Запад, en: the West}}
- {id: usa, type: state, name: {bg: САЩ, en: United States}, aliases: {en: [US]}, metonyms: {bg: [Вашингтон]}}
- {id: eu, type: bloc, name: {bg: Европейски съюз}, aliases: {bg: [ЕС]}}
"""


@pytest.fixture(scope="module")
def extractor(tmp_path_factory: pytest.TempPathFactory) -> ActorExtractor:
    p = tmp_path_factory.mktemp("gaz") / "g.yaml"
    p.write_text(GAZ, encoding="utf-8")
    return ActorExtractor(Gazetteer.load(p))


def found(extractor: ActorExtractor, text: str) -> dict[str, list[str]]:
    return {a.actor_id: [m.text for m in a.mentions] for a in extractor.actors(text)}


def test_bulgarian_definite_article_and_metonymy(extractor: ActorExtractor) -> None:
    got = found(extractor, "Кремъл отвърна на Запада. Западът мълчи, а Москва и Вашингтон спорят.")
    assert got["russia"] == ["Кремъл", "Москва"]
    assert got["the_west"] == ["Запада", "Западът"]
    assert got["usa"] == ["Вашингтон"]


def test_lower_case_common_word_is_not_the_west(extractor: ActorExtractor) -> None:
    assert "the_west" not in found(extractor, "Вятърът духа от запада към изтока.")


def test_russian_cases(extractor: ActorExtractor) -> None:
    got = found(extractor, "Встреча Путина с делегацией России прошла в Кремле, Москвой довольны.")
    assert got["vladimir_putin"] == ["Путина"]
    assert got["russia"] == ["России", "Кремле", "Москвой"]


def test_english_possessive(extractor: ActorExtractor) -> None:
    got = found(
        extractor, "Russia's army and Putin’s spokesman met US officials; Moscow's reply came."
    )
    assert got["russia"] == ["Russia's", "Moscow's"]
    assert got["vladimir_putin"] == ["Putin’s"]
    assert got["usa"] == ["US"]


def test_abbreviations_match_exactly(extractor: ActorExtractor) -> None:
    got = found(extractor, "ЕС и САЩ подкрепиха КНДР? Не, us and eu are not names.")
    assert set(got) == {"eu", "usa", "north_korea"}


def test_short_form_resolves_only_to_actor_named_in_article(extractor: ActorExtractor) -> None:
    text = "Ким Чен Ун пристигна. Ким каза, че подкрепя Путин. Ким Дае-ки коментира."
    got = found(extractor, text)
    assert got["kim_jong_un"] == ["Ким Чен Ун", "Ким"]
    assert got["kim_dae_ki"] == ["Ким Дае-ки"]
    assert "kim_jong_un" not in found(extractor, "Ким Дае-ки коментира. Ким не каза нищо.")


def test_role_titles(extractor: ActorExtractor) -> None:
    got = found(
        extractor, "Руският президент Владимир Путин пристигна. По-късно руският президент заяви..."
    )
    assert got["vladimir_putin"] == ["Владимир Путин", "руският президент"]
    # a role right before another person's name belongs to that person
    got = found(extractor, "Путин говори. Бившият руски президент Дмитрий Медведев отговори.")
    assert got["vladimir_putin"] == ["Путин"]
    assert got["dmitry_medvedev"] == ["Дмитрий Медведев"]


def test_longest_match_wins(extractor: ActorExtractor) -> None:
    got = found(extractor, "Северна Корея и Севера са едно и също.")
    assert got == {"north_korea": ["Северна Корея", "Севера"]}


def test_sentences_and_contexts(extractor: ActorExtractor) -> None:
    text = "Заглавие за Путин\nПутин говори дълго. После Русия мълча! Ким Чен Ун дойде."
    assert [s.text for s in split_sentences(text)] == [
        "Заглавие за Путин",
        "Путин говори дълго.",
        "После Русия мълча!",
        "Ким Чен Ун дойде.",
    ]
    ctx = {c.actor.actor_id: c for c in extractor.contexts(text)}
    assert (
        ctx["vladimir_putin"].text
        == "[SPEAKER] Заглавие за [ACTOR] Путин [/ACTOR] | [ACTOR] Путин [/ACTOR] говори дълго."
    )
    assert ctx["vladimir_putin"].plain_sentences == ["Заглавие за Путин", "Путин говори дълго."]
    wide = ActorExtractor(extractor.gazetteer, ContextConfig(window=1))
    assert {c.actor.actor_id: c for c in wide.contexts(text)}["russia"].text == (
        "[MENTIONED] Путин говори дълго. | После [ACTOR] Русия [/ACTOR] мълча! | Ким Чен Ун дойде."
    )


def test_gazetteer_schema_errors(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("- {id: x, type: planet, name: {en: X}}\n", encoding="utf-8")
    with pytest.raises(
        GazetteerError, match=r"bad.yaml entry 1 \(x\) field 'type': 'planet' is not one of"
    ):
        Gazetteer.load(p)
    p.write_text(
        "- {id: x, type: state, name: {en: X}}\n- {id: x, type: state, name: {en: Y}}\n",
        encoding="utf-8",
    )
    with pytest.raises(GazetteerError, match="bad.yaml entry 2: duplicate actor id 'x'"):
        Gazetteer.load(p)
    p.write_text("- {id: x, type: state, name: {en: X}, alias: {en: [Y]}}\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"unknown field\(s\) \['alias'\]"):
        Gazetteer.load(p)


def test_language_restricts_forms(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(
        "- {id: north_korea, type: state, name: {bg: Северна Корея}, metonyms: {bg: [Север]}}\n"
        "- {id: dps, type: party, name: {bg: Движение за права и свободи}, aliases: {bg: [ДПС]}}\n"
        "- {id: usa, type: state, name: {en: United States, ru: США}, aliases: {en: [U.S., US]}}\n",
        encoding="utf-8",
    )
    ex = ActorExtractor(Gazetteer.load(p))
    ru = "Сотрудники ДПС с Крайнего Севера встретили U.S. делегацию."
    assert [a.actor_id for a in ex.actors(ru, "ru")] == ["usa"]
    assert {a.actor_id for a in ex.actors(ru)} == {
        "dps",
        "north_korea",
        "usa",
    }  # language unknown: every form


def test_exact_form_beats_inflected_one(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(
        "- {id: alexei_navalny, type: person, name: {bg: Алексей Навални}, aliases: {bg: [Навални]}}\n"
        "- {id: yulia_navalnaya, type: person, name: {bg: Юлия Навална}, aliases: {bg: [Навална]}}\n"
        "- {id: pp_db, type: party, name: {bg: ПП-ДБ}}\n",
        encoding="utf-8",
    )
    got = found(ActorExtractor(Gazetteer.load(p)), "Навална говори за Навални. ПП–ДБ я подкрепи.")
    assert got == {
        "yulia_navalnaya": ["Навална"],
        "alexei_navalny": ["Навални"],
        "pp_db": ["ПП–ДБ"],
    }


def test_title_words_stay_free_for_other_actors(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(
        "- {id: kostadin_kostadinov, type: person, name: {bg: Костадин Костадинов}, roles: {bg: [лидер на Възраждане]}}\n"
        "- {id: vazrazhdane, type: party, name: {bg: Възраждане}}\n",
        encoding="utf-8",
    )
    got = found(
        ActorExtractor(Gazetteer.load(p)), "Лидерът на Възраждане Костадин Костадинов заяви..."
    )
    assert got == {"vazrazhdane": ["Възраждане"], "kostadin_kostadinov": ["Костадин Костадинов"]}


def test_speakers(extractor: ActorExtractor) -> None:
    text = (
        '"Затова дойдохме тук", каза Путин в отговор. Ким Чен Ун пристигна с влак. '
        "Срещата с Путин беше дълга. Според Кремъл всичко е наред. Russia's envoy: no comment."
    )
    actors = {a.actor_id: a for a in extractor.actors(text)}
    assert actors["vladimir_putin"].speaks == [True, False]
    assert actors["vladimir_putin"].role == "speaker"
    assert actors["kim_jong_un"].role == "mentioned"
    assert actors["russia"].speaks == [True, False]


def test_adjective_declension_and_hyphenated_words(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(
        "- {id: volodymyr_zelensky, type: person, name: {ru: Владимир Зеленский}}\n"
        "- {id: russia, type: state, name: {ru: Россия}, aliases: {ru: [Российская Федерация]}}\n"
        "- {id: usa, type: state, name: {en: United States, bg: САЩ}, aliases: {en: [US]}}\n"
        "- {id: ukraine, type: state, name: {bg: Украйна}}\n",
        encoding="utf-8",
    )
    ex = ActorExtractor(Gazetteer.load(p))
    got = found(
        ex, "Встреча Владимира Зеленского. Указ Российской Федерации. US-led talks: Украйна-САЩ."
    )
    assert got == {
        "volodymyr_zelensky": ["Владимира Зеленского"],
        "russia": ["Российской Федерации"],
        "usa": ["US", "САЩ"],
        "ukraine": ["Украйна"],
    }
