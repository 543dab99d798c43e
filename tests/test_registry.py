"""One registration convention for the course's code (coursegen/stages/registry.py): every
module of the course's ``course/`` folder is imported in order of name, each contributes
the kinds of its module-level dicts, each registry is sorted by kind, a kind two modules
define stops the build naming both, and another course's folder replaces the package."""

import importlib
import inspect
import pkgutil
import sys

import pytest

import course
from coursegen.errors import BuildError
from coursegen.stages import registry

from conftest import REPO


def test_the_registry_is_every_modules_dicts_sorted_by_kind():
    kinds = registry.kinds()
    assert kinds.folder == (REPO / "course").resolve()
    for attribute in registry.ATTRIBUTES:
        found = {}
        for info in pkgutil.walk_packages(course.__path__, "course."):
            found |= getattr(importlib.import_module(info.name), attribute, {})
        registered = getattr(kinds, attribute.lower())
        assert registered == found and list(registered) == sorted(found), attribute
        for kind, function in registered.items():
            assert getattr(inspect.getmodule(function), attribute)[kind] is function
    assert kinds.experiments and kinds.figures and kinds.summaries and kinds.notebooks


def test_gd_registers_its_own_figures():
    from course.figures import gd

    assert gd.FIGURES == {
        "gd_animation": gd.gd_animation,
        "gd_regimes": gd.gd_regimes,
        "gd_votes": gd.gd_votes,
        "gd_sgd": gd.gd_sgd,
    }


def test_the_generator_itself_registers_no_kind():
    """Every kind comes from the course: coursegen's own modules define none of the dicts."""
    import coursegen

    for info in pkgutil.walk_packages(coursegen.__path__, "coursegen."):
        if info.name.startswith("coursegen.tools") or info.name.endswith("__main__"):
            continue  # bench and handout import the course's code only when run; __main__ runs the CLI
        module = importlib.import_module(info.name)
        assert not [a for a in registry.ATTRIBUTES if hasattr(module, a)], info.name


def a_course(tmp_path, modules: dict[str, str]):
    folder = tmp_path / "other" / "course"
    for name, source in modules.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(source)
    return folder.parent


def test_modules_are_read_in_order_of_name_and_helpers_contribute_nothing(tmp_path):
    root = a_course(
        tmp_path,
        {
            "b_module.py": "FIGURES = {'zeta': len, 'alpha': abs}\n",
            "a_module.py": "FIGURES = {'mid': min}\nEXPERIMENTS = {'walk': max}\n",
            "helper.py": "VALUE = 1\n",
            "deep/__init__.py": "",
            "deep/inner.py": "SUMMARIES = {'sum': sum}\n",
        },
    )
    kinds = registry.load(root)
    assert list(kinds.figures.items()) == [("alpha", abs), ("mid", min), ("zeta", len)]
    assert kinds.experiments == {"walk": max} and kinds.summaries == {"sum": sum}
    assert sys.modules["course"].__path__ == [str(root / "course")]  # the other course's, not this one's
    assert "course.experiments" not in sys.modules  # this course's modules are forgotten
    assert registry.load(REPO).folder == (REPO / "course").resolve()


def test_a_kind_defined_by_two_modules_names_both(tmp_path):
    root = a_course(tmp_path, {"first.py": "FIGURES = {'walk': len}\n", "second.py": "FIGURES = {'walk': abs}\n"})
    with pytest.raises(BuildError) as twice:
        registry.load(root)
    message = str(twice.value)
    assert message.startswith("FIGURES kind 'walk' is defined twice: in ")
    assert message.endswith("/first.py and in " + str(root / "course" / "second.py") + "; rename one")


def test_a_worker_without_the_folder_loads_the_code_from_its_bytes(tmp_path):
    """What a Dask worker on another machine does: the course's files travel with the unit."""
    root = a_course(tmp_path, {"walks.py": "EXPERIMENTS = {'walk': len}\n"})
    code = registry.load(root).code
    moved = registry.Code(str(tmp_path / "elsewhere" / "course"), code.files)  # no such folder here
    registry.load(REPO)
    kinds = registry.ensure(moved)
    assert list(kinds.experiments) == ["walk"] and kinds.folder != root / "course"
    assert (kinds.folder / "walks.py").read_bytes() == (root / "course" / "walks.py").read_bytes()
