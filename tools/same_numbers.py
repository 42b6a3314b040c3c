"""The same numbers before and after a change: a tiny pretrain -> finetune -> classify (LSTM and GRU, seed 0) with the
package of each given folder, compared to the last digit.

Usage: python tools/same_numbers.py OLD_ROOT NEW_ROOT [--out FILE]
(a ROOT holds an `rnn_transfer/` package, e.g. `git archive REV rnn_transfer | tar -x -C /tmp/old`)."""
import json, os, subprocess, sys, tempfile
from pathlib import Path

def run(root:str) -> dict:
    "The tiny pipeline's numbers with the package under `root`."
    code = '''
import json, tempfile
from pathlib import Path
from rnn_transfer.data import synthetic_corpus
from rnn_transfer.lm import pretrain, finetune
try: from rnn_transfer.classify import train_classifier
except ImportError: from rnn_transfer.classifier import train_classifier
d = Path(tempfile.mkdtemp())
(d/'general').mkdir(); (d/'target').mkdir()
synthetic_corpus(300, seed=1, domain='general').to_parquet(d/'general/train.parquet')
synthetic_corpus(200, seed=2).to_parquet(d/'target/train.parquet')
synthetic_corpus(100, seed=3).to_parquet(d/'target/test.parquet')
out = {}
for arch in ('lstm', 'gru'):
    m1 = pretrain(d/'general', d/f'pre-{arch}', preset='tiny', arch=arch, seed=0)
    m2 = finetune(d/f'pre-{arch}', d/'target', d/f'ft-{arch}', seed=0)
    m3 = train_classifier(d/f'ft-{arch}', d/'target', d/f'clas-{arch}', seed=0)
    base = {k: v for k, v in m3.get('baseline', {}).items() if k != 'seconds'}
    out[arch] = dict(pretrain_perplexity=m1['perplexity'], finetune_perplexity=m2['perplexity'],
                     perplexity_before=m2['perplexity_before'], valid_error=m3['valid_error'],
                     test_error=m3['test_error'], baseline=base)
print('NUMBERS', json.dumps(out))
'''
    env = {**os.environ, 'PYTHONPATH': str(Path(root).resolve()), 'OMP_NUM_THREADS': '1'}
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    line = next((l for l in r.stdout.splitlines() if l.startswith('NUMBERS ')), None)
    if line is None: sys.exit(f"{root}: the pipeline failed:\n{r.stderr[-3000:]}")
    return json.loads(line[8:])

if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    out = sys.argv[sys.argv.index('--out') + 1] if '--out' in sys.argv else None
    if out: args.remove(out)
    old, new = run(args[0]), run(args[1])
    res = dict(command='python tools/same_numbers.py OLD_ROOT NEW_ROOT', old=old, new=new, identical=old == new)
    print(json.dumps(res, indent=1))
    if out: Path(out).write_text(json.dumps(res, indent=1) + '\n')
    sys.exit(0 if old == new else 1)
