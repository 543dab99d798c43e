"""Experiments: pure numpy functions of one parameter dataclass, returning named arrays.

No plotting and no files here; the pipeline caches and saves what these return. Each
experiment draws its randomness from seeds in its own parameters, so its results depend
on nothing else.

An experiment function takes a single argument, annotated with a frozen dataclass of
parameters (``parameters.params_type`` reads the annotation): every field has a default
and one of the types int, float, bool, str or a tuple of one of them, and a parameter
file may set any field. It returns ``dict[str, np.ndarray]``: identifier names, numeric
arrays, nothing NaN or infinite (``results.check``).

Registration, the same for experiments and figures: every module of the package is
imported, in order of name; a module contributes the kinds in its module-level dict,
here ``EXPERIMENTS = {"kind": function}`` (``FIGURES`` in ``coursegen.figures``); a kind
that two modules define is an error naming both. A module without the dict (a helper,
such as ``relu_kernel``) contributes nothing. So a new kind is a new module and no other
file changes: ``coursegen new experiment NAME`` writes one, with its test.
"""

from coursegen.registry import collect

EXPERIMENTS = collect(__name__, __path__, "EXPERIMENTS")
