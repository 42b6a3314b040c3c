"""Tokenisation + numericalisation: fastai's `TextBlock` path (what `TextDataLoaders` runs) vs rnn_transfer's `tokenize`.

Usage: python bench/tokenization.py [--quick] [--data-dir ../shared/data]
Cases: IMDb train (25,000 reviews) and 4 Wikipedia shards (--quick: 2,000 reviews, 100 articles).
Each side runs in its own fresh process on the same texts: fastai = `DataBlock(TextBlock.from_df(..., is_lm=True,
min_freq=2, max_vocab=60000)).datasets(df)` then every item numericalised; ours = `tokenize` + `make_vocab` +
`numericalize`. Reported: tokens/s (higher is better), peak resident memory above the post-import baseline (main process plus its
largest worker), and the share of documents
whose tokens are identical on both sides, and whether the vocabularies are identical.
"""
import hashlib, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, run_side, side_return, emit, rss_bytes, peak_growth_bytes, side_args

def texts_for(case, a):
    import pandas as pd
    d = Path(a.data_dir)
    if case == 'imdb-train':
        t = pd.read_parquet(d/'imdb'/'train.parquet').text.tolist()
        return t[:2000] if a.quick else t
    files = sorted((d/'wikipedia').glob('train-*.parquet'))[:4]
    t = pd.concat([pd.read_parquet(f, columns=['text']) for f in files]).text.tolist()
    return t[:100] if a.quick else t

def digest(toks): return hashlib.md5('\x00'.join(toks).encode()).digest()

def side(a):
    quiet()
    import pandas as pd
    texts = texts_for(a.case, a)
    base = rss_bytes()
    if a.side == 'fastai':
        from fastai.text.all import DataBlock, TextBlock, ColReader, IndexSplitter
        df = pd.DataFrame({'text': texts}); del texts
        t0 = time.perf_counter()
        dblock = DataBlock(blocks=TextBlock.from_df('text', is_lm=True, min_freq=2, max_vocab=60000), get_x=ColReader('text'), splitter=IndexSplitter([]))
        dsets = dblock.datasets(df)
        t_tok = time.perf_counter() - t0
        nums = [dsets.train[i][0] for i in range(len(dsets.train))]
        dt = time.perf_counter() - t0
        peak = peak_growth_bytes(base)
        n_tok = sum(len(x) for x in nums)
        docs, vocab = list(dsets.items['text']), list(dsets.vocab)
        extra = dict(tokenize_seconds=t_tok)
    else:
        from rnn_transfer.text import tokenize, make_vocab, numericalize
        t0 = time.perf_counter()
        toks = tokenize(texts); vocab = make_vocab(toks, 2, 60000); ids, offs = numericalize(toks, vocab)
        dt = time.perf_counter() - t0
        peak = peak_growth_bytes(base)
        n_tok, docs = len(ids), list(toks)
        extra = {}
    side_return(a.io, dict(seconds=dt, tokens=n_tok, peak=peak, digests=[digest(d) for d in docs], vocab=vocab, **extra))

def main():
    a = parser(__doc__).parse_args()
    if a.side: return side(a)
    args = side_args(a)
    for case in ('imdb-train', 'wikipedia-4-shards'):
        f = run_side(__file__, 'fastai', case, args)
        o = run_side(__file__, 'ours', case, args)
        same = sum(x == y for x, y in zip(f['digests'], o['digests'])) / max(len(f['digests']), 1)
        common = dict(docs=len(f['digests']), tokens_fastai=f['tokens'], tokens_ours=o['tokens'], same_tokens_docs=round(same, 6),
                      same_vocab=f['vocab'] == o['vocab'], vocab_size=len(f['vocab']),
                      vocab_entries_differing=len(set(f['vocab']) ^ set(o['vocab'])),
                      seconds_fastai_tokenize_only=round(f['tokenize_seconds'], 2), seconds_fastai=round(f['seconds'], 2), seconds_ours=round(o['seconds'], 2))
        emit(a, 'tokenize', case, 'tokens/s', 'tokens/s', f['tokens'] / f['seconds'], o['tokens'] / o['seconds'], **common)
        emit(a, 'tokenize', case, 'peak memory', 'MB', f['peak'] / 2**20, o['peak'] / 2**20, higher_is_better=False, **common)

if __name__ == '__main__': main()
