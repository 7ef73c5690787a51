"""The package's import structure, read from the source (imports inside functions included): no
module imports itself round a cycle, and the packages depend in one direction, in the order
data flows (LAYERS, lowest first): a package imports only packages listed before it. The root
``mrai`` (the version and the lazy public API) stands above them all."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mrai"

LAYERS = (
    "mrai.errors", "mrai.limits", "mrai.version", "mrai.metrics", "mrai.output",   # leaves
    "mrai.physics",                                   # Echo/Anti-Echo, time grids, NUS
    "mrai.fileio",                                    # NMRPipe and raw data, headers
    "mrai.process",                                   # nmrPipe-style processing
    "mrai.simulate",                                  # simulated spectra
    "mrai.methods",                                   # IST, the table of methods
    "mrai.runtime",                                   # the networks without Keras
    "mrai.uncertainty",                               # sigma statistics, hold-out
    "mrai.nn",                                        # the networks in Keras, training
    "mrai.reconstruction",                            # running the table's methods
    "mrai.planes", "mrai.distributed",                # plane by plane, here or on Dask
    "mrai.plots", "mrai.demo", "mrai.api",
    "mrai.cli", "mrai.__main__",
)


def modules():
    """{module name: path} for every module of the package."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def imports(path, known):
    """The mrai modules ``path`` imports anywhere in it (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # ``from mrai.x import y``: the module mrai.x.y when it is one, else mrai.x
            names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known
                     else node.module for a in node.names]
        else:
            continue
        for name in names:
            while name not in known and "." in name:
                name = name.rsplit(".", 1)[0]
            if name.startswith("mrai") and name in known:
                found.add(name)
    return found


def graph():
    known = modules()
    return {name: imports(path, known) - {name} for name, path in known.items()}


def package(module):
    return ".".join(module.split(".")[:2])


def test_no_import_cycle():
    g = graph()
    done, path, cycles = set(), [], []

    def visit(node):
        if node in path:
            cycles.append(path[path.index(node):] + [node])
            return
        if node in done:
            return
        path.append(node)
        for child in sorted(g.get(node, ())):
            visit(child)
        path.pop()
        done.add(node)

    for node in sorted(g):
        visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles[:5])


def test_packages_import_only_layers_below_them():
    rank = {name: i for i, name in enumerate(LAYERS)}
    g = graph()
    unlisted = {package(m) for m in g if m != "mrai"} - set(rank)
    assert not unlisted, f"packages missing from LAYERS: {sorted(unlisted)}"
    upward = sorted({(package(m), package(d)) for m, deps in g.items() if m != "mrai"
                     for d in deps if d != "mrai" and package(d) != package(m)
                     and rank[package(d)] > rank[package(m)]})
    assert not upward, "imports of a layer above: " + ", ".join(f"{a} -> {b}" for a, b in upward)
