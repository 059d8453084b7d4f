"""The people page: search, deactivate, reactivate, end sessions."""

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.extensions import db
from tests import factories
from tests.admin.pages import flashes, fresh, table_rows

WRONG_PASSWORD = "definitely not the password 42"


def _sign_in(client, email, password=factories.PASSWORD):
    return client.post("/auth/sign-in", data={"email": email, "password": password})


def _sign_in_error(response) -> str:
    match = re.search(
        r'<p class="error-summary" role="alert">(.*?)</p>',
        response.get_data(as_text=True),
        re.DOTALL,
    )
    return match.group(1).strip() if match else ""


def _is_sent_to_sign_in(response) -> bool:
    return (
        response.status_code == 302
        and urlsplit(response.headers["Location"]).path == "/auth/sign-in"
    )


def _events(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
    )


@pytest.fixture
def kadri():
    return factories.make_user(
        "Kadri Tamm",
        email="kadri.tamm@ria.example",
        organisation="Information System Authority",
        country="EE",
    )


# --- search ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Kadri", "tamm", "KADRI.TAMM@RIA", "system authority"]
)
def test_search_finds_a_person_by_name_email_or_organisation(console, kadri, query):
    factories.make_user(
        "Jean Dupont", email="jean.dupont@numerique.example", organisation="DINUM"
    )

    page = console.get("/admin/people", query_string={"q": query}).get_data(
        as_text=True
    )

    rows = table_rows(page)
    assert [row[:4] for row in rows] == [
        ["Kadri Tamm", "kadri.tamm@ria.example", "Estonia", "Active"]
    ]
    assert "1 person" in page


def test_people_page_without_a_query_lists_everyone_by_name(console, kadri):
    factories.make_user("Ana Souza")

    rows = table_rows(console.get("/admin/people").get_data(as_text=True))

    assert [row[0] for row in rows] == [
        "Ana Souza",
        "Kadri Tamm",
        "Sofia Secretariat Secretariat",
    ]


def test_search_with_no_match_lists_nobody(console, kadri):
    page = console.get(
        "/admin/people", query_string={"q": "nobody-like-this"}
    ).get_data(as_text=True)

    assert table_rows(page) == []
    assert "0 people" in page


def test_people_page_offers_no_deactivate_button_on_your_own_row(
    console, secretariat, kadri
):
    page = console.get("/admin/people").get_data(as_text=True)

    assert f"/admin/people/{kadri.id}/deactivate" in page
    assert f"/admin/people/{secretariat.id}/deactivate" not in page


# --- deactivate -----------------------------------------------------------------------


def test_deactivated_person_is_signed_out_on_their_very_next_request(
    console, login, kadri
):
    kadri_browser = login(kadri)
    assert kadri_browser.get("/").status_code == 200

    response = console.post(f"/admin/people/{kadri.id}/deactivate")

    assert response.status_code == 302
    assert _is_sent_to_sign_in(kadri_browser.get("/"))
    assert _is_sent_to_sign_in(kadri_browser.get("/groups/"))


def test_deactivate_shows_the_person_as_deactivated(console, kadri):
    response = console.post(f"/admin/people/{kadri.id}/deactivate")

    assert fresh(kadri).is_active is False
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert ("success", "Kadri Tamm can no longer sign in.") in flashes(page)
    row = next(row for row in table_rows(page) if row[0] == "Kadri Tamm")
    assert row[3] == "Deactivated"
    assert "Reactivate" in row[4]


def test_deactivated_person_cannot_sign_in_and_is_told_the_same_as_a_wrong_password(
    app, console, kadri
):
    other = factories.make_user("Ana Souza")
    console.post(f"/admin/people/{kadri.id}/deactivate")

    deactivated = _sign_in(app.test_client(), kadri.email)
    wrong_password = _sign_in(app.test_client(), other.email, WRONG_PASSWORD)

    assert deactivated.status_code == wrong_password.status_code == 200
    assert _sign_in_error(deactivated) == _sign_in_error(wrong_password) != ""
    assert _sign_in_error(deactivated) == (
        "That e-mail and password do not match an active account."
    )


