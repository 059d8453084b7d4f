"""Profiles, the directory, contact lists, and people's own data (export, erasure)."""

import csv
import html
import io
import json
import unicodedata
import zipfile
import zoneinfo
from datetime import datetime

import pytz
import vobject
from babel import Locale
from flask import current_app
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import Select, Text, cast, delete, or_, select, update
from sqlalchemy.orm import selectinload

from collab.audit import services as audit
from collab.audit.models import AuditEvent
from collab.auth.models import PasswordToken, ThrottleEvent, User, UserSession
from collab.auth.passwords import verify_password
from collab.auth.services import count_recent, note_event
from collab.core import storage
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.permissions import is_secretariat
from collab.core.spreadsheet import safe_cell
from collab.core.templating import COUNTRY_CODES
from collab.core.text import render_markdown
from collab.extensions import db
from collab.groups.models import Group, Invitation, Membership, Visibility
from collab.members import permissions
from collab.members.models import ContactVisibility, Expertise, Profile
from collab.members.photos import process_photo
from collab.notifications.models import OutboxEmail

ERASED_NAME = "Former member"
MAX_TAGS = 20
TIMEZONES = frozenset(zoneinfo.available_timezones())
LANGUAGE_CODES = frozenset(code for code in Locale("en").languages if len(code) == 2)


# --- reading ---------------------------------------------------------------------


def get_person(username: str) -> User | None:
    """An active or deactivated (but not erased) person, with profile and expertise."""
    return db.session.scalar(
        select(User)
        .options(selectinload(User.profile), selectinload(User.expertise))
        .where(User.username == username, User.erased_at.is_(None))
    )


def profile_of(user: User) -> Profile:
    """The person's profile, created empty on first use."""
    if user.profile is None:
        user.profile = Profile(user_id=user.id)
        db.session.add(user.profile)
    return user.profile


def default_timezone(country: str | None) -> str:
    zones = pytz.country_timezones.get((country or "").upper()) or []
    return zones[0] if zones else "UTC"


def local_now(user: User) -> datetime:
    return datetime.now(
        zoneinfo.ZoneInfo(user.timezone if user.timezone in TIMEZONES else "UTC")
    )


def visible_groups(viewer: User, person: User) -> list[tuple[Group, Membership]]:
    """The person's active groups that the viewer may know about: public ones, and
    private ones the viewer belongs to (the secretariat sees all)."""
    query = (
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == person.id, Membership.status == "active")
        .order_by(Group.name)
    )
    if not is_secretariat(viewer):
        mine = select(Membership.group_id).where(
            Membership.user_id == viewer.id, Membership.status == "active"
        )
        query = query.where(
            or_(Group.visibility == Visibility.PUBLIC, Group.id.in_(mine))
        )
    return [tuple(row) for row in db.session.execute(query)]


def groups_visible_to(viewer: User) -> list[Group]:
    query = select(Group).where(Group.is_archived.is_(False)).order_by(Group.name)
    if not is_secretariat(viewer):
        mine = select(Membership.group_id).where(
            Membership.user_id == viewer.id, Membership.status == "active"
        )
        query = query.where(
            or_(Group.visibility == Visibility.PUBLIC, Group.id.in_(mine))
        )
    return list(db.session.scalars(query))


def directory(
    viewer: User,
    *,
    q: str = "",
    country: str = "",
    group: Group | None = None,
    role: str = "",
) -> Select:
    """People the viewer can list, filtered; only public fields are ever matched."""
    query = (
        select(User)
        .options(selectinload(User.profile), selectinload(User.expertise))
        .where(User.is_active.is_(True), User.erased_at.is_(None))
        .order_by(User.sort_name, User.id)
    )
    for word in q.split()[:6]:
        like = f"%{word.lower()}%"
        tagged = select(Expertise.user_id).where(Expertise.tag.ilike(like))
        query = query.where(
            or_(
                User.display_name.ilike(like),
                User.organisation.ilike(like),
                User.position.ilike(like),
                User.id.in_(tagged),
            )
        )
    if country:
        query = query.where(User.country == country.upper())
    if group is not None:
        # The caller has authorised the group itself (archived ones included).
        member = select(Membership.user_id).where(
            Membership.status == "active", Membership.group_id == group.id
        )
        if role:
            member = member.where(Membership.role == role)
        query = query.where(User.id.in_(member))
    elif role:
        visible = [g.id for g in groups_visible_to(viewer)]
        member = select(Membership.user_id).where(
            Membership.status == "active",
            Membership.group_id.in_(visible),
            Membership.role == role,
        )
        query = query.where(User.id.in_(member))
    return query


