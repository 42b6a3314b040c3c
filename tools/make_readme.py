"""Write README.md from nbs/index.ipynb, and the generated tables of the pages that README links to.

nbdev-readme renders through Quarto, which cannot be installed from a package registry (its wheel downloads the
binary at build time); this does the same job for this project's index: markdown cells as they are, code cells as
fenced Python (nbdev directives removed, `#| hide` cells left out), text outputs as fenced blocks.

Other pages are written by hand, except for blocks between `<!-- begin NAME ... -->` and `<!-- end NAME -->` lines,
which this script fills from the results files (see `blocks()`):
  bench/README.md                       perf-table (bench/results/perf.jsonl), lm-precision (lm_precision.json)
  nbs/results.md                        experiments (bench/results/experiments/*/results.json, seeds.json)
  rnn_transfer/pretrained/NAME/README.md  model-card (the default shipped LM's checkpoint.json)
Usage: python tools/make_readme.py [--check]   (--check: exit 1, naming the files, if any of them is out of date)
"""
import json, os, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def _link(p:Path, page_dir:Path) -> str:
    "The relative link to `p` from a page in folder `page_dir` (links that work on GitHub)."
    return Path(os.path.relpath(p, page_dir)).as_posix()

PERF = ROOT/'bench'/'results'/'perf.jsonl'
BENCH_NAMES = {'tokenize': 'Tokenisation + numericalisation', 'lm_train': 'LM training', 'lm_memory': 'LM data memory',
               'classify': 'Batch classification', 'generate': 'Generation', 'heap_rss': 'Long CPU training'}

def _fmt(x:float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.1f}" if abs(x) >= 10 else f"{x:.2f}"

def _perf_details(r:dict) -> str:
    "The details column of the performance table."
    b = r['bench']
    if b == 'tokenize':
        vocab = ('identical' if r['same_vocab'] else f"{r['vocab_entries_differing']} of {r['vocab_size']:,} entries differ" if 'vocab_size' in r
                 else 'not identical: the differing documents move a few rare entries')
        return (f"{r['docs']:,} docs, {r['tokens_fastai']:,} tokens; identical tokens in {r['same_tokens_docs']:.3%} of docs; vocabulary: {vocab}; "
                f"fastai {r['seconds_fastai']} s" + (f" (of which tokenising {r['seconds_fastai_tokenize_only']} s, the rest numericalising)" if 'seconds_fastai_tokenize_only' in r else '')
                + f", ours {r['seconds_ours']} s")
    if b == 'lm_train': return (f"{r['config']['emb_sz']}/{r['config']['n_hid']}/{r['config']['n_layers']} emb/hidden/layers, {r['tokens_ours']:,} tokens timed; valid ppl fastai {r['ppl_fastai']} vs ours {r['ppl_ours']} after the same tokens; "
                                f"ours in {r['precision_ours']}; {r['gflops_fastai']} vs {r['gflops_ours']} GFLOP/s (CPU matmul peak: fp32 {r['peak_gflops_fp32']}, bf16 {r['peak_gflops_bf16']})")
    if b == 'lm_memory': return f"{r['tokens_fastai']:,} tokens; {r['mb_fastai']:,} MB vs {r['mb_ours']:,} MB held"
    if b == 'classify': return f"{r['docs']:,} IMDb test reviews from raw text; labels agree with fastai on {r['labels_agree']:.1%}"
    if b == 'generate': return f"3 prompts, temperature 1, full distribution"
    if b == 'heap_rss': return (f"resident memory after the first step: fastai {r['first_mb_fastai']:,} MB, ours {r['first_mb_ours']:,} MB; peak {r['peak_mb_fastai']:,} vs {r['peak_mb_ours']:,} MB"
                                if 'peak_mb_fastai' in r else "the same steps, the same model and data")
    return ''

