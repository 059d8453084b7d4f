"""Every POST route refuses a form without a valid CSRF token and changes nothing (the
database and the storage folder), even for a principal the matrix allows to use it: the
secretariat where it may, otherwise the person whose own thing it is (their profile, an
invitation to their address, their own post). The few routes exempt on purpose are
listed, with the reason, and the app exempts exactly those."""

import pytest

from collab.extensions import csrf
from tests.security.routes import ROUTES, route_methods, snapshot, storage_snapshot
from tests.security.test_route_matrix import ALLOW, MATRIX

# Reviewed: POST routes that take no CSRF token, each with what authorises it instead.
CSRF_EXEMPT = {
    # RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click"
    # with no session and no form. The signed token in the address (not the cookie)
    # is the authorisation, so a cross-site request can do no more than the token's
    # owner clicking the link: mute that thread, or turn off that person's e-mail.
    # test_unsubscribe.py holds it to that.
    "notifications.unsubscribe",
}

POST_ROUTES = sorted(
    {
        (endpoint, target)
        for endpoint, method, target in MATRIX
        if method == "POST" and endpoint not in CSRF_EXEMPT
    }
)


def acting_principal(endpoint: str, target: str) -> str:
    """P5 if the matrix lets it use the route, else the first principal it lets."""
    outcomes = MATRIX[(endpoint, "POST", target)]
    allowed = [p for p, expected in outcomes.items() if expected == ALLOW]
    return "P5" if "P5" in allowed or not allowed else allowed[0]


def _post_routes_of(app) -> set[str]:
    return {endpoint for endpoint, method in route_methods(app) if method == "POST"}


def test_every_post_route_is_covered(app):
    covered = {endpoint for endpoint, _target in POST_ROUTES} | CSRF_EXEMPT
    assert _post_routes_of(app) <= covered, "a POST route has no CSRF test"


def test_csrf_exempt_views_are_exactly_the_reviewed_list(app):
    """Flask-WTF keeps exempt views by module path: map them back to endpoints."""
    exempt = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if f"{view.__module__}.{view.__name__}" in csrf._exempt_views
    }
    assert exempt == CSRF_EXEMPT
    assert len(csrf._exempt_views) == len(CSRF_EXEMPT), "an exempt view is not routed"
    assert not csrf._exempt_blueprints, "a whole blueprint skips CSRF protection"


@pytest.fixture(
    params=[None, "forged", "other_session"],
    ids=["missing", "forged", "from_another_session"],
)
def bad_token(request, app):
    if request.param == "other_session":
        return app.test_client().csrf_token()
    return {"forged": "ImZvcmdlZCI.aaaa.bbbb"}.get(request.param)


@pytest.mark.parametrize(
    ("endpoint", "target"), POST_ROUTES, ids=[f"{e}-{t}" for e, t in POST_ROUTES]
)
def test_post_without_valid_csrf_token_is_refused_and_changes_nothing(
    app, world, client_as, storage_root, endpoint, target, bad_token
):
    url, data = ROUTES[(endpoint, target)](world)
    principal = acting_principal(endpoint, target)
    client = client_as(principal)
    data = dict(data)
    if bad_token is not None:
        data["csrf_token"] = bad_token
    before, files_before = snapshot(), storage_snapshot(storage_root)
    response = client.post(url, data=data, csrf=False)
    assert response.status_code == 400
    assert snapshot() == before
    assert storage_snapshot(storage_root) == files_before
    # A fresh form: an upload's stream is spent once it has been sent.
    _url, data = ROUTES[(endpoint, target)](world)
    control = client.post(url, data=dict(data, csrf_token=client.csrf_token()))
    assert control.status_code != 400, (
        "refused even with a valid token: the test proves nothing"
    )
    allowed = MATRIX[(endpoint, "POST", target)][principal] == ALLOW
    if endpoint in FILE_WRITING and allowed:
        # With the token the file does land: the folder comparison above can fail.
        assert control.status_code == 302
        assert storage_snapshot(storage_root) != files_before


# POST routes that write a file to the storage folder when they succeed.
FILE_WRITING = {"documents.upload", "documents.add_version", "members.upload_photo"}
