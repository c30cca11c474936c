"""Money (R9-R11): typed amounts, ranges, and how amounts are shown."""

from __future__ import annotations

import pytest

from bot.domain.money import AmountProblem, Balance, parse_rubles, rubles
from bot.domain.policy import Policy, PolicyError
from bot.ui.texts import texts_for


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("1500", 1500),
        ("1 500", 1500),
        ("1\u00a0500", 1500),
        ("1500 ₽", 1500),
        ("1500₽", 1500),
        ("1 500 руб.", 1500),
        ("1500 рублей", 1500),
        ("1500 rub", 1500),
        ("  300 RUB ", 300),
        ("20 000", 20000),
    ],
)
def test_whole_rubles_with_spaces_and_a_currency_word_are_read(typed: str, value: int) -> None:
    verdict = parse_rubles(typed, 100, 20000)
    assert verdict.ok
    assert verdict.rubles == value


@pytest.mark.parametrize("typed", ["abc", "1,500", "", "₽", "1500 euro", "15 00 00 rub 1", "-"])
def test_anything_else_is_not_an_amount(typed: str) -> None:
    assert parse_rubles(typed, 0, 10**9).problem is AmountProblem.NOT_A_NUMBER


@pytest.mark.parametrize("typed", ["-5", "−5 ₽", "- 1500", "-1500,50"])
def test_a_negative_amount_is_told_apart_from_text(typed: str) -> None:
    assert parse_rubles(typed, 0, 10**9).problem is AmountProblem.NEGATIVE


@pytest.mark.parametrize("typed", ["1500.50", "1500,5", "1 500,00 ₽"])
def test_kopecks_are_told_apart_from_text(typed: str) -> None:
    assert parse_rubles(typed, 0, 10**9).problem is AmountProblem.FRACTION


@pytest.mark.parametrize(
    ("typed", "ok"), [("99", False), ("100", True), ("20000", True), ("20001", False)]
)
def test_the_range_includes_both_ends(typed: str, ok: bool) -> None:
    verdict = parse_rubles(typed, 100, 20000)
    assert verdict.ok is ok
    if not ok:
        assert verdict.problem is AmountProblem.OUT_OF_RANGE
        assert verdict.rubles == int(typed)  # said back to the person


def test_the_balance_is_money_plus_bonus_points_one_point_one_ruble() -> None:
    balance = Balance(money_kopecks=rubles(500), bonus_kopecks=rubles(3000))
    assert balance.total_kopecks == rubles(3500)
    assert balance.bonus_points == 3000


def test_amounts_are_shown_in_each_languages_way() -> None:
    assert texts_for("en").money(rubles(20000)) == "20,000\u00a0₽"
    assert texts_for("ru").money(rubles(20000)) == "20\u00a0000\u00a0₽"
    assert texts_for("en").money(50050) == "500.50\u00a0₽"
    assert texts_for("ru").money(50050) == "500,50\u00a0₽"


def test_the_card_check_can_never_be_set_above_500_rubles() -> None:
    with pytest.raises(PolicyError):
        Policy(card_check_amount_rub=501)


def test_corporate_domains_on_the_list_skip_the_card_whatever_the_case() -> None:
    policy = Policy(card_exempt_email_domains=frozenset({"bigcorp.ru"}))
    assert policy.is_card_exempt("CTO@BigCorp.ru")
    assert not policy.is_card_exempt("cto@bigcorp.ru.evil.com")
