"""The rules every new password meets, wherever it is set: the Admin page, the CLI's `users add`
and `users set-password`, and the first-administrator form.

A password is refused when it is short, when it is the demo password (printed on the login page
and in the README, so public), or when it is the account's username. The last two also count
when dressed up: a password that still contains the username or the demo password (in any case)
is refused unless what is left besides it is long enough to be a password of its own, so
"admin2024" is refused for `admin` while a long sentence that happens to name the user is not.
A username of two characters is refused only as the whole password (two letters turn up inside
too many good passwords by chance).

Kept apart from admin/users so that bootstrap (which seeds the demo accounts) and the user
services both import the demo password from here without importing each other.
"""
from __future__ import annotations

from genxsop_core.domain.exceptions import InvalidInput

MIN_PASSWORD_LENGTH = 8
# Demo mode only: the password of the demo accounts, shown on the login page. No other account may have it.
DEMO_PASSWORD = "genxsop-demo"  # nosec B105


def _rest_is_short(password: str, known: str) -> bool:
    """True when `password` is `known` (case ignored), or for a `known` of three or more characters,
    contains it with fewer than MIN_PASSWORD_LENGTH other characters."""
    if password.lower() == known.lower():
        return True
    return len(known) >= 3 and known.lower() in password.lower() and len(password) - len(known) < MIN_PASSWORD_LENGTH


def password_problem(password: str, username: str) -> str | None:
    """The rule `password` breaks for the account `username`, in words for the person typing it; None if none."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if _rest_is_short(password, DEMO_PASSWORD):
        return ("the password must not be the demo password (it is public), nor the demo password "
                f"with fewer than {MIN_PASSWORD_LENGTH} other characters")
    if _rest_is_short(password, username.strip()):
        return ("the password must not be the username, nor the username with fewer than "
                f"{MIN_PASSWORD_LENGTH} other characters")
    return None


def check_password_rules(password: str, username: str) -> None:
    """Raise InvalidInput naming the rule a new password for `username` breaks."""
    problem = password_problem(password, username)
    if problem is not None:
        raise InvalidInput(problem)
