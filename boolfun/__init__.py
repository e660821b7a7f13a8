"""boolfun: exact Boolean functions, function classes with SAT encodings, and the prompt
samplers of Bhattamishra et al. (ICLR 2024).

Variables are ``x1 .. xn`` (``x1`` is column 0 of an input array); inputs are 0/1 arrays.
"""

from boolfun.bits import all_inputs, check_bits
from boolfun.convert import convert
from boolfun.function import BooleanFunction
from boolfun.linear_threshold import Halfspace, Majority, Threshold
from boolfun.normal_forms import CNF, DNF, Conjunction, Disjunction
from boolfun.parity import Parity
from boolfun.parse import from_sympy, parse
from boolfun.samplers import Prompts, sample_prompts
from boolfun.tasks import TASKS, get_task
from boolfun.truth_table import TruthTable

__all__ = [
    "CNF",
    "DNF",
    "BooleanFunction",
    "Conjunction",
    "Disjunction",
    "Halfspace",
    "Majority",
    "Parity",
    "Prompts",
    "TASKS",
    "Threshold",
    "TruthTable",
    "all_inputs",
    "check_bits",
    "convert",
    "from_sympy",
    "get_task",
    "parse",
    "sample_prompts",
]