def perf_table() -> str:
    "The performance table (bench/README.md): the latest full (non --quick) result of each benchmark case."
    if not PERF.exists(): return '(no benchmark results yet: run the scripts in bench/)'
    latest = {}
    for line in PERF.read_text().splitlines():
        r = json.loads(line)
        if not r.get('quick'): latest[(r['bench'], r['case'], r['metric'])] = r
    rows = ['| benchmark | case | fastai | ours | ours vs fastai | details | command (date, git) |', '|---|---|---|---|---|---|---|']
    order = list(BENCH_NAMES)
    for (b, c, m), r in sorted(latest.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else 99, kv[0][1], kv[0][2])):
        rows.append(f"| {BENCH_NAMES.get(b, b)}: {m} | {c} | {_fmt(r['fastai'])} {r['unit']} | {_fmt(r['ours'])} {r['unit']} | **{r['ratio']:.2f}x** "
                    f"({'higher' if r['better'] == 'higher' else 'lower'} is better) | {_perf_details(r)} | `{r['command']}` ({r['date'][:10]}, {r['git']}) |")
    return '\n'.join(rows)

def precision_table() -> str:
    "The LM precision check (bench/lm_precision.py): perplexity and speed of each numeric variant."
    f = ROOT/'bench'/'results'/'lm_precision.json'
    if not f.exists(): return '(run `python bench/lm_precision.py`)'
    r = json.loads(f.read_text())
    rows = [f"`{r['command']}` ({r['vocab']:,}-token vocabulary, {r['batches']} batches of 64 x 72, git {r['git']}):", '',
            '| variant | valid perplexity | training tokens/s |', '|---|---|---|']
    rows += [f"| {x['variant']} | {x['perplexity']:.2f} | {x['tokens_per_s']:,.0f} |" for x in r['rows']]
    return '\n'.join(rows)

def default_lm():
    "The name of the default shipped LM, or None."
    f = ROOT/'rnn_transfer'/'pretrained'/'DEFAULT'
    return f.read_text().strip() if f.exists() else None

def shipped_names() -> list[str]:
    "The shipped LMs' names (folders of rnn_transfer/pretrained with a checkpoint.json)."
    d = ROOT/'rnn_transfer'/'pretrained'
    return sorted(p.name for p in d.iterdir() if (p/'checkpoint.json').exists()) if d.is_dir() else []

def _lineage(c:dict) -> list[str]:
    "A row for an LM continued from others (`pretrain --init`): each leg's tokens and perplexity."
    legs = c.get('lineage') or []
    if len(legs) < 2: return []
    def leg(l):
        way = 'backward' if l.get('backwards') else 'forward'
        return f"`{l['leg']}` ({way}): {l['tokens']:,} tokens, validation perplexity {l['valid_perplexity']:.1f}"
    return [f"| trained in legs | {'; then '.join(leg(l) for l in legs)} |"]

def _over(c:dict) -> str:
    "How the tokens were read: epochs, or for an LM trained in legs, the legs and the last one's share of an epoch."
    if len(c.get('lineage') or []) < 2: return f"over {c['epochs']} epoch(s)"
    return f"in {len(c['lineage'])} legs (the last read {c['epochs']:.2f} of an epoch of its corpus)"

