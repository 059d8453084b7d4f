"""Reading console pages the way a person does: table rows, flashes, field errors."""

import re
from html import unescape
from html.parser import HTMLParser

from sqlalchemy import func, select

from collab.extensions import db

_FLASH_RE = re.compile(r'<p class="flash flash-(\w+)">(.*?)</p>', re.DOTALL)


class _TableReader(HTMLParser):
    """Collects the body rows of every table: (css class of the row, [cell texts])."""

    def __init__(self):
        super().__init__()
        self.rows: list[tuple[str, list[str]]] = []
        self._in_body = False
        self._row: tuple[str, list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = (dict(attrs).get("class") or "", [])
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag in ("br", "li") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body = False
        elif tag == "td" and self._cell is not None and self._row is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    """The text of each cell of each body row of the page's tables."""
    reader = _TableReader()
    reader.feed(page)
    return [cells for _css, cells in reader.rows]


def error_rows(page: str) -> list[list[str]]:
    """Body rows marked as having an error."""
    reader = _TableReader()
    reader.feed(page)
    return [cells for css, cells in reader.rows if "row-error" in css]


def flashes(page: str) -> list[tuple[str, str]]:
    """(category, text) of each flash message on the page."""
    return [
        (category, unescape(text).strip()) for category, text in _FLASH_RE.findall(page)
    ]


def field_error(page: str, field_id: str) -> str:
    match = re.search(
        rf'<p class="error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.DOTALL
    )
    return unescape(match.group(1)).strip() if match else ""


def input_value(page: str, name: str) -> str | None:
    """The value of the <input name=...> on the page, as the browser would send it."""
    match = re.search(
        rf'<input[^>]*\bname="{re.escape(name)}"[^>]*\bvalue="([^"]*)"', page
    )
    return unescape(match.group(1)) if match else None


def textarea_value(page: str, name: str) -> str | None:
    match = re.search(
        rf'<textarea[^>]*\bname="{re.escape(name)}"[^>]*>(.*?)</textarea>',
        page,
        re.DOTALL,
    )
    return unescape(match.group(1)).lstrip("\r\n") if match else None


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fresh(obj):
    """Re-read ``obj`` from the database (requests commit through their own flow)."""
    db.session.refresh(obj)
    return obj
