"The shipped encoder: part of the package (source tree and wheel), found without configuration, checksum-verified, and a real English language model."
import json, os, subprocess, sys, zipfile
from pathlib import Path
import numpy as np, pandas as pd, pytest
import rnn_transfer
from rnn_transfer.checkpoint import PRETRAINED_ENV, read_meta, resolve_lm, shipped_lms

PKG = Path(rnn_transfer.__file__).parent
ROOT = PKG.parent

def default_name() -> str:
    f = PKG/'pretrained'/'DEFAULT'
    assert f.exists(), f"{f} is missing: the package must ship a default encoder (tools/ship_lm.py --default)"
    return f.read_text().strip()

def test_found_without_configuration():
    "A fresh process with no environment override finds the shipped default inside the installed package."
    env = {k: v for k, v in os.environ.items() if k != PRETRAINED_ENV}
    code = "from rnn_transfer.checkpoint import shipped_lms, resolve_lm; import json; print(json.dumps([list(shipped_lms()), str(resolve_lm('default'))]))"
    names, path = json.loads(subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True).stdout)
    assert names[0] == default_name()
    assert Path(path) == PKG/'pretrained'/default_name()

def test_size_card_and_checksum():
    d = PKG/'pretrained'/default_name()
    assert (d/'model.safetensors').stat().st_size < 20e6
    assert (d/'perplexity.png').stat().st_size > 1000
    _, meta = read_meta(d, kind='lm')
    assert meta['dtype'] == 'float16' and len(meta['vocab']) == meta['vocab_sz']
    c = meta['card']
    for k in ('data', 'tokens_seen', 'valid_perplexity', 'test_perplexity', 'curve', 'command', 'intended_use', 'limits'): assert k in c, k
    assert c['tokens_seen'] > 10_000_000 and c['curve'][-1]['valid_perplexity'] == c['valid_perplexity']

def test_is_an_english_language_model():
    "Held-out Wikipedia text scores a low perplexity, the same words shuffled a much higher one, and 'the' follows 'The history of'."
    from rnn_transfer.generate import LanguageModel
    lm = LanguageModel.from_checkpoint(resolve_lm('default'))
    texts = pd.read_parquet(PKG/'samples'/'wiki'/'valid.parquet').text.tolist()[:5]
    texts = [' '.join(t.split()[:400]) for t in texts]
    rng = np.random.default_rng(0)
    shuffled = [' '.join(rng.permutation(t.split())) for t in texts]
    ppl, ppl_shuffled = lm.perplexity(texts), lm.perplexity(shuffled)
    assert ppl < 200, ppl
    assert ppl_shuffled > 3 * ppl, (ppl, ppl_shuffled)
    assert 'the' in [w for w, _ in lm.predict_next('The history of', k=5)]

def test_wheel_contains_it(tmp_path):
    "A non-editable install gets the encoder: the wheel built from this tree holds its files."
    import shutil
    src = tmp_path/'src'; src.mkdir()                       # built from a copy, so no build/ folder is left in the checkout
    for f in ('setup.py', 'settings.ini', 'pyproject.toml', 'README.md'): shutil.copy(ROOT/f, src/f)
    shutil.copytree(PKG, src/'rnn_transfer', ignore=shutil.ignore_patterns('__pycache__'))
    r = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path), str(src)], capture_output=True, text=True)
    if r.returncode != 0 and 'No module named' in r.stderr: pytest.skip(f"cannot build a wheel here: {r.stderr[-200:]}")
    assert r.returncode == 0, r.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob('*.whl'))).namelist()
    n = default_name()
    for f in ('model.safetensors', 'checkpoint.json', 'perplexity.png'): assert f'rnn_transfer/pretrained/{n}/{f}' in names, f
    assert 'rnn_transfer/pretrained/DEFAULT' in names

def test_outputs_unchanged():
    "The shipped encoder gives the next-word probabilities and the sampled text it gave at 0.2.0 (commit 5086a0c)."
    from rnn_transfer.generate import LanguageModel
    lm = LanguageModel.from_checkpoint(resolve_lm('default'))
    got = lm.predict_next('The history of the city', 5)
    want = [('is', 0.325586), ('of', 0.112259), ('was', 0.097417), ('has', 0.054867), ('(', 0.046)]
    assert [w for w, _ in got] == [w for w, _ in want] and all(abs(p - q) < 1e-3 for (_, p), (_, q) in zip(got, want)), got
    assert lm.generate('The history of', 12, seed=1) == 'The history of the Empire (" al ") was a common major'

@pytest.mark.parametrize('name', sorted(shipped_lms()))
def test_every_shipped_lm(name):
    "Every shipped LM, not only the default: under the size limit, a full card and model card, in package data, its partner shipped and backward."
    d = shipped_lms()[name]
    assert (d/'model.safetensors').stat().st_size < 20e6
    c = read_meta(d, kind='lm')[1]['card']
    for k in ('data', 'tokens_seen', 'valid_perplexity', 'test_perplexity', 'curve', 'command', 'intended_use', 'limits'): assert k in c, k
    assert '~' in c['command'] or '/root' not in c['command']
    card = (d/'README.md').read_text()
    assert f'`{name}`' in card and '<!-- end model-card -->' in card and '| perplexity | validation' in card
    legs = [l['leg'] for l in c.get('lineage', [])]   # each leg of training once, and the total their sum
    assert len(legs) == len(set(legs)), legs
    if legs: assert c['tokens_seen'] == sum(l['tokens'] for l in c['lineage'])
    if c.get('partner'):
        assert c['partner'] in shipped_lms() and read_meta(shipped_lms()[c['partner']], kind='lm')[1].get('backwards')

def test_backward_lm_reads_right_to_left():
    "A shipped backward LM scores held-out text read right to left far better than the forward default does the same reversed text."
    from rnn_transfer.generate import LanguageModel
    bwd = [p for p in shipped_lms().values() if read_meta(p, kind='lm')[1].get('backwards')]
    if not bwd: pytest.skip("no backward LM is shipped")
    texts = [' '.join(t.split()[:300]) for t in pd.read_parquet(PKG/'samples'/'wiki'/'valid.parquet').text.tolist()[:3]]
    ppl = LanguageModel.from_checkpoint(bwd[0]).perplexity(texts)
    reversed_texts = [' '.join(t.split()[::-1]) for t in texts]   # the forward model reading the words right to left
    ppl_fwd_reversed = LanguageModel.from_checkpoint(resolve_lm('default')).perplexity(reversed_texts)
    assert ppl < 200 and ppl_fwd_reversed > 3 * ppl, (ppl, ppl_fwd_reversed)
