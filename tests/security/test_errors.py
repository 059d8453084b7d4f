"""Error pages 400–500: our own HTML page with the right status, and no internals."""

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from collab.extensions import db
from collab.groups import services as group_services
from collab.groups.models import Membership
from tests import factories

# What an error page must never show: traces, SQL, paths, exception names and text.
SECRET_DETAIL = "kaboom-d41d8c SELECT password_hash FROM users /srv/collab/secrets.py"
LEAKS = [
    "Traceback",
    'File "',
    ".py",
    "/work/",
    "/srv/",
    "site-packages",
    "sqlalchemy",
    "SQLAlchemy",
    "SELECT",
    "psycopg",
    "sqlite3",
    "RuntimeError",
    "Exception",
    "werkzeug",
    "Werkzeug",
    "jinja2",
    "kaboom",
    "password_hash",
]


def assert_error_page(response, status: int) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    # Random tokens (CSRF) may spell ".py" by chance: leave their values out.
    page = re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True))
    assert f"Error {status}" in page, "not our error page"
    assert '<link rel="stylesheet"' in page, "not our error page"
    for leak in LEAKS:
        assert leak not in page, f"the {status} page shows {leak!r}"


def test_form_without_csrf_token_gets_a_400_page(login):
    client = login(factories.make_user())
    response = client.post("/language", data={"locale": "fr"}, csrf=False)
    assert_error_page(response, 400)


def test_form_with_a_forged_csrf_token_gets_a_400_page(login):
    client = login(factories.make_user())
    response = client.post(
        "/language", data={"locale": "fr", "csrf_token": "forged.x.y"}
    )
    assert_error_page(response, 400)


def test_secretariat_console_refused_with_a_403_page(login):
    client = login(factories.make_user())
    assert_error_page(client.get("/admin/"), 403)


@pytest.mark.parametrize(
    "url",
    [
        "/no/such/page",
        "/groups/no-such-group/",
        "/groups/no-such-group/members",
        "/admin/../etc/passwd",
    ],
)
def test_unknown_address_gets_a_404_page(login, url):
    client = login(factories.make_user())
    assert_error_page(client.get(url), 404)


def test_private_group_of_others_gets_a_404_page(login):
    group = factories.make_group("Hidden Working Group", visibility="private")
    client = login(factories.make_user())
    response = client.get(f"/groups/{group.slug}/")
    assert_error_page(response, 404)
    assert "Hidden Working Group" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "url"), [("GET", "/auth/sign-out"), ("PUT", "/"), ("DELETE", "/groups/")]
)
def test_wrong_method_gets_a_405_page_with_allow_header(login, method, url):
    client = login(factories.make_user())
    response = client.open(url, method=method)
    assert_error_page(response, 405)
    assert response.headers.get("Allow")


def test_body_over_the_size_limit_gets_a_413_page(app, login, monkeypatch):
    client = login(factories.make_user())
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.post(
        "/language", data={"locale": "fr", "next": "/" + "x" * 10_000}
    )
    assert_error_page(response, 413)


def test_upload_over_the_size_limit_gets_a_413_page(app, login, monkeypatch):
    client = login(factories.make_user(is_secretariat=True))
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    response = client.post(
        "/admin/import",
        data={"file": (BytesIO(b"a," * 10_000), "x.csv")},
        content_type="multipart/form-data",
    )
    assert_error_page(response, 413)


def test_internal_error_gets_a_500_page_without_details(app, login, monkeypatch):
    client = login(factories.make_user())

    def broken(*_args, **_kwargs):
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(group_services, "groups_for", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert_error_page(client.get("/"), 500)


def test_internal_error_in_a_form_post_rolls_back_and_gets_a_500_page(
    app, login, monkeypatch
):
    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    client = login(factories.make_user())
    real_request = group_services.request_to_join

    def half_done(user, grp, message=""):
        real_request(user, grp, message)  # the row is flushed, then the failure comes
        raise RuntimeError(SECRET_DETAIL)

    monkeypatch.setattr(group_services, "request_to_join", half_done)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert_error_page(
        client.post(f"/groups/{group.slug}/request", data={"message": "hi"}), 500
    )
    db.session.rollback()
    assert db.session.scalar(select(func.count(Membership.id))) == 1  # the chair only
