"""Add the TF-IDF + LR baseline to experiment results made before `classify` ran one itself.

For each row of bench/results/experiments/*/results.json (or the experiments named), rebuild the classifier's own split
exactly as `classify` cut it (the same labelled sample, seed and validation split; the whole test split), fit
`rnn_transfer.baseline.bag_of_words_baseline` on it, and write `baseline_test_error` / `baseline_valid_error` into the
row; then results.csv and plot.png are redrawn. The model's own numbers are not touched. A row whose rebuilt training
split is not the size the row recorded is refused. Splits shared by several rows are fitted once.

    python tools/add_baselines.py [NAME ...] [--data-dir ../shared/data]
    python tools/add_baselines.py --metrics bench/results/imdb_all_labels.json --task imdb   # one classify run's metrics
"""
import argparse, json, os
from pathlib import Path
import pandas as pd
from rnn_transfer.baseline import bag_of_words_baseline
from rnn_transfer.data import labelled_frames
from rnn_transfer.experiments import plot_results
from rnn_transfer.data import split_valid
from rnn_transfer.core import write_atomic

ROOT = Path(__file__).resolve().parents[1]
EXPERIMENTS = ROOT/'bench'/'results'/'experiments'

def split_baseline(task:str, n:int|None, seed:int, data_dir:str, cache:dict) -> dict:
    "The baseline on the split `classify` made for `task` with `n` labelled documents at `seed` (`valid_pct` 0.1)."
    key = (task, n, seed)
    if key not in cache:
        train, test, _ = labelled_frames(task, data_dir=data_dir, max_train=n, seed=seed)
        tr, va = split_valid(train, 0.1, seed)
        b = bag_of_words_baseline((list(tr.text), list(tr.label)), (list(va.text), list(va.label)), (list(test.text), list(test.label)))
        cache[key] = {**b, 'train_n': len(tr)}
        print(f"{task} {n or 'all'} labels, seed {seed}: baseline test {b['test_error']:.2%}, valid {b['valid_error']:.2%} (C={b['C']:g})", flush=True)
    return cache[key]

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('names', nargs='*', help='experiments (default: all under bench/results/experiments)')
    ap.add_argument('--data-dir', default=os.environ.get('RNN_TRANSFER_DATA', str(ROOT.parent/'shared'/'data')))
    ap.add_argument('--metrics', help="one classify run's metrics.json (all labels, seed 42): its baseline is added")
    ap.add_argument('--task', default='imdb', help='the task of --metrics')
    a = ap.parse_args(argv)
    cache = {}
    if a.metrics:
        f = Path(a.metrics)
        m = json.loads(f.read_text())
        b = split_baseline(a.task, None, m.get('seed', 42), a.data_dir, cache)
        if m['train_n'] != b['train_n']: raise SystemExit(f"{f}: trained on {m['train_n']}, the split has {b['train_n']}")
        m['baseline'] = {**b, 'note': 'added by tools/add_baselines.py on the same split'}
        write_atomic(f, json.dumps(m, indent=1))
        return
    for f in sorted(EXPERIMENTS.glob('*/results.json')):
        r = json.loads(f.read_text())
        if a.names and r['experiment'] not in a.names: continue
        sizes = r['scale_settings']
        for x in r['rows']:
            n = x.get('labels') or sizes.get(f"{x['task']}_train")
            b = split_baseline(x['task'], int(n) if n else None, x.get('seed', 42), a.data_dir, cache)
            if x.get('train_n') is not None and int(x['train_n']) != b['train_n']:
                raise SystemExit(f"{f}: row {x['key']} trained on {x['train_n']} documents, the rebuilt split has {b['train_n']}")
            x.update(baseline_test_error=b['test_error'], baseline_valid_error=b['valid_error'], baseline_C=b['C'],
                     baseline_note='added by tools/add_baselines.py on the same split')
        write_atomic(f, json.dumps(r, indent=1))
        df = pd.DataFrame(r['rows'])
        write_atomic(f.parent/'results.csv', df.to_csv(index=False))
        plot_results(r['experiment'], df, f.parent/'plot.png')
        print(f'-> {f.parent.relative_to(ROOT)}', flush=True)

if __name__ == '__main__': main()