def roles_in(group: Group, users: list[User]) -> dict[int, Membership]:
    rows = db.session.scalars(
        select(Membership).where(
            Membership.group_id == group.id,
            Membership.user_id.in_([u.id for u in users]),
        )
    )
    return {m.user_id: m for m in rows}


# --- editing ---------------------------------------------------------------------


def update_profile(actor: User, user: User, **fields) -> None:
    """Check and save everything on the profile form at once (nothing half-saved)."""
    errors = _profile_errors(fields)
    if errors:
        field, message = errors[0]
        raise DomainError(message, field=field)
    profile = profile_of(user)
    user.display_name = fields["display_name"].strip()
    user.country = fields["country"] or None
    user.organisation = fields["organisation"].strip()
    user.position = fields["position"].strip()
    user.timezone = fields["timezone"] or default_timezone(user.country)
    user.locale = fields["locale"] or None
    profile.bio = fields["bio"]
    profile.bio_html = render_markdown(fields["bio"])
    profile.phone = fields["phone"].strip()
    profile.website = fields["website"].strip()
    profile.languages = _unique(code.lower() for code in fields["languages"])
    profile.email_visibility = fields["email_visibility"]
    profile.phone_visibility = fields["phone_visibility"]
    profile.updated_at = utcnow()
    set_expertise(user, fields["expertise"])
    audit.record(actor, "profile.updated", user)


SINGLE_LINE = ("display_name", "organisation", "position", "phone", "website")


def _has_control_characters(text: str) -> bool:
    """Line breaks, other control characters and bidi overrides (which can make a name
    read differently from what it is) have no place in one-line fields."""
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


def _profile_errors(fields) -> list[tuple[str, str]]:
    errors = [
        (name, _("Remove line breaks and invisible control characters."))
        for name in SINGLE_LINE
        if _has_control_characters(fields[name])
    ]
    if fields["country"] and fields["country"] not in COUNTRY_CODES:
        errors.append(("country", _("Choose a country from the list.")))
    if fields["timezone"] and fields["timezone"] not in TIMEZONES:
        errors.append(
            ("timezone", _("Choose a time zone from the list, e.g. Europe/Paris."))
        )
    website = fields["website"].strip()
    if website and not website.lower().startswith(("http://", "https://")):
        errors.append(
            ("website", _("The website must start with https:// or http://."))
        )
    unknown = [
        code for code in fields["languages"] if code.lower() not in LANGUAGE_CODES
    ]
    if unknown:
        errors.append(
            ("languages", _("Unknown language: %(codes)s.", codes=", ".join(unknown)))
        )
    if fields["locale"] and fields["locale"] not in current_app.config["LANGUAGES"]:
        errors.append(("locale", _("Choose English or French.")))
    visibilities = set(ContactVisibility)
    for name in ("email_visibility", "phone_visibility"):
        if fields[name] not in visibilities:
            errors.append((name, _("Choose who may see this.")))
    tags = parse_tags(fields["expertise"])
    if len(tags) > MAX_TAGS or any(len(tag) > 60 for tag in tags):
        errors.append(
            ("expertise", _("Use at most 20 areas, each under 60 characters."))
        )
    return errors


def parse_tags(text: str) -> list[str]:
    return _unique(
        tag.strip() for tag in text.replace(";", ",").split(",") if tag.strip()
    )


def _unique(items) -> list:
    seen, result = set(), []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            result.append(item)
    return result


def set_expertise(user: User, text: str) -> None:
    """Keep the rows of tags that stay: the unit of work inserts before it deletes, so
    re-adding the same tag as a new row would break the (user, tag) uniqueness."""
    existing = {e.tag: e for e in user.expertise}
    tags = parse_tags(text)
    user.expertise = [existing.get(tag) or Expertise(tag=tag) for tag in tags]


def set_photo(actor: User, user: User, data: bytes) -> None:
    """Store a re-encoded photo; the previous one is removed once this commits."""
    jpeg = process_photo(data)
    profile = profile_of(user)
    key = storage.new_key("photos", "jpg")
    storage.storage().put(key, jpeg)
    session = db.session()
    storage.discard_on_rollback(session, key)
    if profile.photo_key:
        storage.delete_after_commit(session, profile.photo_key)
    profile.photo_key = key
    profile.updated_at = utcnow()
    audit.record(actor, "profile.photo_changed", user)


def remove_photo(actor: User, user: User) -> None:
    profile = profile_of(user)
    if profile.photo_key:
        storage.delete_after_commit(db.session(), profile.photo_key)
        profile.photo_key = None
        audit.record(actor, "profile.photo_removed", user)


# --- contact lists ----------------------------------------------------------------


