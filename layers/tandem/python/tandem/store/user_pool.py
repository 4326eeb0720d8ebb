"""The tenant's Cognito user pool: its OAuth token endpoint, which the console calls to finish a
sign-in, and the operator's step of giving someone a role in the console."""

from __future__ import annotations

import json
import secrets
import string
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import boto3

LOOPBACK = "127.0.0.1"


class TokenRefused(Exception):
    """The token endpoint did not hand out tokens for the code (expired, used, forged)."""


def secure_url(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine (the local runtime's stand-in for the user pool)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname == LOOPBACK)


def redeem(token_url: str, fields: Mapping[str, str]) -> dict[str, Any]:
    """The token endpoint's answer to an authorization code (RFC 6749 4.1.3)."""
    if not secure_url(token_url):
        raise ValueError(f"the token endpoint must be reached over HTTPS: {token_url}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        token_url,
        data=urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            answer = json.load(response)
    except urllib.error.HTTPError as error:
        raise TokenRefused(f"the token endpoint answered {error.code}") from None
    if not isinstance(answer, dict):
        raise TokenRefused("the token endpoint answered something other than tokens")
    return answer


@dataclass(frozen=True)
class Member:
    username: str
    temporary_password: str | None  # for a user created now: to hand over, once


class NotSignedInYet(Exception):
    """In a pool whose users come from the company's identity provider, a person appears only
    once they have signed in through it."""


class UserPool:
    def __init__(self, pool_id: str, client_id: str) -> None:
        self._pool = pool_id
        self._client = client_id
        self._cognito = boto3.client("cognito-idp")

    def federated(self) -> bool:
        """Whether users sign in through the company's provider rather than as the pool's own."""
        client = self._cognito.describe_user_pool_client(
            UserPoolId=self._pool, ClientId=self._client
        )["UserPoolClient"]
        return "COGNITO" not in client.get("SupportedIdentityProviders", [])

    def give_role(self, email: str, group: str, other_groups: Sequence[str]) -> Member:
        """Puts the person with this address in `group` and out of the others; creates them as
        the pool's own user, with a temporary password, if the pool has none by that address."""
        found = self._cognito.list_users(UserPoolId=self._pool, Filter=f'email = "{email}"')
        users = found.get("Users", [])
        password = None
        if users:
            username = users[0]["Username"]
        elif self.federated():
            raise NotSignedInYet(email)
        else:
            password = _temporary_password()
            created = self._cognito.admin_create_user(
                UserPoolId=self._pool,
                Username=email,
                UserAttributes=[
                    {"Name": "email", "Value": email},
                    {"Name": "email_verified", "Value": "true"},
                ],
                TemporaryPassword=password,
                MessageAction="SUPPRESS",
            )
            username = created["User"]["Username"]
        for other in other_groups:
            self._cognito.admin_remove_user_from_group(
                UserPoolId=self._pool, Username=username, GroupName=other
            )
        self._cognito.admin_add_user_to_group(
            UserPoolId=self._pool, Username=username, GroupName=group
        )
        return Member(username, password)

    def set_password(self, username: str, password: str) -> None:
        """A permanent password, with no change asked at the first sign-in (local users)."""
        self._cognito.admin_set_user_password(
            UserPoolId=self._pool, Username=username, Password=password, Permanent=True
        )


def _temporary_password() -> str:
    """20 characters with each kind the pool's password policy asks for."""
    kinds = (string.ascii_lowercase, string.ascii_uppercase, string.digits, "!#%+-=?@^_")
    chars = [secrets.choice(kind) for kind in kinds]
    chars += [secrets.choice("".join(kinds)) for _ in range(20 - len(kinds))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