def test_deactivated_person_gets_no_password_reset_email(app, console, kadri, outbox):
    console.post(f"/admin/people/{kadri.id}/deactivate")

    response = app.test_client().post("/auth/reset", data={"email": kadri.email})

    assert response.status_code == 302
    assert outbox(to=kadri.email) == []


def test_deactivation_is_recorded_in_the_audit_log(console, secretariat, kadri):
    console.post(f"/admin/people/{kadri.id}/deactivate")

    [event] = _events("auth.deactivated")
    assert (event.actor_id, event.target_type, event.target_id, event.target_label) == (
        secretariat.id,
        "user",
        kadri.id,
        kadri.email,
    )
    assert event.ip == "127.0.0.1"
    assert event.created_at.tzinfo is not None
    [ended] = _events("auth.sessions_ended")
    assert (ended.actor_id, ended.target_id) == (secretariat.id, kadri.id)


def test_secretariat_cannot_deactivate_themself(console, secretariat):
    response = console.post(f"/admin/people/{secretariat.id}/deactivate")

    assert response.status_code == 302
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert ("error", "You cannot deactivate your own account.") in flashes(page)
    assert fresh(secretariat).is_active is True
    assert console.get("/admin/").status_code == 200  # still signed in
    assert _events("auth.deactivated") == []


def test_deactivating_an_unknown_person_is_not_found(console):
    assert console.post("/admin/people/999999/deactivate").status_code == 404


def test_deactivate_without_a_csrf_token_changes_nothing(console, kadri):
    response = console.post(f"/admin/people/{kadri.id}/deactivate", csrf=False)

    assert response.status_code == 400
    assert fresh(kadri).is_active is True


# --- reactivate -----------------------------------------------------------------------


def test_reactivated_person_can_sign_in_again(app, console, secretariat, kadri):
    console.post(f"/admin/people/{kadri.id}/deactivate")

    response = console.post(f"/admin/people/{kadri.id}/reactivate")

    assert response.status_code == 302
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert ("success", "Kadri Tamm can sign in again.") in flashes(page)
    assert fresh(kadri).is_active is True
    browser = app.test_client()
    assert _sign_in(browser, kadri.email).status_code == 302
    assert browser.get("/").status_code == 200
    [event] = _events("auth.reactivated")
    assert (event.actor_id, event.target_id) == (secretariat.id, kadri.id)


def test_reactivation_does_not_revive_old_sessions(console, login, kadri):
    old_browser = login(kadri)
    console.post(f"/admin/people/{kadri.id}/deactivate")
    console.post(f"/admin/people/{kadri.id}/reactivate")

    assert _is_sent_to_sign_in(old_browser.get("/"))


# --- end sessions ---------------------------------------------------------------------


def test_end_sessions_signs_the_person_out_everywhere(
    console, login, secretariat, kadri
):
    laptop, phone = login(kadri), login(kadri)

    response = console.post(f"/admin/people/{kadri.id}/end-sessions")

    assert response.status_code == 302
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert ("success", "Kadri Tamm has been signed out everywhere.") in flashes(page)
    assert _is_sent_to_sign_in(laptop.get("/"))
    assert _is_sent_to_sign_in(phone.get("/"))
    [event] = _events("auth.sessions_ended")
    assert (event.actor_id, event.target_id, event.detail["count"]) == (
        secretariat.id,
        kadri.id,
        2,
    )


def test_after_end_sessions_the_person_can_sign_in_again(app, console, kadri):
    console.post(f"/admin/people/{kadri.id}/end-sessions")

    browser = app.test_client()
    assert _sign_in(browser, kadri.email).status_code == 302
    assert browser.get("/").status_code == 200
    assert fresh(kadri).is_active is True


def test_end_sessions_leaves_other_people_signed_in(console, login, kadri):
    other = factories.make_user("Ana Souza")
    other_browser = login(other)

    console.post(f"/admin/people/{kadri.id}/end-sessions")

    assert other_browser.get("/").status_code == 200
    assert console.get("/admin/people").status_code == 200


def test_console_actions_keep_the_search(console, kadri):
    response = console.post(f"/admin/people/{kadri.id}/end-sessions?q=tamm")

    assert response.headers["Location"].endswith("/admin/people?q=tamm")
