"""Person and organisation names in Latin-script text, without a model.

natasha's tagger was trained on Russian news and finds few English names, so Latin-script text
gets rules of its own: a given name followed by capitalised words ("Ron Unz", "Christopher
Cavoli"), a title followed by a capitalised name ("Gen Cavoli", "President Ford"), and capitalised
sequences headed by an organisation word ("Ministry of Defence", "Heritage Foundation"). The
given names come from the first-name dictionary that the ``gender-guesser`` package ships
(``nam_dict.txt``, some 40,000 names of many countries); it is read as a text file, and no code of
that package runs.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from stancekit.actors.discovery import Span, longest_spans

#: Titles that put a name after them ("Gen Cavoli", "Senator Vance"), matched case-sensitively.
TITLES = frozenset(
    """
    President Vice-President Premier Chancellor Minister Secretary Senator Sen Rep Representative
    Congressman Congresswoman Governor Gov Mayor Ambassador General Gen Lt Lieutenant Colonel Col
    Major Maj Admiral Adm Commander Cmdr Captain Capt Sergeant Sgt Marshal Mr Mrs Ms Dr Prof
    Professor Pope Patriarch Metropolitan Archbishop Bishop Father King Queen Prince Princess
    Sheikh Emir Chairman Chairwoman Speaker Judge Deputy Envoy Director Spokesman Spokeswoman
    Commissioner Lord Lady Sir Dame Rev
    """.split()
)
#: Capitalised words that end an organisation's name.
ORG_HEADS = frozenset(
    """
    Ministry Party Agency Institute Institution Foundation Council Committee Commission Bank Army
    Forces Service Services Department Company Corporation Corp Inc Ltd Group Union Movement Front
    Brigade Battalion Regiment Division Guard Office Administration Authority Parliament Assembly
    Court Organization Organisation Association Federation Alliance Center Centre Fund Church
    University Network Initiative Coalition Legion Corps Command Bureau Board Senate Congress
    Cabinet Government Tribunal Academy Society Club League Trust Holdings Fleet Navy
    """.split()
)
#: Heads that may also open the name ("Ministry of Defence", "Institute for the Study of War").
ORG_OPENERS = frozenset(
    "Ministry Institute Bank Council Committee Commission Union Court Office Department Bureau Board "
    "Federation Association Organization Organisation Academy Society League".split()
)
#: Given names that are also everyday capitalised words, months or places in news text.
NOT_GIVEN = frozenset(
    """
    May June July April August March Will Christian Grand Royal Major General Justice Prince King
    Queen Saint Van De Le La Al El Del Ben Santa San Sierra Chase Page Story Sun Star Sky Winter
    Summer Autumn Spring Gay Guy Ivory Golden Best Long Young Little Constant Unity Liberty Freedom
    Victory Patriot Ray Rose Lincoln Washington Kennedy Jefferson Madison Jackson Franklin Lee
    China India Georgia Israel Jordan Chad Kenya Paris London Berlin Sydney Florence Virginia
    Carolina Dakota Montana Nevada Indiana Alabama Arizona Kansas Tennessee Texas Bill Art Mark
    Western Eastern Northern Southern Central New North South East West Black White Red Green
    European American British Russian Ukrainian Soviet Christmas Easter Sunday Monday Tuesday
    Wednesday Thursday Friday Saturday God Lord Allah Jesus Christ Europe Africa Asia America
    The A An This That These Those In On At For By From With But And Or If When While After Before
    As Our Their His Her Its We They He She It You Vice Storm Truth Hope Faith Grace Joy Honor
    Honour Can Say Rain Snow Dawn Destiny Trinity Angel Baby Princess Iron Steel Stone Wolf Bear
    Fox Hunter Sharp Strong Rich Power Peace War Navy Army Air Sea Ocean Bay Field Hill Lake Wood
    Forest Moon Tiger Eagle Lion Crystal Diamond Pearl Ruby Amber Silver Gold Crown Union State
    Trump Biden Putin Zelensky Harris Obama Clinton Bush Reagan Nixon Carter
    """.split()
)
# a capitalised name word: "Cavoli", "McGahey", "O'Brien", "Okonjo-Iweala"
_CAP = r"(?:[A-Z]['’])?[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:['’-][A-Z]?[a-z]+)*"
_NAME_RE = re.compile(rf"\b{_CAP}(?:\s+(?:[A-Z]\.\s*)?{_CAP}){{1,3}}\b")
_TITLED_RE = re.compile(rf"\b([A-Z][a-z]+)\.?\s+({_CAP}(?:\s+{_CAP}){{0,2}})\b")
_CONNECT = r"(?:\s+(?:of|for|on|and|the|de|des|du|der|für)){0,2}"
_ORG_RE = re.compile(rf"\b(?:The\s+)?{_CAP}(?:{_CONNECT}\s+{_CAP}){{1,6}}\b")


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """The first names of ``gender-guesser``'s dictionary, read as data (an empty set without it)."""
    spec = importlib.util.find_spec("gender_guesser")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "nam_dict.txt"
    if not path.is_file():
        return frozenset()
    names = set()
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if line.startswith(("#", "=")) or len(line) < 4:
                continue
            name = line[3:29].strip().replace("+", "-")
            if re.fullmatch(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", name):
                names.add(name)
    return frozenset(names - NOT_GIVEN)


def _words(s: str) -> list[str]:
    return s.split()


def _organisation(run: str, offset: int) -> Span | None:
    """The organisation inside a run of capitalised words, if any: from its first opener ("On
    Monday the Ministry of Defence") or, ending in a head word, from after the last lower-case
    word ("Yesterday the Heritage Foundation")."""
    words = [(m.group(), m.start()) for m in re.finditer(r"\S+", run)]
    opener = next((i for i, (w, _) in enumerate(words) if w in ORG_OPENERS), None)
    if opener is not None:
        if opener == len(words) - 1:
            return None  # "the Ministry" alone
        start = opener
    elif words[-1][0] in ORG_HEADS:
        lower = [i for i, (w, _) in enumerate(words) if w[:1].islower()]
        start = lower[-1] + 1 if lower else 0
        if start == len(words) - 1:
            return None  # a head word alone
    else:
        return None
    return Span(offset + words[start][1], offset + len(run), "ORG")


class LatinNameRecogniser:
    """Persons and organisations in Latin-script text by rules and a given-name list."""

    def __init__(self, names: frozenset[str] | None = None):
        self.names = given_names() if names is None else names

    def spans(self, text: str, lang: str | None = None) -> list[Span]:
        out: list[Span] = []
        for m in _ORG_RE.finditer(text):
            span = _organisation(m.group(), m.start())
            if span is not None:
                out.append(span)
        for m in _NAME_RE.finditer(text):
            words = _words(m.group())
            # "Vice President Ron Unz": start the name at its given name
            for i, w in enumerate(words[:-1]):
                if w in TITLES:
                    continue
                if w in self.names and words[-1] not in ORG_HEADS:
                    start = m.start() + m.group().index(w, sum(len(x) + 1 for x in words[:i]))
                    out.append(Span(start, m.end(), "PER"))
                    break
        for m in _TITLED_RE.finditer(text):
            title, name = m.group(1), m.group(2)
            if title in TITLES and name.split()[0] not in TITLES | NOT_GIVEN:
                out.append(Span(m.start(2), m.end(2), "PER", titled=True))
        return longest_spans(out)
