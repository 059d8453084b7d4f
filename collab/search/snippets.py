"""The snippet under each result: a few words of the body around the first match,
the matched words marked (core.text.highlight escapes it, then shows the marks).

Made here rather than by the engines: FTS5's snippet() re-runs the whole query for
each row (a prefix like "group*" costs tens of milliseconds a row on a large index),
and one function gives the same snippets on SQLite and PostgreSQL."""

from collections import deque

from collab.core.text import MATCH_END, MATCH_START, fold
from collab.search.query import WORD, Query

WORDS_BEFORE = 8
WORDS = 28
_SUFFIXES = ("ements", "ement", "ings", "ing", "ies", "es", "ed", "s", "e")


def _stem(word: str) -> str:
    """A light English/French stem, enough to mark "meetings" for "meeting"."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _matcher(query: Query):
    exact, prefixes = set(), []
    for term in query.positive:
        for n, word in enumerate(term.words):
            folded = fold(word)
            if term.prefix and n == len(term.words) - 1:
                prefixes.append(folded)
            else:
                exact.add(_stem(folded))

    prefixes = tuple(prefixes)
    seen: dict[str, bool] = {}

    def matches(token: str) -> bool:
        # Texts repeat their words: each distinct one is folded once.
        found = seen.get(token)
        if found is None:
            folded = token.lower() if token.isascii() else fold(token)
            found = _stem(folded) in exact or folded.startswith(prefixes)
            seen[token] = found
        return found

    return matches


def snippet(body: str, query: Query) -> str:
    """About WORDS words of ``body`` from just before its first match, with every
    match between MATCH_START and MATCH_END; "" when the body does not match.
    Reads the body only as far as the snippet needs (documents can be long)."""
    matches = _matcher(query)
    tokens = WORD.finditer(body)
    before: deque = deque(maxlen=WORDS_BEFORE)
    skipped = False
    for token in tokens:
        if matches(token.group()):
            break
        if len(before) == WORDS_BEFORE:
            skipped = True
        before.append(token)
    else:
        return ""
    window = [*before, token]
    for token in tokens:
        if len(window) == WORDS:
            more = True
            break
        window.append(token)
    else:
        more = False
    out, cursor = [], window[0].start()
    for token in window:
        out.append(body[cursor : token.start()])
        word = token.group()
        out.append(f"{MATCH_START}{word}{MATCH_END}" if matches(word) else word)
        cursor = token.end()
    text = " ".join("".join(out).split())
    return ("…" if skipped else "") + text + ("…" if more else "")
