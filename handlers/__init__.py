"""One router per step or concern; `routers()` gives them in the order they must run,
`prompts()` the prompt each step's router registers (handlers/flow.py)."""

from __future__ import annotations

from aiogram import Router

from bot.domain.steps import Step
from handlers import (
    activation,
    api_access,
    autopay,
    card,
    commands,
    desk,
    email,
    email_link,
    errors,
    fallback,
    groups,
    password,
    phone,
    reminders,
    resend,
    start,
    support,
    unknown_command,
)
from handlers.flow import Prompt, collect_prompts


def routers() -> list[Router]:
    # Order matters: the support desk's group is the staff's; other groups are turned
    # away; the email link before the plain /start; while a person writes to the desk,
    # their messages (not commands) go there; commands work in every state (the
    # "anytime" routers hold each later step's commands, payments and buttons), and a
    # command none of them knows is
    # answered before any step sees it; each step's valid input comes before its
    # same-state fallback (inside the step's router); the catch-all fallback is last.
    return [
        errors.router(),
        desk.staff_router(),
        groups.router(),
        email_link.link_router(),
        start.router(),
        commands.router(),
        desk.person_router(),
        resend.router(),
        reminders.router(),
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


def prompts(built: list[Router]) -> dict[Step, Prompt]:
    return collect_prompts(built)
