"""The families of texts that are looked up by a value (`t.of(family, member)`): each
family, and every member it can be asked for. tests/handlers/test_texts.py checks that
each has a text in both catalogs, and that no text key is built any other way."""

from __future__ import annotations

from bot.domain.card import CheckProblem
from bot.domain.limits import Quota
from bot.domain.money import AmountProblem
from bot.domain.passwords import PasswordRule
from bot.domain.phones import PhoneProblem
from bot.domain.preferences import Language
from bot.domain.steps import CONFIRMATION_STEPS, ORDER, REGISTRATION, Progress, Step
from bot.ui.keyboards import ApiAction
from bot.ui.menu import MENU

REGISTRATION_STEPS = tuple(s.step for s in REGISTRATION)

FAMILIES: dict[str, tuple[str, ...]] = {
    "unit": (
        "hours",
        "minutes",
        "seconds",
        "days",
        "emails",
        "sms_codes",
        "bonus_points",
        "steps",
    ),
    "sms_limit": tuple(quota.value for quota in Quota if quota.value.startswith("sms")),
    "password_rule": tuple(rule.value for rule in PasswordRule),
    "phone_refused": tuple(problem.value for problem in PhoneProblem),
    # The sandbox's refusals and Telegram's pre-checkout question (never "unknown"
    # only: a forged button gets it too).
    "precheckout": tuple(problem.value for problem in CheckProblem),
    "step_name": tuple(step.value for step in CONFIRMATION_STEPS),
    "step_label": tuple(step.value for step in Step if step is not Step.API_ACCESS),
    "progress": tuple(progress.value for progress in Progress),
    "language_name": tuple(language.value for language in Language),
    "api_button": tuple(action.value for action in ApiAction),
    "command": MENU,
    # /help at each place of the registration; the sign-up's password question apart.
    "help_step": (*(step.value for step in ORDER), "password"),
    "amount_problem": tuple(problem.value for problem in AmountProblem),
    # A reminder's first sentence: what is done, by the step the person stopped at.
    "reminder_done": tuple(step.value for step in REGISTRATION_STEPS if step is not Step.SIGN_UP),
}
