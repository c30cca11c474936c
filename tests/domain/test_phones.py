"""R6: which numbers are accepted, and why the others are not."""

from __future__ import annotations

import pytest

from bot.domain.phones import (
    PhoneProblem,
    classify_phone,
    display_phone,
    looks_like_phone_number,
)

MOBILE = "+79161234567"


@pytest.mark.parametrize(
    "typed",
    [
        "+7 916 123-45-67",
        "8 (916) 123 45 67",
        "9161234567",
        "79161234567",
        "+79161234567",
        "89161234567",
        "8-916-123-45-67",
        "+7(916)1234567",
        "916 123 45 67",
        "  +7 916 123 45 67  ",
        "+7.916.123.45.67",
    ],
)
def test_common_ways_of_typing_a_russian_mobile_give_one_e164_number(typed: str) -> None:
    verdict = classify_phone(typed)
    assert verdict.ok
    assert verdict.e164 == MOBILE


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("+7 999 123 45 67", "+79991234567"),
        ("8 958 123-45-67", "+79581234567"),
        ("+7 977 000 11 22", "+79770001122"),
    ],
)
def test_other_russian_mobile_ranges_are_accepted(typed: str, e164: str) -> None:
    assert classify_phone(typed).e164 == e164


@pytest.mark.parametrize("shared", ["79161234567", "+79161234567"])
def test_a_shared_contact_counts_with_or_without_the_plus(shared: str) -> None:
    assert classify_phone(shared, from_contact=True).e164 == MOBILE


def test_a_contact_without_plus_is_read_as_international_not_as_a_russian_number() -> None:
    # 44... from a contact is a British number, not a mistyped Russian one.
    verdict = classify_phone("447911123456", from_contact=True)
    assert verdict.problem is PhoneProblem.FOREIGN


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("+7 701 123 4567", PhoneProblem.KAZAKHSTAN),
        ("87011234567", PhoneProblem.KAZAKHSTAN),
        ("+7 727 258 2222", PhoneProblem.KAZAKHSTAN),
        ("+7 600 123 4567", PhoneProblem.KAZAKHSTAN),  # 6xx: Kazakh even if unlisted
        ("+44 7911 123456", PhoneProblem.FOREIGN),
        ("+380 50 123 4567", PhoneProblem.FOREIGN),
        ("+1 650 253 0000", PhoneProblem.FOREIGN),
        ("+375 29 123 45 67", PhoneProblem.FOREIGN),
        ("+7 495 123-45-67", PhoneProblem.LANDLINE),
        ("84951234567", PhoneProblem.LANDLINE),
        ("+7 4012 123456", PhoneProblem.LANDLINE),
        ("8 800 555-35-35", PhoneProblem.TOLL_FREE),
        ("+7 800 555 35 35", PhoneProblem.TOLL_FREE),
        ("+7 809 123 4567", PhoneProblem.NOT_MOBILE),  # premium rate
        ("12345", PhoneProblem.INVALID),
        ("+7 916 123 45", PhoneProblem.INVALID),
        ("+7 916 123 45 67 89", PhoneProblem.INVALID),
        ("hello", PhoneProblem.NOT_A_NUMBER),
        ("call me at 9161234567", PhoneProblem.NOT_A_NUMBER),
        ("+7 916 123-45-6seven", PhoneProblem.NOT_A_NUMBER),
        ("", PhoneProblem.NOT_A_NUMBER),
        ("()-+", PhoneProblem.NOT_A_NUMBER),
        ("9" * 41, PhoneProblem.NOT_A_NUMBER),
    ],
)
def test_refused_numbers_each_have_their_reason(typed: str, problem: PhoneProblem) -> None:
    verdict = classify_phone(typed)
    assert not verdict.ok
    assert verdict.e164 is None
    assert verdict.problem is problem


def test_a_kazakh_contact_without_plus_is_refused_as_kazakh() -> None:
    assert classify_phone("77011234567", from_contact=True).problem is PhoneProblem.KAZAKHSTAN


def test_numbers_are_shown_the_way_people_write_them() -> None:
    assert display_phone(MOBILE) == "+7 916 123-45-67"


def test_at_the_code_step_ten_digits_are_a_number_and_fewer_are_a_code() -> None:
    assert looks_like_phone_number("+7 999 765-43-21")
    assert looks_like_phone_number("9997654321")
    assert not looks_like_phone_number("123 456")
    assert not looks_like_phone_number("123456789")
