"""People's search text → a safe query for either engine.

Supported: words (all must match), "quoted phrases", -word to exclude, and the last
word matched as a prefix (so results come while the word is half typed). Everything
else, FTS syntax included (NEAR, :, *, ^, parentheses, OR), is read as plain words:
only letters and digits ever reach the engine, each term quoted, so no input can
produce a syntax error.
"""

import re
from dataclasses import dataclass

MAX_INPUT = 500  # characters read of the text; the rest is ignored
MAX_TERMS = 12
MAX_WORD = 60
# A word: letters and digits (the underscore and everything else separate words).
WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


# A last word this long is first searched as typed (its stem), not as a beginning:
# a beginning costs a pass over every term it starts, and complete words are the
# common case. When that finds nothing, the search is widened to its beginnings.
TYPED_PREFIX_BELOW = 5


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False  # typed with a *, or the last word being typed
    negated: bool = False
    typing: bool = False  # the last word, perhaps not finished

    def as_prefix(self, widened: bool) -> bool:
        if not self.prefix:
            return False
        return widened or not self.typing or len(self.words[0]) < TYPED_PREFIX_BELOW


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    def __bool__(self) -> bool:
        return bool(self.positive)

    @property
    def widens(self) -> bool:
        """Whether ``widened`` would search more (a half-typed last word)."""
        return any(t.typing and len(t.words[0]) > 3 for t in self.terms)

    def fts5(self, widened: bool = False) -> str:
        """SQLite FTS5: "a" AND "b c" AND "dra"* NOT "e"; ``widened``, a half-typed
        word's shorter beginnings too: ("dra"* OR "dr"*)."""

        def one(term: Term) -> str:
            if widened and term.typing:
                return _either([f'"{p}"*' for p in _prefixes(term.words[0])], " OR ")
            text = '"' + " ".join(term.words) + '"'
            return text + "*" if term.as_prefix(widened) else text

        expression = " AND ".join(one(t) for t in self.positive)
        for term in self.terms:
            if term.negated:
                expression += " NOT " + one(term)
        return expression

    def tsquery(self, widened: bool = False) -> str:
        """PostgreSQL to_tsquery: 'a' & ('b' <-> 'c') & 'd':* & !'e'."""

        def one(term: Term) -> str:
            if widened and term.typing:
                return _either([f"'{p}':*" for p in _prefixes(term.words[0])], " | ")
            quoted = [f"'{w}'" for w in term.words]
            if term.as_prefix(widened):
                quoted[-1] += ":*"
            text = " <-> ".join(quoted)
            text = f"({text})" if len(quoted) > 1 else text
            return "!" + text if term.negated else text

        return " & ".join(one(t) for t in self.terms)


def _prefixes(word: str) -> list[str]:
    """A half-typed word and its shorter beginnings: the engines keep word stems
    ("procurement" as "procur", "meeting" as "meet"), which "procurem" or "meetin"
    are not the beginning of, but a shorter beginning is. Searched only when the
    word itself finds nothing: each beginning costs a pass over the index."""
    shortest = max(3, len(word) - 4)
    return [word[:n] for n in range(len(word), shortest - 1, -1)] or [word]


def _either(options: list[str], operator: str) -> str:
    return options[0] if len(options) == 1 else "(" + operator.join(options) + ")"


def parse(text: str | None) -> Query:
    text = (text or "")[:MAX_INPUT]
    terms: list[Term] = []
    for match in _PIECE.finditer(text):
        quoted_minus, phrase, minus, bare = match.groups()
        if phrase is not None:
            words = _words(phrase)
            if words:
                terms.append(Term(tuple(words), negated=bool(quoted_minus)))
            continue
        words = _words(bare)
        if not words:
            continue
        star = bare.endswith("*")
        # "e-ID" or "l'État" are one piece of several words: a phrase.
        terms.append(
            Term(
                tuple(words),
                prefix=star,
                negated=bool(minus) and len(words) > 0,
            )
        )
    terms = terms[:MAX_TERMS]
    # The last word typed counts as a prefix, unless the text ends with a space or
    # a closing quote (the person has finished it).
    ends_open = bool(text) and not text[-1].isspace() and not text.endswith('"')
    if terms and ends_open and not terms[-1].negated:
        last = terms[-1]
        if len(last.words) == 1 and len(last.words[0]) >= 2 and not last.prefix:
            terms[-1] = Term(last.words, prefix=True, typing=True)
    return Query(tuple(terms))


def _words(text: str) -> list[str]:
    return [w[:MAX_WORD] for w in WORD.findall(text)][:MAX_TERMS]
