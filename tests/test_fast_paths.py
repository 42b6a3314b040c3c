"The fast paths against fastai's own: the same tokens and vocabulary, the same loss and gradients, resumable generation."
import numpy as np, pandas as pd, pytest, torch
from pathlib import Path
from fastai.text.core import tokenize_texts
from rnn_transfer.text import tokenize, make_vocab, numericalize
from rnn_transfer.losses import TiedSoftmaxCE
from rnn_transfer.core import get_preset
from rnn_transfer.lm import lm_learner
from rnn_transfer.models import language_model
from rnn_transfer.loaders import LMStream
from fastai.data.core import DataLoaders

SAMPLES = Path(__import__('rnn_transfer').__file__).parent/'samples'

def test_tokens_match_fastai_on_bundled_reviews_and_articles():
    texts = pd.read_parquet(SAMPLES/'imdb'/'train.parquet').text.tolist()[:600] + pd.read_parquet(SAMPLES/'wiki'/'train.parquet').text.tolist()[:40]
    ref = [list(t) for t in tokenize_texts(texts, n_workers=0)]
    ours = tokenize(texts, n_workers=2, chunk_size=100)
    same = np.mean([a == b for a, b in zip(ref, ours)])
    assert same >= 0.999, same
    counter = __import__('collections').Counter(t for d in ref for t in d)
    from fastai.text.data import make_vocab as fastai_make_vocab
    assert make_vocab(ours, 2, 5000) == fastai_make_vocab(counter, min_freq=2, max_vocab=5000)

def test_tokenize_is_independent_of_workers_and_chunks():
    texts = pd.read_parquet(SAMPLES/'imdb'/'test.parquet').text.tolist()[:300]
    a, b = tokenize(texts, n_workers=0, chunk_size=1000), tokenize(texts, n_workers=2, chunk_size=37)
    assert list(a) == list(b)
    v = make_vocab(a, 2)
    assert all((x == y).all() for x, y in zip(numericalize(a, v), numericalize(b, v)))

@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_blocked_softmax_matches_cross_entropy(dtype):
    torch.manual_seed(0)
    N, E, V = 120, 16, 1500
    h = torch.randn(N, E, dtype=dtype, requires_grad=True); w = torch.randn(V, E, requires_grad=True); b = torch.randn(V, requires_grad=True)
    y = torch.randint(0, V, (N,))
    ref = torch.nn.functional.cross_entropy(h.float() @ w.t() + b, y)
    gr = torch.autograd.grad(ref, (h, w, b))
    loss, _ = TiedSoftmaxCE.apply(h, w, b, y, 256, False)
    g = torch.autograd.grad(loss, (h, w, b))
    tol = 1e-5 if dtype == torch.float32 else 3e-2
    assert abs(loss.item() - ref.item()) < tol * max(1, ref.item())
    for a, e in zip(g, gr): assert ((a.float() - e).abs().max() / e.abs().max()).item() < tol

def test_fused_training_matches_plain_training_and_restores_decoder():
    "One fp32 epoch with the fused softmax ends with the same weights as fastai's cross-entropy."
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 300, 4000).astype(np.int32)
    def run(fused):
        torch.manual_seed(0)
        dls = DataLoaders(LMStream(ids, bs=8, bptt=12, seed=0), LMStream(ids[:600], bs=4, bptt=12, random_bptt=False, seed=0))
        model = language_model('lstm', 300, dict(emb_sz=16, n_hid=32, n_layers=2))
        learn = lm_learner(dls, model, get_preset('tiny', fused_softmax=fused, cpu_bf16=False, rnn_bf16=False))
        learn.fit(1, 1e-3)
        return learn
    a, b = run(True), run(False)
    assert 'forward' not in vars(a.model[1]) and a.loss_func.decoder is None
    for (k, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items()): assert torch.allclose(x, y, atol=1e-4), k
    assert abs(a.recorder.values[-1][1] - b.recorder.values[-1][1]) < 1e-4   # valid loss

@pytest.mark.parametrize('arch', ['lstm', 'gru'])
def test_generation_step_equals_full_forward(arch):
    "The one-token cell step gives the logits and hidden state of the full model forward."
    from rnn_transfer.generate import LanguageModel
    torch.manual_seed(0)
    vocab = ['xxunk', 'xxpad', 'xxbos'] + [f'w{i}' for i in range(37)]
    lm = LanguageModel(language_model(arch, len(vocab), dict(emb_sz=12, n_hid=20, n_layers=3)), dict(vocab=vocab))
    ids = torch.tensor([2, 5, 9, 11])
    lm.model.reset(); a = lm._feed(ids)
    lm.model.reset(); lm._feed(ids[:2]); lm._step(9); b = lm._step(11)
    assert torch.allclose(a, b, atol=1e-5)
    assert lm.generate('w5 w9', 8, seed=3) == lm.generate('w5 w9', 8, seed=3)

def test_two_level_softmax_fused_training_matches_plain_training():
    "With `cutoffs`, one fp32 epoch of fused training (adaptive_nll on decoder inputs) ends with the weights of plain training on the decoder's full log-probabilities."
    from rnn_transfer.models import AdaptiveTiedDecoder
    rng = np.random.default_rng(0)
    ids = np.minimum(rng.zipf(1.3, 4000), 300).astype(np.int32) - 1
    def run(fused):
        torch.manual_seed(0)
        dls = DataLoaders(LMStream(ids, bs=8, bptt=12, seed=0), LMStream(ids[:600], bs=4, bptt=12, random_bptt=False, seed=0))
        model = language_model('lstm', 300, dict(emb_sz=16, n_hid=32, n_layers=2, cutoffs=[20, 100]))
        learn = lm_learner(dls, model, get_preset('tiny', fused_softmax=fused, cpu_bf16=False, rnn_bf16=False))
        learn.fit(1, 1e-3)
        return learn
    a, b = run(True), run(False)
    assert isinstance(a.model[1], AdaptiveTiedDecoder) and a.loss_func.adaptive is None and 'forward' not in vars(a.model[1])
    for (k, x), (_, y) in zip(a.model.state_dict().items(), b.model.state_dict().items()): assert torch.allclose(x, y, atol=1e-4), k
    assert abs(a.recorder.values[-1][1] - b.recorder.values[-1][1]) < 1e-4   # valid loss
    assert a.model[1].cluster.weight.abs().sum() > 0   # the cluster vectors trained

def test_two_level_generation_step_equals_full_forward():
    "Generation's one-token step reads the two-level decoder's own distribution, as the full forward does."
    from rnn_transfer.generate import LanguageModel
    torch.manual_seed(0)
    vocab = ['xxunk', 'xxpad', 'xxbos'] + [f'w{i}' for i in range(37)]
    model = language_model('lstm', len(vocab), dict(emb_sz=12, n_hid=20, n_layers=3, cutoffs=[10, 25]))
    with torch.no_grad(): model[1].cluster.weight.normal_()
    lm = LanguageModel(model, dict(vocab=vocab))
    ids = torch.tensor([2, 5, 9, 11])
    lm.model.reset(); a = lm._feed(ids)
    lm.model.reset(); lm._feed(ids[:2]); lm._step(9); b = lm._step(11)
    assert torch.allclose(a, b, atol=1e-5) and abs(a.exp().sum().item() - 1) < 1e-4
