"""R2: the password rules, and the project's definition of a repeating group."""

from __future__ import annotations

import pytest

from bot.domain.passwords import PasswordRule, check_password, has_repeating_group
from bot.domain.policy import PASSWORD_SYMBOLS_IN_ORDER, Policy

POLICY = Policy()


def failures(password: str) -> set[PasswordRule]:
    return set(check_password(password, POLICY).failures)


def test_an_ordinary_strong_password_is_accepted() -> None:
    assert check_password("Passw0rd-Tree", POLICY).ok


def test_the_seeds_example_is_refused_for_the_repetition() -> None:
    assert PasswordRule.REPEATING_GROUP in failures("aaa123123123")


def test_the_seeds_example_with_an_upper_case_letter_is_still_refused() -> None:
    assert failures("Aaa123123123") == {PasswordRule.REPEATING_GROUP}


def test_seven_characters_are_too_short_and_eight_are_enough() -> None:
    shortest = "Ab1" + "cdefgh"[: POLICY.password_min_length - 3]
    assert len(shortest) == POLICY.password_min_length
    assert check_password(shortest, POLICY).ok
    assert failures(shortest[:-1]) == {PasswordRule.TOO_SHORT}


def test_a_refusal_names_every_rule_that_failed() -> None:
    assert failures("aaa") == {
        PasswordRule.TOO_SHORT,
        PasswordRule.NO_UPPER,
        PasswordRule.NO_DIGIT_OR_SYMBOL,
        PasswordRule.REPEATING_GROUP,
    }


@pytest.mark.parametrize("symbol", list(PASSWORD_SYMBOLS_IN_ORDER))
def test_each_symbol_of_the_set_counts_instead_of_a_digit(symbol: str) -> None:
    assert check_password(f"Abcdefg{symbol}", POLICY).ok


def test_a_digit_counts_without_any_symbol() -> None:
    assert check_password("Abcdefg7", POLICY).ok


@pytest.mark.parametrize("symbol", ["<", ">", '"', "'", "§", "№", "€"])
def test_a_symbol_outside_the_set_neither_counts_nor_is_allowed(symbol: str) -> None:
    assert failures(f"Abcdefg{symbol}") == {
        PasswordRule.NO_DIGIT_OR_SYMBOL,
        PasswordRule.FORBIDDEN_CHARACTERS,
    }


def test_cyrillic_letters_are_not_latin_letters() -> None:
    assert failures("Пароль-надёжный1") >= {PasswordRule.NO_UPPER, PasswordRule.NO_LOWER}
    assert PasswordRule.FORBIDDEN_CHARACTERS in failures("Пароль-надёжный1")


def test_a_cyrillic_letter_among_latin_ones_is_refused() -> None:
    assert failures("Strongпass-1") == {PasswordRule.FORBIDDEN_CHARACTERS}


def test_a_space_is_refused() -> None:
    assert failures("Strong pass-1") == {PasswordRule.FORBIDDEN_CHARACTERS}


def test_upper_and_lower_case_are_both_needed() -> None:
    assert failures("strong-pass-1") == {PasswordRule.NO_UPPER}
    assert failures("STRONG-PASS-1") == {PasswordRule.NO_LOWER}


@pytest.mark.parametrize("password", ["Passw0rd-Tree", "Bookkeeper-1", "Abcabc-17", "Aa-Bb-Cc-11"])
def test_doubled_characters_and_groups_seen_twice_are_fine(password: str) -> None:
    assert check_password(password, POLICY).ok


@pytest.mark.parametrize(
    "password",
    ["Paaass-word1", "Strong-111-x", "Xy-abcabcabc-1", "Q1-ababab", "Zz-AbAbAb-9", "Tt---Strong9"],
)
def test_three_in_a_row_of_a_character_or_a_group_is_a_repeating_group(password: str) -> None:
    assert failures(password) == {PasswordRule.REPEATING_GROUP}


def test_repetition_is_compared_without_letter_case() -> None:
    assert has_repeating_group("aAa")
    assert has_repeating_group("abABab")


def test_a_very_long_text_is_refused_as_too_long_without_costly_checks() -> None:
    assert failures("Ab1-" * 1024) == {PasswordRule.TOO_LONG}
