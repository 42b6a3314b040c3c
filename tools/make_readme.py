"""Write README.md from nbs/index.ipynb.

nbdev-readme renders through Quarto, which cannot be installed from a package registry (its wheel downloads the
binary at build time); this does the same job for this project's index: markdown cells as they are, code cells as
fenced Python (nbdev directives removed, `#| hide` cells left out), text outputs as fenced blocks.
Usage: python tools/make_readme.py [--check]   (--check: exit 1 if README.md is out of date)
"""
import json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb, parts = json.loads(Path(nb_path).read_text(encoding='utf-8')), []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown': parts.append(src.strip()); continue
        lines = src.splitlines()
        if any(l.strip() in ('#| hide', '#|hide') for l in lines): continue
        code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip()
        if code: parts.append(f'```python\n{code}\n```')
        outs = ''.join(''.join(o.get('text', '')) if o.get('output_type') == 'stream' else ''.join(o.get('data', {}).get('text/plain', ''))
                       for o in c.get('outputs', []))
        if outs.strip(): parts.append(f'```\n{outs.rstrip()}\n```')
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py; edit the notebook, not this file -->\n\n' + '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    text, readme = render(), ROOT/'README.md'
    if '--check' in sys.argv: sys.exit(0 if readme.exists() and readme.read_text(encoding='utf-8') == text else 1)
    readme.write_text(text, encoding='utf-8')
