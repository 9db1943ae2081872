"""The plugin's basic option types (numbers within bounds, non-blank text, URLs), kept apart from the option
schema of :mod:`.config` so that schema stays one readable file."""

from __future__ import annotations

import re

from mkdocs.config import config_options as c


class Number(c.BaseConfigOption[float]):
    """A number within bounds (ints and floats accepted, booleans refused)."""

    def __init__(self, default: float, minimum: float = 0, maximum: float | None = None) -> None:
        super().__init__()
        self.default, self.minimum, self.maximum = default, minimum, maximum

    def run_validation(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise c.ValidationError(f"Expected a number, got {value!r}.")
        if value < self.minimum or (self.maximum is not None and value > self.maximum):
            bounds = (f"between {self.minimum} and {self.maximum}" if self.maximum is not None
                      else f"of at least {self.minimum}")
            raise c.ValidationError(f"Expected a number {bounds}, got {value!r}.")
        return value


class Integer(Number):
    """A whole number within bounds."""

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise c.ValidationError(f"Expected a whole number, got {value!r}.")
        return int(super().run_validation(value))


class Text(c.Type):
    """A non-blank string."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(str, **kwargs)

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value)
        if not value.strip():
            raise c.ValidationError("Expected a non-empty string.")
        return value.strip()


class URL(c.Type):
    """An http(s) URL; ``placeholders`` are the only ``{names}`` it may contain."""

    def __init__(self, default: str | None = None, placeholders: tuple[str, ...] = ()) -> None:
        super().__init__(str, default=default)
        self.placeholders = placeholders

    def run_validation(self, value: object) -> str:
        value = super().run_validation(value).strip()
        if not re.match(r"^https?://[^\s/?#]+", value):
            raise c.ValidationError(f"Expected an http:// or https:// URL, got {value!r}.")
        try:
            value.format(**{name: "x" for name in self.placeholders})
        except (KeyError, IndexError, ValueError):
            allowed = ", ".join(f"{{{p}}}" for p in self.placeholders) or "none"
            raise c.ValidationError(f"Unknown placeholder in {value!r} (allowed: {allowed}).") from None
        return value
