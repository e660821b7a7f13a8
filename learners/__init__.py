"""learners: classical in-context learners sharing one ``predict(xs, ys)`` interface.

Every learner maps prompts ``xs`` ``(B, P, n)`` / ``ys`` ``(B, P)`` in {0, 1} to predictions
``(B, P)`` where position ``i`` uses examples ``0..i-1`` and ``x_i`` only (SPEC §3); exact
learners also say where the prediction is determined by their class (``predict_full``).

>>> from boolfun.samplers import sample_prompts
>>> p = sample_prompts("parity", 8, seed=0)
>>> preds = GF2Elimination().predict(p.xs, p.ys)         # torch in, torch out
>>> position_accuracy(preds, p.ys).per_position[-1]      # exact after n independent examples
np.float64(1.0)
"""

from learners.agreement import (
    Agreement,
    agreement,
    agreement_by_group,
    agreement_matrix,
    split_by_prefix,
)
from learners.base import Learner, Predictions, check_prompts
from learners.bayes import BayesOptimal
from learners.elimination import Elimination
from learners.evaluation import PositionAccuracy, Score, position_accuracy, score
from learners.ffn import FeedForward
from learners.gf2 import GF2Elimination
from learners.halfspace import Perceptron
from learners.neighbours import NearestNeighbours
from learners.registry import LEARNERS, applicable, make_learner
from learners.simple import AveragingLearner, NullLearner
from learners.sparse_parity import SparseParity

__all__ = [
    "LEARNERS",
    "Agreement",
    "AveragingLearner",
    "BayesOptimal",
    "Elimination",
    "FeedForward",
    "GF2Elimination",
    "Learner",
    "NearestNeighbours",
    "NullLearner",
    "Perceptron",
    "PositionAccuracy",
    "Predictions",
    "Score",
    "SparseParity",
    "agreement",
    "agreement_by_group",
    "agreement_matrix",
    "applicable",
    "check_prompts",
    "make_learner",
    "position_accuracy",
    "score",
    "split_by_prefix",
]