def _contacts(viewer: User, group: Group) -> list[tuple[User, Membership, bool, bool]]:
    rows = db.session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .options(selectinload(User.profile))
        .where(
            Membership.group_id == group.id,
            Membership.status == "active",
            User.is_active.is_(True),
        )
        .order_by(User.display_name)
    ).all()
    return [
        (
            user,
            membership,
            permissions.can_see_email(viewer, user),
            permissions.can_see_phone(viewer, user),
        )
        for user, membership in rows
    ]


def contacts_csv(viewer: User, group: Group) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "role", "country", "organisation", "position", "email", "phone"]
    )
    for user, membership, email_ok, phone_ok in _contacts(viewer, group):
        phone = user.profile.phone if phone_ok and user.profile else ""
        writer.writerow(
            [
                safe_cell(v)
                for v in (
                    user.display_name,
                    membership.role,
                    user.country or "",
                    user.organisation,
                    user.position,
                    user.email if email_ok else "",
                    phone,
                )
            ]
        )
    return out.getvalue()


def contacts_vcard(viewer: User, group: Group) -> str:
    cards = []
    for user, _membership, email_ok, phone_ok in _contacts(viewer, group):
        card = vobject.vCard()
        card.add("fn").value = user.display_name
        card.add("n").value = vobject.vcard.Name(family=user.display_name)
        if user.organisation:
            card.add("org").value = [user.organisation]
        if user.position:
            card.add("title").value = user.position
        if email_ok:
            card.add("email").value = user.email
        if phone_ok and user.profile and user.profile.phone:
            card.add("tel").value = user.profile.phone
        if user.country:
            card.add("note").value = f"{group.name} · {user.country}"
        cards.append(card.serialize())
    return "".join(cards)


# --- my data ------------------------------------------------------------------------


def export_data(user: User) -> bytes:
    """A ZIP of everything the platform holds about ``user`` (JSON) and the photo."""
    from collab.meetings.services import meeting_records
    from collab.polls.services import answers_of
    from collab.threads.services import posts_by

    profile = user.profile
    memberships = db.session.execute(
        select(Membership, Group).join(Group).where(Membership.user_id == user.id)
    ).all()
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id)
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(
            or_(
                AuditEvent.actor_id == user.id,
                (AuditEvent.target_type == "user") & (AuditEvent.target_id == user.id),
            )
        )
        .order_by(AuditEvent.id)
    )
    data = {
        "exported_at": utcnow().isoformat(),
        "account": {
            "email": user.email,
            "username": user.username,
            "display_name": user.display_name,
            "country": user.country,
            "organisation": user.organisation,
            "position": user.position,
            "timezone": user.timezone,
            "locale": user.locale,
            "is_secretariat": user.is_secretariat,
            "created_at": user.created_at.isoformat(),
        },
        "profile": {
            "bio": profile.bio,
            "phone": profile.phone,
            "website": profile.website,
            "languages": profile.languages,
            "expertise": [e.tag for e in user.expertise],
            "email_visible_to": profile.email_visibility,
            "phone_visible_to": profile.phone_visibility,
            "photo": "photo.jpg" if profile.photo_key else None,
        }
        if profile
        else None,
        "memberships": [
            {
                "group": g.slug,
                "group_name": g.name,
                "role": m.role,
                "status": m.status,
                "since": m.created_at.isoformat(),
                "message": m.message,
            }
            for m, g in memberships
        ],
        "sessions": [
            {
                "started": s.created_at.isoformat(),
                "last_used": s.last_seen_at.isoformat(),
                "ip": s.ip,
                "device": s.user_agent,
                "ended": bool(s.revoked_at),
            }
            for s in sessions
        ],
        "posts": [
            {
                "group": post.thread.group.slug,
                "thread": post.thread.title,
                "number": post.number,
                "written": post.created_at.isoformat(),
                "edited": post.edited_at.isoformat() if post.edited_at else None,
                "removed": bool(post.deleted_at),
                "text": post.body,
            }
            for post in posts_by(user)
        ],
        "meetings": meeting_records(user),
        "time_polls": answers_of(user),
        "security_and_activity_log": [
            {"when": e.created_at.isoformat(), "action": e.action, "ip": e.ip}
            for e in events
        ],
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "collab-data.json", json.dumps(data, indent=2, ensure_ascii=False)
        )
        if (
            profile
            and profile.photo_key
            and storage.storage().exists(profile.photo_key)
        ):
            archive.writestr("photo.jpg", storage.storage().read(profile.photo_key))
    return out.getvalue()


def confirm_password(actor: User, password: str) -> bool:
    """Re-check the actor's password before a destructive step, with the same limit
    as sign-in so a stolen session cannot guess it."""
    key = f"confirm:{actor.id}"
    window = current_app.config["LOGIN_THROTTLE_WINDOW"]
    if count_recent(key, window) >= current_app.config["LOGIN_FAILURES_PER_ACCOUNT"]:
        return False
    if verify_password(actor.password_hash, password):
        return True
    note_event(key)
    audit.record(actor, "auth.password_confirmation_failed", actor)
    return False


