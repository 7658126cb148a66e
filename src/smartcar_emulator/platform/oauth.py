"""Authorization codes and tokens: issuing, redeeming, refreshing with rotation, and checking.

Lifetimes follow the platform: codes 10 minutes and single use; access tokens 2 hours; refresh tokens
60 days, rotated on use with a 60-second grace window for the old one. Only hashes are stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import Clock
from ..store import Database
from .errors import OAuthError
from .ids import new_id, token_hash

CODE_TTL = 10 * 60
ACCESS_TTL = 2 * 60 * 60
REFRESH_TTL = 60 * 24 * 60 * 60
REFRESH_GRACE = 60
APP_TOKEN_TTL = 60 * 60


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


class TokenService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    # Codes -----------------------------------------------------------------------------------------
    def issue_code(self, client_id: str, redirect_uri: str, user_id: str) -> str:
        code = new_id()
        self.db.execute(
            "INSERT INTO codes (code_hash, client_id, redirect_uri, user_id, expires_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash(code), client_id, redirect_uri, user_id, self.clock.timestamp() + CODE_TTL),
        )
        return code

    def redeem_code(self, client_id: str, code: str, redirect_uri: str | None) -> TokenPair:
        """Exchange a code once; a used, expired or foreign code is ``Invalid code: <code>.``"""
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM codes WHERE code_hash = ?", (token_hash(code),)).fetchone()
            if row is None or row["used_at"] is not None or row["expires_at"] <= now or row["client_id"] != client_id:
                raise OAuthError("invalid_grant", f"Invalid code: {code}.")
            if redirect_uri not in (None, "", "undefined") and redirect_uri != row["redirect_uri"]:
                raise OAuthError("invalid_grant",
                                 f"Invalid redirect_uri: {redirect_uri}. "
                                 "It must match the redirect_uri used in Connect.")
            conn.execute("UPDATE codes SET used_at = ? WHERE code_hash = ?", (now, token_hash(code)))
            return self._issue_pair(client_id, row["user_id"])

    # User tokens -----------------------------------------------------------------------------------
    def _issue_pair(self, client_id: str, user_id: str) -> TokenPair:
        access, refresh = new_id(), new_id()
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO tokens (token_hash, kind, client_id, user_id, expires_at, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(token_hash(access), "access", client_id, user_id, now + ACCESS_TTL, now),
                 (token_hash(refresh), "refresh", client_id, user_id, now + REFRESH_TTL, now)],
            )
        return TokenPair(access, refresh, ACCESS_TTL, user_id)

    def refresh(self, client_id: str, refresh_token: str) -> TokenPair:
        """Rotate a refresh token: the old one stays valid for a short grace window."""
        now = self.clock.timestamp()
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM tokens WHERE token_hash = ? AND kind = 'refresh'",
                               (token_hash(refresh_token),)).fetchone()
            if (row is None or row["client_id"] != client_id or row["expires_at"] <= now
                    or (row["revoked_at"] is not None and row["revoked_at"] + REFRESH_GRACE <= now)):
                raise OAuthError("invalid_grant", f"Invalid refresh_token: {refresh_token}.")
            if row["revoked_at"] is None:
                conn.execute("UPDATE tokens SET revoked_at = ? WHERE token_hash = ?", (now, row["token_hash"]))
            return self._issue_pair(client_id, row["user_id"])

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