def model_card(page_dir:Path=ROOT, name:str|None=None) -> str:
    "The model card of shipped LM `name` (default: the default one), from its checkpoint.json (`card`, by tools/ship_lm.py)."
    d, name = ROOT/'rnn_transfer'/'pretrained', name or default_lm()
    if not name or not (d/name/'checkpoint.json').exists(): return '(no shipped language model yet: see tools/ship_lm.py)'
    m = json.loads((d/name/'checkpoint.json').read_text()); c, cfg = m['card'], m['config']
    mb = (d/name/'model.safetensors').stat().st_size / 1e6
    rows = [f"| | `{name}` (`rnn_transfer/pretrained/{name}/`) |", '|---|---|',
            f"| architecture | AWD-{m['arch'].upper()}, embedding {cfg['emb_sz']}, hidden {cfg['n_hid']}, {cfg['n_layers']} layers, tied decoder; {m['vocab_sz']:,}-token vocabulary |",
            f"| size | {mb:.1f} MB of fp16 safetensors (cast to fp32 on load) |",
            f"| data | {c['data']} |",
            f"| training | {c['tokens_seen']:,} tokens seen {_over(c)}, {c['train_seconds']/3600:.1f} h of training steps (evaluation and restarts not counted) on {c['hardware']} |",
            *_lineage(c),
            f"| perplexity | validation {c['valid_perplexity']:.1f}, test {c['test_perplexity']:.1f} (fastai tokens, this vocabulary{', read right to left' if c.get('backwards') else ''}) |",
            *([f"| backward partner | `{c['partner']}`: `--both` uses the two as a pair |"] if c.get('partner') else []),
            f"| command | `{c['command']}` |",
            f"| good for | {c['intended_use']} |",
            f"| limits | {c['limits']} |"]
    curve = ['', '| tokens seen | epoch | validation perplexity | test perplexity |', '|---|---|---|---|']
    curve += [f"| {r['tokens']:,} | {r['epoch']:.2f} | {r['valid_perplexity']:.1f} | {r.get('test_perplexity', float('nan')):.1f} |" for r in c['curve']]
    png = _link(d/name/'perplexity.png', page_dir)
    return '\n'.join(rows + curve + ['', f"![perplexity during pretraining]({png})"])

EXPERIMENTS = ROOT/'bench'/'results'/'experiments'

def _pct(x) -> str:
    return '-' if x is None or x != x else f"{100 * x:.1f}%"

def _shared(x:dict) -> bool:
    "A row whose classifier another experiment trained, read here (`trained_by`, recorded by `rnn_transfer.experiments.classify`)."
    return isinstance(x.get('trained_by'), str)

def _minutes(x:dict) -> str:
    return f"{(x['clas_seconds'] if _shared(x) else x['wall_seconds']) / 60:.1f} min"

def _field(x:dict, k:str):
    "A list or dict field of a results row (older results files hold it as a JSON string)."
    return json.loads(x[k]) if isinstance(x[k], str) else x[k]

def _details(x:dict) -> str:
    "What a row holds beyond its errors: the Wikipedia LM's perplexity, speed and time; an ensemble's members."
    ok = lambda k: x.get(k) is not None and x.get(k) == x.get(k)
    d = []
    if _shared(x): d.append(f"trained by the `{x['trained_by']}` experiment and read here (the time is that training)")
    elif ok('earlier_seconds') and x['earlier_seconds'] > 0:
        d.append(f"the time includes {x['earlier_seconds'] / 60:.1f} min of this row's classifier training done by earlier runs; an LM built earlier is not counted")
    if ok('pretrain_perplexity'): d.append(f"Wikipedia LM: perplexity {x['pretrain_perplexity']:.1f}" + (f" after {x['pretrain_tokens'] / 1e6:.2f}M tokens" if ok('pretrain_tokens') else ''))
    if ok('pretrain_tokens_per_s'): d.append(f"{x['pretrain_tokens_per_s']:,.0f} tokens/s, {x['pretrain_seconds'] / 60:.0f} min")
    if ok('backwards') and x['backwards'] is True: d.append('reads backwards')
    if ok('lr_valid_errors'):
        g = _field(x, 'lr_valid_errors')
        d.append(f"classifier lr {x['clas_lr']:g}, chosen on validation error among " + ', '.join(f"{lr}: {100 * v:.1f}%" for lr, v in g.items()))
        tied = [lr for lr, v in g.items() if v == min(g.values())]
        if len(tied) > 1 and ok('lr_valid_losses'):
            l = _field(x, 'lr_valid_losses')
            d.append(f"{', '.join(tied)} tie on error; validation loss breaks it: " + ', '.join(f"{lr}: {l[lr]:.4f}" for lr in tied))
    if ok('members_test_error'):
        m = _field(x, 'members_test_error')
        d.append('members: ' + ' and '.join(_pct(v) for v in m))
    return '; '.join(d) or '-'

