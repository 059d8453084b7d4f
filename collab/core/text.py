"""User-written text to safe HTML: markdown-it-py (raw HTML off), then bleach.

This is the only module that sanitises user HTML; views and templates never do.
"""

from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    "p br hr h1 h2 h3 h4 h5 h6 strong em b i del s code pre blockquote ul ol li a img "
    "table thead tbody tr th td sup sub kbd abbr".split()
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "title"],
    "abbr": ["title"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "nofollow noopener noreferrer ugc"

_markdown = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": False}
)
_markdown.enable(["table", "strikethrough"])


def _is_external(href: str) -> bool:
    """http(s) links and scheme-relative ones (//host, ///host, /\\host), which browsers
    also send to another site."""
    href = href.strip()
    parts = urlsplit(href)
    return (
        parts.scheme in ("http", "https")
        or bool(parts.netloc)
        or href.startswith(("//", "/\\", "\\"))
    )


def _set_rel(attrs, new=False):
    if _is_external(attrs.get((None, "href"), "")):
        attrs[(None, "rel")] = EXTERNAL_REL
    else:
        attrs.pop((None, "rel"), None)
    return attrs


_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"})],
)


def sanitize_html(html: str) -> str:
    """Reduce HTML to the allowlist, linkify bare URLs, mark external links."""
    return _cleaner.clean(html)


def render_markdown(source: str) -> str:
    """Markdown source → sanitised HTML, ready to store beside the source."""
    return sanitize_html(_markdown.render(source or ""))


def as_markup(html: str) -> Markup:
    """Only for values produced by ``render_markdown`` (the ``*_html`` fields)."""
    return Markup(html)


def own_svg(svg: str) -> Markup:
    """Only for SVG our own code draws (the second factor's QR code, by segno): no
    user text is ever part of it."""
    return Markup(svg)
