"""Rewrite an experiment's results.csv/.json/plot.png from its results.jsonl (the rows finished so far, in the experiment's order),
keeping the command recorded in results.json, then copy them to bench/results/experiments/NAME/ for the README.

    python tools/rewrite_results.py NAME [--root runs/experiments] [--scale cpu] [--command 'rnn-transfer experiment ...']
"""
import argparse, json, shutil
from pathlib import Path
from rnn_transfer.paper import EXPERIMENTS
from rnn_transfer.experiments import write_results

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument('name', choices=list(EXPERIMENTS)); ap.add_argument('--root', default='runs/experiments'); ap.add_argument('--scale', default='cpu')
ap.add_argument('--command', help="the command that made the rows (default: the one in results.json, or rnn-transfer experiment NAME)")
a = ap.parse_args()
d = Path(a.root)/a.name
old = json.loads((d/'results.json').read_text()).get('command') if (d/'results.json').exists() else None
cmd = a.command or old or f'rnn-transfer experiment {a.name} --data-dir ../shared/data --out {a.root}'
df = write_results(a.name, d, a.scale, cmd)   # rows in the experiment's order
dest = Path(__file__).resolve().parents[1]/'bench'/'results'/'experiments'/a.name; dest.mkdir(parents=True, exist_ok=True)
for f in ('results.json', 'results.csv', 'plot.png'): shutil.copy(d/f, dest/f)
print(df[[c for c in ('key', 'test_error', 'valid_error', 'paper_error') if c in df]].to_string(index=False)); print(f'-> {dest}')
