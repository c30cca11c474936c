"""R6: which phone numbers are accepted, with `phonenumbers` (Google's libphonenumber data).

Only mobile numbers of the Russian Federation are accepted. Everything else is refused
with its own reason, because the person can act on each one differently: a Kazakh +7
number or a foreign one needs support, a landline or a toll-free number needs another
number, and text that is not a number needs retyping.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

# What a typed number may contain: digits and the usual separators. Anything else
# ("call me at ...", letters) is not a number, even if digits could be fished out of it.
_NUMBER_CHARACTERS = re.compile(r"[0-9+\-().\s]+")
_MAX_INPUT_LENGTH = 40
RUSSIA = "RU"


class PhoneProblem(enum.Enum):
    """Why a number is refused. The value is the key of the text that explains it."""

    NOT_A_NUMBER = "not_a_number"  # letters, emoji, nothing to dial
    INVALID = "invalid"  # looks like a number, but no such number exists
    KAZAKHSTAN = "kazakhstan"  # +7 6xx / 7xx: Kazakhstan shares Russia's country code
    FOREIGN = "foreign"  # another country
    LANDLINE = "landline"  # a fixed line: it cannot receive an SMS
    TOLL_FREE = "toll_free"  # 8-800: cannot receive an SMS
    NOT_MOBILE = "not_mobile"  # premium-rate, shared-cost and other non-mobile numbers


@dataclass(frozen=True)
class PhoneVerdict:
    e164: str | None = None
    problem: PhoneProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and self.e164 is not None


def classify_phone(text: str, *, from_contact: bool = False) -> PhoneVerdict:
    """R6: the E.164 form of an accepted number, or why it is refused.

    Typed numbers are read as Russian ones when they have no country code, so
    `8 (916) 123 45 67`, `9161234567` and `79161234567` all mean +7 916 123-45-67.
    A shared contact is always in international form; Telegram sends it with or
    without the leading `+`.
    """
    raw = text.strip()
    if not raw or len(raw) > _MAX_INPUT_LENGTH or not _NUMBER_CHARACTERS.fullmatch(raw):
        return PhoneVerdict(problem=PhoneProblem.NOT_A_NUMBER)
    if not any(ch.isdigit() for ch in raw):
        return PhoneVerdict(problem=PhoneProblem.NOT_A_NUMBER)
    if from_contact and not raw.startswith("+"):
        raw = "+" + raw
    try:
        number = phonenumbers.parse(raw, RUSSIA)
    except NumberParseException:
        return PhoneVerdict(problem=PhoneProblem.INVALID)

    national = str(number.national_number)
    if number.country_code == 7 and national[:1] in ("6", "7"):
        # Kazakhstan's whole numbering plan sits in +7 6xx and +7 7xx, including ranges
        # the metadata does not list yet: they are Kazakh, not mistyped Russian numbers.
        return PhoneVerdict(problem=PhoneProblem.KAZAKHSTAN)
    if not phonenumbers.is_valid_number(number):
        return PhoneVerdict(problem=PhoneProblem.INVALID)
    region = phonenumbers.region_code_for_number(number)
    if region == "KZ":
        return PhoneVerdict(problem=PhoneProblem.KAZAKHSTAN)
    if region != RUSSIA:
        return PhoneVerdict(problem=PhoneProblem.FOREIGN)

    kind = phonenumbers.number_type(number)
    if kind == PhoneNumberType.MOBILE:
        return PhoneVerdict(e164=phonenumbers.format_number(number, PhoneNumberFormat.E164))
    if kind == PhoneNumberType.TOLL_FREE:
        return PhoneVerdict(problem=PhoneProblem.TOLL_FREE)
    if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        # Russian metadata tells mobile and fixed ranges apart, so "fixed line or
        # mobile" does not occur for +7; if it ever does, an SMS cannot be promised.
        return PhoneVerdict(problem=PhoneProblem.LANDLINE)
    return PhoneVerdict(problem=PhoneProblem.NOT_MOBILE)


def looks_like_phone_number(text: str) -> bool:
    """At the code step: ten digits or more is a (corrected) phone number, not a code
    (codes have at most 9 digits by policy, and a Russian number has 10 after +7)."""
    return sum(ch.isdigit() for ch in text) >= 10 and len(text) <= _MAX_INPUT_LENGTH


def display_phone(e164: str) -> str:
    """The number as people write it: +7 916 123-45-67."""
    return phonenumbers.format_number(phonenumbers.parse(e164), PhoneNumberFormat.INTERNATIONAL)
