"Long runs survive interruption: SIGKILL mid-epoch, resume, and end with the weights of an uninterrupted run; a NaN loss keeps the last good state."
import json, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch
from safetensors.torch import load_file
from conftest import cli
from fastai.callback.core import Callback
from rnn_transfer.core import DivergenceError
from rnn_transfer.lm import pretrain

CHILD = '''
import os, sys, signal, json, time
from fastai.callback.core import Callback
class KillAt(Callback):
    "SIGKILL this process after its n-th training batch (counted across fits)."
    order = 99
    def __init__(self, n): self.n, self.seen = n, 0
    def after_batch(self):
        if self.training:
            self.seen += 1
            if self.seen == self.n: os.kill(os.getpid(), signal.SIGKILL)
class PauseAt(Callback):
    "After training batch n, write DIR/paused and wait for DIR/go (a run caught mid-stage)."
    order = 99
    def __init__(self, n, d): self.n, self.d, self.seen = n, d, 0
    def after_batch(self):
        if self.training:
            self.seen += 1
            if self.seen == self.n:
                open(os.path.join(self.d, 'paused'), 'w').close()
                while not os.path.exists(os.path.join(self.d, 'go')): time.sleep(0.2)
stage, kill, kw = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
cbs = [KillAt(kill)] if kill > 0 else [PauseAt(-kill, sys.argv[4])] if kill < 0 else None
if stage == 'pretrain':
    from rnn_transfer.lm import pretrain; pretrain(**kw, cbs=cbs)
else:
    from rnn_transfer.classify import train_classifier; train_classifier(**kw, cbs=cbs)
'''

def child(stage, kill, **kw):
    "Run a stage in a fresh process (killed with SIGKILL after batch `kill` if non-zero)."
    return subprocess.run([sys.executable, '-c', CHILD, stage, str(kill), json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in kw.items()})],
                          capture_output=True, text=True)

def child_paused(stage, n, d, **kw):
    "Start a stage in a fresh process that stops after training batch `n` until `d/go` exists; return it once it has stopped there."
    with open(d/'child.out', 'w') as o, open(d/'child.err', 'w') as e:   # files, not pipes: nothing blocks on unread output
        p = subprocess.Popen([sys.executable, '-c', CHILD, stage, str(-n), json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in kw.items()}), str(d)],
                             stdout=o, stderr=e, text=True)
    t = time.time()
    while not (d/'paused').exists():
        if p.poll() is not None or time.time() - t > 600:
            p.kill(); raise AssertionError(f"the child {'ended' if p.poll() is not None else 'never reached its pause'}: {(d/'child.err').read_text()[-3000:]}")
        time.sleep(0.2)
    return p

def same_weights(a, b):
    wa, wb = load_file(str(a/'model.safetensors')), load_file(str(b/'model.safetensors'))
    assert wa.keys() == wb.keys()
    diff = [k for k in wa if not torch.equal(wa[k], wb[k])]
    assert not diff, f"{len(diff)} tensors differ, e.g. {diff[:3]}"

def killed(r, out):
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr[-2000:])
    assert (out/'resume'/'state.safetensors').exists() and not (out/'checkpoint.json').exists()

def test_pretrain_sigkill_resume_bit_identical(tmp_path, corpora):
    kw = dict(corpus=corpora/'general', preset='tiny', seed=0, save_every=15)
    r = child('pretrain', 0, out=tmp_path/'ref', **kw); assert r.returncode == 0, r.stderr[-3000:]
    assert not (tmp_path/'ref'/'resume').exists()           # removed once the stage is complete
    n_epoch = json.loads((tmp_path/'ref'/'metrics.json').read_text())['tokens_seen'] // (16 * 20 * 2)   # about the batches per epoch
    killed(child('pretrain', 40, out=tmp_path/'cut', **kw), tmp_path/'cut')             # epoch 1, last state at step 30
    r = child('pretrain', n_epoch + 5, out=tmp_path/'cut', **kw)                        # resumed, killed again in epoch 2
    assert 'resuming from step 30 (phase 1, epoch 1, batch 30)' in r.stdout, r.stdout[-2000:]
    killed(r, tmp_path/'cut')
    r = child('pretrain', 0, out=tmp_path/'cut', **kw); assert r.returncode == 0, r.stderr[-3000:]
    assert 'resuming from step' in r.stdout and 'epoch 2' in r.stdout
    same_weights(tmp_path/'ref', tmp_path/'cut')
    h = lambda d: [e['perplexity'] for e in json.loads((d/'metrics.json').read_text())['history']]
    assert h(tmp_path/'ref') == h(tmp_path/'cut')
    assert json.loads((tmp_path/'cut'/'metrics.json').read_text())['legs'] == 3
    assert not (tmp_path/'cut'/'resume').exists()

