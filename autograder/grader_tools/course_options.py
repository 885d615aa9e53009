"""The values the ``course`` command accepts: each option's unit, range and meaning.

Each range is an argparse ``type=``, so a bad value is rejected while the command line is
read, before any work starts, with one line naming the option, the value and what is
allowed (``OneLineParser``). A configurable class's settings become options through
``add_trait_options`` (``course grade``: ``CourseGrade``), and the class checks the same
ranges, so its configuration file and the Python API accept exactly what the command does.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from traitlets import Bool, HasTraits

SECONDS_IN_A_DAY = 86_400


@dataclass(frozen=True)
class NumberRange:
    """Allowed values of one numeric option: from ``low`` to ``high`` in ``unit`` (empty:
    a plain number, such as a share from 0 to 1).

    ``whole``: integers only. ``low_included``: False makes ``low`` itself not allowed
    (seconds "more than 0"). Called with the command line's text, it returns the number or
    raises ``argparse.ArgumentTypeError`` saying what is allowed.
    """

    unit: str
    low: float
    high: float
    whole: bool = True
    low_included: bool = True

    @property
    def allowed(self) -> str:
        """What is allowed, in words: "a whole number of seconds, from 1 to 86400"."""
        kind = "a whole number" if self.whole else "a number"
        kind += f" of {self.unit}" if self.unit else ""
        low, high = _number(self.low), _number(self.high)
        span = f"from {low} to {high}" if self.low_included else f"more than {low}, at most {high}"
        return f"{kind}, {span}"

    def problem(self, value: float) -> str | None:
        """Why ``value`` is not allowed, or None."""
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return f"{value!r} is not a number"
        too_low = value < self.low or (value == self.low and not self.low_included)
        if too_low or value > self.high:
            return f"{value:g} is out of range"
        if self.whole and value != int(value):
            return f"{value!r} is not a whole number"
        return None

    def __call__(self, text: str) -> int | float:
        try:
            value: float = int(text) if self.whole else float(text)
        except ValueError:
            value = math.nan
        if self.problem(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed: {self.allowed}")
        return value

    def check(self, option: str, value: float) -> None:
        """ValueError naming ``option`` if ``value`` is not allowed (for the Python API)."""
        problem = self.problem(value)
        if problem:
            raise ValueError(f"{option}: {problem}; allowed: {self.allowed}")


# jobs: one local worker process (nbgrader and a kernel) or one Dask task slot each.
JOBS = NumberRange("submissions", 1, 1000)
# Per cell (nbgrader's Execute.timeout, a whole number of seconds) and per submission.
CELL_TIMEOUT = NumberRange("seconds", 1, SECONDS_IN_A_DAY)
SUBMISSION_TIMEOUT = NumberRange("seconds", 0, SECONDS_IN_A_DAY, whole=False, low_included=False)
# An extension: more time for one student (0 removes it); a year at most.
EXTENSION_DAYS = NumberRange("days", 0, 365, whole=False)
EXTENSION_HOURS = NumberRange("hours", 0, 365 * 24, whole=False)
# Similar pairs: the share of each one's own code the other holds, and shared characters.
SIMILARITY_SHARE = NumberRange("", 0, 1, whole=False)
SHARED_CHARACTERS = NumberRange("characters", 0, 1_000_000)
# A kernel with NumPy needs about 200 MB of address space to start; 1 TiB is no limit.
MEMORY_LIMIT_MB = NumberRange("MB", 256, 1_048_576)


def _number(value: float) -> str:
    """``value`` as written on a command line: 86400, 0.5."""
    return str(int(value)) if value == int(value) else f"{value:g}"


def name(kind: str, forbidden: str = "/*?[") -> Callable[[str], str]:
    """An argparse type for a name (an assignment, a student id): not empty, no
    surrounding spaces, none of ``forbidden``, not starting with a dot."""

    def checked(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"no {kind} given (an empty name)")
        bad = sorted(set(forbidden) & set(text))
        if text != text.strip() or text.startswith(".") or bad:
            article = "an" if kind[0] in "aeiou" else "a"
            raise argparse.ArgumentTypeError(
                f"{text!r} is not allowed as {article} {kind}: a name without surrounding "
                f"spaces, a leading dot or any of {' '.join(forbidden)}"
            )
        return text

    checked.__name__ = kind.replace(" ", "_")
    return checked


# A Dask scheduler's address as ``distributed.Client`` takes it: [SCHEME://]HOST:PORT.
SCHEDULER_ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ucx|ws|wss)://)?(?:\[[0-9A-Fa-f:.]+\]|[^\s:/\[\]]+):(\d{1,5})"
)


def scheduler_address(text: str) -> str:
    """An argparse type for a Dask scheduler's address (tcp://host:8786)."""
    match = SCHEDULER_ADDRESS.fullmatch(text)
    if match is None or not 1 <= int(match.group(1)) <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a scheduler address: [tcp|tls|ucx|ws|wss://]HOST:PORT, "
            "e.g. tcp://10.0.0.5:8786"
        )
    return text


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose every error is one line, ``course: error: ...`` (status 2),
    pointing at the help instead of printing the usage."""

    def error(self, message: str) -> NoReturn:
        print(f"course: error: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


def option_help(what: str, allowed: NumberRange | None, default: str) -> str:
    """An option's help: what it sets, its unit and range (if it is a number), its default."""
    what = f"{what}: {allowed.allowed}" if allowed else what
    return f"{what} (default: {default})"


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def add_trait_options(parser: argparse.ArgumentParser, configurable: type[HasTraits]) -> None:
    """One option per setting of ``configurable`` (its ``config=True`` traits), named after
    it (``cell_timeout``: ``--cell-timeout``), its help, range and default from the trait
    and its tags (see ``grading_settings``). A Bool whose default is False is a switch
    that sets it (``--force``); one whose default is True, a switch that clears it
    (``--no-sandbox``). An option not given is left out of the result (``given_settings``),
    so the course's configuration, or else the trait's default, applies."""
    defaults = configurable()
    for name, trait in sorted(configurable.class_traits(config=True).items()):
        tags, value = trait.metadata, getattr(defaults, name)
        if isinstance(trait, Bool):
            flag = _flag(name) if not value else _flag(f"no_{name}")
            what = tags.get("flag_help", trait.help) if value else trait.help
            parser.add_argument(
                flag, dest=name, action="store_const", const=not value, default=None, help=what
            )
            continue
        allowed = tags.get("allowed")
        written = _number(value) if isinstance(value, int | float) else value
        shown = tags.get("default_help", "{}").format(written)
        parser.add_argument(
            _flag(name),
            dest=name,
            type=allowed or tags.get("parse", str),
            default=None,
            metavar=tags.get("metavar", name.upper()),
            help=option_help(trait.help, allowed, shown),
        )


def given_settings(args: argparse.Namespace, configurable: type[HasTraits]) -> dict[str, Any]:
    """The settings of ``configurable`` given on the command line, by trait name (keywords
    for ``configurable(config=..., **given)``: they win over the configuration)."""
    return {
        name: getattr(args, name)
        for name in configurable.class_traits(config=True)
        if getattr(args, name, None) is not None
    }
