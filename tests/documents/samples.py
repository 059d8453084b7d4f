"""Small real files of every allowed type, generated here (nothing is downloaded), and
some hostile ones."""

import io
import zipfile
from xml.sax.saxutils import escape

from collab.demo import documents as demo

PKG = "http://schemas.openxmlformats.org/package/2006"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
OOXML = "application/vnd.openxmlformats-officedocument"


def pdf(title: str = "Wallet pilot report", lines=("Selective disclosure.",)) -> bytes:
    return demo.pdf(title, list(lines))


def docx(*paragraphs: str) -> bytes:
    return demo.docx(list(paragraphs or ["Korea mobile ID overview."]))


def _zip(parts: dict[str, str | bytes], first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first is not None:
            # ODF: "mimetype" comes first and is stored uncompressed.
            archive.writestr(
                zipfile.ZipInfo(first), parts[first], compress_type=zipfile.ZIP_STORED
            )
        for name, data in parts.items():
            if name != first:
                archive.writestr(name, data)
    return out.getvalue()


def _content_types(overrides: dict[str, str]) -> str:
    items = "".join(
        f'<Override PartName="{part}" ContentType="{kind}"/>'
        for part, kind in overrides.items()
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{items}</Types>'
    )


def _rels(target: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        f'xmlns="{PKG}/relationships"><Relationship Id="rId1" '
        f'Type="{REL}/officeDocument" Target="{target}"/></Relationships>'
    )


def xlsx(*cells: str) -> bytes:
    cells = cells or ("Country", "Take-up")
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    strings = "".join(f"<si><t>{escape(c)}</t></si>" for c in cells)
    row = "".join(
        f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(cells))
    )
    return _zip(
        {
            "[Content_Types].xml": _content_types(
                {
                    "/xl/workbook.xml": f"{OOXML}.spreadsheetml.sheet.main+xml",
                    "/xl/worksheets/sheet1.xml": f"{OOXML}.spreadsheetml.worksheet+xml",
                    "/xl/sharedStrings.xml": f"{OOXML}.spreadsheetml.sharedStrings+xml",
                }
            ),
            "_rels/.rels": _rels("xl/workbook.xml"),
            "xl/workbook.xml": f'<workbook xmlns="{ns}" xmlns:r="{REL}"><sheets>'
            '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{PKG}/relationships"><Relationship Id="rId1" '
                f'Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                f'<Relationship Id="rId2" Type="{REL}/sharedStrings" '
                'Target="sharedStrings.xml"/></Relationships>'
            ),
            "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{ns}"><sheetData>'
            f'<row r="1">{row}<c r="Z1"><v>42</v></c></row></sheetData></worksheet>',
            "xl/sharedStrings.xml": f'<sst xmlns="{ns}" count="{len(cells)}" '
            f'uniqueCount="{len(cells)}">{strings}</sst>',
        }
    )


def pptx(*slides: str) -> bytes:
    slides = slides or ("Wallet pilots: lessons learned",)
    p = "http://schemas.openxmlformats.org/presentationml/2006/main"
    a = "http://schemas.openxmlformats.org/drawingml/2006/main"
    parts = {
        "[Content_Types].xml": _content_types(
            {"/ppt/presentation.xml": f"{OOXML}.presentationml.presentation.main+xml"}
            | {
                f"/ppt/slides/slide{i}.xml": f"{OOXML}.presentationml.slide+xml"
                for i in range(1, len(slides) + 1)
            }
        ),
        "_rels/.rels": _rels("ppt/presentation.xml"),
        "ppt/presentation.xml": f'<p:presentation xmlns:p="{p}"/>',
    }
    for i, words in enumerate(slides, start=1):
        parts[f"ppt/slides/slide{i}.xml"] = (
            f'<p:sld xmlns:p="{p}" xmlns:a="{a}"><p:cSld><p:spTree><p:sp><p:txBody>'
            f"<a:p><a:r><a:t>{escape(words)}</a:t></a:r></a:p>"
            "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>"
        )
    return _zip(parts)


ODF = "application/vnd.oasis.opendocument"
ODF_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
)


def _odf(kind: str, body: str) -> bytes:
    mimetype = f"{ODF}.{kind}"
    return _zip(
        {
            "mimetype": mimetype,
            "META-INF/manifest.xml": (
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                'xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
                f'manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                'manifest:media-type="text/xml"/></manifest:manifest>'
            ),
            "content.xml": f'<office:document-content {ODF_NS} office:version="1.2">'
            f"<office:body>{body}</office:body></office:document-content>",
        },
        first="mimetype",
    )


def odt(*paragraphs: str) -> bytes:
    paragraphs = paragraphs or ("Terms of reference 2026-2027",)
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    return _odf("text", f"<office:text>{body}</office:text>")


def ods(*cells: str) -> bytes:
    cells = cells or ("Country", "Budget")
    row = "".join(
        f"<table:table-cell><text:p>{escape(c)}</text:p></table:table-cell>"
        for c in cells
    )
    return _odf(
        "spreadsheet",
        '<office:spreadsheet><table:table table:name="Sheet1"><table:table-row>'
        f"{row}</table:table-row></table:table></office:spreadsheet>",
    )


def odp(*slides: str) -> bytes:
    slides = slides or ("E-Leaders session",)
    pages = "".join(
        f'<draw:page draw:name="p{i}"><draw:frame><draw:text-box><text:p>'
        f"{escape(s)}</text:p></draw:text-box></draw:frame></draw:page>"
        for i, s in enumerate(slides, start=1)
    )
    return _odf("presentation", f"<office:presentation>{pages}</office:presentation>")


def png(size=(32, 16), colour=(11, 79, 138)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def jpeg(size=(32, 16), colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


BUILDERS = {
    "pdf": pdf,
    "docx": docx,
    "xlsx": xlsx,
    "pptx": pptx,
    "odt": odt,
    "ods": ods,
    "odp": odp,
    "png": png,
    "jpg": jpeg,
    "jpeg": jpeg,
    "txt": lambda: b"Minutes of the meeting.\nNext steps agreed.\n",
    "csv": lambda: b"country,take-up\nEE,71\nKR,64\n",
    "md": lambda: b"# Terms of reference\n\n- compare eID schemes\n",
}


def sample(name: str) -> bytes:
    """A valid file of the type ``name``'s extension says."""
    return BUILDERS[name.rsplit(".", 1)[-1].lower()]()


# --- hostile files --------------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body>"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def zip_without_word_parts() -> bytes:
    return _zip({"[Content_Types].xml": _content_types({}), "notes.txt": "hello"})