def test_classifier_sigkill_in_gradual_unfreezing(tmp_path, corpora):
    pretrain(corpora/'general', tmp_path/'lm', preset='tiny', epochs=1)
    kw = dict(lm=tmp_path/'lm', target=corpora/'target', preset='tiny', seed=0, save_every=8, final_epochs=2)
    r = child('classify', 0, out=tmp_path/'ref', **kw); assert r.returncode == 0, r.stderr[-3000:]
    per_epoch = -(-json.loads((tmp_path/'ref'/'metrics.json').read_text())['train_n'] // 16)
    killed(child('classify', 2 * per_epoch + 5, out=tmp_path/'cut', **kw), tmp_path/'cut')   # inside the third stage
    from safetensors import safe_open
    with safe_open(str(tmp_path/'cut'/'resume'/'state.safetensors'), 'pt') as f: first = json.loads(f.metadata()['state'])['elapsed']
    r = child('classify', 0, out=tmp_path/'cut', **kw); assert r.returncode == 0, r.stderr[-3000:]
    assert 'resuming from step' in r.stdout and '(phase 3,' in r.stdout, r.stdout[-2000:]
    same_weights(tmp_path/'ref', tmp_path/'cut')
    m = lambda d: json.loads((d/'metrics.json').read_text())
    assert m(tmp_path/'ref')['test_error'] == m(tmp_path/'cut')['test_error']
    assert (m(tmp_path/'ref')['legs'], m(tmp_path/'cut')['legs']) == (1, 2)
    assert m(tmp_path/'cut')['wall_seconds'] > first > 0   # both legs' time, not the last one's only

class NaNAt(Callback):
    "Make the loss of training batch `n` NaN."
    order = 50
    def __init__(self, n): self.n = n
    def after_loss(self):
        if self.training and self.learn.train_iter == self.n - 1: self.learn.loss = torch.tensor(float('nan'))

def test_divergence_keeps_last_good_state(tmp_path, corpora):
    with pytest.raises(DivergenceError, match=r'the loss is nan at step 25 .*last good state \(step 20\) is kept'):
        pretrain(corpora/'general', tmp_path/'o', preset='tiny', epochs=1, save_every=10, cbs=[NaNAt(25)])
    assert sorted(p.name for p in (tmp_path/'o').iterdir()) == ['resume']      # no checkpoint, no metrics
    state = load_file(str(tmp_path/'o'/'resume'/'state.safetensors'))
    assert all(torch.isfinite(v).all() for k, v in state.items() if k.startswith('model.'))
    m = pretrain(corpora/'general', tmp_path/'o', preset='tiny', epochs=1, save_every=10, lr=5e-3)   # a lower rate resumes from step 20
    assert m['perplexity'] < 1e4 and (tmp_path/'o'/'checkpoint.json').exists()

def test_divergence_cli_exit_3(tmp_path, corpora):
    r = cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--epochs', 1, '--lr', '1e30', '--out', tmp_path/'o', check=False)
    assert r.returncode == 3, (r.returncode, r.stderr[-2000:])
    assert 'training diverged' in r.stderr and 'Traceback' not in r.stderr
    assert not (tmp_path/'o'/'checkpoint.json').exists()

def test_resume_flags(tmp_path, corpora):
    args = ['pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--epochs', 1, '--out', tmp_path/'o']
    r = cli(*args, '--resume', check=False)
    assert r.returncode == 2 and 'nothing to resume' in r.stderr and not (tmp_path/'o').exists()
    with pytest.raises(DivergenceError):
        pretrain(corpora/'general', tmp_path/'o', preset='tiny', epochs=1, save_every=10, cbs=[NaNAt(15)])
    r = cli(*args[:-2], '--bptt', 12, '--out', tmp_path/'o', check=False)             # other settings: refuse, keep the state
    assert r.returncode == 2 and 'holds an unfinished pretrain run with other settings (preset.bptt differ)' in r.stderr, r.stderr
    state = tmp_path/'o'/'resume'/'state.safetensors'
    good = state.read_bytes(); state.write_bytes(good[:len(good) // 2])                 # truncated state
    r = cli(*args, check=False)
    assert r.returncode == 2 and 'unreadable resume state' in r.stderr and '--restart' in r.stderr
    r = cli(*args, '--restart')
    assert 'resuming' not in r.stdout and (tmp_path/'o'/'checkpoint.json').exists() and not (tmp_path/'o'/'resume').exists()

def test_one_run_per_folder(tmp_path, corpora):
    "A second run on a folder another run is training stops with one line and changes nothing there, --restart included; the first ends as if alone."
    kw = dict(corpus=corpora/'general', preset='tiny', seed=0, save_every=15)
    r = child('pretrain', 0, out=tmp_path/'ref', **kw); assert r.returncode == 0, r.stderr[-3000:]
    first = child_paused('pretrain', 20, tmp_path, out=tmp_path/'busy', **kw)       # paused at batch 20, its state saved at 15
    state = (tmp_path/'busy'/'resume'/'state.safetensors').read_bytes()
    try:
        for flag in ((), ('--restart',)):
            r = cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--seed', 0, '--out', tmp_path/'busy', *flag, check=False)
            last = r.stderr.strip().splitlines()[-1]
            assert r.returncode == 2 and last.startswith('rnn-transfer: error: ') and f'is being trained by another run (pid {first.pid} ' in last, (r.returncode, r.stderr[-2000:])
            assert 'Traceback' not in r.stderr
            assert (tmp_path/'busy'/'resume'/'state.safetensors').read_bytes() == state and not (tmp_path/'busy'/'checkpoint.json').exists()
        (tmp_path/'go').touch()
        assert first.wait(timeout=600) == 0, (tmp_path/'child.err').read_text()[-3000:]
    finally:
        (tmp_path/'go').touch()
        if first.poll() is None: first.kill()
    same_weights(tmp_path/'ref', tmp_path/'busy')                                   # the first run, undisturbed
    assert not (tmp_path/'busy'/'resume').exists() and not (tmp_path/'busy'/'.lock').exists()

def test_one_run_per_fresh_folder(tmp_path, corpora):
    "The lock is taken when a run starts, not at its first save: a second run on a folder whose first run has saved nothing yet stops too, and a run that stops before saving leaves no folder."
    kw = dict(corpus=corpora/'general', preset='tiny', seed=0, save_every=15)
    (tmp_path/'p').mkdir()
    first = child_paused('pretrain', 5, tmp_path/'p', out=tmp_path/'busy', **kw)   # paused before its first save
    try:
        assert sorted(p.name for p in (tmp_path/'busy').iterdir()) == ['.lock']
        r = cli('pretrain', '--corpus', corpora/'general', '--preset', 'tiny', '--seed', 0, '--out', tmp_path/'busy', check=False)
        assert r.returncode == 2 and f'is being trained by another run (pid {first.pid} ' in r.stderr, (r.returncode, r.stderr[-2000:])
        (tmp_path/'p'/'go').touch()
        assert first.wait(timeout=600) == 0 and (tmp_path/'busy'/'checkpoint.json').exists(), (tmp_path/'p'/'child.err').read_text()[-3000:]
    finally:
        (tmp_path/'p'/'go').touch()
        if first.poll() is None: first.kill()
    with pytest.raises(DivergenceError, match='No state was saved yet'):
        pretrain(corpora/'general', tmp_path/'nan', preset='tiny', epochs=1, save_every=10, cbs=[NaNAt(3)])
    assert not (tmp_path/'nan').exists()
