"""The IMS half (client-credentials tokens) and the gateway's checks on every Firefly call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

from .clock import Clock
from .config import EmulatorConfig
from .errors import API_KEY_INVALID, API_KEY_MISSING, TOKEN_INVALID, ApiError, api_error
from .messages import Request, Response

#: Granted when the token request names no scope (what the tutorials' integrations hold).
DEFAULT_SCOPES = "openid,AdobeID,firefly_api,ff_apis"
#: A token must carry this scope for Firefly to accept it.
REQUIRED_SCOPE = "firefly_api"


@dataclass
class Token:
    value: str
    client_id: str
    scopes: frozenset[str]
    expires_at: float


class TokenStore:
    """Issued access tokens; thread-safe."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()
        self._key = secrets.token_bytes(32)

    def issue(self, client_id: str, scope: str, lifetime: int) -> Token:
        now = self._clock.now()
        value = self._jwt_shaped(client_id, scope, now, lifetime)
        token = Token(value, client_id, frozenset(filter(None, scope.split(","))), now + lifetime)
        with self._lock:
            self._tokens[value] = token
        return token

    def valid(self, value: str) -> Token | None:
        """The live token with this value, or None (unknown or expired)."""
        with self._lock:
            token = self._tokens.get(value)
        if token is None or token.expires_at <= self._clock.now():
            return None
        return token

    def expire(self, value: str) -> None:
        with self._lock:
            if value in self._tokens:
                self._tokens[value].expires_at = 0.0

    def expire_all(self) -> int:
        """Expire every token; returns how many were still live."""
        now = self._clock.now()
        with self._lock:
            live = [t for t in self._tokens.values() if t.expires_at > now]
            for token in live:
                token.expires_at = 0.0
        return len(live)

    def _jwt_shaped(self, client_id: str, scope: str, now: float, lifetime: int) -> str:
        """Opaque to clients, but shaped like IMS's JWTs (``eyJ...``) with the same claims."""

        def b64(data: dict) -> str:
            raw = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

        header = {"alg": "RS256", "kid": "ims_na1-key-at-1", "itt": "at"}
        claims = {
            "id": secrets.token_hex(16),
            "type": "access_token",
            "client_id": client_id,
            "user_id": f"{client_id}@techacct.adobe.com",
            "as": "ims-na1",
            "created_at": str(int(now * 1000)),
            "expires_in": str(lifetime * 1000),
            "scope": scope,
        }
        unsigned = f"{b64(header)}.{b64(claims)}"
        signature = hmac.new(self._key, unsigned.encode(), hashlib.sha256).digest()
        return f"{unsigned}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _oauth_error(status: int, error: str, description: str) -> ApiError:
    return api_error("token", status, error, description)


def token_endpoint(request: Request, config: EmulatorConfig, tokens: TokenStore) -> Response:
    """``POST /ims/token/v3``: form-encoded client_credentials grant, as Adobe IMS takes it.

    Fields may also come in the query string (IMS accepts both); the form wins.
    """
    if request.body and request.media_type != "application/x-www-form-urlencoded":
        raise _oauth_error(400, "invalid_request", "Content-Type must be form-urlencoded")
    fields = {**request.query, **parse_qs(request.body.decode("latin-1"))}

    def field(name: str) -> str | None:
        values = fields.get(name)
        return values[0] if values else None

    grant_type, client_id, secret = field("grant_type"), field("client_id"), field("client_secret")
    if not grant_type:
        raise _oauth_error(400, "invalid_request", "missing grant_type parameter")
    if grant_type != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", f"unsupported grant_type {grant_type}")
    if not client_id:
        raise _oauth_error(400, "invalid_request", "missing client_id parameter")
    if not secret:
        raise _oauth_error(400, "invalid_request", "missing client_secret parameter")
    expected = config.credentials.get(client_id)
    if expected is None:
        raise _oauth_error(401, "invalid_client", "invalid client_id parameter")
    if not hmac.compare_digest(expected.encode(), secret.encode()):
        raise _oauth_error(401, "invalid_client", "invalid client_secret parameter")
    token = tokens.issue(client_id, field("scope") or DEFAULT_SCOPES, config.token_lifetime)
    body = {
        "access_token": token.value,
        "token_type": "bearer",
        "expires_in": config.token_lifetime,
    }
    return Response.json(200, body, {"Cache-Control": "no-store"})


def authenticate(request: Request, config: EmulatorConfig, tokens: TokenStore) -> str:
    """The gateway's checks: API key first (403), then bearer token (401), then scope (403).

    Returns the caller's client id; raises ApiError in the operation's error envelope (the
    custom-models service words its refusals differently, as Adobe's examples show).
    """
    operation = request.operation
    models = operation == "custom_models"
    api_key = request.header("x-api-key")
    if not api_key or api_key not in config.credentials:
        code, message = API_KEY_INVALID if api_key else API_KEY_MISSING
        raise api_error(operation, 403, code, "API Key is not accepted." if models else message)
    value = presented_token(request)
    token = tokens.valid(value) if value else None
    if token is None or token.client_id != api_key:
        code, message = TOKEN_INVALID
        text = "Authorization Token is not accepted." if models else message
        raise api_error(operation, 401, code, text)
    if REQUIRED_SCOPE not in token.scopes:
        raise api_error(
            operation,
            403,
            "access_error",
            f"The access token lacks the {REQUIRED_SCOPE} scope.",
            {"x-access-error": "invalid_ims_scope"},
        )
    return api_key


def presented_token(request: Request) -> str | None:
    """The bearer token of the request, if it has one."""
    scheme, _, value = (request.header("Authorization") or "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None
