"""Direct prompting of language models on the paper's prompts (issue 14, part 3).

- :mod:`models.prompting.format`: the prompt text (``Input: b1 ... bn`` / ``Label: y``) and
  the strict answer parser;
- :mod:`models.prompting.backend`: what a backend returns, the shared request budget;
- :mod:`models.prompting.hf`: a local Hugging Face causal LM (greedy or log-likelihood);
- :mod:`models.prompting.openai_http`: an OpenAI-compatible HTTP endpoint (retries, backoff,
  budget, concurrency);
- :mod:`models.prompting.results`: the resumable JSON-lines result file;
- :mod:`models.prompting.scoring`: per-position accuracy over the answered queries;
- :mod:`models.prompting.run`: :func:`evaluate_llm`, all of it together;
- :mod:`models.prompting.testing_server`, :mod:`models.prompting.tiny_lm`: a loopback server
  and a tiny GPT-2 for tests and benchmarks.
"""

from models.prompting.format import FORMAT_VERSION, INSTRUCTION, build_prompt, parse_answer
from models.prompting.run import evaluate_llm

__all__ = ["FORMAT_VERSION", "INSTRUCTION", "build_prompt", "evaluate_llm", "parse_answer"]
