"""The course's code is imported as coursegen builds it: the package ``course``."""

from pathlib import Path

from coursegen.stages import registry

registry.load(Path(__file__).resolve().parents[1])
