"Checkpoints never unpickle; fastai's .pth + vocab .pkl load through torch.load(weights_only=True) and a restricted unpickler, vocabulary remapped as fastai does."
import os, pickle, warnings
import pytest, torch
from rnn_transfer.core import CheckpointError
from rnn_transfer.data import synthetic_corpus
from rnn_transfer.checkpoint import load_checkpoint, remap_embeddings
from rnn_transfer.lm import finetune, pretrain

@pytest.fixture(scope='module')
def fastai_lm(tmp_path_factory):
    "A small AWD-LSTM trained and saved by fastai itself: `Learner.save` (weights + optimizer state) and the vocabulary pickled with fastcore."
    from fastai.text.all import TextDataLoaders, language_model_learner, AWD_LSTM, awd_lstm_lm_config
    from fastcore.xtras import save_pickle
    d = tmp_path_factory.mktemp('fastai')
    dls = TextDataLoaders.from_df(synthetic_corpus(200, seed=1, domain='general'), text_col='text', is_lm=True, valid_pct=0.1, bs=8, seq_len=20)
    learn = language_model_learner(dls, AWD_LSTM, config={**awd_lstm_lm_config, 'emb_sz': 16, 'n_hid': 32, 'n_layers': 2}, pretrained=False, path=d)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-2)
    (d/'wt').mkdir()
    learn.save(d/'wt'/'lstm_fwd', with_opt=True)
    save_pickle(d/'wt'/'itos.pkl', dls.vocab)
    return d/'wt', learn

def test_fastai_format_loads(fastai_lm):
    folder, learn = fastai_lm
    for path in (folder, folder/'lstm_fwd.pth'):
        sd, meta = load_checkpoint(path, kind='lm')
        assert meta['arch'] == 'lstm' and meta['config'] == dict(emb_sz=16, n_hid=32, n_layers=2) and meta['vocab'] == list(learn.dls.vocab)
        assert 'weights_only=True' in meta['provenance']['loaded_with']
        for k, v in learn.model.state_dict().items(): assert torch.equal(sd[k], v.cpu()), k

def test_remap_matches_fastai_load_pretrained(tmp_path, fastai_lm):
    "Our vocabulary remapping of fastai's files equals what fastai's own `load_pretrained` makes of them."
    from fastai.text.all import TextDataLoaders, language_model_learner, AWD_LSTM, awd_lstm_lm_config
    folder, _ = fastai_lm
    dls = TextDataLoaders.from_df(synthetic_corpus(200, seed=5), text_col='text', is_lm=True, valid_pct=0.1, bs=8, seq_len=20)
    ref = language_model_learner(dls, AWD_LSTM, config={**awd_lstm_lm_config, 'emb_sz': 16, 'n_hid': 32, 'n_layers': 2}, pretrained=False)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        ref.load_pretrained(folder/'lstm_fwd.pth', folder/'itos.pkl')       # fastai: torch.load(weights_only=False)
    sd, meta = load_checkpoint(folder)
    ours, found = remap_embeddings(sd, meta['vocab'], list(dls.vocab))
    assert 0 < found < 1
    for k, v in ref.model.state_dict().items(): assert torch.equal(ours[k], v.cpu()), k

def test_finetune_from_fastai_weights(tmp_path, fastai_lm, corpora):
    folder, _ = fastai_lm
    m = finetune(folder, corpora/'target', tmp_path/'ft', preset='tiny', epochs=1)
    assert m['perplexity'] < m['perplexity_before'] and 0 < m['vocab_found'] <= 1
    _, meta = load_checkpoint(tmp_path/'ft')
    assert meta['provenance']['parent_provenance']['source'] == 'fastai'

class Payload:
    "Unpickling this runs code: it creates a marker file."
    def __init__(self, marker): self.marker = str(marker)
    def __reduce__(self): return (os.mkdir, (self.marker,))

def test_pickled_code_is_refused(tmp_path, fastai_lm):
    folder, _ = fastai_lm
    bad = tmp_path/'bad'; bad.mkdir()
    marker = tmp_path/'pwned'
    # weights whose pickle carries code
    torch.save({'model': {'0.encoder.weight': torch.zeros(2, 2)}, 'x': Payload(marker)}, bad/'lm.pth')
    (bad/'itos.pkl').write_bytes((folder/'itos.pkl').read_bytes())
    with pytest.raises(CheckpointError, match=r'not loadable with torch.load\(weights_only=True\).*never unpickles arbitrary objects'):
        load_checkpoint(bad)
    # a vocabulary whose pickle carries code
    (bad/'lm.pth').write_bytes((folder/'lstm_fwd.pth').read_bytes())
    (bad/'itos.pkl').write_bytes(pickle.dumps(['xxunk', Payload(marker)]))
    with pytest.raises(CheckpointError, match=r'refused to unpickle (posix|nt)\.mkdir'):
        load_checkpoint(bad)
    assert not marker.exists()
    # vocabulary of another size
    (bad/'itos.pkl').write_bytes(pickle.dumps(['a', 'b', 'c']))
    with pytest.raises(CheckpointError, match='3 tokens but the weights in lm.pth have'): load_checkpoint(bad)

def test_own_checkpoints_never_unpickle(tmp_path, corpora, monkeypatch):
    pretrain(corpora/'general', tmp_path/'lm', preset='tiny', epochs=1)
    def no(*a, **k): raise AssertionError('unpickling attempted')
    monkeypatch.setattr(pickle, 'load', no); monkeypatch.setattr(pickle, 'loads', no); monkeypatch.setattr(pickle, 'Unpickler', no)
    monkeypatch.setattr(torch, 'load', no)
    sd, meta = load_checkpoint(tmp_path/'lm', kind='lm')
    assert meta['weights_sha256'] and sd['0.encoder.weight'].shape[0] == meta['vocab_sz']
