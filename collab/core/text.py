"""User-written text to safe HTML: markdown-it-py (raw HTML off), then bleach.

This is the only module that sanitises user HTML; views and templates never do.
"""

import unicodedata
from functools import lru_cache, partial
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

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


@lru_cache(maxsize=1024)
def render_markdown_cached(source: str) -> str:
    """For templates showing stored text without a stored ``*_html`` (agenda items,
    minutes): the same text always gives the same HTML, and a meeting page would
    otherwise parse and sanitise a dozen texts on every view."""
    return render_markdown(source)


def as_markup(html: str) -> Markup:
    """Only for values produced by ``render_markdown`` (the ``*_html`` fields)."""
    return Markup(html)


def own_svg(svg: str) -> Markup:
    """Only for SVG our own code draws (the second factor's QR code, by segno): no
    user text is ever part of it."""
    return Markup(svg)


class _TextOnly(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        # Block boundaries keep words apart: "<p>a</p><p>b</p>" is "a b", not "ab".
        self.parts.append(" ")


def plain_text(html: str) -> str:
    """The words of stored (already sanitised) HTML, for the search index."""
    parser = _TextOnly()
    parser.feed(html or "")
    parser.close()
    return " ".join("".join(parser.parts).split())


# What the search engines put around matched words in a snippet: control characters
# the index never stores, so user text cannot fake them.
MATCH_START, MATCH_END = "\x02", "\x03"


def highlight(snippet: str) -> Markup:
    """A search snippet: the text escaped first, then the matches marked."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(MATCH_START, "<mark>").replace(MATCH_END, "</mark>"))


def fold(text: str) -> str:
    """Lower case without accents: "Émile" → "emile" (sorting names, marking search
    matches)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
