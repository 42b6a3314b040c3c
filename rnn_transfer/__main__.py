"`python -m rnn_transfer ...` runs the `rnn-transfer` command (so `torchrun -m rnn_transfer ...` works)."
import sys
from rnn_transfer.cli import main
sys.exit(main())
