"""Build the documentation site with MkDocs (Material theme + mkdocs-jupyter), offline, without Quarto.

    python tools/build_docs.py [--out DIR] [--src DIR] [--no-strict]

Stages a docs source folder (a temporary one, or --src DIR to keep it): `nbs/index.ipynb` as the home page, every
`nbs/*.ipynb` and `nbs/tutorials/*.ipynb` with their saved outputs (never executed), `bench/README.md` if it exists,
and one API page per module of the package (`api/<module>.md`: every name in its `__all__` with signature, docstring
and a table of parameters with their fastcore docments). Writes `mkdocs.yml` there, with the nav made from those
globs, and runs `mkdocs build --strict` into DIR (default `_site` in the repository). Exits non-zero on failure."""
import argparse, configparser, html, importlib, inspect, json, os, posixpath, pprint, re, shutil, subprocess, sys
import tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = 'rnn_transfer'
SKIP_MODULES = {'_modidx', '__init__', '__main__'}
NB_LINK = re.compile(r'\]\(\s*([^()\s#]+\.ipynb)(#[^()\s]*)?\s*\)')
ADDRESS = re.compile(r' at 0x[0-9a-fA-F]+')
DIRECTIVE = re.compile(r'^#\|.*(\n|$)', re.M)
HIDE = re.compile(r'^#\|\s*(hide|include:\s*false)\s*$', re.M)
EMPTY = inspect.Parameter.empty

# ---------------------------------------------------------------------------------------------------- sources

def module_names(root=ROOT):
    "The package's documented modules: every `<lib>/*.py` but `_modidx`, `__init__` and `__main__`."
    return sorted(p.stem for p in (root/LIB).glob('*.py') if p.stem not in SKIP_MODULES)

def notebook_pages(root=ROOT):
    "Map each source notebook to its path in the docs folder: index first, then `nbs/*.ipynb`, then tutorials."
    nbs = root/'nbs'
    pages = {nbs/'index.ipynb': 'index.ipynb'} if (nbs/'index.ipynb').exists() else {}
    for p in sorted(nbs.glob('*.ipynb')): pages.setdefault(p, p.name)
    for p in sorted(nbs.glob('tutorials/*.ipynb')): pages[p] = f'tutorials/{p.name}'
    return pages

def page_url(doc_path):
    "The site address of a docs file (`use_directory_urls: false`): `x.ipynb` and `x.md` become `x.html`."
    return posixpath.splitext(doc_path)[0] + '.html'

def fix_nb_links(text, here, by_name):
    "Point markdown links to other notebooks (`nbs/02_lm.ipynb`, `../x.ipynb`) at their rendered pages."
    def repl(m):
        target = by_name.get(posixpath.basename(m[1]))
        if target is None:
            print(f'note: {here}: the link to {m[1]} matches no notebook; left as it is', file=sys.stderr)
            return m[0]
        rel = posixpath.relpath(page_url(target), posixpath.dirname(here) or '.')
        return f']({rel}{m[2] or ""})'
    return NB_LINK.sub(repl, text)

def source_text(cell):
    "A cell's source as one string (notebooks store a string or a list of lines)."
    src = cell.get('source', '')
    return ''.join(src) if isinstance(src, list) else src

def doc_cell(cell, here, by_name):
    "The cell as the site shows it, as nbdev would: `#|` directives dropped, `#| hide` cells and empty ones gone."
    text = source_text(cell)
    if cell.get('cell_type') == 'markdown': return {**cell, 'source': fix_nb_links(text, here, by_name)}
    if cell.get('cell_type') != 'code': return cell
    if HIDE.search(text): return None
    text = DIRECTIVE.sub('', text).strip('\n')
    return {**cell, 'source': text} if text or cell.get('outputs') else None

def stage_notebook(src, dest, here, by_name):
    """Copy a notebook into the docs folder (outputs as saved, links to other notebooks pointing at their pages).
    Returns False if it is gone (renamed since the glob)."""
    try: nb = json.loads(src.read_text(encoding='utf-8'))
    except FileNotFoundError: return False
    except json.JSONDecodeError as e: raise SystemExit(f'{src}: not a valid notebook ({e})')
    nb['cells'] = [c for c in (doc_cell(c, here, by_name) for c in nb.get('cells', [])) if c is not None]
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding='utf-8')
    return True

# ---------------------------------------------------------------------------------------------------- API pages

