"Shared fixtures: tiny synthetic corpora made on the spot; no network, no ../shared needed."
import os, sys, subprocess, warnings
from pathlib import Path
import pytest

os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('HF_DATASETS_OFFLINE', '1')
warnings.filterwarnings('ignore', category=FutureWarning)

from rnn_transfer.data import synthetic_corpus

ROOT = Path(__file__).resolve().parents[1]

def script(name):
    "A console script of the environment running the tests (works without activating the venv)."
    p = Path(sys.executable).parent/name
    return str(p) if p.exists() else name

def shared_data():
    "The real corpora, if this machine has them: $RNN_TRANSFER_DATA or ../shared/data."
    for d in (os.environ.get('RNN_TRANSFER_DATA'), ROOT.parent/'shared'/'data'):
        if d and Path(d, 'trec').exists(): return Path(d)
    return None

@pytest.fixture(scope='session')
def corpora(tmp_path_factory):
    "A general corpus and a labelled target corpus with train and test splits."
    d = tmp_path_factory.mktemp('corpora')
    (d/'general').mkdir(); (d/'target').mkdir()
    synthetic_corpus(300, seed=1, domain='general').to_parquet(d/'general/train.parquet')
    synthetic_corpus(400, seed=2).to_parquet(d/'target/train.parquet')
    synthetic_corpus(100, seed=3).to_parquet(d/'target/test.parquet')
    return d

def cli(*args, check=True, env=None):
    "Run the installed console script; return the CompletedProcess."
    r = subprocess.run([script('rnn-transfer'), *map(str, args)], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if check and r.returncode != 0: raise AssertionError(f"rnn-transfer {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r
