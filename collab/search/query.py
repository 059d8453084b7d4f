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
_WORD = re.compile(r"[^\W_]+")
_PIECE = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    @property
    def positive(self) -> list[Term]:
        return [t for t in self.terms if not t.negated]

    def __bool__(self) -> bool:
        return bool(self.positive)

    def fts5(self) -> str:
        """SQLite FTS5: "a" AND "b c" AND ("dra"* OR "dr"*) NOT "e"."""

        def one(term: Term) -> str:
            if term.prefix and len(term.words) == 1:
                return _either([f'"{p}"*' for p in _prefixes(term.words[0])], " OR ")
            text = '"' + " ".join(term.words) + '"'
            return text + "*" if term.prefix else text

        expression = " AND ".join(one(t) for t in self.positive)
        for term in self.terms:
            if term.negated:
                expression += " NOT " + one(term)
        return expression

    def tsquery(self) -> str:
        """PostgreSQL to_tsquery: 'a' & ('b' <-> 'c') & 'd':* & !'e'."""

        def one(term: Term) -> str:
            if term.prefix and len(term.words) == 1:
                text = _either([f"'{p}':*" for p in _prefixes(term.words[0])], " | ")
                return "!" + text if term.negated else text
            quoted = [f"'{w}'" for w in term.words]
            if term.prefix:
                quoted[-1] += ":*"
            text = " <-> ".join(quoted)
            text = f"({text})" if len(quoted) > 1 else text
            return "!" + text if term.negated else text

        return " & ".join(one(t) for t in self.terms)


def _prefixes(word: str) -> list[str]:
    """A half-typed word and its shorter beginnings: the engines keep word stems
    ("procurement" as "procur", "meeting" as "meet"), which "procurem" or "meetin"
    are not the beginning of, but a shorter beginning is."""
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
        if len(last.words) == 1 and len(last.words[0]) >= 2:
            terms[-1] = Term(last.words, prefix=True)
    return Query(tuple(terms))


def _words(text: str) -> list[str]:
    return [w[:MAX_WORD] for w in _WORD.findall(text)][:MAX_TERMS]
