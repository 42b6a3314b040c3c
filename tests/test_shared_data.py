"Reading the real corpora in ../shared/data (or $RNN_TRANSFER_DATA); skipped cleanly where they are absent."
import pytest
from conftest import shared_data
from rnn_transfer.data import load_corpus
from rnn_transfer.data import labelled_frames

DATA = shared_data()
pytestmark = pytest.mark.skipif(DATA is None, reason='real corpora not found (../shared/data or $RNN_TRANSFER_DATA)')

def test_trec_splits():
    train, test, classes = labelled_frames('trec', data_dir=DATA)
    assert len(train) == 5452 and len(test) == 500 and len(classes) == 6

def test_imdb_splits():
    train, test, classes = labelled_frames('imdb', data_dir=DATA)
    assert len(train) == 25000 and len(test) == 25000 and classes == ['neg', 'pos']

def test_wikipedia_shards():
    dd = load_corpus('wikitext-103', data_dir=DATA, max_train_files=1)
    assert set(dd) == {'train', 'validation', 'test'} and 1000 < len(dd['train']) < 2000 and len(dd['validation']) == 60

def test_tagging_corpora():
    "UD English EWT and CoNLL-2003 read with the official sentence and word counts (nothing of them is written)."
    from rnn_transfer.tag_data import tag_corpus_files, read_tagged, TAG_CORPORA
    want = {'ud-ewt': {'train': (12544, 204577), 'valid': (2001, 25147), 'test': (2077, 25094)},
            'conll2003': {'train': (14041, 203621), 'valid': (3250, 51362), 'test': (3453, 46435)}}
    for name, splits in want.items():
        try: files = tag_corpus_files(name, DATA)
        except Exception: pytest.skip(f'{name} not in {DATA}')
        for k, (n_sent, n_words) in splits.items():
            df = read_tagged(files[k], TAG_CORPORA[name]['column'])
            assert (len(df), int(df.tokens.map(len).sum())) == (n_sent, n_words), (name, k)
