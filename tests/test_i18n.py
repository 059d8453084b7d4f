"""Every UI string is translatable, the French catalog is complete, the switch works."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from collab.auth.models import User
from collab.extensions import db
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def test_french_catalog_translates_every_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            "--no-location",
            # Babel skips folders starting with "_" by default: templates/_macros too.
            "--ignore-dirs",
            ".*",
            "collab",
            "templates",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        template = read_po(f)
    with (ROOT / "collab/translations/fr/LC_MESSAGES/messages.po").open("rb") as f:
        french = read_po(f, locale="fr")
    missing = []
    for message in template:
        if not message.id:
            continue
        translated = french.get(message.id)
        strings = translated.string if translated else None
        if isinstance(strings, tuple):
            ok = all(strings)
        else:
            ok = bool(strings)
        if not ok or (translated and translated.fuzzy):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], (
        f"{len(missing)} string(s) lack a French translation: {missing[:20]}"
    )


def test_browser_language_is_used_before_sign_in(client):
    page = client.get("/auth/sign-in", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_language_switch_is_remembered_in_the_session(client):
    response = client.post("/language", data={"locale": "fr", "next": "/auth/sign-in"})
    assert response.headers["Location"] == "/auth/sign-in"
    assert '<html lang="fr">' in client.get("/auth/sign-in").get_data(as_text=True)


def test_language_switch_is_saved_on_the_profile(login):
    user = factories.make_user()
    client = login(user)
    client.post("/language", data={"locale": "fr", "next": "/"})
    assert db.session.get(User, user.id).locale == "fr"
    english_browser = {"Accept-Language": "en"}
    assert '<html lang="fr">' in client.get("/", headers=english_browser).get_data(
        as_text=True
    )


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx", "next": "/auth/sign-in"})
    page = client.get("/auth/sign-in", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in page
