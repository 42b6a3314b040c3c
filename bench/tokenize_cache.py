"""Corpus preparation at scale: tokenising Wikipedia shards through datasets.map with num_proc 1 vs 2, and the cache hit.

After an untimed warm-up, for each num_proc, a fresh datasets cache folder: the first run tokenises (and writes the cache), the second run of the
same call reads it. Tokens/s counts the tokens of the result. Writes bench/results/tokenize_cache.json.

    python bench/tokenize_cache.py [--data-dir ../shared/data] [--shards 4]
"""
import argparse, json, sys, time, tempfile, datetime
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _common import git_rev, quiet, command

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--data-dir', default=str(Path(__file__).resolve().parents[2]/'shared'/'data'))
    ap.add_argument('--shards', type=int, default=4)
    ap.add_argument('--procs', type=int, nargs='+', default=[1, 2])
    a = ap.parse_args(); quiet()
    import datasets
    datasets.disable_progress_bars()
    from rnn_transfer.text import tokenize_dataset
    files = sorted(str(p) for p in (Path(a.data_dir)/'wikipedia').glob('train-*.parquet'))[:a.shards]
    rows = []
    with tempfile.TemporaryDirectory() as cache:   # warm-up (imports, spaCy, file cache), untimed
        for n in a.procs: tokenize_dataset(datasets.load_dataset('parquet', data_files=files[:1], split='train[:2500]', cache_dir=cache), num_proc=n)
    for n in a.procs:
        with tempfile.TemporaryDirectory() as cache:
            ds = datasets.load_dataset('parquet', data_files=files, split='train', cache_dir=cache)
            runs = []
            for run in ('first (tokenises, writes the cache)', 'second (cache hit)'):
                t0 = time.perf_counter(); toks = tokenize_dataset(ds, num_proc=n); dt = time.perf_counter() - t0
                runs.append(dict(run=run, seconds=round(dt, 2), tokens_per_s=round(toks.n_tokens / dt)))
            rows.append(dict(num_proc=n, docs=len(toks), tokens=toks.n_tokens, runs=runs))
            print(json.dumps(rows[-1]), flush=True)
    res = dict(bench='tokenize_cache', shards=a.shards, rows=rows, speedup_vs_1_proc={r['num_proc']: round(next(x for x in rows if x['num_proc'] == 1)['runs'][0]['seconds'] / r['runs'][0]['seconds'], 2) for r in rows} if any(r['num_proc'] == 1 for r in rows) else None,
               command=command(), git=git_rev(), date=datetime.date.today().isoformat())
    out = Path(__file__).parent/'results'/'tokenize_cache.json'
    out.write_text(json.dumps(res, indent=1)); print(json.dumps({k: v for k, v in res.items() if k != 'rows'}))

if __name__ == '__main__': main()
