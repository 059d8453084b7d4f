"""The allowlist of document types, checked by extension and by content."""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    extension: str
    content_type: str
    inline: bool = False  # shown in the browser (preview) rather than downloaded


KINDS = {
    "pdf": Kind("pdf", "application/pdf", inline=True),
    "png": Kind("png", "image/png", inline=True),
    "jpg": Kind("jpg", "image/jpeg", inline=True),
    "docx": Kind(
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": Kind(
        "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    "pptx": Kind(
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odt": Kind("odt", "application/vnd.oasis.opendocument.text"),
    "ods": Kind("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": Kind("odp", "application/vnd.oasis.opendocument.presentation"),
    "txt": Kind("txt", "text/plain; charset=utf-8"),
    "csv": Kind("csv", "text/csv; charset=utf-8"),
    "md": Kind("md", "text/markdown; charset=utf-8"),
}
ALIASES = {"jpeg": "jpg", "markdown": "md"}
OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
ODF_MIME = {
    "odt": b"application/vnd.oasis.opendocument.text",
    "ods": b"application/vnd.oasis.opendocument.spreadsheet",
    "odp": b"application/vnd.oasis.opendocument.presentation",
}


def extension_of(filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ALIASES.get(ext, ext)


def clean_filename(filename: str) -> str:
    """A name safe to show and to offer as the download name: no path, no control or
    bidi characters, at most 200 characters (keeping the extension)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf"))
    name = re.sub(r"\s+", " ", name).strip()
    # No hidden files; a bare ".txt" becomes "document.txt", keeping its extension.
    stripped = name.lstrip(".")
    if stripped != name and "." not in stripped:
        stripped = f"document.{stripped}" if stripped else ""
    name = stripped or "document"
    if len(name) > 200:
        stem, _, ext = name.rpartition(".")
        name = (stem[: 190 - len(ext)] + "." + ext) if stem else name[:200]
    return name


def detect(filename: str, data: bytes) -> Kind | None:
    """The allowed kind the file really is, or None: the extension and the content
    must agree."""
    kind = KINDS.get(extension_of(filename))
    if kind is None or not data:
        return None
    return kind if _content_matches(kind.extension, data) else None


def _content_matches(ext: str, data: bytes) -> bool:
    if ext == "pdf":
        return data[:1024].lstrip().startswith(b"%PDF-")
    if ext == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if ext == "jpg":
        return data.startswith(b"\xff\xd8\xff")
    if ext in OOXML_PART or ext in ODF_MIME:
        return _zip_matches(ext, data)
    return _is_text(data)


def _zip_matches(ext: str, data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if ext in OOXML_PART:
                return "[Content_Types].xml" in names and any(
                    n.startswith(OOXML_PART[ext]) for n in names
                )
            return (
                "mimetype" in names
                and archive.read("mimetype").strip() == ODF_MIME[ext]
            )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
