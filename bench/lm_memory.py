"""Language-model data memory: bytes held per corpus token by fastai's LM data path vs rnn_transfer's, on 4 Wikipedia shards.

Usage: python bench/lm_memory.py [--quick] [--data-dir ../shared/data]
fastai: `DataBlock(TextBlock.from_df('text', is_lm=True, min_freq=2, max_vocab=60000), ...).dataloaders(df, bs=64,
seq_len=72)` (what `TextDataLoaders.from_df(..., is_lm=True)` builds); ours: `tokenize`, `make_vocab`, `numericalize`,
`LMStream(bs=64, bptt=72)`. Each side runs in its own fresh process: the resident memory after imports (spaCy loaded
too) is the baseline; the side reads the shards, builds its loader, draws one batch, drops everything but the
loaders, returns freed heap memory to the OS (`malloc_trim`), and reports (resident memory - baseline) / corpus tokens.
(--quick: 200 articles.)
"""
import gc, sys
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import parser, quiet, run_side, side_return, emit, rss_bytes, side_args

def side(a):
    quiet()
    import pandas as pd, spacy
    spacy.blank('en')
    if a.side == 'fastai': from fastai.text.all import DataBlock, TextBlock, ColReader, IndexSplitter, first
    else:
        from rnn_transfer.text import tokenize, make_vocab, numericalize
        from rnn_transfer.loaders import LMStream
        from fastcore.basics import first
    files = sorted((Path(a.data_dir)/'wikipedia').glob('train-*.parquet'))[:4]
    base = rss_bytes()
    df = pd.concat([pd.read_parquet(f, columns=['text']) for f in files]).reset_index(drop=True)
    if a.quick: df = df.iloc[:200]
    if a.side == 'fastai':
        dblock = DataBlock(blocks=TextBlock.from_df('text', is_lm=True, min_freq=2, max_vocab=60000), get_x=ColReader('text'), splitter=IndexSplitter([]))
        dls = dblock.dataloaders(df, bs=64, seq_len=72)
        del df; first(dls.train)
        n_tok = int(sum(dls.train.lens))
        held = dls
    else:
        toks = tokenize(df.text); del df
        vocab = make_vocab(toks, 2, 60000); ids, offs = numericalize(toks, vocab); del toks
        dl = LMStream(ids, offs, bs=64, bptt=72, shuffle=True, seed=0); del ids, offs
        first(dl)
        n_tok = len(dl.ids)
        held = (dl, vocab)
    gc.collect()
    side_return(a.io, dict(bytes=rss_bytes() - base, tokens=n_tok))

def main():
    a = parser(__doc__).parse_args()
    if a.side: return side(a)
    quiet()
    args = side_args(a)
    f = run_side(__file__, 'fastai', 'wikipedia-4-shards', args)
    o = run_side(__file__, 'ours', 'wikipedia-4-shards', args)
    emit(a, 'lm_memory', 'wikipedia 4 shards' if not a.quick else 'wikipedia 200 articles', 'bytes held per corpus token', 'bytes/token',
         f['bytes'] / f['tokens'], o['bytes'] / o['tokens'], higher_is_better=False,
         tokens_fastai=f['tokens'], tokens_ours=o['tokens'], mb_fastai=round(f['bytes'] / 2**20, 1), mb_ours=round(o['bytes'] / 2**20, 1))

if __name__ == '__main__': main()
