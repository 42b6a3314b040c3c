"""Real-browser tests: Voilà serves tests/browser/classifier_box.ipynb (a `ClassifierBox` on a tiny classifier) and
tests/browser/tagger_box.ipynb (a `TaggerBox`); headless Chromium (driven by Playwright) types into each and reads what
the page shows.
Screenshots are kept in tests/artifacts/ (git-ignored; and in the test's tmp_path): browser_classifier_pos.png after the
positive review, browser_classifier.png at the end (the negative review, or whatever the page showed when the test failed).
Skips unless Chromium is installed (`/usr/bin/chromium`, `chromium` on PATH, or `$RNN_TRANSFER_CHROMIUM`) and voila and playwright import."""
import os, sys, time, shutil, socket, subprocess, importlib.util, contextlib
from pathlib import Path
from urllib.parse import urljoin
import pytest
from conftest import ROOT
from test_pipeline import POS, NEG
from test_docs import site     # the built documentation site (a session fixture)

NOTEBOOK = ROOT/'tests'/'browser'/'classifier_box.ipynb'
ARTIFACT = ROOT/'tests'/'artifacts'/'browser_classifier.png'
# Known-good flags for Debian's chromium in a closed network: no background connections, no GPU, a fresh profile (Playwright makes one).
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage']

def chromium_path():
    "`$RNN_TRANSFER_CHROMIUM` if set (a path that is missing means: no browser), else Debian's chromium."
    if 'RNN_TRANSFER_CHROMIUM' in os.environ:
        p = os.environ['RNN_TRANSFER_CHROMIUM']
        return p if p and Path(p).is_file() and os.access(p, os.X_OK) else None
    for p in ('/usr/bin/chromium', shutil.which('chromium'), shutil.which('chromium-browser')):
        if p and Path(p).is_file() and os.access(p, os.X_OK): return p
    return None

def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def wait_listening(port, proc, log, timeout=90):
    "Wait until the server accepts connections (not GET /: with Voilà that would start a kernel)."
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc.poll() is not None: raise AssertionError(f'voila exited ({proc.returncode}):\n{log.read_text()[-4000:]}')
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=1): return
        except OSError: time.sleep(0.5)
    raise AssertionError(f'voila did not listen on {port} in {timeout}s:\n{log.read_text()[-4000:]}')

@pytest.fixture
def browser_deps():
    exe = chromium_path()
    if exe is None: pytest.skip('no Chromium (apt-get install chromium; or set $RNN_TRANSFER_CHROMIUM)')
    for m in ('voila', 'playwright', 'ipykernel'):
        if importlib.util.find_spec(m) is None: pytest.skip(f'{m} is not installed (pip install -e ".[dev]")')
    return exe

@pytest.fixture
def classifier(browser_deps, corpora, tmp_path):
    "A tiny LM -> fine-tuned LM -> classifier, as in test_pipeline; it gets the review examples right."
    from rnn_transfer.lm import pretrain, finetune
    from rnn_transfer.classify import train_classifier
    from rnn_transfer.classifier import TextClassifier
    pretrain(corpora/'general', tmp_path/'pre', preset='tiny', seed=0)
    finetune(tmp_path/'pre', corpora/'target', tmp_path/'ft', seed=0)
    train_classifier(tmp_path/'ft', corpora/'target', tmp_path/'clas', seed=0)
    assert list(TextClassifier.from_checkpoint(tmp_path/'clas').predict([POS, NEG]).label) == ['pos', 'neg']
    return tmp_path/'clas'

@contextlib.contextmanager
def voila(notebook, model, tmp_path):
    "Serve `notebook` with Voila on a free localhost port (no token, no browser), `model` in its environment."
    port, log = free_port(), tmp_path/f'voila-{notebook.stem}.log'
    jdir = tmp_path/'jupyter'
    env = {**os.environ, 'RNN_TRANSFER_BROWSER_MODEL': str(model), 'OMP_NUM_THREADS': os.environ.get('OMP_NUM_THREADS', '1'),
           'JUPYTER_CONFIG_DIR': str(jdir/'config'), 'JUPYTER_RUNTIME_DIR': str(jdir/'runtime'), 'JUPYTER_PLATFORM_DIRS': '1'}
    cmd = [sys.executable, '-m', 'voila', str(notebook), '--no-browser', f'--port={port}', '--Voila.ip=127.0.0.1',
           '--Voila.port_retries=0', '--show_tracebacks=True']
    with open(log, 'w') as f:
        proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env, cwd=tmp_path, start_new_session=True)
    try:
        wait_listening(port, proc, log)
        yield f'http://127.0.0.1:{port}/', log
    finally:
        proc.terminate()
        try: proc.wait(15)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait(5)
        try: os.killpg(proc.pid, 9)        # the kernel it started, if still there
        except ProcessLookupError: pass

@pytest.fixture
def voila_url(classifier, tmp_path):
    with voila(NOTEBOOK, classifier, tmp_path) as served: yield served

