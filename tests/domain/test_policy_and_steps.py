from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.policy import Policy, PolicyError
from bot.domain.records import Account
from bot.domain.steps import Progress, Step, confirmation_progress, next_step
from bot.domain.tokens import deep_link, looks_like_link_token, new_link_token, token_digest

NOW = datetime(2026, 11, 27, tzinfo=UTC)
NEW = Account(id=1, telegram_user_id=5, email="a@corp.example", created_at=NOW)


def test_the_verification_payment_is_never_more_than_500_rubles() -> None:
    with pytest.raises(PolicyError) as refused:
        Policy(card_check_amount_rub=Policy.CARD_CHECK_AMOUNT_CEILING_RUB + 1)
    assert refused.value.name == "card_check_amount_rub"


def test_a_link_token_shorter_than_128_bits_is_refused() -> None:
    with pytest.raises(PolicyError):
        Policy(email_token_bytes=15)


def test_the_steps_come_in_the_fixed_order() -> None:
    policy = Policy()
    assert next_step(None, policy) is Step.SIGN_UP
    assert next_step(NEW, policy) is Step.EMAIL
    confirmed = NEW.with_done(Step.EMAIL, NOW)
    assert next_step(confirmed, policy) is Step.PHONE
    phone = confirmed.with_done(Step.PHONE, NOW)
    assert next_step(phone, policy) is Step.CARD
    card = phone.with_done(Step.CARD, NOW)
    assert next_step(card, policy) is Step.ACTIVATION
    assert next_step(card.with_done(Step.ACTIVATION, NOW), policy) is Step.ACTIVE


def test_a_later_step_done_out_of_order_does_not_skip_an_earlier_one() -> None:
    odd = NEW.with_done(Step.PHONE, NOW).with_done(Step.CARD, NOW)
    assert next_step(odd, Policy()) is Step.EMAIL


def test_an_exempt_corporate_domain_skips_the_card() -> None:
    policy = Policy(card_exempt_email_domains=frozenset({"corp.example"}))
    done = NEW.with_done(Step.EMAIL, NOW).with_done(Step.PHONE, NOW)
    assert next_step(done, policy) is Step.ACTIVATION
    assert dict(confirmation_progress(done, policy))[Step.CARD] is Progress.NOT_REQUIRED


def test_progress_marks_done_current_and_to_do() -> None:
    confirmed = NEW.with_done(Step.EMAIL, NOW)
    assert confirmation_progress(confirmed, Policy()) == [
        (Step.EMAIL, Progress.DONE),
        (Step.PHONE, Progress.CURRENT),
        (Step.CARD, Progress.TODO),
    ]


def test_a_link_token_has_at_least_128_bits_and_fits_a_deep_link() -> None:
    token = new_link_token(Policy().email_token_bytes)
    assert len(token) * 6 >= 128
    assert looks_like_link_token(token)
    assert deep_link("some_bot", token) == f"https://t.me/some_bot?start={token}"


def test_tokens_are_stored_as_digests_that_do_not_contain_them() -> None:
    token = new_link_token(32)
    assert token not in token_digest(token)
    assert len(token_digest(token)) == 64


@pytest.mark.parametrize("payload", ["", "a" * 65, "bad token", "x/y", "тест"])
def test_what_telegram_cannot_carry_in_a_deep_link_is_not_a_token(payload: str) -> None:
    assert not looks_like_link_token(payload)
