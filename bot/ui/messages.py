"""Messages composed from the texts and the domain's facts: the confirmation email (R5),
the code SMS (R8), and the question for the code with its countdown."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.phone_confirmation import CodeSms
from bot.domain.phones import display_phone
from bot.domain.policy import Policy
from bot.domain.ports import OutgoingEmail
from bot.domain.signup import ConfirmationEmail
from bot.domain.steps import Step, spec
from bot.ui.texts import Texts, texts_for


def code_prompt_text(policy: Policy, language: str, e164: str, wait_seconds: int) -> str:
    """The question for the code; the same words whether sent or edited later."""
    t = texts_for(language)
    intro = t(
        "code_prompt",
        phone=display_phone(e164),
        length=policy.sms_code_length,
        ttl=t.duration(policy.sms_code_ttl_seconds),
    )
    if wait_seconds > 0:
        return intro + "\n\n" + t("code_prompt_wait", wait=t.count(wait_seconds, "seconds"))
    return intro + "\n\n" + t("code_prompt_ready")


def compose_confirmation_email(content: ConfirmationEmail) -> OutgoingEmail:
    """R5: the email in the person's language: the deep link, its expiry, no password."""
    t = texts_for(content.language)
    params: dict[str, object] = {
        "link": content.link,
        "ttl": t.duration(int(content.valid_for.total_seconds())),
        "expires": t.date_time(content.expires_at, ZoneInfo(content.timezone)),
    }
    text = t.raw("email.text", **params)
    return OutgoingEmail(
        to=content.to,
        subject=t("email.subject"),
        text=text,
        html=t("email.html", **params),
    )


def compose_code_sms(content: CodeSms) -> str:
    """R8: the SMS in the person's language. Plain text: an SMS has no markup."""
    t = texts_for(content.language)
    ttl = t.duration(int(content.valid_for.total_seconds()))
    return t.raw("sms.code", code=content.code, ttl=ttl)


def reminder_text(t: Texts, step: Step, left: list[Step]) -> str:
    """R38: where the person stopped and what is left, with how long it takes."""
    names = [t.of("step_label", s) for s in left]
    steps = names[0] if len(names) == 1 else ", ".join(names[:-1]) + t("list_and") + names[-1]
    minutes = sum(spec(s).typical_minutes for s in left)
    return t(
        "reminder.text",
        done=t.of("reminder_done", step),
        count=t.count(len(left), "steps"),
        steps=steps,
        minutes=t.count(max(1, minutes), "minutes"),
    )
