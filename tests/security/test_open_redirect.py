"""Open redirect: every `next` we follow stays on our own host, for every public
payload; links in e-mails are built on BASE_URL whatever Host the request claims."""

import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from collab.core.urls import safe_next
from tests import factories

CORPUS = Path("/work/shared/security-corpora/open-redirect")
OUR_ORIGIN = "http://localhost/"


def _payload_files():
    if not CORPUS.is_dir():
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"{CORPUS} is missing"))
        ]
    return [pytest.param(path, id=path.name) for path in sorted(CORPUS.glob("*.txt"))]


def payloads(path: Path) -> list[str]:
    """Each line as written, and once percent-decoded (what a browser's form would
    send)."""
    lines = [
        line for line in path.read_text(errors="replace").splitlines() if line.strip()
    ]
    return list(dict.fromkeys(lines + [unquote(line) for line in lines]))


def leaves_our_host(location: str) -> bool:
    if not location.startswith("/") or location.startswith("//"):
        return True
    if any(ch in location for ch in "\\\t\r\n") or any(ord(ch) < 32 for ch in location):
        return True
    target = urlsplit(urljoin(OUR_ORIGIN, location))
    return (target.scheme, target.netloc) != ("http", "localhost")


def _check(response, payload, failures):
    location = response.headers.get("Location", "")
    if response.status_code != 302 or leaves_our_host(location):
        failures.append(f"{payload!r} → {response.status_code} Location {location!r}")


@pytest.mark.parametrize("path", _payload_files())
def test_sign_in_next_stays_on_our_host(app, path):
    user = factories.make_user()
    failures = []
    for payload in payloads(path):
        client = app.test_client()
        response = client.post(
            "/auth/sign-in",
            data={"email": user.email, "password": factories.PASSWORD, "next": payload},
        )
        _check(response, payload, failures)
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("path", _payload_files())
def test_sign_in_page_when_already_signed_in_redirects_to_our_host(login, path):
    client = login(factories.make_user())
    failures = []
    for payload in payloads(path):
        _check(
            client.get("/auth/sign-in", query_string={"next": payload}),
            payload,
            failures,
        )
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed_in"])
@pytest.mark.parametrize("path", _payload_files())
def test_language_switch_next_stays_on_our_host(client, login, path, signed_in):
    client = login(factories.make_user()) if signed_in else client
    failures = []
    for payload in payloads(path):
        response = client.post("/language", data={"locale": "fr", "next": payload})
        _check(response, payload, failures)
    assert not failures, "\n".join(failures[:40])


def test_sign_in_next_on_our_site_is_followed(app):
    user = factories.make_user()
    response = app.test_client().post(
        "/auth/sign-in",
        data={
            "email": user.email,
            "password": factories.PASSWORD,
            "next": "/groups/?page=2",
        },
    )
    assert response.headers["Location"] == "/groups/?page=2"


def test_oracle_flags_a_redirect_off_our_host():
    assert leaves_our_host("//evil.example/")
    assert leaves_our_host("https://evil.example/")
    assert leaves_our_host("/\\evil.example")
    assert not leaves_our_host("/groups/")


EVIL = "http://evil.example"
FORWARDED = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


def _post_on_evil_host(client, page: str, url: str, data: dict):
    """Load ``page`` and send its form, all under the attacker's Host header."""
    html = client.get(page, base_url=EVIL, headers=FORWARDED).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    return client.post(
        url,
        base_url=EVIL,
        headers=FORWARDED,
        csrf=False,
        data={**data, "csrf_token": token},
    )


def test_password_reset_link_ignores_a_forged_host_header(client, outbox):
    user = factories.make_user()
    response = _post_on_evil_host(
        client, "/auth/reset", "/auth/reset", {"email": user.email}
    )
    assert response.status_code == 302 and not leaves_our_host(
        response.headers["Location"]
    )
    email = outbox(to=user.email)[-1]
    assert "evil.example" not in email.body_text + email.body_html
    assert "http://collab.test/auth/reset/" in email.body_text


def test_invitation_link_ignores_a_forged_host_header(app, outbox):
    chair = factories.make_user()
    group = factories.make_group(chair=chair)
    client = app.test_client()
    _post_on_evil_host(
        client,
        "/auth/sign-in",
        "/auth/sign-in",
        {"email": chair.email, "password": factories.PASSWORD},
    )
    response = _post_on_evil_host(
        client,
        f"/groups/{group.slug}/members",
        f"/groups/{group.slug}/invitations",
        {"email": "guest@gov.example", "role": "member"},
    )
    assert response.status_code == 302
    email = outbox(to="guest@gov.example")[-1]
    assert "evil.example" not in email.body_text + email.body_html
    assert "http://collab.test/auth/invitations/" in email.body_text


# --- safe_next ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/groups/",
        "/groups/alpha/members?tab=2#x",
        "/auth/sign-in?next=/groups/",
        "/path/with:colon",
        "/%2F%2Fevil.example",
    ],
)
def test_safe_next_keeps_a_path_on_this_site(target):
    assert safe_next(target, "/default") == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "groups/",
        "//evil.example",
        "///evil.example",
        "////evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\\/evil.example",
        "\\/evil.example",
        "https://evil.example/",
        "HTTPS://evil.example",
        "http:evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        " /\t/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "/\r\n/evil.example",
        "/\x00/evil.example",
        "/\x0b/evil.example",
        " //evil.example",
        "\t//evil.example",
        "evil.example",
        "@evil.example",
        "//evil.example@localhost",
        ["/", "//evil.example"],
        42,
    ],
)
def test_safe_next_refuses_anything_but_a_local_path(target):
    assert safe_next(target, "/default") == "/default"
