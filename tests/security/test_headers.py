"""Security headers on pages, error pages and redirects; cookies; the production
guard."""

import re
import zlib
from base64 import urlsafe_b64decode

import pytest

from collab import create_app
from collab.core.security import InsecureConfiguration
from tests import factories

STRONG_KEY = "4f0c8e1b9a7d6c5e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e"


def csp(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def nonce(response) -> str:
    found = [
        m.group(1)
        for source in csp(response).get("script-src", [])
        if (m := re.fullmatch(r"'nonce-([A-Za-z0-9+/_=-]{16,})'", source))
    ]
    assert len(found) == 1, response.headers.get("Content-Security-Policy")
    return found[0]


@pytest.fixture(params=["page", "error_page", "redirect"])
def response(request, client):
    """An HTML page, an error page and a redirect, as an anonymous visitor."""
    url, status = {
        "page": ("/auth/sign-in", 200),
        "error_page": ("/no/such/page", 404),
        "redirect": ("/groups/", 302),
    }[request.param]
    response = client.get(url)
    assert response.status_code == status
    return response


def test_content_security_policy_is_strict(response):
    policy = csp(response)
    nonce(response)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_content_type_sniffing_is_off(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_referrer_policy_is_strict_origin_when_cross_origin(response):
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_permissions_policy_is_present(response):
    assert response.headers.get("Permissions-Policy")


def test_html_is_isolated_from_cross_origin_openers(response):
    assert response.mimetype == "text/html"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_csp_nonce_differs_between_two_requests(client):
    assert nonce(client.get("/auth/sign-in")) != nonce(client.get("/auth/sign-in"))


def test_every_inline_script_carries_this_requests_nonce(client):
    response = client.get("/auth/sign-in")
    page = response.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page, flags=re.IGNORECASE):
        if "src=" not in tag:
            assert f'nonce="{nonce(response)}"' in tag


def test_json_health_check_has_headers_too(client):
    response = client.get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/", "/groups/", "/auth/sign-in", "/no/such/page"])
def test_signed_in_pages_are_never_cached(login, url):
    client = login(factories.make_user())
    response = client.get(url)
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_sign_in_answer_is_not_cached(app):
    user = factories.make_user()
    response = app.test_client().post(
        "/auth/sign-in", data={"email": user.email, "password": factories.PASSWORD}
    )
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_session_cookie_is_httponly_and_samesite_lax(app):
    user = factories.make_user()
    response = app.test_client().post(
        "/auth/sign-in", data={"email": user.email, "password": factories.PASSWORD}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        attributes = {
            part.strip().split("=")[0].lower(): part.strip()
            for part in cookie.split(";")[1:]
        }
        assert "httponly" in attributes, cookie
        assert attributes.get("samesite", "").lower() == "samesite=lax", cookie


def test_session_cookie_holds_no_personal_data(app):
    user = factories.make_user("Zuzana Cookiecheck", email="zuzana@gov.example")
    response = app.test_client().post(
        "/auth/sign-in", data={"email": user.email, "password": factories.PASSWORD}
    )
    for cookie in response.headers.getlist("Set-Cookie"):
        value = cookie.split(";")[0].split("=", 1)[1]
        payload = value.lstrip(".").split(".")[0]
        raw = urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        text = zlib.decompress(raw) if value.startswith(".") else raw
        assert b"zuzana" not in text.lower() and b"cookiecheck" not in text.lower()


def test_hsts_is_sent_when_configured(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "HSTS", True)
    header = client.get("/auth/sign-in").headers.get("Strict-Transport-Security", "")
    assert int(re.search(r"max-age=(\d+)", header).group(1)) >= 31536000


# --- production configuration ---------------------------------------------------------


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("COLLAB_CONFIG", "production")
    for name in ("SECRET_KEY", "COLLAB_SECRET_KEY", "COLLAB_TESTING"):
        monkeypatch.delenv(name, raising=False)
    return {"DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"}


@pytest.mark.parametrize(
    "key",
    [
        None,
        "",
        "dev-only-insecure-key",
        "testing-secret-key-not-for-production",
        "short",
        "x" * 31,
    ],
    ids=[
        "missing",
        "empty",
        "development_default",
        "testing_default",
        "short",
        "31_chars",
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(
    production_env, monkeypatch, key
):
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(InsecureConfiguration):
        create_app(production_env)


def test_production_starts_with_a_random_key_and_secures_cookies(
    production_env, monkeypatch
):
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    app = create_app(production_env)
    response = app.test_client().get("/auth/sign-in", base_url="https://collab.example")
    assert response.status_code == 200
    assert "max-age=" in response.headers["Strict-Transport-Security"]
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in cookie for cookie in cookies)
