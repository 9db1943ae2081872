"""The channels of a site (several ``arxiv-digest`` entries): their names, their stores, and the checks that
keep their pages and stores apart and outside what MkDocs publishes."""

from __future__ import annotations

import posixpath
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c

from .config import DigestConfig


def data_dir(config: DigestConfig) -> str:
    """The store folder of a channel, relative to mkdocs.yml."""
    return config.data_dir or posixpath.join("data", config.prefix)


def channels(mkdocs_config: base.Config) -> list[DigestConfig]:
    """The options of every enabled arxiv-digest entry (channel) of a site, in plugin order."""
    configs = (getattr(plugin, "config", None) for plugin in mkdocs_config["plugins"].values())
    return [config for config in configs if isinstance(config, DigestConfig) and config.enabled]


def channel_name(config: DigestConfig) -> str:
    """How macros (``digests.<name>``) and the command line (``--channel``) call a channel."""
    return config.prefix or "main"


def check_paths(config: DigestConfig, config_dir: Path, docs_dir: str, site_dir: str) -> None:
    """The store and cache must live outside docs_dir and site_dir (else: published, or endless serve rebuilds)."""
    for option, value in (("data_dir", data_dir(config)), ("cache_dir", config.cache_dir)):
        path = (config_dir / value).resolve()
        for name, other in (("docs_dir", docs_dir), ("site_dir", site_dir)):
            other_path = Path(other).resolve()
            if path == other_path or other_path in path.parents:
                raise c.ValidationError(f"Plugin 'arxiv-digest' option '{option}': {value!r} lies inside "
                                        f"{name} ({other}); choose a folder outside it.")


def check_channels(configs: list[DigestConfig], config_dir: Path) -> None:
    """Channels (several ``arxiv-digest`` entries of one site) must not share pages or a store."""
    seen: dict[str, dict[object, int]] = {"prefix": {}, "data_dir": {}}
    for number, config in enumerate(configs, 1):
        # The name counts as the prefix: a channel under "main/" would share its name with the root channel.
        values = [("prefix", config.prefix, config.prefix), ("prefix", channel_name(config), channel_name(config)),
                  ("data_dir", (config_dir / data_dir(config)).resolve(), data_dir(config))]
        for option, value, shown in values:
            if seen[option].get(value, number) != number:
                raise c.ValidationError(
                    f"Plugin 'arxiv-digest' option '{option}': channels {seen[option][value]} and {number} (in plugin "
                    f"order) both use {shown!r}; give each channel its own {option}.")
            seen[option][value] = number
