"""The shape of the package: no import cycles, no oversized module, one public API, plugins
found through entry points (issue 11)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qual"
MAX_MODULE_LINES = 700


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _in_type_checking(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    while node in parents:
        node = parents[node]
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return True
    return False


def import_graph() -> dict[str, set[str]]:
    """Module -> the qual modules it imports (at module level or inside functions alike;
    imports under ``if TYPE_CHECKING:`` do not run and are left out)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if _in_type_checking(node, parents):
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - (node.level - 1)]
                    source = ".".join(base + ([node.module] if node.module else []))
                else:
                    source = node.module or ""
                for alias in node.names:
                    candidate = f"{source}.{alias.name}"
                    targets.append(candidate if candidate in modules else source)
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_no_import_cycles():
    cycles = find_cycles(import_graph())
    assert not cycles, "import cycles among qual modules:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_over_the_limit():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in _modules().items()}
    over = sorted((lines, name) for name, lines in sizes.items() if lines > MAX_MODULE_LINES)
    assert not over, f"modules over {MAX_MODULE_LINES} lines: {over}"


PUBLIC_NAMES = ["ingest", "deidentify", "check", "code", "build_matrix", "export_qdpx", "import_qdpx", "run",
                "Transcript", "Codebook", "Codings", "Analyzer"]


def test_public_api_resolves():
    import qual

    for name in PUBLIC_NAMES:
        assert name in qual.__all__, name
        assert getattr(qual, name) is not None, name


def test_import_qual_stays_light():
    # the public API must not pull in the heavy stacks at import time (qual check in CI starts fast)
    code = ("import sys, qual; heavy = [m for m in ('torch', 'sentence_transformers', 'bertopic', 'spacy', "
            "'pandas', 'docx', 'openpyxl') if m in sys.modules]; print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_a_recognizer_from_an_installed_package_is_found_and_used(tmp_path):
    # a tiny third-party package, installed beside qual (a dist-info with an entry point)
    package = tmp_path / "qual_demo_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent('''
        import re
        from qual.deid.recognizers import Recognizer
        from qual.deid.types import EntityType

        class CallSigns(Recognizer):
            """Staff radio call signs such as kestrel-purple-nine."""
            entity_types = frozenset({EntityType.CASE_NUMBER})

            def detect(self, doc):
                return [self.span(doc, m.start(), m.end(), EntityType.CASE_NUMBER, 0.9)
                        for m in re.finditer(r"\\b[a-z]+-[a-z]+-(?:one|two|three|nine)\\b", doc.text)]
    '''))
    info = tmp_path / "qual_demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: qual-demo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[qual_recognizers]\ndemo.call_signs = qual_demo_plugin:CallSigns\n")
    # the planted string is one that only the plugin finds: without it, nothing is found there
    code = textwrap.dedent('''
        from qual.deid import Analyzer
        from qual.deid.registry import default_recognizer_names
        text = "Her call sign is kestrel-purple-nine, she said."
        print(sorted({s.detector for s in Analyzer().analyze(text) if s.text == "kestrel-purple-nine"}))
        others = [name for name in default_recognizer_names() if name != "demo.call_signs"]
        print(len(Analyzer(recognizers=others).analyze(text)))
    ''')
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    found, without_plugin = result.stdout.splitlines()
    assert found == "['demo.call_signs']"
    assert without_plugin == "0"


def test_ingest_and_check_are_both_subpackages_and_functions(tmp_path):
    import qual
    import qual.check.scanner  # importing a submodule keeps the package callable  # noqa: F401

    sample = Path(__file__).resolve().parents[1] / "transcripts_sample" / "SWIS_TM03_interview.txt"
    clean = tmp_path / "clean.txt"
    clean.write_text("The meeting was on a Tuesday and it went well.\n", encoding="utf-8")
    assert len(qual.ingest([sample]).transcripts) == 1
    assert qual.check([clean]).exit_code == 0
    assert qual.check([sample]).exit_code == 1
    assert qual.check.check_paths is qual.check.check