def fmt_anno(anno):
    "An annotation as source text: strings as written, classes by name, `None` for `NoneType`."
    if anno is EMPTY or anno is None: return ''
    if isinstance(anno, str): return anno
    if anno is type(None): return 'None'
    if isinstance(anno, type): return anno.__qualname__
    return inspect.formatannotation(anno)

def fmt_value(value, width=100, max_lines=20):
    "A short, stable repr: no memory addresses, at most `max_lines` lines."
    text = ADDRESS.sub('', pprint.pformat(value, width=width, compact=True))
    lines = text.splitlines()
    return '\n'.join(lines[:max_lines] + (['…'] if len(lines) > max_lines else []))

def fmt_param(p):
    "One parameter as in the source: `name: anno = default`, with `*`/`**` for variadics."
    star = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '')
    anno, out = fmt_anno(p.annotation), star + p.name
    if anno: out += f': {anno}'
    if p.default is not EMPTY: out += (' = ' if anno else '=') + fmt_value(p.default).replace('\n', ' ')
    return out

def safe_signature(obj):
    "`inspect.signature(obj)` (annotations unevaluated), or `None` where there is none."
    try: return inspect.signature(obj)
    except (TypeError, ValueError): return None

def signature_text(name, sig, prefix='', width=110):
    "`prefix name(params) -> ret`, one parameter per line when it does not fit on one."
    parts, prev = [], None
    for p in sig.parameters.values():
        if prev == p.POSITIONAL_ONLY and p.kind != p.POSITIONAL_ONLY: parts.append('/')
        if p.kind == p.KEYWORD_ONLY and prev not in (p.KEYWORD_ONLY, p.VAR_POSITIONAL): parts.append('*')
        parts.append(fmt_param(p)); prev = p.kind
    if prev == inspect.Parameter.POSITIONAL_ONLY: parts.append('/')
    ret = fmt_anno(sig.return_annotation)
    tail = f' -> {ret}' if ret else ''
    one = f'{prefix}{name}({", ".join(parts)}){tail}'
    if len(one) <= width: return one
    return f'{prefix}{name}(\n' + ''.join(f'    {s},\n' for s in parts) + f'){tail}'

def param_docs(obj):
    "fastcore's `docments(obj, full=True)`, or `{}` where the source cannot be read."
    from fastcore.docments import docments
    try: return dict(docments(obj, full=True))
    except Exception: return {}

def cell_code(text):
    "Inline code for a table cell (HTML, so that `|` cannot split the cell)."
    return f'<code>{html.escape(text).replace("|", "&#124;")}</code>' if text else ''

def cell_text(text):
    "Markdown text for a table cell: one line, pipes escaped."
    return ' '.join(str(text or '').split()).replace('|', r'\|')

def params_table(obj, sig):
    "A markdown table of the parameters (and return value) with their types, defaults and docments."
    docs, rows = param_docs(obj), []
    for p in sig.parameters.values():
        if p.name in ('self', 'cls'): continue
        star = {p.VAR_POSITIONAL: '*', p.VAR_KEYWORD: '**'}.get(p.kind, '')
        default = '' if p.default is EMPTY else fmt_value(p.default).replace('\n', ' ')
        doc = (docs.get(p.name) or {}).get('docment')
        rows.append(f'| {cell_code(star + p.name)} | {cell_code(fmt_anno(p.annotation))} | {cell_code(default)} '
                    f'| {cell_text(doc)} |')
    ret_doc, ret = (docs.get('return') or {}).get('docment'), fmt_anno(sig.return_annotation)
    if ret or ret_doc: rows.append(f'| **Returns** | {cell_code(ret)} | | {cell_text(ret_doc)} |')
    if not rows: return ''
    return '| Parameter | Type | Default | Details |\n| --- | --- | --- | --- |\n' + '\n'.join(rows) + '\n'

def heading(level, title, anchor):
    "A markdown heading with an explicit anchor (the qualified name)."
    return f'{"#" * level} `{title}` {{ id="{anchor}" }}\n'

def own_doc(obj):
    "The object's own docstring (a class does not inherit its base's), dedented."
    doc = obj.__dict__.get('__doc__') if inspect.isclass(obj) else getattr(obj, '__doc__', None)
    return inspect.cleandoc(doc) if isinstance(doc, str) and doc.strip() else ''

def function_entry(name, fn, level=2, qualname=None):
    "Heading, signature, docstring and parameter table of a function or method."
    qualname = qualname or name
    out, sig = [heading(level, qualname, qualname)], safe_signature(fn)
    if sig is not None: out.append(f'```python\n{signature_text(name, sig)}\n```\n')
    if own_doc(fn): out.append(own_doc(fn) + '\n')
    if sig is not None: out.append(params_table(fn, sig))
    return '\n'.join(s for s in out if s)

