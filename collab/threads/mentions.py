"""Finding @mentions in a post and turning them into profile links."""

import re

from markdown_it import MarkdownIt
from sqlalchemy import func, select

from collab.auth.models import User
from collab.extensions import db

_parser = MarkdownIt("commonmark")
INLINE_CODE_RE = re.compile(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", re.S)
USERNAME_RE = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])", re.I)
GROUP_WORD = "group"


def _prose(source: str) -> list[tuple[bool, str]]:
    """Split the source into (is_prose, text) parts. Code is quoted text, so mentions
    there notify nobody: fenced (``` or ~~~) and indented blocks, found by the same
    markdown parser that renders the post, and inline spans of any backtick count."""
    lines = source.splitlines(keepends=True)
    code_lines = set()
    for token in _parser.parse(source):
        if token.type in ("fence", "code_block") and token.map:
            code_lines.update(range(*token.map))
    parts: list[tuple[bool, str]] = []
    for number, line in enumerate(lines):
        is_code = number in code_lines
        if parts and parts[-1][0] == (not is_code):
            parts[-1] = (parts[-1][0], parts[-1][1] + line)
        else:
            parts.append((not is_code, line))
    result = []
    for is_prose, text in parts:
        if not is_prose:
            result.append((False, text))
            continue
        last = 0
        for match in INLINE_CODE_RE.finditer(text):
            result.append((True, text[last : match.start()]))
            result.append((False, match.group(0)))
            last = match.end()
        result.append((True, text[last:]))
    return result


def find(source: str, candidates: list[User]) -> tuple[list[tuple[str, User]], bool]:
    """Mentions in ``source``: (the text after @, the user), and whether @group is used.

    A mention is ``@username`` of anyone active, or ``@Display Name`` of one of
    ``candidates`` (the people who can read the group), longest name first.
    """
    names = sorted(candidates, key=lambda u: -len(u.display_name))
    found: dict[int, tuple[str, User]] = {}
    group_mention = False
    usernames = set()
    for is_prose, text in _prose(source):
        if not is_prose:
            continue
        for at in (m.start() for m in re.finditer("@", text)):
            rest = text[at + 1 :]
            for user in names:
                name = user.display_name
                if (
                    rest[: len(name)].lower() == name.lower()
                    and not rest[len(name) : len(name) + 1].isalnum()
                ):
                    found.setdefault(user.id, (name, user))
                    break
        for match in USERNAME_RE.finditer(text):
            word = match.group(1).lower()
            if word == GROUP_WORD:
                group_mention = True
            else:
                usernames.add(word)
    if usernames:
        for user in db.session.scalars(
            select(User).where(
                func.lower(User.username).in_(usernames), User.is_active.is_(True)
            )
        ):
            found.setdefault(user.id, (user.username, user))
    return list(found.values()), group_mention


MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def _escape(text: str) -> str:
    """A name as literal link text: a display name like "x](https://evil)" must not
    close the link and open another."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def link(source: str, mentions: list[tuple[str, User]]) -> str:
    """The source with each mention written as a markdown link to the profile."""
    if not mentions:
        return source
    ordered = sorted(mentions, key=lambda m: -len(m[0]))
    pattern = re.compile(
        r"(?<![\w@\[])@("
        + "|".join(re.escape(text) for text, _ in ordered)
        + r")(?![\w])",
        re.I,
    )
    targets = {text.lower(): user for text, user in ordered}
    out = []
    for is_prose, text in _prose(source):
        if is_prose:
            text = pattern.sub(
                lambda m: (
                    f"[@{_escape(m.group(1))}]"
                    f"(/members/{targets[m.group(1).lower()].username})"
                ),
                text,
            )
        out.append(text)
    return "".join(out)
