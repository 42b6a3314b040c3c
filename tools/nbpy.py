"""Edit notebooks as text: `python tools/nbpy.py dump nbs/00_data.ipynb > x.py`, edit, `python tools/nbpy.py load x.py nbs/00_data.ipynb`.

Cells are separated by `# %% [code|markdown] id=<cell id>` lines (write `id=new` for a new cell);
markdown cells are stored verbatim (no comment prefix). Outputs of unchanged code cells are kept.
Run `nbdev-clean` and `nbdev-export` afterwards."""
import json, sys, re, uuid

def dump(nb_path):
    import os
    if os.path.exists(nb_path): nb = json.load(open(nb_path))
    else:  # a new notebook: metadata of a sibling
        sib = sorted(f for f in os.listdir(os.path.dirname(nb_path) or '.') if f.endswith('.ipynb'))[0]
        nb = {**json.load(open(os.path.join(os.path.dirname(nb_path) or '.', sib))), 'cells': []}
    out = []
    for c in nb['cells']:
        out.append(f"# %% [{c['cell_type']}] id={c.get('id', 'new')}\n" + ''.join(c['source']).rstrip('\n') + '\n')
    sys.stdout.write('\n'.join(out))

def load(py_path, nb_path):
    import os
    if os.path.exists(nb_path): nb = json.load(open(nb_path))
    else:  # a new notebook: metadata of a sibling
        sib = sorted(f for f in os.listdir(os.path.dirname(nb_path) or '.') if f.endswith('.ipynb'))[0]
        nb = {**json.load(open(os.path.join(os.path.dirname(nb_path) or '.', sib))), 'cells': []}
    old = {c.get('id'): c for c in nb['cells']}
    text = open(py_path).read()
    parts = re.split(r'^# %% \[(code|markdown)\] id=(\S+)\n', text, flags=re.M)
    cells = []
    for kind, cid, src in zip(parts[1::3], parts[2::3], parts[3::3]):
        src = src.rstrip('\n')
        lines = [l + '\n' for l in src.split('\n')]
        if lines: lines[-1] = lines[-1].rstrip('\n')
        if cid in old and old[cid]['cell_type'] == kind:
            c = old[cid]
            if ''.join(c['source']) != src and kind == 'code': c['outputs'], c['execution_count'] = [], None
            c['source'] = lines
        else:
            c = dict(cell_type=kind, id=uuid.uuid4().hex[:8], metadata={}, source=lines)
            if kind == 'code': c.update(outputs=[], execution_count=None)
        cells.append(c)
    nb['cells'] = cells
    json.dump(nb, open(nb_path, 'w'), indent=1, ensure_ascii=False); open(nb_path, 'a').write('\n')

if __name__ == '__main__':
    if sys.argv[1] == 'dump': dump(sys.argv[2])
    else: load(sys.argv[2], sys.argv[3])
