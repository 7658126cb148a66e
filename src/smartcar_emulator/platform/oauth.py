"""Authorization codes and tokens: issuing, redeeming, refreshing with rotation, and checking.

Lifetimes follow the platform: codes 10 minutes and single use; access tokens 2 hours; refresh tokens 60 days,
rotated on every use. The rules are as strict as RFC 6749 and RFC 6819 (a lenient token endpoint lets racy
apps pass here and fail in production):

* a replayed authorization code is refused and revokes every token issued from it (RFC 6749 §4.1.2);
* ``redirect_uri`` is required at the token endpoint when it was sent to authorize, and must match exactly
  (§4.1.3);
* a rotated refresh token is dead at once; presenting it again revokes its whole chain (RFC 6819 §5.2.2.3).
  The platform documents a 60-second grace window for the old token; it is :attr:`OAuthPolicy.refresh_grace`,
  off by default (see docs/emulator.md, Fidelity);
* PKCE (RFC 7636) is verified when the authorize request carried a ``code_challenge`` (S256 or plain).

Every token descended from one authorization code shares a *chain* id. Only hashes are stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import sqlite3
from dataclasses import dataclass

from ..clock import Clock
from ..store import Database
from .errors import OAuthError
from .ids import new_id, token_hash

CODE_TTL = 10 * 60
ACCESS_TTL = 2 * 60 * 60
REFRESH_TTL = 60 * 24 * 60 * 60
PLATFORM_REFRESH_GRACE = 60  # what the platform documents; see OAuthPolicy.refresh_grace
APP_TOKEN_TTL = 60 * 60

PKCE_METHODS = ("S256", "plain")
_PKCE_VALUE = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")  # RFC 7636 §4.1 (verifier) and §4.2 (challenge)


@dataclass
class OAuthPolicy:
    """Knobs of the token endpoint. The defaults are the strict ones; loosen them only knowingly."""

    refresh_grace: float = 0.0  # seconds a rotated refresh token still works (the platform documents 60)
    require_redirect_uri: bool = True  # RFC 6749 §4.1.3; False tolerates a missing or "undefined" redirect_uri


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    user_id: str


@dataclass(frozen=True)
class TokenInfo:
    kind: str
    client_id: str
    user_id: str | None
    expires_at: float


def valid_pkce_value(value: str) -> bool:
    """Whether a ``code_challenge`` or ``code_verifier`` has RFC 7636's syntax (43-128 unreserved chars)."""
    return bool(_PKCE_VALUE.match(value))


