"""Choose classifier settings on a development set, never on test: train on N IMDb labels, score 2,000 other train reviews.

The dev set is 2,000 reviews of IMDb's train split (seeded sample, `random_state=7`); the classifier's N labelled
reviews are sampled from the other 23,000 (`classify --max-train N`, seed 42, its own 10% validation cut). The test
split is never read. Each run also fits the TF-IDF + LR baseline on the same split, so every line has both. Appends one
JSON line per run to bench/results/recipe_dev.jsonl.

    python bench/recipe_dev.py cpu1000-all --lm ~/runs/experiments/lms/imdb-all-text-cpu --n 1000 --set clas_pool='"all"'
    python bench/recipe_dev.py demo-top --lm ~/runs/demo/finetune --target rnn_transfer/samples/imdb --preset demo
    python bench/recipe_dev.py pair1000 --lm ~/runs/ft-all --both --n 1000   # a folder with fwd/ and bwd/ LMs

With --both, --lm is a forward + backward pair (`rnn_transfer.pair.lm_pair`): both classifiers are trained alike and the
row's errors are their ensemble's (averaged probabilities), with each member's beside it.
"""
import argparse, datetime, json, os, sys
from pathlib import Path
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'bench'))
from _common import tidy
OUT = ROOT/'bench'/'results'/'recipe_dev.jsonl'

def dev_split(data_dir:Path, work:Path) -> tuple[Path, Path]:
    "IMDb's train split as a pool of 23,000 reviews to sample labels from, and 2,000 others as the dev set."
    pool, dev = work/'pool', work/'dev.parquet'
    if not dev.exists():
        train = pd.read_parquet(data_dir/'imdb'/'train.parquet')
        d = train.sample(2000, random_state=7)
        pool.mkdir(parents=True, exist_ok=True)
        train.drop(d.index).reset_index(drop=True).to_parquet(pool/'train.parquet')
        d.reset_index(drop=True).to_parquet(dev)
    return pool, dev

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('name', help='run name (its folder under --work)')
    ap.add_argument('--lm', required=True, help='LM checkpoint folder (usually from finetune)')
    ap.add_argument('--n', type=int, help='labelled reviews (default: all of --target)')
    ap.add_argument('--target', help='labelled corpus to train on (default: the 23,000-review pool)')
    ap.add_argument('--preset', default='cpu')
    ap.add_argument('--set', nargs='*', default=[], metavar='KEY=JSON', help="preset overrides, e.g. clas_pool='\"all\"'")
    ap.add_argument('--data-dir', default=os.environ.get('RNN_TRANSFER_DATA', str(ROOT.parent/'shared'/'data')))
    ap.add_argument('--both', action='store_true', help="--lm is a pair: the forward + backward ensemble's errors")
    ap.add_argument('--work', default=str(Path.home()/'runs'/'recipe'), help='folder for the split and the runs')
    a = ap.parse_args(argv)
    from rnn_transfer.classify import train_classifier
    from rnn_transfer.pair import classify_pair
    pool, dev = dev_split(Path(a.data_dir), Path(a.work))
    kw = {k: json.loads(v) for k, v in (s.split('=', 1) for s in a.set)}
    m = (classify_pair if a.both else train_classifier)(a.lm, a.target or pool, Path(a.work)/a.name, test=dev,
                                                        preset=a.preset, max_train=a.n, seed=42, **kw)
    row = dict(name=a.name, n=a.n, lm=tidy(a.lm), preset=a.preset, set=kw, dev_error=m['test_error'],
               valid_error=m['valid_error'], baseline_dev_error=m['baseline']['test_error'],
               baseline_valid_error=m['baseline']['valid_error'], seconds=m['wall_seconds'],
               **({'members': m['members'], 'schedule': m['schedule']} if a.both else
                  {'stages': [(s['stage'], s['epochs']) for s in m['stages']]}),
               date=datetime.datetime.now().isoformat(timespec='seconds'),
               command=tidy('python bench/recipe_dev.py ' + ' '.join(argv or sys.argv[1:])))
    print(json.dumps(row), flush=True)
    with open(OUT, 'a') as f: f.write(json.dumps(row) + '\n')

if __name__ == '__main__': main()
