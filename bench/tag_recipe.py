"""The tagger's recipe, chosen on validation: arms of `train_tagger` that differ in one setting, on a sample of
CoNLL-2003's training sentences, scored on its validation split (the test score is printed, never used to choose).

    python bench/tag_recipe.py [--max-train 4000] [--arms epochs-2,no-words-epochs-2] [--threads 1] [--out ~/runs/tag-recipe]

Each arm runs in its own process; several arms run side by side, one thread each (say so beside timings).
Results: one JSON line per arm appended to bench/results/tag_recipe.jsonl.
"""
import argparse, datetime, json, subprocess, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from _common import ROOT, git_rev, command, cpu_name

RESULTS = ROOT/'bench'/'results'/'tag_recipe.jsonl'
ARMS = {'base': {}, 'epochs-2': {'tag_epochs': 2}, 'no-words-epochs-2': {'tag_word_sz': 0, 'tag_epochs': 2}}

def arm_main(out:str, kw:dict, threads:int, data_dir:str, target:str):
    import torch
    torch.set_num_threads(threads)
    from rnn_transfer.tag import train_tagger
    t0 = time.perf_counter()
    m = train_tagger(target=target, data_dir=data_dir, out=out, baseline=False, resume=False, **kw)
    f1 = lambda k: m[k]['entities']['all']['f1'] if 'entities' in m[k] else m[k]['accuracy']
    print('RESULT ' + json.dumps(dict(valid=f1('valid'), test=f1('test'), seconds=round(time.perf_counter() - t0),
                                      stages=m['stages'])), flush=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--max-train', type=int, default=4000, help="training sentences sampled (seeded)")
    ap.add_argument('--arms', default='epochs-2,no-words-epochs-2', help=f"comma-separated, of {', '.join(ARMS)}")
    ap.add_argument('--target', default='conll2003')
    ap.add_argument('--threads', type=int, default=1, help="threads per arm (arms run side by side)")
    ap.add_argument('--data-dir', default=str(ROOT.parent/'shared'/'data'))
    ap.add_argument('--out', default=str(Path.home()/'runs'/'tag-recipe'), help="run folders (outside the repository)")
    ap.add_argument('--arm', help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.arm:
        return arm_main(str(Path(a.out)/a.arm), {'max_train': a.max_train, **ARMS[a.arm]}, a.threads, a.data_dir,
                        a.target)
    arms = a.arms.split(',')
    out = Path(a.out).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    procs = {arm: subprocess.Popen([sys.executable, __file__, '--arm', arm, *sys.argv[1:]], stdout=subprocess.PIPE,
                                   stderr=open(out/f'{arm}.log', 'w'), text=True) for arm in arms}
    for arm, p in procs.items():
        line = [l for l in p.communicate()[0].splitlines() if l.startswith('RESULT ')]
        if p.returncode or not line: raise SystemExit(f"arm {arm} failed: see {out/arm}.log")
        r = dict(bench='tag_recipe', arm=arm, settings=ARMS[arm], target=a.target, max_train=a.max_train,
                 **json.loads(line[0][7:]), threads=a.threads, side_by_side=len(arms), command=command(),
                 git=git_rev(), cpu=cpu_name(), date=datetime.datetime.now().isoformat(timespec='seconds'))
        print(f"{arm}: valid {r['valid']:.2%}, test {r['test']:.2%}, {r['seconds']} s")
        with open(RESULTS, 'a') as f: f.write(json.dumps(r) + '\n')

if __name__ == '__main__': main()
