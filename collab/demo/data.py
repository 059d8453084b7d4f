"""The demo world: three groups of government digital leaders and their people."""

import hashlib

from sqlalchemy import select

from collab.auth.models import User
from collab.auth.passwords import hash_password
from collab.auth.services import unique_username
from collab.core import storage
from collab.core.text import render_markdown
from collab.demo.profiles import PROFILES
from collab.extensions import db
from collab.groups.models import Group, Membership
from collab.members.models import Expertise, Profile

PASSWORD = "collab-demo-2026!"

SIGN_INS = [
    ("secretariat@example.org", "secretariat (every group, the console at /admin/)"),
    ("chair@example.org", "chair of Digital Identity"),
    ("member@example.org", "member of Digital Identity and Digital Services"),
    ("observer@example.org", "observer of Digital Identity"),
    ("outsider@example.org", "signed in, in no group"),
]

GROUPS = [
    {
        "slug": "digital-identity",
        "name": "Digital Identity",
        "visibility": "public",
        "join_policy": "request",
        "description": (
            "The working group on **digital identity** compares how governments "
            "issue and recognise trusted digital identities for citizens and "
            "businesses.\n\n"
            "- national eID schemes and their levels of assurance\n"
            "- digital identity wallets and verifiable credentials\n"
            "- cross-border recognition and mutual trust frameworks\n"
            "- inclusion: people without documents, smartphones or digital skills\n\n"
            "Outputs: a comparative country review, good-practice notes for the "
            "E-Leaders meeting, and peer reviews on request."
        ),
    },
    {
        "slug": "digital-services",
        "name": "Digital Services",
        "visibility": "public",
        "join_policy": "open",
        "description": (
            "The working group on **digital services** shares how administrations "
            "design, build and run public services that people can use the first "
            "time.\n\n"
            "- service standards and assessments\n"
            "- once-only principle and life-event services\n"
            "- common platforms (notifications, payments, forms)\n"
            "- measuring take-up, satisfaction and cost to serve\n\n"
            "Members bring case studies; the group publishes a yearly playbook of "
            "what worked."
        ),
    },
    {
        "slug": "ict-procurement",
        "name": "ICT Procurement",
        "visibility": "private",
        "join_policy": "invite",
        "description": (
            "The working group on **ICT procurement** helps governments buy "
            "technology well: agile and modular contracting, cloud frameworks, "
            "avoiding lock-in, and opening the market to smaller suppliers.\n\n"
            "Discussions include commercial terms shared in confidence, so the "
            "group is private and membership is by invitation of the secretariat."
        ),
    },
]