def tagging_table(rows:list[dict]) -> str:
    "The tagging experiment's rows: scores (accuracy, entity F1) rather than errors, the CRF's beside on the same split."
    sc = lambda e: '-' if e is None or e != e else f"{100 * (1 - e):.2f}%"
    out = ['| task | configuration | measure | test | CRF over word features, same split | validation | wall time | details |',
           '|---|---|---|---|---|---|---|---|']
    for x in rows:
        d = [f"{x['train_n']:,} training sentences"]
        if x.get('words_unknown') == x.get('words_unknown') and x.get('words_unknown') is not None:
            d.append(f"{100 * x['words_unknown']:.1f}% of test words are xxunk to the LM")
        if x.get('entities_with_unknown_word') == x.get('entities_with_unknown_word') and x.get('entities_with_unknown_word') is not None:
            d.append(f"{100 * x['entities_with_unknown_word']:.1f}% of test entities hold one")
        if x.get('sentences_per_s'): d.append(f"predicts {x['sentences_per_s']:,.0f} sentences/s"
                                             + (f" (CRF {x['crf_sentences_per_s']:,.0f})" if x.get('crf_sentences_per_s') else ''))
        out.append(f"| {x['task']} | {x['method']} | {x['measure']} | {sc(x.get('test_error'))} | {sc(x.get('baseline_test_error'))} | "
                   f"{sc(x.get('valid_error'))} | {x['wall_seconds'] / 60:.1f} min | {'; '.join(d)} |")
    return '\n'.join(out)

def experiments_table(page_dir:Path=ROOT) -> str:
    "The paper's experiments as run here: bench/results/experiments/NAME/results.json (copied from `rnn-transfer experiment NAME --out ...`)."
    from rnn_transfer.paper import config_keys
    files = sorted(EXPERIMENTS.glob('*/results.json')) if EXPERIMENTS.exists() else []
    if not files: return '(no experiment results yet: run `rnn-transfer experiment NAME`)'
    out = []
    for f in files:
        r = json.loads(f.read_text()); name = r['experiment']
        cmd = re.sub(r'\S*/shared/data', '../shared/data', r['command'] or f'rnn-transfer experiment {name}')   # the data folder as seen from the repository, wherever it was run
        keys = config_keys(name, r['scale'])
        done = {x['key'] for x in r['rows']}
        part = f" **Partial: {len(done)} of {len(keys)} configurations finished** (still to run: {', '.join(k for k in keys if k not in done)}; `rnn-transfer experiment {name}` runs them, resuming any unfinished one)." if not set(keys) <= done else ''
        plot = f"[`{f.parent.relative_to(ROOT)}/plot.png`]({_link(f.parent/'plot.png', page_dir)})"
        out += [f"**{name}** (scale `{r['scale']}`; `{cmd}`; plot: {plot}){part}", '']
        if name == 'tagging':
            out += [tagging_table(r['rows']), '']
            continue
        out += ['| task | configuration | test error | TF-IDF + LR, same split | validation error | paper | wall time | details |',
                '|---|---|---|---|---|---|---|---|']
        for x in r['rows']:
            lab = f"{x['method']}" + (f", {x['labels']:,} labels" if x.get('labels') == x.get('labels') and x.get('labels') else '')
            paper = x.get('paper_error')
            out.append(f"| {x['task']} | {lab} | {_pct(x.get('test_error'))} | {_pct(x.get('baseline_test_error'))} | {_pct(x.get('valid_error'))} | "
                       f"{'-' if paper is None or paper != paper else f'{paper:.2f}%'} | {_minutes(x)} | {_details(x)} |")
        out.append('')
        if (f.parent/'seeds.json').exists():
            out += [seeds_table(json.loads((f.parent/'seeds.json').read_text()), f.parent/'seeds.png', page_dir), '']
    return '\n'.join(out).rstrip()

