""" "Download my data": only the person, a ZIP with everything about them (and their
photo), and nothing about anybody else."""

import io
import json
import zipfile

import pytest
from sqlalchemy import func, select

from collab.extensions import db
from collab.groups.models import Membership
from collab.members.models import Profile
from collab.threads.models import Post
from tests import factories
from tests.members.helpers import jpeg_with_exif, set_profile, storage_root, upload

OTHER_NAME = "Wilhelmina Xanthopoulou-Grünberg"
OTHER_EMAIL = "wilhelmina.xg@secret-ministry.example"


@pytest.fixture
def me():
    user = factories.make_user(
        "Laura García",
        email="laura@gob.example",
        country="ES",
        timezone="Europe/Madrid",
        organisation="Secretariat-General for Digital Administration",
    )
    set_profile(
        user,
        bio="I run **Cl@ve**.",
        phone="+34 91 273 2000",
        website="https://administracionelectronica.gob.es",
        languages=("es", "en"),
        expertise=("eID", "eIDAS"),
        email_visibility="everyone",
        phone_visibility="groups",
    )
    return user


@pytest.fixture
def colleague(me):
    """A co-member with a distinctive name who acts on ``me``: she chairs the group
    that approved my request and invites me to another."""
    other = factories.make_user(OTHER_NAME, email=OTHER_EMAIL)
    set_profile(other, bio=f"{OTHER_NAME} bio", phone="+30 210 000 0000")
    return other


def download(client, user):
    return client.get(f"/members/{user.username}/data.zip")


def unzip(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_my_data_zip_holds_profile_memberships_sessions_and_audit_events(
    me, colleague, login
):
    group = factories.make_group("Digital Identity", slug="identity", chair=colleague)
    factories.add_member(group, me)
    pending_group = factories.make_group("Digital Services", slug="services")
    client = login(me)
    client.post(f"/groups/{pending_group.slug}/request", data={"message": "Hola"})
    response = download(client, me)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{me.username}-data.zip"'
    )
    files = unzip(response)
    assert set(files) == {"collab-data.json"}
    data = json.loads(files["collab-data.json"])

    assert data["account"]["email"] == "laura@gob.example"
    assert data["account"]["display_name"] == "Laura García"
    assert data["account"]["country"] == "ES"
    assert data["account"]["timezone"] == "Europe/Madrid"
    profile = data["profile"]
    assert profile["bio"] == "I run **Cl@ve**."
    assert profile["phone"] == "+34 91 273 2000"
    assert profile["languages"] == ["es", "en"]
    assert sorted(profile["expertise"]) == ["eID", "eIDAS"]
    assert profile["email_visible_to"] == "everyone"
    assert profile["photo"] is None
    memberships = {m["group"]: m for m in data["memberships"]}
    assert memberships["identity"]["role"] == "member"
    assert memberships["identity"]["status"] == "active"
    assert memberships["services"]["status"] == "pending"
    assert memberships["services"]["message"] == "Hola"
    assert len(data["sessions"]) == 1
    assert data["sessions"][0]["ended"] is False
    actions = [e["action"] for e in data["security_and_activity_log"]]
    assert "auth.sign_in" in actions and "membership.requested" in actions


def test_my_data_includes_the_posts_i_wrote(me, colleague, login):
    """The issue: the JSON grows with each feature (posts, uploads, RSVPs, votes)."""
    group = factories.make_group("Digital Identity", slug="identity", chair=colleague)
    factories.add_member(group, me)
    client = login(me)
    client.post(
        "/groups/identity/threads/new",
        data={"title": "Cl@ve numbers", "body": "We issued 12 million credentials."},
    )
    assert db.session.scalar(select(func.count(Post.id))) == 1
    files = unzip(download(client, me))
    text = files["collab-data.json"].decode("utf-8")
    assert "We issued 12 million credentials." in text
    assert "Cl@ve numbers" in text


def test_my_data_zip_includes_my_photo(me, login):
    client = login(me)
    assert (
        client.post(
            f"/members/{me.username}/photo",
            data=upload(jpeg_with_exif()),
            content_type="multipart/form-data",
        ).status_code
        == 302
    )
    files = unzip(download(client, me))
    assert set(files) == {"collab-data.json", "photo.jpg"}
    db.session.expire_all()
    key = db.session.get(Profile, me.id).photo_key
    assert files["photo.jpg"] == (storage_root() / key).read_bytes()
    assert json.loads(files["collab-data.json"])["profile"]["photo"] == "photo.jpg"


def test_my_data_without_a_profile_still_downloads(login):
    bare = factories.make_user("Bare Account")
    response = download(login(bare), bare)
    assert response.status_code == 200
    data = json.loads(unzip(response)["collab-data.json"])
    assert data["account"]["display_name"] == "Bare Account"


def test_my_data_contains_nobody_elses_name_or_email(me, colleague, login, outbox):
    group = factories.make_group("Digital Identity", slug="identity", chair=colleague)
    private = factories.make_group(
        "Closed", slug="closed", visibility="private", chair=colleague
    )
    client = login(me)
    client.post(f"/groups/{group.slug}/request", data={"message": "Hola"})
    chair = login(colleague)
    request_id = db.session.scalar(
        select(Membership.id).where(Membership.user_id == me.id)
    )
    chair.post(f"/groups/{group.slug}/requests/{request_id}/approve")
    chair.post(
        f"/groups/{private.slug}/invitations",
        data={"email": me.email, "role": "member"},
    )
    assert outbox(me.email), "the invitation was not sent: the test set-up is wrong"
    files = unzip(download(client, me))
    everything = b"".join(files.values()).decode("utf-8").lower()
    assert "laura@gob.example" in everything and "identity" in everything
    for needle in (OTHER_NAME, OTHER_EMAIL, "Xanthopoulou", "wilhelmina"):
        assert needle.lower() not in everything
    escaped = json.dumps(OTHER_NAME)[1:-1].lower()
    assert escaped not in everything


@pytest.mark.parametrize("who", ["co-member", "chair", "secretariat", "stranger"])
def test_only_the_person_can_download_their_data(me, login, who):
    chair = factories.make_user("Chair")
    co_member = factories.make_user("Co Member")
    factories.make_group(chair=chair, members=(me, co_member))
    others = {
        "co-member": co_member,
        "chair": chair,
        "secretariat": factories.make_user(is_secretariat=True),
        "stranger": factories.make_user(),
    }
    response = download(login(others[who]), me)
    assert response.status_code == 403
    assert b"laura@gob.example" not in response.data
    page = login(others[who]).get(f"/members/{me.username}").get_data(as_text=True)
    assert "data.zip" not in page


def test_anonymous_and_deactivated_cannot_download(me, login, client):
    response = download(client, me)
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]
    stale = login(me)
    me.is_active = False
    db.session.commit()
    assert download(stale, me).status_code == 302


def test_download_link_is_on_my_edit_page(me, login):
    page = login(me).get(f"/members/{me.username}/edit").get_data(as_text=True)
    assert f'href="/members/{me.username}/data.zip"' in page
    assert "Download my data" in page