def pkce_challenge(verifier: str, method: str) -> str:
    """The challenge a verifier answers: ``BASE64URL(SHA256(verifier))`` without padding, or itself (plain)."""
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class TokenService:
    def __init__(self, db: Database, clock: Clock, policy: OAuthPolicy | None = None) -> None:
        self.db = db
        self.clock = clock
        self.policy = policy or OAuthPolicy()

    # Codes -----------------------------------------------------------------------------------------
    def issue_code(self, client_id: str, redirect_uri: str, user_id: str, *, redirect_uri_sent: bool = True,
                   code_challenge: str | None = None, code_challenge_method: str | None = None) -> str:
        code = new_id()
        self.db.execute(
            "INSERT INTO codes (code_hash, client_id, redirect_uri, user_id, expires_at, redirect_uri_sent,"
            " code_challenge, code_challenge_method, chain) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (token_hash(code), client_id, redirect_uri, user_id, self.clock.timestamp() + CODE_TTL,
             int(redirect_uri_sent), code_challenge, code_challenge_method if code_challenge else None, new_id()),
        )
        return code

    def redeem_code(self, client_id: str, code: str, redirect_uri: str | None,
                    code_verifier: str | None = None) -> TokenPair:
        """Exchange a code once; a used, expired or foreign code is ``Invalid code: <code>.``

        A replay (the code was already exchanged) also revokes every token issued from it.
        """
        now = self.clock.timestamp()
        invalid = OAuthError("invalid_grant", f"Invalid code: {code}.")
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM codes WHERE code_hash = ?", (token_hash(code),)).fetchone()
            if row is None or row["client_id"] != client_id:
                raise invalid
            if row["used_at"] is not None:
                self._revoke_chain(conn, row["chain"] or row["code_hash"], now)
                replayed = True
            else:
                replayed = False
        if replayed:  # the revocation above is committed; the replay is refused
            raise invalid
        with self.db.transaction() as conn:
            if row["expires_at"] <= now:
                raise invalid
            self._check_redirect_uri(row, redirect_uri)
            self._check_pkce(row, code_verifier)
            claimed = conn.execute("UPDATE codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL",
                                   (now, row["code_hash"])).rowcount
            if not claimed:  # another request redeemed it between the two transactions
                raise invalid
            return self._issue_pair(client_id, row["user_id"], row["chain"] or row["code_hash"])

    def _check_redirect_uri(self, row: sqlite3.Row, redirect_uri: str | None) -> None:
        registered: str = row["redirect_uri"]
        sent_to_authorize = bool(row["redirect_uri_sent"])
        if not self.policy.require_redirect_uri and redirect_uri in (None, "", "undefined"):
            return
        if not redirect_uri:
            if sent_to_authorize:
                raise OAuthError("invalid_request", "The redirect_uri parameter is required: "
                                 "it was sent in the authorization request.")
            return
        if redirect_uri != registered:
            raise OAuthError("invalid_grant", f"Invalid redirect_uri: {redirect_uri}. "
                             "It must match the redirect_uri used in Connect.")

    @staticmethod
    def _check_pkce(row: sqlite3.Row, verifier: str | None) -> None:
        challenge: str | None = row["code_challenge"]
        if challenge is None:
            if verifier:
                raise OAuthError("invalid_grant", "A code_verifier was sent, but the authorization request "
                                 "carried no code_challenge.")
            return
        if not verifier:
            raise OAuthError("invalid_request", "The code_verifier parameter is required: "
                             "the authorization request carried a code_challenge.")
        method: str = row["code_challenge_method"] or "plain"
        if not valid_pkce_value(verifier) or not hmac.compare_digest(
                pkce_challenge(verifier, method).encode(), challenge.encode()):
            raise OAuthError("invalid_grant", "The code_verifier does not match the code_challenge.")

    # User tokens -----------------------------------------------------------------------------------
    def _issue_pair(self, client_id: str, user_id: str, chain: str) -> TokenPair:
        access, refresh = new_id(), new_id()
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO tokens (token_hash, kind, client_id, user_id, expires_at, created_at, chain)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(token_hash(access), "access", client_id, user_id, now + ACCESS_TTL, now, chain),
                 (token_hash(refresh), "refresh", client_id, user_id, now + REFRESH_TTL, now, chain)],
            )
        return TokenPair(access, refresh, ACCESS_TTL, user_id)

    @staticmethod
    def _revoke_chain(conn: sqlite3.Connection, chain: str, now: float) -> None:
        conn.execute("UPDATE tokens SET revoked_at = ? WHERE (chain = ? OR token_hash = ?)"
                     " AND revoked_at IS NULL", (now, chain, chain))

    def refresh(self, client_id: str, refresh_token: str) -> TokenPair:
        """Rotate a refresh token. Presenting a rotated one again (after the grace window, off by default)
        is reuse: it is refused and every token of its chain is revoked."""
        now = self.clock.timestamp()
        invalid = OAuthError("invalid_grant", f"Invalid refresh_token: {refresh_token}.")
        reused = False
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM tokens WHERE token_hash = ? AND kind = 'refresh'",
                               (token_hash(refresh_token),)).fetchone()
            if (row is None or row["client_id"] != client_id or row["expires_at"] <= now
                    or row["revoked_at"] is not None):
                raise invalid
            chain = row["chain"] or row["token_hash"]
            if row["used_at"] is None:
                conn.execute("UPDATE tokens SET used_at = ? WHERE token_hash = ?", (now, row["token_hash"]))
                return self._issue_pair(client_id, row["user_id"], chain)
            if now < row["used_at"] + self.policy.refresh_grace:
                return self._issue_pair(client_id, row["user_id"], chain)
            self._revoke_chain(conn, chain, now)
            reused = True
        assert reused  # the revocation is committed; the reuse is refused
        raise invalid

    # Application tokens (client credentials) -------------------------------------------------------
    def issue_application_token(self, client_id: str) -> tuple[str, int]:
        token = new_id()
        now = self.clock.timestamp()
        self.db.execute(
            "INSERT INTO tokens (token_hash, kind, client_id, user_id, expires_at, created_at)"
            " VALUES (?, 'application', ?, NULL, ?, ?)",
            (token_hash(token), client_id, now + APP_TOKEN_TTL, now),
        )
        return token, APP_TOKEN_TTL

    # Checking --------------------------------------------------------------------------------------
    def check(self, token: str, kinds: tuple[str, ...] = ("access",)) -> TokenInfo | None:
        """The token's owner if it is live and of one of these kinds, else None."""
        row = self.db.one("SELECT * FROM tokens WHERE token_hash = ?", (token_hash(token),))
        if (row is None or row["kind"] not in kinds or row["revoked_at"] is not None
                or row["expires_at"] <= self.clock.timestamp()):
            return None
        return TokenInfo(row["kind"], row["client_id"], row["user_id"], row["expires_at"])

    def revoke_user(self, client_id: str, user_id: str) -> None:
        self.db.execute("UPDATE tokens SET revoked_at = ? WHERE client_id = ? AND user_id = ? AND revoked_at IS NULL",
                        (self.clock.timestamp(), client_id, user_id))

    def issued(self, client_id: str | None = None) -> list[dict[str, object]]:
        """Issued tokens for inspection: kind, owner and expiry, never the token itself."""
        sql = ("SELECT kind, client_id, user_id, expires_at, revoked_at, created_at,"
               " substr(token_hash, 1, 12) AS fingerprint FROM tokens")
        rows = self.db.all(sql + (" WHERE client_id = ?" if client_id else "") + " ORDER BY created_at",
                           (client_id,) if client_id else ())
        return [dict(row) for row in rows]
