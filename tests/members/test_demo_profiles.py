"""After `flask demo load`, every demo person has a complete, realistic profile."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from collab.auth.models import User
from collab.demo import data
from collab.extensions import db
from collab.members import services as member_services
from collab.members.models import ContactVisibility, Profile
from tests.members.helpers import storage_root, stored_files, text_of

DEMO_EMAILS = [person[0] for person in data.PEOPLE]


@pytest.fixture
def demo(app):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    return {
        user.email: user
        for user in db.session.scalars(select(User).where(User.email.in_(DEMO_EMAILS)))
    }


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_every_demo_person_has_a_complete_profile(demo, email):
    user = demo[email]
    profile = db.session.get(Profile, user.id)
    assert profile is not None
    assert len(profile.bio) >= 40 and profile.bio_html.startswith("<p>")
    assert len(user.expertise) >= 2
    assert profile.languages and all(
        code in member_services.LANGUAGE_CODES for code in profile.languages
    )
    assert profile.phone.startswith("+")
    assert profile.website.startswith("https://")
    assert profile.email_visibility in set(ContactVisibility)
    assert profile.phone_visibility in set(ContactVisibility)
    assert user.country in member_services.COUNTRY_CODES
    assert user.timezone in member_services.TIMEZONES
    assert user.organisation and user.position


@pytest.mark.parametrize("email", DEMO_EMAILS)
def test_every_demo_person_has_a_photo_file_that_exists(demo, email):
    profile = db.session.get(Profile, demo[email].id)
    assert profile.photo_key
    path = storage_root() / profile.photo_key
    assert path.is_file()
    image = Image.open(io.BytesIO(path.read_bytes()))
    assert (image.format, image.size) == ("JPEG", (320, 320))


def test_demo_photos_are_distinct_files_and_no_other_photo_is_stored(demo):
    keys = [db.session.get(Profile, user.id).photo_key for user in demo.values()]
    assert len(set(keys)) == len(DEMO_EMAILS)
    assert sorted(keys) == [key for key in stored_files() if key.startswith("photos/")]


def test_demo_settings_mix_every_visibility_choice(demo):
    profiles = [db.session.get(Profile, user.id) for user in demo.values()]
    assert {p.email_visibility for p in profiles} == set(ContactVisibility)
    assert {p.phone_visibility for p in profiles} >= {"secretariat", "groups"}


def test_loading_the_demo_twice_adds_no_second_photo(app, demo):
    before = stored_files()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert "0 new record" in result.output
    assert stored_files() == before


def test_demo_member_sees_a_colleagues_full_profile(app, demo):
    client = app.test_client()
    client.post(
        "/auth/sign-in",
        data={"email": "member@example.org", "password": data.PASSWORD},
    )
    kadri = demo["chair@example.org"]
    page = text_of(client.get(f"/members/{kadri.username}"))
    for shown in (
        "Kadri Tamm",
        "Estonia",
        "<strong>eID wallet</strong>",
        "identity wallets",
        "Estonian, English, Russian",
        "Europe/Tallinn",
        "chair@example.org",  # she shows her e-mail to her groups
        f'src="/members/{kadri.username}/photo"',
    ):
        assert shown in page
    photo = client.get(f"/members/{kadri.username}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    directory = text_of(client.get("/members/?q=eID"))
    assert "Kadri Tamm" in directory and "Laura García" in directory
