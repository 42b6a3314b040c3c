"Multi-process training through fastai's distributed path: 2 CPU processes (gloo) under torchrun."
import json, os, subprocess
from pathlib import Path
import numpy as np, torch
from conftest import script

CHILD = Path(__file__).with_name('ddp_child.py')

def launch(*args, n=2, timeout=600):
    "Run tests/ddp_child.py under torchrun with `n` CPU processes."
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': ''}
    cmd = [script('torchrun'), '--nproc_per_node', str(n), '--master_port', str(29500 + os.getpid() % 1000), str(CHILD), *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    assert r.returncode == 0, (r.stdout[-3000:], r.stderr[-3000:])
    return r

def test_pretrain_two_processes(tmp_path, corpora):
    rec = tmp_path/'rec'; rec.mkdir()
    r = launch('pretrain', corpora/'general', tmp_path/'lm', rec)
    # every rank saw its own contiguous slice; together, every token of the epoch's stream exactly once
    s = np.load(rec/'stream.npy')
    parts = [np.load(rec/f'rank{k}.npy') for k in range(2)]             # (bs, tokens seen) per rank
    assert parts[0].shape == parts[1].shape
    seen = np.concatenate([p.reshape(-1) for p in parts])
    n = parts[0].size
    assert np.array_equal(seen, s[:2 * n]), "the ranks did not cover the stream exactly once"
    assert len(s) - 1 - 2 * n < 2 * parts[0].shape[0]                   # only the remainder of the cut is left out
    # the loss fell; rank 0 alone wrote the checkpoint, which loads in a single process
    losses = json.loads((rec/'losses.json').read_text())
    assert np.mean(losses[-5:]) < np.mean(losses[:5])
    from rnn_transfer.checkpoint import load_lm
    model, meta = load_lm(tmp_path/'lm')
    assert meta['vocab_sz'] == len(meta['vocab']) and not (tmp_path/'lm'/'resume').exists()
    assert r.stdout.count('pretrain: valid perplexity') == 1                 # printed once, by rank 0

def test_classify_two_processes_resume(tmp_path, corpora):
    "Gradual unfreezing on 2 processes (fastai's DistributedDL, here over gloo), stopped inside its third stage and resumed: the weights of an uninterrupted run."
    from rnn_transfer.lm import pretrain
    pretrain(corpora/'general', tmp_path/'lm', preset='tiny', epochs=1)
    launch('classify', corpora/'target', tmp_path/'ref', tmp_path/'lm')
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': ''}
    cmd = [script('torchrun'), '--nproc_per_node', '2', '--master_port', str(29600 + os.getpid() % 1000), str(CHILD), 'classify', corpora/'target', tmp_path/'cut', tmp_path/'lm', 30]
    r = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode != 0 and (tmp_path/'cut'/'resume'/'state.safetensors').exists() and not (tmp_path/'cut'/'checkpoint.json').exists()
    r = launch('classify', corpora/'target', tmp_path/'cut', tmp_path/'lm')
    assert r.stdout.count('resuming from step 30 (phase 3,') == 1, r.stdout[-2000:]    # rank 0 alone prints
    from safetensors.torch import load_file
    a, b = load_file(str(tmp_path/'ref'/'model.safetensors')), load_file(str(tmp_path/'cut'/'model.safetensors'))
    assert all(torch.equal(a[k], b[k]) for k in a)

def test_finetune_two_processes(tmp_path, corpora):
    from rnn_transfer.lm import pretrain
    from rnn_transfer.checkpoint import load_lm
    pretrain(corpora/'general', tmp_path/'lm', preset='tiny', epochs=1)
    r = launch('finetune', corpora/'target', tmp_path/'ft', tmp_path/'lm')
    res = [json.loads(Path(f"{tmp_path/'ft'}.result{k}.json").read_text()) for k in range(2)]
    assert len(res) == 2 and res[0] == res[1] and res[0]['after'] < res[0]['before']      # both ranks end with the same model
    assert load_lm(tmp_path/'ft')[1]['stage'] == 'finetune'
