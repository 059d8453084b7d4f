"""Plain text from an uploaded file, for search: bounded in size and time."""

import io
import logging
import re
import time
import zipfile

from defusedxml import ElementTree

log = logging.getLogger(__name__)

MAX_CHARS = 200_000
MAX_SECONDS = 5.0
MAX_PAGES = 300
XML_PARTS = {
    "docx": re.compile(r"^word/(document|header\d*|footer\d*)\.xml$"),
    "xlsx": re.compile(r"^xl/(sharedStrings|worksheets/sheet\d+)\.xml$"),
    "pptx": re.compile(r"^ppt/slides/slide\d+\.xml$"),
    "odt": re.compile(r"^content\.xml$"),
    "ods": re.compile(r"^content\.xml$"),
    "odp": re.compile(r"^content\.xml$"),
}


def extract_text(kind: str, data: bytes) -> str:
    """Best effort: a file we cannot read yields "" rather than a failed upload."""
    started = time.monotonic()
    try:
        if kind == "pdf":
            text = _pdf(data, started)
        elif kind in XML_PARTS:
            text = _xml_zip(kind, data, started)
        elif kind in ("txt", "csv", "md"):
            text = data.decode("utf-8", errors="replace")
        else:
            text = ""
    except Exception as error:  # noqa: BLE001 - malformed files must not fail uploads
        log.info("text extraction failed for a %s file: %s", kind, error)
        text = ""
    return re.sub(r"[ \t]+", " ", text).strip()[:MAX_CHARS]


def _pdf(data: bytes, started: float) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for index, page in enumerate(reader.pages):
        if (
            index >= MAX_PAGES
            or size > MAX_CHARS
            or time.monotonic() - started > MAX_SECONDS
        ):
            break
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
    return "\n".join(parts)


def _xml_zip(kind: str, data: bytes, started: float) -> str:
    parts, size = [], 0
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not XML_PARTS[kind].match(info.filename):
                continue
            if (
                info.file_size > 20 * 1024 * 1024
                or time.monotonic() - started > MAX_SECONDS
            ):
                break
            root = ElementTree.fromstring(archive.read(info))
            text = " ".join(t.strip() for t in root.itertext() if t.strip())
            parts.append(text)
            size += len(text)
            if size > MAX_CHARS:
                break
    return "\n".join(parts)
