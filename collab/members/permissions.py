"""Who sees whose contact details, and who may change or remove a profile."""

from flask import g
from sqlalchemy import select

from collab.core.permissions import is_secretariat, is_signed_in, role_in
from collab.members.models import ContactVisibility


def co_member_ids(viewer) -> set[int]:
    """People who share an active group with ``viewer`` (one query per request)."""
    from collab.extensions import db
    from collab.groups.models import Membership

    cache = g.setdefault("_co_members", {})
    if viewer.id not in cache:
        mine = select(Membership.group_id).where(
            Membership.user_id == viewer.id, Membership.status == "active"
        )
        cache[viewer.id] = set(
            db.session.scalars(
                select(Membership.user_id).where(
                    Membership.group_id.in_(mine), Membership.status == "active"
                )
            )
        )
    return cache[viewer.id]


def _may_see(viewer, person, setting: str) -> bool:
    if not is_signed_in(viewer):
        return False
    if viewer.id == person.id or is_secretariat(viewer):
        return True
    if setting == ContactVisibility.EVERYONE:
        return True
    if setting == ContactVisibility.GROUPS:
        return person.id in co_member_ids(viewer)
    return False


def can_see_email(viewer, person) -> bool:
    """The person's choice: only the secretariat, members of their groups, or everyone
    signed in. People always see their own; the secretariat sees everyone's."""
    profile = person.profile
    setting = profile.email_visibility if profile else ContactVisibility.GROUPS
    return _may_see(viewer, person, setting)


def can_see_phone(viewer, person) -> bool:
    """As for e-mail, with the person's phone setting (secretariat only by default)."""
    profile = person.profile
    setting = profile.phone_visibility if profile else ContactVisibility.SECRETARIAT
    return _may_see(viewer, person, setting)


def can_edit_profile(viewer, person) -> bool:
    """People edit their own profile."""
    return is_signed_in(viewer) and viewer.id == person.id and person.is_active


def can_download_data(viewer, person) -> bool:
    """Only the person downloads everything the platform holds about them."""
    return can_edit_profile(viewer, person)


def can_erase_account(viewer, person) -> bool:
    """People erase their own account; the secretariat can erase anyone else's."""
    if not is_signed_in(viewer) or person.erased_at is not None:
        return False
    return viewer.id == person.id or is_secretariat(viewer)


def can_export_contacts(viewer, group) -> bool:
    """Members, chairs and observers of a group (and the secretariat) export it."""
    return role_in(viewer, group) is not None
