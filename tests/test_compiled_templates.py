"""Compiled Jinja templates kept in the cache (coursegen.site.compiled_templates): a warm
build compiles no template file again, yet an edited template is compiled anew and a
damaged compiled file costs nothing but its compilation."""

import jinja2
import pytest

from coursegen.course import GENERATOR_TEMPLATES

from conftest import make_mini_checkout, run_cli, tree_bytes

OVERRIDE = '{% extends "base.html" %}\n{% block footer %}<p>{{ "footer %s" % "WORDING" }}</p>{% endblock %}\n'


def compiled_files(root):
    return sorted((root / ".cache" / "coursegen" / "templates").glob("*.jinja"))


def build(root, monkeypatch) -> list[str]:
    """The site, built in this process; the template files and figure texts Jinja
    compiled meanwhile in an environment that keeps them (not those of Material's search
    plugin, which makes its own for its language strings)."""
    compiled = []
    compile_ = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        if self.bytecode_cache is not None:  # a template file, or a figure's caption or alt text
            compiled.append(name if filename is not None else f"string: {source[:40]}")
        return compile_(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    result = run_cli(root, "site", cache=None)
    monkeypatch.setattr(jinja2.Environment, "compile", compile_)
    assert result.returncode == 0, result.stderr
    return compiled


def test_a_warm_build_compiles_no_template_but_an_edited_one(tmp_path, monkeypatch):
    root = make_mini_checkout(tmp_path / "course")
    main = root / "site_src" / "overrides" / "main.html"  # a theme override: MkDocs' environment
    main.write_text(OVERRIDE.replace("WORDING", "first wording"))
    first = build(root, monkeypatch)
    assert "main.html" in first and "partials/macros.md" in first  # the theme's and the pages'
    assert any(name.startswith("string: ") for name in first)  # the figures' captions and alt texts
    assert len(compiled_files(root)) >= len(set(first))
    assert build(root, monkeypatch) == []
    assert "footer first wording" in (root / "site" / "index.html").read_text(encoding="utf-8")

    main.write_text(OVERRIDE.replace("WORDING", "second wording"))
    macros = root / "templates" / "partials" / "macros.md"  # the course's own, over the generator's
    macros.parent.mkdir(parents=True, exist_ok=True)
    macros.write_text(
        (GENERATOR_TEMPLATES / "partials" / "macros.md")
        .read_text(encoding="utf-8")
        .replace('solution "Solution"', 'solution "Answer"'),
        encoding="utf-8",
    )
    assert sorted(build(root, monkeypatch)) == ["main.html", "partials/macros.md"]
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "footer second wording" in page and "footer first wording" not in page
    assert "<summary>Answer</summary>" in (root / "site" / "mini" / "index.html").read_text(encoding="utf-8")


def test_damaged_compiled_templates_are_compiled_again(tmp_path, monkeypatch):
    root = make_mini_checkout(tmp_path / "course")
    first = build(root, monkeypatch)
    site = tree_bytes(root / "site")
    files = compiled_files(root)
    for k, path in enumerate(files):  # truncated, emptied, or other bytes altogether
        data = path.read_bytes()
        path.write_bytes((data[: len(data) // 2], b"", b"\x00not jinja at all")[k % 3])
    assert sorted(build(root, monkeypatch)) == sorted(first)
    assert tree_bytes(root / "site") == site
    assert build(root, monkeypatch) == []  # and they were written again


def test_a_sandboxed_environment_never_runs_code_compiled_outside_the_sandbox(tmp_path):
    """Jinja compiles a call differently in its sandbox (checked there at run time): a
    template that MkDocs' environment compiled is compiled again for the pages'."""
    from jinja2.sandbox import SandboxedEnvironment, SecurityError

    from coursegen.site.compiled_templates import CompiledTemplates

    def unsafe():
        return "ran"

    unsafe.unsafe_callable = True
    loader = jinja2.DictLoader({"page.html": "{{ unsafe() }}"})
    plain = jinja2.Environment(loader=loader, bytecode_cache=CompiledTemplates(tmp_path))
    assert plain.get_template("page.html").render(unsafe=unsafe) == "ran"
    sandboxed = SandboxedEnvironment(loader=loader, bytecode_cache=CompiledTemplates(tmp_path))
    with pytest.raises(SecurityError):
        sandboxed.get_template("page.html").render(unsafe=unsafe)


def test_code_compiled_by_another_coursegen_is_compiled_again(tmp_path, monkeypatch):
    """Jinja runs a filter of constants when it compiles ({{ 0.5 | num }} is compiled
    into its text): after an upgrade of coursegen, the page shows the new num's text."""
    from jinja2.sandbox import SandboxedEnvironment

    from coursegen.site.compiled_templates import CompiledTemplates
    from coursegen.stages import units

    def environment(shown: str) -> jinja2.Environment:
        env = SandboxedEnvironment(loader=jinja2.DictLoader({"page.md": "{{ 0.5 | num }}"}))
        env.bytecode_cache = CompiledTemplates(tmp_path)
        env.filters["num"] = lambda value: shown
        return env

    assert environment("old").get_template("page.md").render() == "old"
    assert environment("old").get_template("page.md").render() == "old"  # from the cache
    upgraded = (*units.generator_digests(), ("coursegen.site.pages", "0" * 64))
    monkeypatch.setattr(units, "generator_digests", lambda: upgraded)
    assert environment("new").get_template("page.md").render() == "new"
    assert environment("new").get_template("page.md").render() == "new"  # from the cache
    # and after an upgrade of a library whose filters a template may call (MkDocs, Material)
    from coursegen.stages import cache

    versions = {**cache.library_versions(), "mkdocs": "0.0"}
    monkeypatch.setattr(cache, "library_versions", lambda: versions)
    assert environment("newer").get_template("page.md").render() == "newer"
