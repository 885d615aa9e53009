"""What nbgrader's configuration outside a course folder sets: the machine's, the
environment's and the user's ``nbgrader_config.py`` (e.g. a shared hub's exchange).

nbgrader reads ``jupyter_config`` and ``nbgrader_config`` (``.py`` and ``.json``) from
Jupyter's configuration path (``~/.jupyter``, ``<sys.prefix>/etc/jupyter``,
``/usr/local/etc/jupyter``, ``/etc/jupyter``, ``JUPYTER_CONFIG_PATH``) and then the
course's own ``nbgrader_config.py`` from the folder it runs in, which wins. traitlets hands
each file a fresh ``c``, so a course file cannot see what the others set; it asks here,
and leaves alone what a site configured (``nbgrader_config.py`` of this course).
"""

from __future__ import annotations

from pathlib import Path

from jupyter_core.paths import jupyter_config_dir, jupyter_config_path
from traitlets.config import Config
from traitlets.config.loader import (
    ConfigFileNotFound,
    JSONFileConfigLoader,
    PyFileConfigLoader,
)

CONFIG_NAMES = ("jupyter_config", "nbgrader_config")
LOADERS = ((PyFileConfigLoader, ".py"), (JSONFileConfigLoader, ".json"))  # .json wins


def site_config_folders(course_root: Path) -> list[Path]:
    """The folders nbgrader reads configuration from before the course's, highest
    priority first (as ``JupyterApp.config_file_paths``), without the course folder."""
    folders = jupyter_config_path()
    if jupyter_config_dir() not in folders:
        folders.insert(0, jupyter_config_dir())
    course = Path(course_root).resolve()
    return [Path(folder) for folder in folders if Path(folder).resolve() != course]


def site_config(course_root: Path) -> Config:
    """The settings of every nbgrader configuration file outside ``course_root``, merged
    in nbgrader's order (a user's file over the environment's over the machine's)."""
    merged = Config()
    for name in CONFIG_NAMES:
        for folder in reversed(site_config_folders(course_root)):
            for loader_class, suffix in LOADERS:
                loader = loader_class(name + suffix, path=str(folder))
                try:
                    merged.merge(loader.load_config())
                except ConfigFileNotFound:
                    continue
                except Exception:  # noqa: BLE001 - nbgrader reports a broken file and skips it
                    continue
    return merged