def seeds_table(r:dict, png:Path, page_dir:Path=ROOT) -> str:
    "An experiment's configurations at several seeds (`rnn-transfer compare-seeds`, copied to bench/results/experiments/NAME/seeds.json)."
    cmd = re.sub(r'\S*/shared/data', '../shared/data', r['command'] or '')
    plot = f"[`{png.relative_to(ROOT)}`]({_link(png, page_dir)})"
    out = [f"Across seeds {', '.join(map(str, r['seeds']))} (`{cmd}`; plot: {plot}):", '',
           '| configuration | seeds | test error at each seed | mean | standard deviation | validation mean |', '|---|---|---|---|---|---|']
    for x in r['rows']:
        sd = x.get('test_sd')
        out.append(f"| {x['method']} | {', '.join(map(str, x['seeds']))} | {' / '.join(_pct(v) for v in x['test_errors'])} | {_pct(x['test_mean'])} | "
                   f"{'-' if sd is None or sd != sd else f'{100 * sd:.1f} points'} | {_pct(x.get('valid_mean'))} |")
    return '\n'.join(out)

def render(nb_path=ROOT/'nbs'/'index.ipynb') -> str:
    nb, parts = json.loads(Path(nb_path).read_text(encoding='utf-8')), []
    for c in nb['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] == 'markdown':   # the generated tables live in the pages `blocks()` fills, not here
            parts.append(src.strip())
            continue
        lines = src.splitlines()
        if any(l.strip() in ('#| hide', '#|hide') for l in lines): continue
        code = '\n'.join(l for l in lines if not l.lstrip().startswith('#|')).strip()
        if code: parts.append(f'```python\n{code}\n```')
        outs = ''.join(''.join(o.get('text', '')) if o.get('output_type') == 'stream' else ''.join(o.get('data', {}).get('text/plain', ''))
                       for o in c.get('outputs', []))
        if outs.strip(): parts.append(f'```\n{outs.rstrip()}\n```')
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py; edit the notebook, not this file -->\n\n' + '\n\n'.join(parts) + '\n'

BLOCK = re.compile(r'(<!-- begin (?P<name>[\w-]+)\b[^\n]*-->\n)(.*?)(<!-- end (?P=name) -->)', re.S)

def layout_table(page_dir:Path=ROOT) -> str:
    "One row per notebook of `nbs/`: the module it writes and the notebook's one-line description (its `> ` line)."
    rows = ['| notebook | module | what |', '|---|---|---|']
    for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        src = [''.join(c['source']) for c in cells]
        mod = next((m[1] for s in src for m in [re.search(r'^#\| default_exp (\S+)', s, re.M)] if m), None)
        what = next((m[1] for s in src for m in [re.search(r'^> (.+)$', s, re.M)] if m), '')
        if mod: rows.append(f"| [{nb.name}]({_link(nb, page_dir)}) | `rnn_transfer/{mod}.py` | {what} |")
    return '\n'.join(rows)

def roofline_tables() -> str:
    "The latest full run of bench/roofline.py: GEMM rates at the step's shapes, then each step breakdown against them."
    f = ROOT/'bench'/'results'/'roofline.jsonl'
    rows = [json.loads(l) for l in f.read_text().splitlines() if l.strip()] if f.exists() else []
    rows = [r for r in rows if not r.get('quick')]
    if not rows: return '(run `python bench/roofline.py`)'
    gemm_date = max(r['date'] for r in rows if r['bench'] == 'roofline')
    gemms = [r for r in rows if r['bench'] == 'roofline' and r['date'] == gemm_date]
    sq = next(r['gflops'] for r in gemms if r['size'] == 'square')
    g0 = gemms[0]
    out = [f"`{g0['command']}` ({g0['cpu']}, torch {g0['torch']}, {g0['threads']} threads, {gemm_date[:10]}); "
           "the share is of the square GEMM's rate in the same precision:", '',
           '| size | GEMM (m x k x n) | fp32 GFLOP/s | bf16 GFLOP/s | bf16 share of square |', '|---|---|---|---|---|']
    for r in gemms:
        m, k, n = r['shape']
        what = f"{m} x {k} x {n}" if r['size'] == 'square' else f"{r['gemm'].split(' (')[0]}, {m} x {k} x {n}"
        out.append(f"| {r['size']} | {what} | {r['gflops']['float32']:,.0f} | "
                   f"{r['gflops']['bfloat16']:,.0f} | {r['gflops']['bfloat16'] / sq['bfloat16']:.0%} |")
    steps = [r for r in rows if r['bench'] == 'step_breakdown']
    if steps:
        date = max(r['date'] for r in steps)
        out += ['', f"The training step, part by part (`{steps[-1]['command']}`, {date[:10]}; 64 streams x 70 tokens; "
                f"forward and backward; GFLOP/s of the matrix products, share of the square bf16 rate above):", '']
        for r in (r for r in steps if r['date'] == date):
            whole = r['rows'][-1]
            out += [f"**{r['size']}, softmax {r['softmax']}**: {whole['seconds'] * 1e3:,.0f} ms a window, "
                    f"{whole['tokens_per_s']:,.0f} tokens/s", '',
                    '| part | ms | share of the step | GFLOP/s | share of the ceiling |', '|---|---|---|---|---|']
            for x in r['rows']:
                g, top = x.get('gflops'), sq['bfloat16']
                rate, share = ('-', '-') if not g else (f'{g:,.0f}', f'{g / top:.0%}')
                out.append(f"| {x['part']} | {x['seconds'] * 1e3:,.1f} | {x['seconds'] / whole['seconds']:.0%} | "
                           f"{rate} | {share} |")
            out.append('')
    return '\n'.join(out).rstrip()

def blocks() -> dict:
    "The pages with generated blocks: {page: {block name: function of the page's folder that returns its text}}."
    bench = {'perf-table': lambda _: perf_table(), 'lm-precision': lambda _: precision_table(),
             'roofline': lambda _: roofline_tables()}
    pages = {ROOT/'bench'/'README.md': bench, ROOT/'nbs'/'results.md': {'experiments': experiments_table},
             ROOT/'nbs'/'guide.md': {'layout': layout_table}}
    for n in shipped_names():
        pages[ROOT/'rnn_transfer'/'pretrained'/n/'README.md'] = {'model-card': lambda d, n=n: model_card(d, n)}
    return pages

def fill(page:Path, fns:dict) -> str:
    "The page's text with its generated blocks filled in; an error if the page or one of its blocks is missing."
    name = page.relative_to(ROOT)
    if not page.exists(): sys.exit(f"{name} is missing: it holds the generated block(s) {', '.join(fns)}")
    text = page.read_text(encoding='utf-8')
    missing = set(fns) - {m['name'] for m in BLOCK.finditer(text)}
    if missing: sys.exit(f"{name}: no <!-- begin NAME --> ... <!-- end NAME --> block for {', '.join(sorted(missing))}")
    def sub(m): return m[1] + fns[m['name']](page.parent).rstrip('\n') + '\n' + m[4] if m['name'] in fns else m[0]
    return BLOCK.sub(sub, text)

def outputs() -> dict:
    "Every generated file and the text it should hold."
    return {ROOT/'README.md': render(), **{page: fill(page, fns) for page, fns in blocks().items()}}

if __name__ == '__main__':
    want = outputs()
    stale = [f for f, text in want.items() if not f.exists() or f.read_text(encoding='utf-8') != text]
    if '--check' in sys.argv:
        for f in stale: print(f"{f.relative_to(ROOT)} is out of date: run python tools/make_readme.py", file=sys.stderr)
        sys.exit(1 if stale else 0)
    for f in stale: f.write_text(want[f], encoding='utf-8'); print(f"wrote {f.relative_to(ROOT)}")
