"""Who speaks: a mention is a speaker when the sentence reports its words (quoted or reported speech).

A mention speaks when a speech verb follows it closely ("Ким каза", "Putin told") or precedes it
closely ("каза Путин", "said Putin"), when an attribution phrase introduces it ("според Песков",
"according to Guterres"), or when it opens a headline quote ("Путин: ...").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from stancekit.actors.matcher import ActorMention, tokenize

# Stems of reporting verbs (bg, ru, uk) matched as word prefixes; English forms matched whole.
_STEMS = tuple(
    """
    каза казв заяв отвърн отговори отговаря подчерт обещ посоч коментир допълн добав съобщ настоя призов
    предупред увери увер обяви обявя твърд отбеляз изтъкн написа попита уточн нарече сподел
    декларир отрече потвърд критикува осъди похвали приветства поиска настоява
    сказа сказал говор ответ подчеркн пообещ отмет сообщ призв завер объяв счита назва отверг
    подтверд заметил пишет
    відпов наголос пообіця обіця зазнач дода повідом заклик поперед запевн оголос вважа підтверд
    каже кажуть
    """.split()
)
_EN = frozenset(
    """
    said says say saying told tells stated states announced announces added adds warned warns
    urged urges insisted insists promised promises vowed vows claimed claims argued argues
    declared declares noted notes replied replies stressed stresses wrote writes accused accuses
    denied denies confirmed confirms asked asks tweeted posted called condemned praised welcomed
    """.split()
)
_ATTRIBUTION = re.compile(
    r"(според|по думите на|по мнението на|по словам|по мнению|по словах|за словами|на думку|"
    r"according to|in the words of)\s*$",
    re.IGNORECASE,
)
AFTER, BEFORE = 5, 3  # tokens after / before a mention in which a speech verb makes it a speaker
#: Characters read before a mention (enough for TITLE_SPAN words) and after it (AFTER words).
WINDOW_CHARS, AFTER_CHARS = 300, 120
# A verb further before still introduces the speaker when only a title stands between them
# ("каза началникът на щаба на Южна Корея Ким Дае-ки"): no punctuation and no "that" in between.
TITLE_SPAN = 12
_THAT = frozenset({"че", "що", "что", "чтобы", "that", "whether", "дали", "дека", "как"})


def is_speech_verb(word: str) -> bool:
    low = word.lower()
    return low in _EN or (len(low) >= 4 and low.startswith(_STEMS))


def speaking(
    text: str, mentions: Sequence[ActorMention], sentence_bounds: Sequence[tuple[int, int]]
) -> list[bool]:
    """For each mention, whether the article reports the actor speaking at that point."""
    out = []
    starts = [s for s, _ in sentence_bounds]
    for m in mentions:
        i = bisect_right(starts, m.start) - 1
        start, end = (
            sentence_bounds[i] if i >= 0 and m.start < sentence_bounds[i][1] + 1 else (0, len(text))
        )
        # Only a few words either side decide, so only a window is read: the work per mention
        # stays constant however long the sentence (a page without full stops).
        start = max(start, m.start - WINDOW_CHARS)
        end = min(end, m.end + AFTER_CHARS)
        after = [t.text for t in tokenize(text[m.end : end])][:AFTER]
        before = [t.text for t in tokenize(text[start : m.start])][-BEFORE:]
        head = text[start : m.start]
        speaks = (
            any(is_speech_verb(w) for w in after)
            or any(is_speech_verb(w) for w in before)
            or _title_between(text[start : m.start])
            or bool(_ATTRIBUTION.search(head))
            or text[m.end : m.end + 2].startswith(":")
        )
        out.append(speaks)
    return out


def _title_between(head: str) -> bool:
    """After a quote: a speech verb, only words of a title (no punctuation, no "that"), the mention."""
    tokens = tokenize(head)[-TITLE_SPAN:]
    for i in range(len(tokens) - 1, -1, -1):
        if is_speech_verb(tokens[i].text):
            # the inverted reporting clause of a quote: '"...", каза <title> <name>'
            if not re.search(r"[,\"“”»’'—–-]\s*$", head[: tokens[i].start]):
                return False
            between = head[tokens[i].end :]
            words = [t.text.lower() for t in tokens[i + 1 :]]
            return not re.search(r"[,.;:!?\"„“”«»()–—-]\s", between + " ") and not _THAT & set(
                words
            )
    return False
