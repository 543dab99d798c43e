"""Experiments: pure numpy functions of one parameter dataclass, returning named arrays.

No plotting and no files here; the pipeline caches and saves what these return. Each
experiment draws its randomness from seeds in its own parameters, so its results depend
on nothing else.
"""

from coursegen.experiments import gd, relu

EXPERIMENTS = {**gd.EXPERIMENTS, **relu.EXPERIMENTS}
