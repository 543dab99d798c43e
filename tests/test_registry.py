"""One registration convention for experiments and figures (coursegen/experiments/__init__.py):
every module of the package is imported in order of name, each contributes the kinds of
its module-level dict, the registry is sorted by kind, and a kind two modules define
stops the build naming both."""

import importlib
import inspect
import pkgutil
import sys

import pytest

from coursegen import experiments, figures
from coursegen.errors import BuildError
from coursegen.stages import registry


@pytest.mark.parametrize("package, attribute", [(experiments, "EXPERIMENTS"), (figures, "FIGURES")])
def test_the_registry_is_every_modules_dict_sorted_by_kind(package, attribute):
    found = {}
    for info in pkgutil.iter_modules(package.__path__):
        found |= getattr(importlib.import_module(f"{package.__name__}.{info.name}"), attribute, {})
    registered = getattr(package, attribute)
    assert registered == found and list(registered) == sorted(found)
    for kind, function in registered.items():
        assert getattr(inspect.getmodule(function), attribute)[kind] is function


def test_gd_registers_its_own_figures():
    from course.figures import gd

    assert gd.FIGURES == {
        "gd_animation": gd.gd_animation,
        "gd_regimes": gd.gd_regimes,
        "gd_votes": gd.gd_votes,
        "gd_sgd": gd.gd_sgd,
    }


def fake_package(tmp_path, monkeypatch, modules: dict[str, str]) -> list[str]:
    folder = tmp_path / "fakekinds"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))  # the fake modules are forgotten after the test
    return [str(folder)]


def test_modules_are_read_in_order_of_name_and_helpers_contribute_nothing(tmp_path, monkeypatch):
    path = fake_package(
        tmp_path,
        monkeypatch,
        {
            "b_module": "KINDS = {'zeta': len, 'alpha': abs}\n",
            "a_module": "KINDS = {'mid': min}\n",
            "helper": "VALUE = 1\n",
        },
    )
    assert list(registry.collect("fakekinds", path, "KINDS").items()) == [("alpha", abs), ("mid", min), ("zeta", len)]


def test_a_kind_defined_by_two_modules_names_both(tmp_path, monkeypatch):
    path = fake_package(
        tmp_path, monkeypatch, {"first": "KINDS = {'walk': len}\n", "second": "KINDS = {'walk': abs}\n"}
    )
    with pytest.raises(BuildError) as twice:
        registry.collect("fakekinds", path, "KINDS")
    message = str(twice.value)
    assert message.startswith("KINDS kind 'walk' is defined twice: in ")
    assert f"{path[0]}/first.py and in {path[0]}/second.py; rename one" in message
