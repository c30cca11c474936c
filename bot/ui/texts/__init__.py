"""Texts per language. Handlers ask for a text by key; they hold no literal text."""

from __future__ import annotations

import enum
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale

from bot.ui.texts import en, ru

CATALOGS: Final[dict[str, dict[str, str]]] = {"ru": ru.CATALOG, "en": en.CATALOG}
LANGUAGES: Final = tuple(CATALOGS)
DEFAULT_LANGUAGE: Final = "en"
# Where a person reaches a human (SUPPORT_CONTACT): filled into every `{support}`.
DEFAULT_SUPPORT_CONTACT: Final = "support@mcs.mail.ru"
# R17: these Telegram language codes get Russian; everyone else English.
_RUSSIAN_SPEAKING = frozenset({"ru", "uk", "be", "kk"})


_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """A message's HTML as the person reads it in a client: tags gone, entities decoded."""
    return html.unescape(_TAG.sub("", text))


def language_for(telegram_language_code: str | None) -> str:
    code = (telegram_language_code or "").split("-")[0].lower()
    return "ru" if code in _RUSSIAN_SPEAKING else DEFAULT_LANGUAGE


class Html(str):
    """A parameter that is already HTML and must not be escaped again."""

    __slots__ = ()


@dataclass(frozen=True)
class Texts:
    language: str
    support: str = DEFAULT_SUPPORT_CONTACT

    def __call__(self, key: str, **params: object) -> str:
        """The text for `key`, with every parameter HTML-escaped unless marked Html.
        `{support}` is the support contact of the settings, wherever it appears."""
        template = CATALOGS[self.language][key]
        if "{support}" in template:
            params.setdefault("support", self.support)
        if not params:
            return template
        escaped = {
            name: value if isinstance(value, Html) else html.escape(str(value), quote=True)
            for name, value in params.items()
        }
        return template.format(**escaped)

    def of(self, family: str, member: enum.Enum | str, **params: object) -> str:
        """The text of one member of a family of texts: `family.value`, e.g. the
        reason of a refusal (`phone_refused`, PhoneProblem.LANDLINE). Every family
        and its members are in bot/ui/families.py, and a test checks each has a text
        in both catalogs."""
        value = member.value if isinstance(member, enum.Enum) else member
        return self(f"{family}.{value}", **params)

    def raw(self, key: str, **params: object) -> str:
        """The text for a message sent without markup: parameters are not escaped."""
        template = CATALOGS[self.language][key]
        if "{support}" in template:
            params.setdefault("support", self.support)
        return template.format(**params)

    def count(self, n: int, unit: str) -> str:
        """`n` with the word of `unit` in the right plural form ("24 hours", "24 часа"),
        by the CLDR plural rules of the language (Babel): the catalog's unit lists the
        forms in the order of `_PLURAL_FORMS`."""
        forms = self.of("unit", unit).split("|")
        order = _PLURAL_FORMS[self.language]
        form = _LOCALES[self.language].plural_form(n)
        word = forms[order.index(form)] if form in order else forms[-1]
        return f"{self.number(n)} {word}"

    def number(self, n: int) -> str:
        """Thousands grouped as each language writes them: 20,000 / 20 000."""
        grouped = f"{n:,}"
        return grouped.replace(",", "\u00a0") if self.language == "ru" else grouped

    def money(self, kopecks: int) -> str:
        """Rubles with the sign; kopecks only when there are any."""
        rubles, rest = divmod(kopecks, 100)
        text = self.number(rubles)
        if rest:
            text += ("," if self.language == "ru" else ".") + f"{rest:02d}"
        return f"{text}\u00a0₽"

    def amount(self, minor_units: int, currency: str) -> str:
        """An amount in any currency (a payment being checked): 5.00 USD."""
        whole, rest = divmod(minor_units, 100)
        separator = "," if self.language == "ru" else "."
        return f"{self.number(whole)}{separator}{rest:02d}\u00a0{currency}"

    def moment(self, when: datetime, zone: ZoneInfo, now: datetime) -> str:
        """A time as the person reads it, in the bot's time zone: "at 14:05 (MSK)",
        "tomorrow at 00:00 (MSK)", "on 3 December at 10:00 (MSK)"."""
        local, today = when.astimezone(zone), now.astimezone(zone).date()
        clock = f"{local:%H:%M}"
        zone_name = self._zone(local, zone)
        if local.date() == today:
            key, day = "moment.today", ""
        elif local.date() == today + timedelta(days=1):
            key, day = "moment.tomorrow", ""
        else:
            key = "moment.day"
            day = f"{local.day} {self('month_names').split('|')[local.month - 1]}"
        return self(key, time=clock, day=day, zone=zone_name)

    def date_time(self, when: datetime, zone: ZoneInfo) -> str:
        """A moment written out in full, for a text read later (an email): "on 3
        December at 10:00 Moscow time"."""
        local = when.astimezone(zone)
        day = f"{local.day} {self('month_names').split('|')[local.month - 1]}"
        return self("moment.day", time=f"{local:%H:%M}", day=day, zone=self._zone(local, zone))

    def _zone(self, local: datetime, zone: ZoneInfo) -> str:
        return self("moscow_time") if zone.key == "Europe/Moscow" else _zone_label(local)

    def duration(self, seconds: int) -> str:
        if seconds >= 3600 and seconds % 3600 == 0:
            return self.count(seconds // 3600, "hours")
        if seconds >= 60 and seconds % 60 == 0:
            return self.count(seconds // 60, "minutes")
        return self.count(seconds, "seconds")


# The plural categories each catalog's units give, in order (CLDR: one, few, many, ...).
_PLURAL_FORMS: Final = {"en": ("one", "other"), "ru": ("one", "few", "many")}
_LOCALES: Final = {language: Locale.parse(language) for language in CATALOGS}


def _zone_label(local: datetime) -> str:
    name = local.tzname() or ""
    # Zones without a letter abbreviation name themselves as "+05".
    return f"(UTC{name})" if name[:1] in "+-" else f"({name})"


def texts_for(language: str, support: str = DEFAULT_SUPPORT_CONTACT) -> Texts:
    return Texts(language if language in CATALOGS else DEFAULT_LANGUAGE, support)
