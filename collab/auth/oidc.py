"""OpenID Connect sign-in (authorization code flow with PKCE S256, state and nonce)
against the providers in OIDC_PROVIDERS, found by discovery. Authlib makes the PKCE
challenge and tokens; joserfc checks the ID token's signature and claims."""

import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from flask import current_app
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select

from collab.auth.models import SsoState
from collab.core.db import utcnow
from collab.core.errors import DomainError
from collab.core.tokens import hash_token
from collab.core.urls import absolute_url
from collab.extensions import db

STATE_LIFETIME = timedelta(minutes=10)
HTTP_TIMEOUT = 10
METADATA_TTL = 3600
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
_metadata_cache: dict[str, tuple[float, dict]] = {}
_jwks_cache: dict[str, tuple[float, dict]] = {}


class SsoError(DomainError):
    """A sign-in at a provider that did not succeed; the message is for the user."""


@dataclass
class Provider:
    name: str
    title: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"


def providers() -> list[Provider]:
    out = []
    for entry in current_app.config.get("OIDC_PROVIDERS") or []:
        out.append(
            Provider(
                name=entry["name"],
                title=entry.get("title") or entry["name"],
                issuer=entry["issuer"],
                client_id=entry["client_id"],
                client_secret=entry.get("client_secret", ""),
                scopes=entry.get("scopes") or "openid email profile",
            )
        )
    return out


def provider_origins() -> list[str]:
    """Where sign-in buttons send the browser: each issuer's origin, and its
    authorization endpoint's when discovery already told us."""
    origins = set()
    for p in providers():
        origins.add(_origin(p.issuer))
        cached = _metadata_cache.get(p.issuer)
        if cached and cached[1].get("authorization_endpoint"):
            origins.add(_origin(cached[1]["authorization_endpoint"]))
    return sorted(origins)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def provider(name: str) -> Provider | None:
    return next((p for p in providers() if p.name == name), None)


def redirect_uri(p: Provider) -> str:
    return absolute_url("sso.callback", provider_name=p.name)


# --- discovery ---------------------------------------------------------------------


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("OIDC fetch failed: %s: %s", url, error)
        raise SsoError(
            _("The sign-in service is not answering. Please try again later.")
        ) from error


def metadata(p: Provider) -> dict:
    cached = _metadata_cache.get(p.issuer)
    if cached and time.monotonic() - cached[0] < METADATA_TTL:
        return cached[1]
    data = _get_json(f"{p.issuer.rstrip('/')}/.well-known/openid-configuration")
    # The document must be the issuer's own, exactly (OpenID Connect Discovery 1.0,
    # 4.3): ID tokens are then compared with the same string.
    if data.get("issuer") != p.issuer:
        raise SsoError(_("The sign-in service is misconfigured."))
    _metadata_cache[p.issuer] = (time.monotonic(), data)
    return data


def _keys(p: Provider, refresh: bool = False) -> KeySet:
    uri = metadata(p)["jwks_uri"]
    cached = _jwks_cache.get(uri)
    if refresh or not cached or time.monotonic() - cached[0] > METADATA_TTL:
        cached = (time.monotonic(), _get_json(uri))
        _jwks_cache[uri] = cached
    return KeySet.import_key_set(cached[1])


# --- the flow ----------------------------------------------------------------------


def start(p: Provider, next_url: str = "", link_user_id: int | None = None) -> tuple:
    """(authorization URL, raw state): the state goes in the cookie, the rest here."""
    endpoint = metadata(p)["authorization_endpoint"]
    db.session.execute(
        delete(SsoState).where(SsoState.created_at < utcnow() - STATE_LIFETIME)
    )
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    db.session.add(
        SsoState(
            state_hash=hash_token(state),
            provider=p.name,
            nonce=nonce,
            code_verifier=verifier,
            next_url=next_url[:500],
            link_user_id=link_user_id,
        )
    )
    query = urlencode(
        {
            "response_type": "code",
            "client_id": p.client_id,
            "redirect_uri": redirect_uri(p),
            "scope": p.scopes,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
    )
    return f"{endpoint}?{query}", state


def take_state(p: Provider, returned: str | None, expected: str | None) -> SsoState:
    """The stored flow for this callback: it must be this browser's latest start,
    for this provider, fresh, and it is used once."""
    if not returned or not expected or returned != expected:
        raise SsoError(
            _("This sign-in link is not valid any more. Please start again.")
        )
    found = db.session.scalar(
        select(SsoState).where(SsoState.state_hash == hash_token(returned))
    )
    if found is None or found.provider != p.name:
        raise SsoError(
            _("This sign-in link is not valid any more. Please start again.")
        )
    db.session.delete(found)
    if utcnow() - found.created_at > STATE_LIFETIME:
        raise SsoError(_("This sign-in took too long. Please start again."))
    return found


def exchange(p: Provider, code: str, flow: SsoState) -> dict:
    """Trade the code for tokens and return the ID token's checked claims."""
    try:
        response = requests.post(
            metadata(p)["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri(p),
                "code_verifier": flow.code_verifier,
            },
            auth=(p.client_id, p.client_secret),
            timeout=HTTP_TIMEOUT,
        )
    except requests.RequestException as error:
        raise SsoError(
            _("The sign-in service is not answering. Please try again later.")
        ) from error
    if response.status_code != 200:
        current_app.logger.warning(
            "OIDC token endpoint answered %s", response.status_code
        )
        raise SsoError(
            _("The sign-in service refused this sign-in. Please start again.")
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    id_token = body.get("id_token") if isinstance(body, dict) else None
    if not isinstance(id_token, str) or not id_token:
        raise SsoError(_("The sign-in service gave no identity."))
    return check_id_token(p, id_token, flow.nonce)


def check_id_token(p: Provider, id_token: str, nonce: str) -> dict:
    """Signature by the issuer's keys, then iss, aud (and azp), exp, iat, nonce."""
    try:
        try:
            token = jwt.decode(id_token, _keys(p), algorithms=ALGORITHMS)
        except JoseError:
            # The provider may have rotated its keys since we fetched them.
            token = jwt.decode(id_token, _keys(p, refresh=True), algorithms=ALGORITHMS)
        claims = token.claims
        jwt.JWTClaimsRegistry(
            leeway=60,
            iss={"essential": True, "value": p.issuer},
            sub={"essential": True},
            aud={"essential": True, "value": p.client_id},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as error:
        current_app.logger.warning("OIDC ID token refused: %s", error)
        raise SsoError(
            _("The identity from the sign-in service could not be trusted.")
        ) from error
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != p.client_id:
        raise SsoError(_("The identity from the sign-in service could not be trusted."))
    return claims
