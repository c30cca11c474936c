"""One router per step or concern; `routers()` gives them in the order they must run."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    commands,
    email,
    email_link,
    errors,
    fallback,
    groups,
    password,
    phone,
    resend,
    start,
    unknown_command,
)


def routers() -> list[Router]:
    # Order matters: groups are turned away first; commands work in every state, and
    # a command none of them knows is answered before any step sees it;
    # each step's valid input comes before its same-state fallback (inside the step's
    # router); the catch-all fallback is last.
    return [
        errors.router(),
        groups.router(),
        start.router(),
        commands.router(),
        resend.router(),
        email_link.router(),
        unknown_command.router(),
        email.router(),
        password.router(),
        phone.router(),
        fallback.router(),
    ]
