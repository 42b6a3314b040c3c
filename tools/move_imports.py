"""Rewrite `from rnn_transfer.X import a, b` statements to import each name from the module that defines it now.

Usage: python tools/move_imports.py FILE...   (.py or .ipynb; notebooks are edited cell by cell)"""
import importlib, json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p.stem for p in (ROOT/'rnn_transfer').glob('*.py') if not p.stem.startswith('_'))

def homes() -> dict:
    "Each public name of the package and the module that defines it (its `__all__`)."
    out = {}
    for m in MODULES:
        mod = importlib.import_module(f'rnn_transfer.{m}')
        for n in getattr(mod, '__all__', []): out.setdefault(n, m)
    return out

HOME = homes()
PAT = re.compile(r'^(?P<ind>[ \t]*)from rnn_transfer\.(?P<mod>\w+) import (?P<names>\([^)]*\)|[^\n]*)', re.M)

def _rewrite(m):
    ind, mod, names = m['ind'], m['mod'], m['names']
    comment = ''
    if '#' in names and not names.startswith('('): names, comment = names.split('#', 1)[0], '  #' + names.split('#', 1)[1]
    items = [n.strip() for n in names.strip('()').replace('\n', ' ').split(',') if n.strip()]
    groups = {}
    for it in items:
        name = it.split(' as ')[0].strip()
        groups.setdefault(HOME.get(name, mod), []).append(it)
    if list(groups) == [mod]: return m.group(0)
    lines = [f"{ind}from rnn_transfer.{k} import {', '.join(v)}" for k, v in groups.items()]
    return '\n'.join(lines) + comment

def rewrite(src:str) -> str: return PAT.sub(_rewrite, src)

for f in map(Path, sys.argv[1:]):
    if f.suffix == '.ipynb':
        nb = json.loads(f.read_text())
        changed = False
        for c in nb['cells']:
            s = ''.join(c['source']); new = rewrite(s)
            if new != s:
                lines = new.split('\n'); c['source'] = [l + '\n' for l in lines[:-1]] + [lines[-1]]; changed = True
        if changed: f.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    else:
        s = f.read_text(); new = rewrite(s)
        if new != s: f.write_text(new)
    print(f)
