"""Shared helpers of the benchmarks: arguments, child processes for one side each, memory, and the results file.

Every benchmark runs the fastai reference and ours on the same data in the same run and prints one JSON line per case
with both figures and the ratio (ours over fastai, higher is better for ours); it appends the line to
bench/results/perf.jsonl, from which tools/make_readme.py builds the README's performance table.
"""
import argparse, datetime, gc, json, os, pickle, platform, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT/'bench'/'results'/'perf.jsonl'

def parser(doc:str) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--quick', action='store_true', help='small sizes, under a minute: a smoke test (results marked quick)')
    ap.add_argument('--data-dir', default=os.environ.get('RNN_TRANSFER_DATA', str(ROOT.parent/'shared'/'data')),
                    help='folder with imdb/, wikipedia/ (default: $RNN_TRANSFER_DATA or ../shared/data)')
    ap.add_argument('--no-save', action='store_true', help='print the results only, do not append them to bench/results/perf.jsonl')
    ap.add_argument('--side', help=argparse.SUPPRESS)    # internal: run one side in a child process
    ap.add_argument('--case', help=argparse.SUPPRESS)
    ap.add_argument('--io', help=argparse.SUPPRESS)
    return ap

def quiet():
    import warnings; warnings.filterwarnings('ignore')
    os.environ.setdefault('HF_HUB_OFFLINE', '1'); os.environ.setdefault('TOKENIZERS_PARALLELISM', 'false')

def rss_bytes() -> int:
    "Current resident memory of this process, after returning freed heap memory to the OS."
    gc.collect()
    from rnn_transfer.callbacks import malloc_trim   # the library's wrapper: None where there is no glibc
    trim = malloc_trim()
    if trim is not None: trim(0)
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'): return int(line.split()[1]) * 1024
    return 0

def peak_growth_bytes(base:int) -> int:
    "Peak resident memory above `base`: this process, plus the largest worker process's peak above `base` (workers fork from it)."
    import resource
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return max(0, me - base) + max(0, kids - base)

def run_side(script:str, side:str, case:str, args:list[str], payload=None, timeout:int=7200) -> dict:
    "Run one side of a benchmark in a fresh Python process (so neither side inherits the other's caches or memory)."
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        io = Path(d)/'io.pkl'
        if payload is not None: io.write_bytes(pickle.dumps(payload))
        cmd = [sys.executable, script, '--side', side, '--case', case, '--io', str(io), *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0: raise SystemExit(f"{side} side of {case} failed:\n{r.stderr[-3000:]}")
        return pickle.loads(io.read_bytes())

def side_return(io:str, result):
    Path(io).write_bytes(pickle.dumps(result))

def side_payload(io:str):
    p = Path(io)
    return pickle.loads(p.read_bytes()) if p.exists() and p.stat().st_size else None

def git_rev() -> str:
    "The commit measured, with `+dirty` when the working tree has uncommitted changes to tracked files."
    try:
        rev = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(['git', 'status', '--porcelain', '--untracked-files=no'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return rev + ('+dirty' if dirty else '')
    except OSError: return ''

def cpu_name() -> str:
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): return line.split(':', 1)[1].strip()
    except OSError: pass
    return platform.processor()

def shown_path(p) -> str:
    "A path as results show it: relative to the repository when inside it."
    p = Path(p).resolve()
    return str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p)

def side_args(a) -> list[str]:
    "The arguments every child side of a benchmark gets from its parent."
    return ['--data-dir', a.data_dir] + (['--quick'] if a.quick else [])

def tidy(text:str) -> str:
    "`text` with this machine's home folder written `~`, so that results hold no absolute path of the machine."
    home = str(Path.home()).rstrip('/')
    return text.replace(home + '/', '~/') if home else text

def command() -> str:
    "The command line that ran this benchmark, script path relative to the repository, home folder as `~`."
    return tidy('python ' + ' '.join([shown_path(sys.argv[0])] + sys.argv[1:]))

def emit(a, bench:str, case:str, metric:str, unit:str, fastai:float, ours:float, higher_is_better:bool=True, **extra) -> dict:
    "Print one result line and append it to the results file."
    import torch
    ratio = ours / fastai if higher_is_better else fastai / ours
    rec = dict(bench=bench, case=case, metric=metric, unit=unit, fastai=round(fastai, 4), ours=round(ours, 4), ratio=round(ratio, 2),
               better='higher' if higher_is_better else 'lower', quick=bool(a.quick), **extra,
               command=command(),
               git=git_rev(), date=datetime.datetime.now().isoformat(timespec='seconds'), cpu=cpu_name(), cores=os.cpu_count(),
               torch_threads=torch.get_num_threads())
    print(json.dumps(rec), flush=True)
    if not a.no_save:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        with open(RESULTS, 'a') as f: f.write(json.dumps(rec) + '\n')
    return rec

def time_steps(learn, lr:float, batches:int, skip:int=3) -> dict:
    """Train `learn` for `skip` warm-up batches, then time the next `batches` in fastai's own loop (callbacks included):
    the seconds, batches and tokens of the timed part."""
    import time
    from fastai.callback.core import Callback, CancelFitException
    seen = dict(k=0, batches=0, tokens=0)
    class Clock(Callback):
        order = 99
        def before_batch(self):
            if seen['k'] == skip: seen['t0'] = time.perf_counter()
        def after_batch(self):
            seen['k'] += 1
            if seen['k'] > skip: seen['batches'] += 1; seen['tokens'] += self.xb[0].numel()
            if seen['k'] == skip + batches:
                seen['seconds'] = time.perf_counter() - seen['t0']
                raise CancelFitException()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, lr, cbs=[Clock()])
    return dict(seconds=seen['seconds'], batches=seen['batches'], tokens=seen['tokens'])