# email, name, country, time zone, organisation, position, secretariat, {group: role}
PEOPLE = [
    (
        "secretariat@example.org",
        "Claire Dubois",
        "FR",
        "Europe/Paris",
        "OECD Secretariat",
        "Policy Analyst, Digital Government",
        True,
        {},
    ),
    (
        "chair@example.org",
        "Kadri Tamm",
        "EE",
        "Europe/Tallinn",
        "Information System Authority (RIA)",
        "Head of Electronic Identity",
        False,
        {"digital-identity": "chair"},
    ),
    (
        "member@example.org",
        "Park Min-jun",
        "KR",
        "Asia/Seoul",
        "Ministry of the Interior and Safety",
        "Deputy Director, Digital Government",
        False,
        {"digital-identity": "member", "digital-services": "member"},
    ),
    (
        "observer@example.org",
        "Lerato Mokoena",
        "ZA",
        "Africa/Johannesburg",
        "Department of Public Service and Administration",
        "Chief Director, e-Government",
        False,
        {"digital-identity": "observer"},
    ),
    (
        "outsider@example.org",
        "Tom Becker",
        "DE",
        "Europe/Berlin",
        "Federal Ministry of the Interior",
        "Desk Officer, Administrative Digitalisation",
        False,
        {},
    ),
    (
        "sarah.thompson@example.org",
        "Sarah Thompson",
        "GB",
        "Europe/London",
        "Government Digital Service",
        "Director of Service Standards",
        False,
        {"digital-services": "chair"},
    ),
    (
        "marc.tremblay@example.org",
        "Marc Tremblay",
        "CA",
        "America/Toronto",
        "Public Services and Procurement Canada",
        "Director General, Digital Procurement",
        False,
        {"ict-procurement": "chair", "digital-services": "member"},
    ),
    (
        "laura.garcia@example.org",
        "Laura García",
        "ES",
        "Europe/Madrid",
        "Secretariat-General for Digital Administration",
        "Deputy Director for Digital Identity",
        False,
        {"digital-identity": "member"},
    ),
    (
        "jan.devries@example.org",
        "Jan de Vries",
        "NL",
        "Europe/Amsterdam",
        "Logius",
        "Programme Manager, DigiD",
        False,
        {"digital-identity": "member", "ict-procurement": "member"},
    ),
    (
        "yuki.tanaka@example.org",
        "Tanaka Yuki",
        "JP",
        "Asia/Tokyo",
        "Digital Agency",
        "Senior Manager, My Number Card",
        False,
        {"digital-identity": "member"},
    ),
    (
        "mateo.fernandez@example.org",
        "Mateo Fernández",
        "CL",
        "America/Santiago",
        "Digital Government Division, Ministry General Secretariat of the Presidency",
        "Head of Digital Services",
        False,
        {"digital-services": "member"},
    ),
    (
        "ana.souza@example.org",
        "Ana Souza",
        "BR",
        "America/Sao_Paulo",
        "Ministry of Management and Innovation in Public Services",
        "Coordinator, gov.br",
        False,
        {"digital-services": "observer"},
    ),
    (
        "emily.clarke@example.org",
        "Emily Clarke",
        "AU",
        "Australia/Sydney",
        "Digital Transformation Agency",
        "General Manager, Digital Sourcing",
        False,
        {"ict-procurement": "member", "digital-services": "member"},
    ),
    (
        "anna.kowalska@example.org",
        "Anna Kowalska",
        "PL",
        "Europe/Warsaw",
        "Chancellery of the Prime Minister",
        "Director, Department of Digital Services",
        False,
        {"digital-services": "member"},
    ),
    (
        "mikko.virtanen@example.org",
        "Mikko Virtanen",
        "FI",
        "Europe/Helsinki",
        "Digital and Population Data Services Agency",
        "Chief Architect",
        False,
        {"digital-identity": "member", "ict-procurement": "member"},
    ),
    (
        "ingrid.larsen@example.org",
        "Ingrid Larsen",
        "DK",
        "Europe/Copenhagen",
        "Agency for Digital Government",
        "Head of Division, MitID",
        False,
        {"digital-identity": "member"},
    ),
    (
        "lukas.huber@example.org",
        "Lukas Huber",
        "AT",
        "Europe/Vienna",
        "Federal Procurement Agency",
        "Head of IT Procurement",
        False,
        {"ict-procurement": "member"},
    ),
    (
        "aroha.ngata@example.org",
        "Aroha Ngata",
        "NZ",
        "Pacific/Auckland",
        "Department of Internal Affairs",
        "Manager, Digital Public Infrastructure",
        False,
        {"digital-services": "member"},
    ),
]


def load() -> int:
    """Create what is missing; returns how many records were added."""
    created = 0
    groups = {}
    for spec in GROUPS:
        group = db.session.scalar(select(Group).where(Group.slug == spec["slug"]))
        if group is None:
            group = Group(**spec, description_html=render_markdown(spec["description"]))
            db.session.add(group)
            created += 1
        groups[spec["slug"]] = group
    db.session.flush()

    for email, name, country, tz, organisation, position, secretariat, roles in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email,
                display_name=name,
                username=unique_username(name),
                password_hash=hash_password(PASSWORD),
                country=country,
                timezone=tz,
                organisation=organisation,
                position=position,
                is_secretariat=secretariat,
            )
            db.session.add(user)
            db.session.flush()
            created += 1
        if user.profile is None and email in PROFILES:
            _add_profile(user, *PROFILES[email])
            created += 1
        for slug, role in roles.items():
            exists = db.session.scalar(
                select(Membership.id).where(
                    Membership.user_id == user.id,
                    Membership.group_id == groups[slug].id,
                )
            )
            if exists is None:
                db.session.add(
                    Membership(user_id=user.id, group_id=groups[slug].id, role=role)
                )
                created += 1
    db.session.flush()
    from collab.demo import documents, meetings, polls, threads

    return created + threads.load() + documents.load() + meetings.load() + polls.load()


def _add_profile(user, bio, expertise, languages, phone, website, email_to, phone_to):
    profile = Profile(
        user_id=user.id,
        bio=bio,
        bio_html=render_markdown(bio),
        languages=languages,
        phone=phone,
        website=website,
        email_visibility=email_to,
        phone_visibility=phone_to,
    )
    db.session.add(profile)
    user.expertise = [Expertise(tag=tag) for tag in expertise]
    key = storage.new_key("photos", "jpg")
    storage.storage().put(key, demo_portrait(user.display_name))
    storage.discard_on_rollback(db.session(), key)
    profile.photo_key = key


def demo_portrait(name: str) -> bytes:
    """A stand-in portrait: initials on a colour of the name's own, as a JPEG."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    digest = hashlib.sha256(name.encode()).digest()
    background = (40 + digest[0] % 120, 60 + digest[1] % 120, 90 + digest[2] % 120)
    image = Image.new("RGB", (320, 320), background)
    draw = ImageDraw.Draw(image)
    draw.ellipse((90, 50, 230, 190), fill=(235, 225, 215))
    draw.rounded_rectangle((50, 200, 270, 360), radius=90, fill=(235, 225, 215))
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()
