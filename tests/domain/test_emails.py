"""R1: the email check: a real validator, IDN domains, lower-cased domain."""

from __future__ import annotations

import pytest

from bot.domain.emails import EmailProblem, check_email_syntax, email_key, normalise_email
from bot.domain.policy import Policy

POLICY = Policy()


def test_a_work_address_is_accepted_as_it_is() -> None:
    verdict = check_email_syntax("alice@corp.example", POLICY)
    assert verdict.ok
    assert verdict.email == "alice@corp.example"
    assert not verdict.free_mail


def test_the_domain_is_lower_cased_and_spaces_around_are_dropped() -> None:
    assert normalise_email("  Alice@CORP.Example ") == "Alice@corp.example"


def test_an_internationalised_domain_is_allowed() -> None:
    assert normalise_email("info@пример.рф") == "info@пример.рф"
    assert normalise_email("info@ПРИМЕР.РФ") == "info@пример.рф"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "alice",
        "alice@",
        "@corp.example",
        "alice@corp",
        "a b@corp.example",
        "alice@@corp.ru",
        "alice@corp.example bob@corp.example",
        "x" * 250 + "@corp.example",
    ],
)
def test_what_is_not_one_address_is_invalid(text: str) -> None:
    verdict = check_email_syntax(text, POLICY)
    assert not verdict.ok
    assert verdict.problem is EmailProblem.INVALID


@pytest.mark.parametrize("address", ["someone@gmail.com", "someone@mail.ru", "someone@Yandex.RU"])
def test_free_mail_is_accepted_with_a_note(address: str) -> None:
    verdict = check_email_syntax(address, POLICY)
    assert verdict.ok
    assert verdict.free_mail


def test_uniqueness_ignores_letter_case() -> None:
    assert email_key("Alice@corp.example") == email_key("alice@CORP.example".lower())


def test_a_local_part_over_64_characters_is_refused() -> None:
    # RFC 5321: 64 characters before the @; email-validator's strict mode checks it.
    assert check_email_syntax("a" * 64 + "@corp.example", Policy()).ok
    assert not check_email_syntax("a" * 65 + "@corp.example", Policy()).ok