def has_own_init(cls):
    "Whether the class (or a base in this package) defines `__init__` in Python source."
    init = getattr(cls, '__init__', None)
    return inspect.isfunction(init) and getattr(init, '__module__', '').split('.')[0] == LIB

def class_methods(cls):
    "The public methods, class/static methods and properties the class itself defines, in source order."
    for name, attr in cls.__dict__.items():
        if name.startswith('_'): continue
        if isinstance(attr, (classmethod, staticmethod)): attr = attr.__func__
        if inspect.isfunction(attr) or isinstance(attr, property): yield name, attr

def class_entry(name, cls):
    "A class: bases, constructor signature and parameters, docstring, then its public methods."
    bases = ', '.join(b.__name__ for b in cls.__bases__ if b is not object)
    sig = safe_signature(cls) if has_own_init(cls) else None
    text = signature_text(name, sig, prefix='class ') if sig is not None else f'class {name}({bases})'
    out = [heading(2, name, name), f'```python\n{text}\n```\n']
    if bases and sig is not None: out.append(f'Bases: `{bases}`\n')
    if own_doc(cls): out.append(own_doc(cls) + '\n')
    if sig is not None: out.append(params_table(cls, sig))
    for meth, attr in class_methods(cls):
        if isinstance(attr, property):
            out.append(heading(3, f'{name}.{meth}', f'{name}.{meth}') + '\n*property*\n\n' + own_doc(attr) + '\n')
        else: out.append(function_entry(meth, attr, level=3, qualname=f'{name}.{meth}'))
    return '\n'.join(s for s in out if s)

def value_entry(name, value):
    "A constant: its type and (shortened) value, continuation lines aligned under the first."
    text = fmt_value(value).replace('\n', '\n' + ' ' * (len(name) + 3))
    return heading(2, name, name) + f'\n*{type(value).__name__}*\n\n```python\n{name} = {text}\n```\n'

def entry(name, obj):
    "The markdown for one name of a module's `__all__`."
    if inspect.isclass(obj): return class_entry(name, obj)
    if callable(obj): return function_entry(name, obj)
    return value_entry(name, obj)

def source_notebook(mod, by_name):
    "The docs path of the notebook a module is exported from (nbdev's 'File to edit' line), if it is staged."
    try: head = Path(mod.__file__).read_text(encoding='utf-8')[:2000]
    except OSError: return None
    m = re.search(r'File to edit: (\S+\.ipynb)', head)
    return by_name.get(posixpath.basename(m[1])) if m else None

def api_page(modname, by_name):
    "The API page of one module: its docstring, a link to its notebook, then every name in `__all__`."
    if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))     # the checkout's package, wherever we run from
    mod = importlib.import_module(f'{LIB}.{modname}')
    out = [f'# {LIB}.{modname}\n']
    if mod.__doc__: out.append(inspect.cleandoc(mod.__doc__) + '\n')
    nb = source_notebook(mod, by_name)
    if nb: out.append(f'Source notebook: [{posixpath.basename(nb)}](../{nb})\n')
    names = list(getattr(mod, '__all__', []))
    out += [entry(n, getattr(mod, n)) for n in names if hasattr(mod, n)]
    return '\n'.join(out), (inspect.cleandoc(mod.__doc__ or '').splitlines() or [''])[0]

def api_index(summaries):
    "The API overview: one row per module with the first line of its docstring."
    rows = ''.join(f'| [`{LIB}.{m}`]({m}.md) | {cell_text(s)} |\n' for m, s in summaries.items())
    return f'# API reference\n\n| Module | Contents |\n| --- | --- |\n{rows}'

# ---------------------------------------------------------------------------------------------------- config & build