def test_classifier_box_in_browser(browser_deps, voila_url, tmp_path):
    from playwright.sync_api import sync_playwright
    url, log = voila_url
    shot = tmp_path/'browser_classifier.png'
    for f in (ARTIFACT, ARTIFACT.parent/'browser_classifier_pos.png'): f.unlink(missing_ok=True)   # no stale screenshots from an earlier run
    def save(page, path):
        page.screenshot(path=str(path), full_page=True)
        ARTIFACT.parent.mkdir(exist_ok=True); shutil.copy(path, ARTIFACT.parent/path.name)
    def label_is(page, want, timeout=60_000):
        page.wait_for_function("want => (document.querySelector('.rt-label') || {}).textContent === want", arg=want, timeout=timeout)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_deps, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': 900, 'height': 420})
            ok = False
            try:
                page.goto(url, wait_until='domcontentloaded', timeout=120_000)
                box = page.locator('.widget-textarea textarea')
                box.wait_for(state='visible', timeout=120_000)     # the kernel ran the notebook and the widgets rendered
                assert 'type something' in page.inner_text('body')
                box.click(); box.press_sequentially(POS, delay=5)
                label_is(page, 'pos')
                text = page.inner_text('body')
                assert 'pos (' in text and '%' in text, text
                save(page, tmp_path/'browser_classifier_pos.png')
                box.fill(''); box.press_sequentially(NEG, delay=5)
                label_is(page, 'neg')
                text = page.inner_text('body')
                assert 'neg (' in text and '%' in text, text
                assert page.locator('.widget-textarea textarea').input_value() == NEG
                ok = True
            finally:
                try: save(page, shot)                              # also on failure: what the page showed
                except Exception as e:
                    if ok: raise
                    print(f'no screenshot: {e}')
                if not ok: print(f'screenshot: {ARTIFACT}\nvoila log:\n{log.read_text()[-4000:]}')
        finally: browser.close()

@pytest.fixture
def docs_url(browser_deps, request, tmp_path):
    "The built documentation site (tests/test_docs.py's session fixture), served by `python -m http.server`."
    site = request.getfixturevalue('site')      # only now: no Chromium means no site build either
    port, log = free_port(), tmp_path/'http.log'
    cmd = [sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(site)]
    with open(log, 'w') as f: proc = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_listening(port, proc, log, timeout=30)
        yield f'http://127.0.0.1:{port}/'
    finally:
        proc.terminate()
        try: proc.wait(10)
        except subprocess.TimeoutExpired: proc.kill(); proc.wait(5)

def test_docs_site_in_browser(browser_deps, docs_url, tmp_path):
    "The home page links to the `data` API page, which shows `load_corpus` with its docstring."
    from playwright.sync_api import sync_playwright
    from test_docs import load_corpus_docs, squash
    phrase, params = load_corpus_docs()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_deps, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={'width': 1200, 'height': 900})
            # 'domcontentloaded': the notebook pages ask a CDN for MathJax, which a closed network never answers
            page.goto(docs_url, wait_until='domcontentloaded', timeout=60_000)
            assert 'rnn_transfer' in page.title()
            link = page.locator('a[href$="api/data.html"]').first
            href = link.get_attribute('href', timeout=30_000)
            page.goto(urljoin(page.url, href), wait_until='domcontentloaded', timeout=60_000)
            page.locator('[id="load_corpus"]').wait_for(state='visible', timeout=30_000)
            page.screenshot(path=str(tmp_path/'docs_api_data.png'))
            text = squash(page.inner_text('body'))
            assert 'load_corpus' in text and phrase in text, text[:3000]
            assert any(squash(d.replace('`', '')) in text for d in params.values()), text[:3000]
        finally: browser.close()

@pytest.fixture
def tagger(browser_deps, tmp_path):
    "A tagger on the shipped encoder, trained (tiny preset) on made-up sentences, as in test_tagging."
    from test_tagging import conll_file
    from rnn_transfer.tag import train_tagger
    train_tagger('default', str(conll_file(tmp_path/'ner.txt')), tmp_path/'tagger', preset='tiny', head_epochs=2, epochs=1,
                 baseline=False)
    return tmp_path/'tagger'

def test_tagger_box_in_browser(browser_deps, tagger, tmp_path):
    "Type a sentence into the `TaggerBox` served by Voila: the tags show under the words and the entities are highlighted."
    from playwright.sync_api import sync_playwright
    shot = ARTIFACT.parent/'browser_tagger.png'
    shot.unlink(missing_ok=True)
    with voila(ROOT/'tests'/'browser'/'tagger_box.ipynb', tagger, tmp_path) as (url, log), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_deps, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={'width': 900, 'height': 300})
        try:
            page.goto(url, wait_until='domcontentloaded', timeout=120_000)
            box = page.locator('.widget-text input')
            box.wait_for(state='visible', timeout=120_000)
            assert 'type a sentence' in page.inner_text('body')
            box.click(); box.press_sequentially('Carla visited Oslo with Bob .', delay=5)
            page.wait_for_function("() => document.querySelectorAll('.rt-word').length === 6", timeout=60_000)
            words = page.locator('.rt-word').all_inner_texts()
            tags = page.locator('.rt-tag').all_inner_texts()
            assert words == ['Carla', 'visited', 'Oslo', 'with', 'Bob', '.'], words
            assert tags == ['B-PER', 'O', 'B-LOC', 'O', 'B-PER', 'O'], tags
            assert page.locator('.rt-ent-PER').count() == 2 and page.locator('.rt-ent-LOC').inner_text().startswith('Oslo')
            colour = page.locator('.rt-ent-LOC').evaluate("e => getComputedStyle(e).backgroundColor")
            assert colour not in ('rgba(0, 0, 0, 0)', 'transparent'), colour   # highlighted on the page itself
        finally:
            ARTIFACT.parent.mkdir(exist_ok=True)
            try: page.screenshot(path=str(shot), full_page=True)
            except Exception as e: print(f'no screenshot: {e}\nvoila log:\n{log.read_text()[-4000:]}')
            browser.close()
