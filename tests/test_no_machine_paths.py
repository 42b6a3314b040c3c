"""No committed text holds an absolute path of the machine it was made on.

README.md, every file under nbs/ (saved notebook outputs included) and bench/results/ are searched for:
the repository's parent folder, `/root/`, the current user's home folder and the temp folder.
Write paths relative to the repository instead (`rnn_transfer/samples/imdb`, `../shared/data`, `~/runs/x`, `…/x`).
"""
import json, re, tempfile
from pathlib import Path
from conftest import ROOT

SEARCHED = [ROOT/'README.md', ROOT/'nbs', ROOT/'bench'/'results']
START = r'(?:(?<![\w.~/$-])|(?<=://))'   # a path starts where no path character comes before it, or after `file://`
TMP = str(Path(tempfile.gettempdir())).rstrip('/')

def _folder(p):
    "A pattern for folder `p` itself or anything inside it; None for the filesystem root."
    p = str(p).rstrip('/')
    return re.compile(START + re.escape(p) + r'(?![\w.-])') if p else None

def _parent():
    "The repository's parent folder; None when it is (or holds) the temp folder, which its own pattern covers."
    parent = str(ROOT.parent).rstrip('/')
    return None if not parent or (TMP + '/').startswith(parent + '/') else _folder(parent)

def patterns() -> dict:
    "What is searched for: a name for the report, and its pattern."
    pats = {'repository parent': _parent(), '/root/': re.compile(START + '/root/'),
            'home folder': _folder(Path.home()), 'temp folder': re.compile(START + re.escape(TMP) + r'/[\w.~-]')}
    return {k: v for k, v in pats.items() if v is not None}

# In a notebook's code, a literal such as '/tmp/unused' is code, not a record of this machine. A folder that
# tempfile.mkdtemp() made is: 'tmp' or a prefix ending in '-' or '_', then 8 random characters.
MKDTEMP = re.compile(START + re.escape(TMP) + r'/(?:tmp|[\w.-]*[-_])[a-z0-9_]{8}(?![\w.-])')

def _code_lines(f:Path) -> set:
    "Every source line of a notebook's code cells."
    try: nb = json.loads(f.read_text(encoding='utf-8'))
    except (ValueError, UnicodeDecodeError): return set()
    out = set()
    for c in nb.get('cells', []):
        if c.get('cell_type') != 'code': continue
        src = c.get('source', [])
        out.update(src.splitlines(keepends=True) if isinstance(src, str) else src)
    return out

def _json_string(line:str):
    "The string that one line of a notebook's JSON holds, or None."
    try: v = json.loads(line.strip().rstrip(','))
    except ValueError: return None
    return v if isinstance(v, str) else None

def _files() -> list:
    return [f for p in SEARCHED for f in ([p] if p.is_file() else sorted(p.rglob('*')))
            if f.is_file() and '.ipynb_checkpoints' not in f.parts]

def hits(files=None) -> list:
    "(file, line number, what was found, the line) for every line with a machine path."
    pats, out = patterns(), []
    for f in _files() if files is None else files:
        code = _code_lines(f) if f.suffix == '.ipynb' else set()
        for i, line in enumerate(f.read_bytes().decode('utf-8', errors='replace').splitlines(), 1):
            found = [k for k, p in pats.items() if p.search(line)]
            if found == ['temp folder'] and _json_string(line) in code and not MKDTEMP.search(line): continue
            if found: out.append((f, i, ', '.join(found), line.strip()))
    return out

def test_search_catches_machine_paths_not_code(tmp_path):
    "Printed temp folders and absolute paths are caught; code that names a scratch folder is not."
    code = ["with tempfile.TemporaryDirectory() as d:\n", f"    main(['--out', '{TMP}/unused'])"]
    printed = [f"saved -> {TMP}/tut-trec-1vdoqc5k/trec-lm\n"]
    text = [f"`--data-dir {ROOT.parent}/shared/data`, `--lm ~/runs/x`, `../shared/data`"]
    nb = {'cells': [{'cell_type': 'code', 'source': code, 'outputs': [{'output_type': 'stream', 'text': printed}]},
                    {'cell_type': 'markdown', 'source': text}]}
    f = tmp_path/'x.ipynb'
    f.write_text(json.dumps(nb, indent=1))
    found = [(what, line) for _, _, what, line in hits([f])]
    parent = 'repository parent' if 'repository parent' in patterns() else 'temp folder'   # a clone under /tmp
    assert len(found) == 2 and 'temp folder' in found[0][0] and parent in found[1][0], found
    assert 'tut-trec-1vdoqc5k' in found[0][1] and 'shared/data' in found[1][1]
    g = tmp_path/'y.md'
    g.write_text(f"d = tempfile.mkdtemp()\nsaved in {TMP}/tmpa1b2c3d4\n")
    assert [i for _, i, _, _ in hits([g])] == [2]

def test_no_machine_paths():
    found = [f"{f.relative_to(ROOT)}:{i}: {what}: {line[:160]}" for f, i, what, line in hits()]
    assert not found, f"{len(found)} line(s) with an absolute path of this machine:\n" + '\n'.join(found)