def settings(root=ROOT):
    "The `[DEFAULT]` section of settings.ini (site name, description, copyright)."
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(root/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']

def mkdocs_config(nav, root=ROOT):
    "The mkdocs.yml contents: Material theme, offline (no web fonts), notebooks rendered but never executed."
    s = settings(root)
    return {
        'site_name': s.get('lib_name', LIB), 'site_description': s.get('description', ''),
        'copyright': f"Copyright {s.get('copyright', '')}".strip(), 'docs_dir': 'docs',
        'use_directory_urls': False, 'nav': nav,
        'theme': {'name': 'material', 'font': False, 'features': ['navigation.sections', 'content.code.copy'],
                  'palette': {'primary': 'indigo'}},
        'plugins': ['search', {'mkdocs-jupyter': {'execute': False, 'include': ['*.ipynb'], 'include_source': True,
                                                  'no_prompt': True, 'cache': False, 'allow_errors': True}}],
        'markdown_extensions': ['tables', 'admonition', 'attr_list', 'md_in_html', {'toc': {'permalink': True}},
                                'pymdownx.highlight', 'pymdownx.superfences', 'pymdownx.inlinehilite'],
        # Links out of the staged folder (bench/README.md -> bench/results/...) are reported, not fatal.
        'validation': {'links': {'not_found': 'info', 'unrecognized_links': 'info', 'absolute_links': 'info'}},
    }

def stage(src, root=ROOT):
    "Write the docs folder under `src` (notebooks, benchmark notes, API pages); return the nav."
    docs = src/'docs'
    if docs.exists(): shutil.rmtree(docs)
    (docs/'api').mkdir(parents=True)
    pages = notebook_pages(root)
    by_name = {p.name: d for p, d in pages.items()}
    pages = {p: d for p, d in pages.items() if stage_notebook(p, docs/d, d, by_name)}
    nav = [{'Home': 'index.ipynb'}] if 'index.ipynb' in pages.values() else []
    mods = [d for d in pages.values() if '/' not in d and d != 'index.ipynb']
    tuts = [d for d in pages.values() if d.startswith('tutorials/')]
    if mods: nav.append({'Notebooks': mods})
    if tuts: nav.append({'Tutorials': tuts})
    if (root/'bench'/'README.md').exists():
        shutil.copy(root/'bench'/'README.md', docs/'benchmarks.md'); nav.append({'Benchmarks': 'benchmarks.md'})
    summaries = {}
    for m in module_names(root):
        text, summaries[m] = api_page(m, by_name)
        (docs/'api'/f'{m}.md').write_text(text, encoding='utf-8')
    (docs/'api'/'index.md').write_text(api_index(summaries), encoding='utf-8')
    nav.append({'API': ['api/index.md'] + [f'api/{m}.md' for m in summaries]})
    return nav

def write_config(src, nav, root=ROOT):
    "Write `src/mkdocs.yml`; return its path."
    import yaml
    cfg = src/'mkdocs.yml'
    cfg.write_text(yaml.safe_dump(mkdocs_config(nav, root), sort_keys=False, allow_unicode=True), encoding='utf-8')
    return cfg

def check_out_dir(out):
    "Refuse to let `mkdocs build` (which empties its site folder) wipe a folder that is not an earlier build."
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out/'index.html').exists())):
        raise SystemExit(f'{out}: exists and is not an earlier site build; choose another --out')
    if out == ROOT or out in ROOT.parents: raise SystemExit(f'{out}: refusing to build into the repository root')

def run_mkdocs(cfg, out, strict=True):
    "Run `mkdocs build` (strict: any warning fails); return its exit status."
    cmd = [sys.executable, '-m', 'mkdocs', 'build', '--clean', '-q', '-f', str(cfg), '-d', str(out)]
    if strict: cmd.insert(4, '--strict')
    env = {**os.environ, 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'), 'NO_MKDOCS_2_WARNING': '1'}
    return subprocess.run(cmd, env=env).returncode

def build(out, src=None, strict=True, root=ROOT):
    "Stage the sources (in `src`, or a temporary folder) and build the site into `out`; return the exit status."
    out = Path(out).resolve()
    check_out_dir(out)
    with tempfile.TemporaryDirectory(prefix='docs_src_') as tmp:
        src = Path(src).resolve() if src else Path(tmp)
        src.mkdir(parents=True, exist_ok=True)
        cfg = write_config(src, stage(src, root), root)
        return run_mkdocs(cfg, out, strict)

def main(argv=None):
    "Command line: build the site, print where and how long it took; non-zero exit status on failure."
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default=str(ROOT/'_site'), help='site folder (default: _site in the repository)')
    ap.add_argument('--src', default=None, help='keep the staged docs sources here (default: a temporary folder)')
    ap.add_argument('--no-strict', action='store_true', help='do not fail on mkdocs warnings')
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    rc = build(args.out, args.src, strict=not args.no_strict)
    print(f'{"built" if rc == 0 else "FAILED"}: {args.out} in {time.monotonic() - t0:.1f}s', file=sys.stderr)
    return rc

if __name__ == '__main__': sys.exit(main())
