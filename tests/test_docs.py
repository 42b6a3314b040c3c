"""The documentation site: tools/build_docs.py (MkDocs + Material + mkdocs-jupyter, offline) builds it, with the
notebooks as pages and an API page per module whose functions show their docstrings and parameter docments.
Skips unless mkdocs, mkdocs-material and mkdocs-jupyter are installed (`pip install -e ".[dev]"`)."""
import re, sys, html, inspect, subprocess, importlib.util
import pytest
from conftest import ROOT

DOCS_DEPS = {'mkdocs': 'mkdocs', 'material': 'mkdocs-material', 'mkdocs_jupyter': 'mkdocs-jupyter'}

def build_site(out):
    "Run tools/build_docs.py into `out`; fail with its output when it fails."
    r = subprocess.run([sys.executable, str(ROOT/'tools'/'build_docs.py'), '--out', str(out)],
                       capture_output=True, text=True, cwd=ROOT, timeout=900)
    if r.returncode != 0:
        raise AssertionError(f'build_docs.py failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}')
    return out

@pytest.fixture(scope='session')
def site(tmp_path_factory):
    "The site, built once per test session (test_browser.py imports this fixture: its copy finds the same build)."
    for mod, pkg in DOCS_DEPS.items():
        if importlib.util.find_spec(mod) is None: pytest.skip(f'{pkg} is not installed (pip install -e ".[dev]")')
    out = tmp_path_factory.getbasetemp()/'docs_site'
    if not (out/'.built').exists(): build_site(out); (out/'.built').touch()
    return out

def squash(text):
    "Whitespace collapsed to single spaces."
    return ' '.join(text.split())

def page_text(path):
    "The visible text of a built page: scripts and styles dropped, tags removed, entities decoded."
    s = re.sub(r'(?is)<(script|style)\b.*?</\1>', ' ', path.read_text(encoding='utf-8'))
    return squash(html.unescape(re.sub(r'<[^>]+>', '', s)))

def plain(md):
    "Markdown inline code marks removed, as the page shows it."
    return squash(md.replace('`', ''))

def doc_phrase(doc):
    "The longest stretch of plain prose (no code, no markup) in the first paragraph of a docstring."
    first = inspect.cleandoc(doc).split('\n\n')[0]
    parts = [squash(p).strip(' ,.;:') for p in re.split(r'`[^`]*`|[*_\[\]()<>\\]', first)]
    return max(parts, key=len)

def load_corpus_docs():
    "`rnn_transfer.data.load_corpus`: a phrase of its docstring, and its parameters' docments."
    from fastcore.docments import docments
    from rnn_transfer.data import load_corpus
    phrase = doc_phrase(load_corpus.__doc__)
    assert len(phrase) >= 10, f'no usable phrase in the docstring {load_corpus.__doc__!r}'
    params = {k: v for k, v in docments(load_corpus).items() if k != 'return' and v}
    assert params, 'load_corpus has no parameter docments'
    return phrase, params

def test_site_pages(site):
    assert (site/'index.html').is_file()
    assert page_text(site/'index.html'), 'empty home page'
    assert (site/'api'/'index.html').is_file()
    assert list(site.glob('tutorials/*.html')), 'no tutorial pages'

def test_data_api_page(site):
    page = site/'api'/'data.html'
    assert page.is_file(), sorted(p.name for p in (site/'api').glob('*.html'))
    raw, text = page.read_text(encoding='utf-8'), page_text(page)
    assert 'id="load_corpus"' in raw and 'load_corpus(' in text
    phrase, params = load_corpus_docs()
    assert phrase in text, f'docstring phrase {phrase!r} not on the page'
    found = [name for name, doc in params.items() if plain(doc) in text]
    assert found, f'no parameter docment of load_corpus on the page: {params}'
    assert all(name in text for name in params)
