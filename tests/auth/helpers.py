"""Helpers for the single sign-on, second-factor and account security tests: a person
going through the OpenID flow, a tiny local issuer for crafted ID tokens, TOTP codes,
and reading the audit log."""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pyotp
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from collab.audit.models import AuditEvent
from collab.auth import second_factor
from collab.auth.models import TotpCredential, User, UserSession
from collab.core.db import utcnow
from collab.extensions import db
from tests import factories
from tests.oidc.server import sign_in_at_provider

AGENCY_SECRET = "agency-client-secret-for-tests"
FAKE_CLIENT_ID = "collab-fake"
FAKE_SECRET = "fake-client-secret"
FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)

# --- reading what happened ------------------------------------------------------------


def audit_events(action: str | None = None) -> list[AuditEvent]:
    db.session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def audit_actions() -> list[str]:
    return [event.action for event in audit_events()]


def live_sessions(user: User | None = None) -> list[UserSession]:
    db.session.expire_all()
    query = select(UserSession).where(UserSession.revoked_at.is_(None))
    if user is not None:
        query = query.where(UserSession.user_id == user.id)
    return list(db.session.scalars(query))


def is_signed_in(client) -> bool:
    """A page that needs an account answers (not a redirect to sign-in)."""
    response = client.get("/account/security")
    return response.status_code == 200


def text(response) -> str:
    """The page's words, without tags, on one line."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<script.*?</script>|<style.*?</style>", " ", body, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).replace("&#39;", "'")


def session_cookie(client) -> str:
    cookie = client.get_cookie("session")
    return cookie.value if cookie is not None else ""


# --- single sign-on -------------------------------------------------------------------


def start_sso(client, provider: str = "agency", **form):
    response = client.post(f"/auth/sso/{provider}/start", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response.headers["Location"]


def local_path(url: str, base: str) -> str:
    """The callback URL the provider sent the browser to, as a path for the client."""
    assert url.startswith(base + "/"), url
    return url.removeprefix(base)


def authorize_params(url: str) -> dict:
    return dict(parse_qsl(urlsplit(url).query))


def sso_at_provider(client, app, login: str, provider: str = "agency", **form) -> str:
    """Start at collab, sign in at the real provider as ``login``: the callback path
    (with code and state), not opened yet."""
    base = app.config["BASE_URL"].rstrip("/")
    url = sign_in_at_provider(start_sso(client, provider, **form), login, base)
    return local_path(url, base)


def sso_sign_in(client, app, login: str, provider: str = "agency", **form):
    """The whole authorization-code flow; returns collab's answer to the callback."""
    return client.get(sso_at_provider(client, app, login, provider, **form))


# --- a tiny issuer of crafted tokens --------------------------------------------------

_KEYS: dict[str, RSAKey] = {}


def rsa_key(kid: str) -> RSAKey:
    if kid not in _KEYS:
        _KEYS[kid] = RSAKey.generate_key(2048, parameters={"kid": kid})
    return _KEYS[kid]


class FakeIssuer:
    """An OpenID issuer on 127.0.0.1 made of three documents: discovery (claiming
    ``claimed_issuer``), its JWKS, and a token endpoint answering with
    ``next_id_token`` (or ``token_body``). Token requests are kept in
    ``token_requests``."""

    def __init__(self, claimed_issuer: str | None = None):
        self.key = rsa_key("fake-issuer-key")
        self.claimed_issuer = claimed_issuer
        self.next_id_token: str | None = None
        self.token_status = 200
        # Served as the token response instead, when set.
        self.token_body: dict | None = None
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def entry(self, name: str = "fake", **extra) -> dict:
        return {
            "name": name,
            "title": "Fake ID",
            "issuer": self.issuer,
            "client_id": FAKE_CLIENT_ID,
            "client_secret": FAKE_SECRET,
            **extra,
        }

    def claims(self, nonce: str, /, **overrides) -> dict:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "fake-subject-1",
            "aud": FAKE_CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": "fake.person@gov.example",
            "email_verified": True,
            "name": "Fake Person",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict, key: RSAKey | None = None, alg: str = "RS256"):
        key = key or self.key
        return jwt.encode({"alg": alg, "kid": key.kid}, claims, key)

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, data):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        200,
                        {
                            "issuer": fake.claimed_issuer or fake.issuer,
                            "authorization_endpoint": f"{fake.issuer}/authorize",
                            "token_endpoint": f"{fake.issuer}/token",
                            "jwks_uri": f"{fake.issuer}/jwks",
                        },
                    )
                elif self.path == "/jwks":
                    self._json(200, {"keys": [fake.key.as_dict(private=False)]})
                else:
                    self._json(404, {})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {
                    k: v[0]
                    for k, v in parse_qs(self.rfile.read(length).decode()).items()
                }
                fake.token_requests.append(
                    {"form": form, "authorization": self.headers.get("Authorization")}
                )
                if fake.token_status != 200:
                    self._json(fake.token_status, {"error": "invalid_grant"})
                    return
                body = {"access_token": "opaque-access-token", "token_type": "Bearer"}
                if fake.next_id_token is not None:
                    body["id_token"] = fake.next_id_token
                self._json(200, fake.token_body or body)

        return Handler


# --- the second factor ----------------------------------------------------------------


def enrol(user: User, *, last_counter: int = 0) -> tuple[str, list[str]]:
    """An authenticator app already set up for ``user``: (secret, recovery codes)."""
    secret = pyotp.random_base32()
    db.session.add(
        TotpCredential(
            user_id=user.id,
            secret=secret,
            confirmed_at=utcnow(),
            last_counter=last_counter,
        )
    )
    codes = second_factor.new_recovery_codes(user)
    db.session.commit()
    return secret, codes


def code(secret: str, steps: int = 0) -> str:
    """The code the phone shows now (or ``steps`` time steps later)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def password_step(client, user: User, password: str = factories.PASSWORD, **extra):
    return client.post(
        "/auth/sign-in", data={"email": user.email, "password": password, **extra}
    )


def sign_in_with_code(app, user: User, secret: str, steps: int = 0, **headers):
    """A new browser signed in with password and code."""
    client = app.test_client()
    if headers:
        client.environ_base.update(headers)
    response = password_step(client, user)
    assert response.headers["Location"] == "/auth/two-factor", response.status_code
    response = client.post("/auth/two-factor", data={"code": code(secret, steps)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