def erase_account(actor: User, user: User) -> None:
    """Erase a person's personal data. The account row stays, renamed "Former member",
    so that their contributions keep an author; it can never sign in again."""
    old_email, old_name = user.email, user.display_name
    session = db.session()
    if user.profile is not None:
        if user.profile.photo_key:
            storage.delete_after_commit(session, user.profile.photo_key)
        db.session.delete(user.profile)
    user.expertise = []
    from collab.meetings.models import CalendarKey, Rsvp
    from collab.polls.models import PollParticipant

    # Poll answers stay (they counted); the free-text comment is personal.
    db.session.execute(
        update(PollParticipant)
        .where(PollParticipant.user_id == user.id)
        .values(comment="")
    )

    # Attendance stays: it is part of a meeting's record, shown as "Former member".
    for model, column in (
        (Membership, Membership.user_id),
        (UserSession, UserSession.user_id),
        (PasswordToken, PasswordToken.user_id),
        (Rsvp, Rsvp.user_id),
        (CalendarKey, CalendarKey.user_id),
    ):
        db.session.execute(delete(model).where(column == user.id))
    db.session.execute(delete(Invitation).where(Invitation.email == old_email))
    db.session.execute(
        delete(ThrottleEvent).where(
            ThrottleEvent.key.contains(old_email, autoescape=True)
        )
    )
    db.session.execute(delete(OutboxEmail).where(OutboxEmail.to_addr == old_email))
    user.email = f"erased-{user.id}@invalid"
    user.username = f"former-member-{user.id}"
    user.display_name = ERASED_NAME
    user.password_hash = None
    user.is_active = False
    user.is_secretariat = False
    user.country, user.organisation, user.position = None, "", ""
    user.locale, user.timezone = None, "UTC"
    user.erased_at = utcnow()
    db.session.flush()
    _redact_everywhere(user, old_email, old_name)
    audit.record(actor, "account.erased", user, by_self=actor.id == user.id)


def _redact_everywhere(user: User, email: str, name: str) -> None:
    """Remove the person's e-mail and name from stored texts that mention them: the
    audit trail (GDPR erasure is the one change it accepts, itself recorded) and
    e-mails queued for others."""
    variants = [(email, "erased address"), (name, ERASED_NAME)]
    for text, replacement in list(variants):
        # JSON columns may hold non-ASCII escaped; e-mail HTML holds &#39; &amp; …
        for form in (json.dumps(text)[1:-1], str(escape(text)), html.escape(text)):
            if form != text:
                variants.append((form, replacement))
    replacements = [(text, rep) for text, rep in variants if text]
    needles = {text for text, _rep in replacements}
    connection = db.session.connection()
    events = AuditEvent.__table__
    about_user = (events.c.target_type == "user") & (events.c.target_id == user.id)
    mentions = [events.c.target_label.contains(n, autoescape=True) for n in needles]
    mentions += [
        cast(events.c.detail, Text).contains(n, autoescape=True) for n in needles
    ]
    for row_id, label, detail, targets_user in connection.execute(
        select(events.c.id, events.c.target_label, events.c.detail, about_user).where(
            or_(about_user, *mentions)
        )
    ).all():
        connection.execute(
            update(events)
            .where(events.c.id == row_id)
            .values(
                target_label=ERASED_NAME
                if targets_user
                else _replace(label, replacements),
                detail=_replace_deep(detail or {}, replacements),
            )
        )
    outbox = OutboxEmail.__table__
    for row_id, subject, text, body_html in connection.execute(
        select(
            outbox.c.id, outbox.c.subject, outbox.c.body_text, outbox.c.body_html
        ).where(
            or_(
                *[
                    column.contains(n, autoescape=True)
                    for n in needles
                    for column in (
                        outbox.c.subject,
                        outbox.c.body_text,
                        outbox.c.body_html,
                    )
                ]
            )
        )
    ).all():
        connection.execute(
            update(outbox)
            .where(outbox.c.id == row_id)
            .values(
                subject=_replace(subject, replacements),
                body_text=_replace(text, replacements),
                body_html=_replace(body_html, replacements),
            )
        )


def _replace_deep(value, replacements):
    if isinstance(value, str):
        return _replace(value, replacements)
    if isinstance(value, dict):
        return {k: _replace_deep(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_deep(v, replacements) for v in value]
    return value


def _replace(text: str, replacements) -> str:
    for needle, replacement in replacements:
        if needle:
            text = text.replace(needle, replacement)
    return text


MAX_PHOTO_READ = 5 * 1024 * 1024 + 1
