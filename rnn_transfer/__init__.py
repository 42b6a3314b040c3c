"ULMFiT transfer learning for text (AWD-LSTM and AWD-GRU) on fastai and PyTorch."
# The version lives once, in settings.ini; nbdev's put_version_in_init is off.
from importlib.metadata import version as _version, PackageNotFoundError
try: __version__ = _version('rnn_transfer')
except PackageNotFoundError: __version__ = '0.0.0+unknown'

import warnings as _warnings
# fastai's layers call torch.jit.script at import time; torch 2.9+ warns about it on every import of this package.
_warnings.filterwarnings('ignore', message=r'`torch.jit.script` is deprecated', category=FutureWarning)
