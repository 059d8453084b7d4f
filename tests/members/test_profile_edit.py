"""Editing one's own profile: every field saved, bad input refused whole, others kept
out, changes audited; countries, languages and local time shown to the reader."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from babel.dates import format_time
from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.auth.models import User
from collab.extensions import db
from collab.members.models import Expertise, Profile
from tests import factories
from tests.members.helpers import (
    elements_in,
    field_error,
    profile_form,
    set_profile,
    text_of,
)


@pytest.fixture
def kadri():
    return factories.make_user(
        "Kadri Original",
        email="kadri@ria.example",
        country="FR",
        timezone="Europe/Paris",
        organisation="Old Organisation",
    )


def edit(client, user, **overrides):
    return client.post(f"/members/{user.username}/edit", data=profile_form(**overrides))


def snapshot(user_id: int) -> dict:
    """Everything the profile form can change, as stored."""
    db.session.expire_all()
    user = db.session.get(User, user_id)
    profile = db.session.get(Profile, user_id)
    return {
        "user": {
            c.name: getattr(user, c.name)
            for c in User.__table__.columns
            if c.name != "created_at"
        },
        "profile": None
        if profile is None
        else {c.name: getattr(profile, c.name) for c in Profile.__table__.columns},
        "expertise": sorted(
            db.session.scalars(
                select(Expertise.tag).where(Expertise.user_id == user_id)
            )
        ),
    }


def tags_of(user) -> list[str]:
    return sorted(
        db.session.scalars(select(Expertise.tag).where(Expertise.user_id == user.id))
    )


def test_editing_saves_every_field_and_shows_them_on_the_profile(kadri, login):
    client = login(kadri)
    response = edit(
        client,
        kadri,
        display_name="Kadri Tamm",
        email_visibility="everyone",
        phone_visibility="groups",
        locale="en",
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/members/{kadri.username}"
    db.session.expire_all()
    user = db.session.get(User, kadri.id)
    profile = db.session.get(Profile, kadri.id)
    assert (user.display_name, user.country, user.timezone, user.locale) == (
        "Kadri Tamm",
        "EE",
        "Europe/Tallinn",
        "en",
    )
    assert user.organisation == "Information System Authority"
    assert user.position == "Head of Electronic Identity"
    assert profile.bio == "I lead the **eID** programme."
    assert profile.phone == "+372 663 0200"
    assert profile.website == "https://www.ria.ee/en"
    assert profile.languages == ["et", "en"]
    assert (profile.email_visibility, profile.phone_visibility) == (
        "everyone",
        "groups",
    )
    assert tags_of(user) == ["eID", "wallets"]

    page = text_of(client.get(f"/members/{kadri.username}"))
    assert "Your profile is saved." in page
    for shown in (
        "Kadri Tamm",
        "Head of Electronic Identity, Information System Authority",
        "Estonia",
        "<strong>eID</strong>",
        "Estonian, English",
        "+372 663 0200",
        'href="https://www.ria.ee/en"',
        "Europe/Tallinn",
        "kadri@ria.example",
    ):
        assert shown in page


def test_edit_form_is_filled_with_what_is_saved(kadri, login):
    set_profile(kadri, bio="Hello", languages=("et",), expertise=("PKI", "eID"))
    page = text_of(login(kadri).get(f"/members/{kadri.username}/edit"))
    assert 'value="Kadri Original"' in page
    assert 'value="PKI, eID"' in page or 'value="eID, PKI"' in page
    assert "Hello</textarea>" in page


def test_bio_markdown_is_rendered_and_sanitised(kadri, login):
    bio = (
        "**Bold** and _italic_ and [our site](https://www.ria.ee).\n\n"
        "<script>alert('bio')</script>\n\n"
        "[click](javascript:alert(1)) <img src=x onerror=alert(2)>"
        ' <a href="#" onclick="alert(3)">x</a>'
    )
    client = login(kadri)
    assert edit(client, kadri, bio=bio).status_code == 302
    page = text_of(client.get(f"/members/{kadri.username}"))
    about = page.split('id="about"', 1)[1].split("</section>", 1)[0]
    assert "<strong>Bold</strong>" in about and "<em>italic</em>" in about
    assert 'href="https://www.ria.ee"' in about
    assert "alert" in about  # the payloads are shown as text...
    elements = elements_in(about)  # ...and none of them became markup
    assert {tag for tag, _ in elements} <= {"h2", "div", "p", "strong", "em", "a"}
    for _tag, attrs in elements:
        assert not any(name.startswith("on") for name, _ in attrs)
        assert all(
            not (value or "").lower().startswith(("javascript:", "data:"))
            for _, value in attrs
        )


def test_expertise_tags_are_split_trimmed_and_deduplicated(kadri, login):
    client = login(kadri)
    response = edit(client, kadri, expertise=" eID, eid ;Wallets,, wallets , PKI ,EID")
    assert response.status_code == 302
    assert tags_of(kadri) == ["PKI", "Wallets", "eID"]


def test_saving_the_profile_again_with_the_same_expertise_keeps_it(kadri, login):
    client = login(kadri)
    assert edit(client, kadri, expertise="eID, PKI").status_code == 302
    response = edit(client, kadri, expertise="eID, PKI, wallets", position="Director")
    assert response.status_code == 302
    assert tags_of(kadri) == ["PKI", "eID", "wallets"]
    assert db.session.get(User, kadri.id).position == "Director"


def test_emptying_expertise_removes_every_tag(kadri, login):
    set_profile(kadri, expertise=("eID", "PKI"))
    assert edit(login(kadri), kadri, expertise="").status_code == 302
    assert tags_of(kadri) == []


def test_languages_are_shown_by_name(kadri, login):
    client = login(kadri)
    assert edit(client, kadri, languages="ET, fr, en, fr").status_code == 302
    assert db.session.get(Profile, kadri.id).languages == ["et", "fr", "en"]
    page = text_of(client.get(f"/members/{kadri.username}"))
    assert "Estonian, French, English" in page


def test_french_reader_sees_country_and_language_names_in_french(kadri, login):
    set_profile(kadri, languages=("et", "ko"))
    park = factories.make_user("Park Min-jun", country="KR", timezone="Asia/Seoul")
    reader = factories.make_user("Lecteur Français", locale="fr")
    client = login(reader)
    db.session.get(User, kadri.id).country = "EE"
    db.session.commit()
    page = text_of(client.get(f"/members/{kadri.username}"))
    assert "Estonie" in page
    assert "estonien, coréen" in page
    assert "Corée du Sud" in text_of(client.get(f"/members/{park.username}"))
    directory = text_of(client.get("/members/"))
    assert "Estonie" in directory and "Corée du Sud" in directory
    assert ">Corée du Sud</option>" in directory


def test_french_reader_picks_countries_by_french_name_when_editing(login):
    me = factories.make_user("Marie Curie", locale="fr")
    page = text_of(login(me).get(f"/members/{me.username}/edit"))
    assert '<option value="EE">Estonie</option>' in page
    assert '<option value="KR">Corée du Sud</option>' in page


def test_language_switch_to_french_shows_french_names(kadri, login):
    set_profile(kadri, languages=("et",))
    db.session.get(User, kadri.id).country = "EE"
    db.session.commit()
    client = login(factories.make_user())
    client.post("/language", data={"locale": "fr", "next": "/"})
    page = text_of(client.get(f"/members/{kadri.username}"))
    assert "Estonie" in page and "estonien" in page


@pytest.mark.parametrize(
    ("country", "zone"),
    [("EE", "Europe/Tallinn"), ("KR", "Asia/Seoul"), ("", "UTC")],
)
def test_time_zone_left_empty_defaults_from_the_country(kadri, login, country, zone):
    response = edit(login(kadri), kadri, country=country, timezone="")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, kadri.id).timezone == zone


def test_chosen_time_zone_wins_over_the_country(kadri, login):
    edit(login(kadri), kadri, country="EE", timezone="America/Toronto")
    assert db.session.get(User, kadri.id).timezone == "America/Toronto"


def test_profile_shows_the_persons_current_local_time(login):
    person = factories.make_user(
        "Aroha Ngata", country="NZ", timezone="Pacific/Auckland"
    )
    viewer = factories.make_user(timezone="Europe/Paris")
    zone = zoneinfo.ZoneInfo("Pacific/Auckland")
    before = datetime.now(zone)
    page = text_of(login(viewer).get(f"/members/{person.username}"))
    after = datetime.now(zone)
    shown = {
        format_time(moment, "short", tzinfo=zone, locale="en")
        for moment in (before, after, before + timedelta(seconds=1))
    }
    assert any(f"Local time: {time} (Pacific/Auckland)" in page for time in shown), (
        shown
    )


# --- bad input: refused with a message, nothing saved ------------------------------

BAD_INPUT = [
    ("country", "XX"),
    ("country", "EU"),
    ("timezone", "Mars/Olympus_Mons"),
    ("timezone", "../../etc/passwd"),
    ("website", "javascript:alert(document.cookie)"),
    ("website", "  JaVaScRiPt:alert(1)"),
    ("website", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    ("website", "ftp://files.example.org"),
    ("website", "//evil.example"),
    ("website", "https://example.org/" + "a" * 300),
    ("display_name", "N" * 121),
    ("display_name", "   "),
    ("organisation", "O" * 201),
    ("position", "P" * 201),
    ("bio", "b" * 10001),
    ("phone", "1" * 41),
    ("languages", "et, xx"),
    ("languages", "english"),
    ("expertise", ", ".join(f"topic {n}" for n in range(21))),
    ("expertise", "t" * 61),
    ("expertise", ", ".join("x" * 50 for _ in range(31))),
    ("email_visibility", "nobody"),
    ("phone_visibility", "the world"),
    ("locale", "de"),
]


@pytest.mark.parametrize(
    ("field", "value"), BAD_INPUT, ids=[f"{f}-{v[:24]}" for f, v in BAD_INPUT]
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    kadri, login, field, value
):
    set_profile(kadri, bio="Before", expertise=("before",), languages=("fr",))
    client = login(kadri)
    before = snapshot(kadri.id)
    audit_before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    # Every other field is changed too: none of them may be saved.
    changed = {
        "display_name": "Half Saved",
        "organisation": "Half Saved Ltd",
        "position": "Half Saved Position",
        "bio": "Half saved bio",
        "expertise": "half, saved",
        "languages": "et",
        "country": "EE",
        "timezone": "Europe/Tallinn",
        "website": "https://half.example",
        "phone": "+1 555 0100",
        "email_visibility": "everyone",
        "phone_visibility": "everyone",
    }
    changed[field] = value
    response = edit(client, kadri, **changed)
    assert response.status_code == 400
    page = text_of(response)
    assert field_error(page, field), f"no message under {field}"
    assert "Please correct the following" in page
    assert snapshot(kadri.id) == before
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == audit_before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("website", "javascript:alert(1)", "must start with https://"),
        ("website", "data:text/html,hi", "must start with https://"),
        ("languages", "et, xx", "Unknown language: xx"),
        ("expertise", ", ".join(f"t{n}" for n in range(21)), "at most 20"),
        ("display_name", "N" * 121, "120"),
        ("bio", "b" * 10001, "10000"),
    ],
)
def test_refusal_message_says_what_is_wrong(kadri, login, field, value, message):
    page = text_of(edit(login(kadri), kadri, **{field: value}))
    assert message in field_error(page, field)


def test_exactly_20_tags_and_the_longest_fields_are_accepted(kadri, login):
    response = edit(
        login(kadri),
        kadri,
        expertise=", ".join(f"topic {n}" for n in range(20)),
        display_name="N" * 120,
        bio="b" * 10000,
        organisation="O" * 200,
    )
    assert response.status_code == 302
    assert len(tags_of(kadri)) == 20


def test_extra_form_fields_change_nothing_else(kadri, login):
    data = profile_form(
        is_secretariat="y", email="evil@example.org", username="admin", is_active="n"
    )
    login(kadri).post(f"/members/{kadri.username}/edit", data=data)
    db.session.expire_all()
    user = db.session.get(User, kadri.id)
    assert (user.is_secretariat, user.email, user.username, user.is_active) == (
        False,
        "kadri@ria.example",
        kadri.username,
        True,
    )


# --- who may edit ------------------------------------------------------------------


@pytest.mark.parametrize("other", ["co-member", "chair", "secretariat", "stranger"])
def test_only_the_person_can_edit_their_profile(kadri, login, other):
    chair = factories.make_user("Chair")
    colleague = factories.make_user("Colleague")
    factories.make_group(chair=chair, members=(kadri, colleague))
    others = {
        "co-member": colleague,
        "chair": chair,
        "secretariat": factories.make_user(is_secretariat=True),
        "stranger": factories.make_user(),
    }
    before = snapshot(kadri.id)
    client = login(others[other])
    assert client.get(f"/members/{kadri.username}/edit").status_code == 403
    assert edit(client, kadri, display_name="Hijacked").status_code == 403
    assert snapshot(kadri.id) == before
    page = text_of(client.get(f"/members/{kadri.username}"))
    assert f"/members/{kadri.username}/edit" not in page


def test_anonymous_visitor_is_sent_to_sign_in(kadri, client):
    before = snapshot(kadri.id)
    for response in (
        client.get(f"/members/{kadri.username}/edit"),
        client.post(
            f"/members/{kadri.username}/edit", data=profile_form(display_name="Anon")
        ),
    ):
        assert response.status_code == 302
        assert "/auth/sign-in" in response.headers["Location"]
    assert snapshot(kadri.id) == before


def test_deactivated_person_with_an_old_cookie_cannot_edit(kadri, login):
    client = login(kadri)
    kadri.is_active = False
    db.session.commit()
    before = snapshot(kadri.id)
    response = edit(client, kadri, display_name="After deactivation")
    assert response.status_code == 302
    assert "/auth/sign-in" in response.headers["Location"]
    assert snapshot(kadri.id) == before


def test_edit_without_csrf_token_is_refused(kadri, login):
    before = snapshot(kadri.id)
    response = login(kadri).post(
        f"/members/{kadri.username}/edit", data=profile_form(), csrf=False
    )
    assert response.status_code == 400
    assert snapshot(kadri.id) == before


def test_profile_change_is_audited(kadri, login):
    edit(login(kadri), kadri)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "profile.updated")
    ).one()
    assert (event.actor_id, event.target_type, event.target_id) == (
        kadri.id,
        "user",
        kadri.id,
    )
    assert event.created_at is not None


def test_unknown_person_is_404(login):
    client = login(factories.make_user())
    assert client.get("/members/nobody-here").status_code == 404
    assert client.get("/members/nobody-here/edit").status_code == 404
