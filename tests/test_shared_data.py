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
