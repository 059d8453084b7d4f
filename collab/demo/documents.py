"""Demo documents, generated here (nothing downloaded): PDF, DOCX, MD, CSV, PNG."""

import io
import zipfile

from sqlalchemy import select

from collab.auth.models import User
from collab.documents import services
from collab.documents.models import Document
from collab.extensions import db
from collab.groups.models import Group


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with real text (so extraction and search have something)."""
    text = [f"BT /F1 16 Tf 72 760 Td ({_pdf_escape(title)}) Tj ET"]
    y = 730
    for line in lines:
        text.append(f"BT /F1 11 Tf 72 {y} Td ({_pdf_escape(line)}) Tj ET")
        y -= 16
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _pdf_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PKG = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
CONTENT_TYPES = (
    f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/></Types>'
)
RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)


def docx(paragraphs: list[str]) -> bytes:
    """A minimal Word document: enough for Word, LibreOffice and our extractor."""
    from xml.sax.saxutils import escape

    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    document = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


def png_chart(values: list[int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(image)
    for index, value in enumerate(values):
        x = 30 + index * 70
        draw.rectangle((x, 220 - value * 2, x + 40, 220), fill=(11, 79, 138))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


# group slug → [(folder or None, uploader e-mail, file name, bytes, tags)]
def _library():
    return {
        "digital-identity": [
            (
                "Country submissions",
                "chair@example.org",
                "Estonia - eID wallet pilot report.pdf",
                pdf(
                    "eID wallet pilot report - Estonia",
                    [
                        "Large-scale pilot of the national identity wallet, 2026.",
                        "12,400 participants; PID issued after chip read or Mobile-ID.",
                        "Selective disclosure confused 31% of users in the first week.",
                    ],
                ),
                "wallet, pilot, EE",
            ),
            (
                "Country submissions",
                "member@example.org",
                "Korea - mobile ID overview.docx",
                docx(
                    [
                        "Korea mobile ID: overview for the Digital Identity group.",
                        "Channels: NFC chip read 71%, office 24%, video call 5%.",
                        "Interoperability profile: Ministry of the Interior.",
                    ]
                ),
                "mobile ID, KR",
            ),
            (
                None,
                "chair@example.org",
                "Terms of reference 2026-2027.md",
                b"# Digital Identity working group\n\n"
                b"## Terms of reference 2026-2027\n\n"
                b"- compare national eID schemes and levels of assurance\n"
                b"- share wallet pilot results\n- prepare the E-Leaders session\n",
                "governance",
            ),
        ],
        "digital-services": [
            (
                None,
                "sarah.thompson@example.org",
                "Service standard comparison.csv",
                b"country,standard,points,assessments per year\n"
                b"GB,Service Standard,14,120\n"
                b"PL,mObywatel design rules,10,40\nCL,Digital services norm,12,25\n",
                "service standard",
            ),
            (
                None,
                "aroha.ngata@example.org",
                "Take-up by channel.png",
                png_chart([40, 65, 80, 95, 70]),
                "take-up, metrics",
            ),
        ],
        "ict-procurement": [
            (
                "Model clauses",
                "marc.tremblay@example.org",
                "Open source clause - draft 2.docx",
                docx(
                    [
                        "Draft model clause: open-source release of custom code.",
                        "Custom code developed under this contract is released "
                        "under an OSI-approved licence unless a documented "
                        "security reason applies.",
                    ]
                ),
                "open source, clauses",
            ),
        ],
    }


def load() -> int:
    """Create the demo library once; returns how many documents were added."""
    if db.session.scalar(select(Document.id).limit(1)) is not None:
        return 0
    people = {u.email: u for u in db.session.scalars(select(User))}
    created = 0
    for slug, files in _library().items():
        group = db.session.scalar(select(Group).where(Group.slug == slug))
        folders = {}
        for folder_name, email, filename, data, tags in files:
            folder = None
            if folder_name:
                folder = folders.get(folder_name) or services.create_folder(
                    people[email], group, folder_name, None
                )
                folders[folder_name] = folder
            services.upload(
                people[email], group, [(filename, data)], folder=folder, tags=tags
            )
            created += 1
    db.session.flush()
    return created
