"Run under torchrun by tests/test_distributed.py: a tiny stage, recording what each rank trained on."
import json, os, sys, warnings
from pathlib import Path
import numpy as np
from fastai.callback.core import Callback
warnings.filterwarnings('ignore')

class Record(Callback):
    "Keep the inputs of every training batch of the first epoch (and rank 0's losses and epoch-0 stream)."
    order = 99
    def __init__(self, folder): self.folder, self.xs, self.losses = Path(folder), [], []
    def after_batch(self):
        if not self.training: return
        self.losses.append(float(self.learn.loss))
        if self.epoch == 0: self.xs.append(self.xb[0].cpu().numpy())
    def after_epoch(self):
        if self.epoch: return
        r = int(os.environ.get('RANK', 0))
        np.save(self.folder/f'rank{r}.npy', np.concatenate(self.xs, 1))
        if r == 0:
            dl = self.dls.train
            np.save(self.folder/'stream.npy', type(dl)(dl.ids, dl.offsets, bs=dl.bs, bptt=dl.bptt, shuffle=dl.shuffle, seed=dl.seed, rank=0, world_size=1).stream())
    def after_fit(self):
        if int(os.environ.get('RANK', 0)) == 0: (self.folder/'losses.json').write_text(json.dumps(self.losses))

class StopAt(Callback):
    "Interrupt every rank after training step `n` (counted across fits), as a kill would."
    order = 99
    def __init__(self, n): self.n, self.seen = n, 0
    def after_batch(self):
        if self.training:
            self.seen += 1
            if self.seen == self.n: sys.exit(9)

stage, data, out, rec = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
def result(d):
    "Each rank writes its result to its own file next to `out`: the ranks share one stdout pipe, where a line can land inside another rank's progress bar."
    Path(f"{out}.result{os.environ.get('RANK', 0)}.json").write_text(json.dumps(d))
stop = [StopAt(int(sys.argv[5]))] if len(sys.argv) > 5 and int(sys.argv[5]) else []
if stage == 'pretrain':
    from rnn_transfer.lm import pretrain
    pretrain(data, out, preset='tiny', epochs=2, seed=0, save_every=10, cbs=[Record(rec)] + stop)
elif stage == 'finetune':
    from rnn_transfer.lm import finetune
    m = finetune(rec, data, out, preset='tiny', seed=0)
    result(dict(before=m['perplexity_before'], after=m['perplexity']))
else:
    from rnn_transfer.classify import train_classifier
    m = train_classifier(None if stage == 'classify-scratch' else rec, data, out, preset='tiny', seed=0, save_every=5, final_epochs=1, cbs=stop)
    result(dict(valid_error=m['valid_error'], test_error=m.get('test_error')))
