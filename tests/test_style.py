"""The package's shape: ruff passes on it (lines <= 120, one statement per line, no unused imports, no undefined names),
no module is over 400 lines, no module imports another's private names, and no module imports a higher one (the spine
reads top to bottom in the notebooks' order)."""
import ast, re, shutil, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT

PKG = ROOT/'rnn_transfer'
MODULES = sorted(p for p in PKG.glob('*.py') if p.name not in ('_modidx.py',))
RULES = 'E501,E702,E703,F401,F821,F811'

def ruff():
    exe = Path(sys.executable).parent/'ruff'
    return str(exe) if exe.exists() else shutil.which('ruff')

def _is_nbdev_all(line:str) -> bool:
    "nbdev writes `__all__ = ` in front of names it wrapped at 120 columns, so that first line can be longer (nbdev's)."
    return line.startswith('__all__ = [')

def test_ruff_passes():
    exe = ruff()
    if exe is None: pytest.skip('ruff is not installed (pip install -e ".[dev]")')
    args = ['check', '--isolated', '--no-cache', '--select', RULES, '--line-length', '120', '--output-format', 'concise']
    r = subprocess.run([exe, *args, *map(str, MODULES)], capture_output=True, text=True)
    problems = []
    for l in r.stdout.splitlines():
        m = re.match(r'(.+?):(\d+):\d+: (\w+)', l)
        if not m: continue
        path, row, code = Path(m[1]), int(m[2]), m[3]
        if code == 'E501' and _is_nbdev_all(path.read_text().split('\n')[row - 1]): continue
        problems.append(l)
    assert not problems, '\n'.join(problems)

def test_module_sizes():
    big = {p.name: n for p in MODULES if (n := len(p.read_text().splitlines())) > 400}
    assert not big, big

def _imports(p:Path):
    "(module, names) of each `from .module import names` / `from rnn_transfer.module import names` in `p`."
    for node in ast.walk(ast.parse(p.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module.removeprefix('rnn_transfer.') if node.level == 0 else node.module
            if node.level or node.module.startswith('rnn_transfer.'): yield mod, [a.name for a in node.names]

def test_no_private_imports():
    bad = [f'{p.name}: {m}.{n}' for p in MODULES for m, names in _imports(p) for n in names if n.startswith('_')]
    assert not bad, bad

def _order() -> dict:
    "Each module's place in the spine: the number of the notebook it is exported from."
    out = {}
    for p in MODULES:
        m = re.search(r'\.\./nbs/(\d+)([a-z]?)_\w+\.ipynb', p.read_text())
        if m: out[p.stem] = (int(m[1]), m[2])
    return out

def test_imports_go_down_the_spine():
    order = _order()
    assert len(order) > 10, order
    bad = [f'{p.stem} imports {m}' for p in MODULES if p.stem in order for m, _ in _imports(p)
           if m in order and order[m] >= order[p.stem]]
    assert not bad, bad
