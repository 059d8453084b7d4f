"""Finding @mentions in a post and turning them into profile links."""

import re

from sqlalchemy import func, select

from collab.auth.models import User
from collab.extensions import db

USERNAME_RE = re.compile(r"(?<![\w@/])@([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])", re.I)
# Code (fenced or inline) is quoted text: mentions there notify nobody.
CODE_RE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
GROUP_WORD = "group"


def _prose(source: str) -> list[tuple[bool, str]]:
    """Split the source into (is_prose, text) parts."""
    parts = []
    for index, piece in enumerate(CODE_RE.split(source)):
        parts.append((index % 2 == 0, piece))
    return parts


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
                    f"[@{m.group(1)}](/members/{targets[m.group(1).lower()].username})"
                ),
                text,
            )
        out.append(text)
    return "".join(out)
