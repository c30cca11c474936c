"""One router per step or concern; `routers()` gives them in the order they must run."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    activation,
    api_access,
    autopay,
    card,
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
    support,
    unknown_command,
)


def routers() -> list[Router]:
    # Order matters: groups are turned away first; commands work in every state (the
    # "anytime" routers hold each later step's commands, payments and buttons), and
    # a command none of them knows is answered before any step sees it;
    # each step's valid input comes before its same-state fallback (inside the step's
    # router); the catch-all fallback is last.
    return [
        errors.router(),
        groups.router(),
        start.router(),
        commands.router(),
        resend.router(),
        card.anytime_router(),
        autopay.anytime_router(),
        activation.anytime_router(),
        api_access.anytime_router(),
        support.router(),
        email_link.router(),
        unknown_command.router(),
        card.router(),
        email.router(),
        password.router(),
        phone.router(),
        autopay.router(),
        api_access.router(),
        fallback.router(),
    ]
