"""Properties of chapters 2–4 (text utilities, embedding layers, the sampler, word2vec models).

Each property has chapter 1's signature ``prop(spec, impl, case)`` and raises
:class:`~refnn.testing.properties.SpecFailure`.  The layer properties chapter 1 already has
(forward, shapes, dtype, gradient, …) are reused as they are, through two small adapters:

* a ``backward`` that returns ``None`` (``Embedding``'s, as in the book: word ids are not
  differentiable) is seen as returning no input gradients;
* this module's references are visible to chapter 1's ``forward``/``shapes`` while they run.

How the negatives are held fixed for a gradient check: every forward runs on a **fresh instance**
built from the same constructor arguments — the same ``W`` array (perturbed in place by the
checker) and the same integer seed — so each evaluation draws the same negatives.  A model's
samplers are reset instead to the Generator state they had when the check began.
Parameters that appear several times in ``params`` (a weight shared by several layers, as in the
book's models) are merged **by identity** and their gradients summed before the comparison.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from refnn.gradcheck import GradientMismatch, GradsRebound, check_layer
from refnn.testing.bookstyle import book_built, tied_transposes
from refnn.testing.cases import REFERENCES, Case
from refnn.testing.contract import current
from refnn.testing.family import Family, Spec
from refnn.testing.properties import (
    FORWARD_ATOL,
    FORWARD_RTOL,
    LAYER_PROPERTIES,
    SpecFailure,
    _compare,
    _gradcheck_text,
    _view,
)
from refnn.testing.word2vec_cases import (
    MODEL_CASES,
    SAMPLER_CASES,
    TEXT_CASES,
    WORD2VEC_CASES,
    WORD2VEC_REFERENCES,
    bce,
    book_bce,
    co_matrix_reference,
    contiguous_ids,
    ns_loss,
    ppmi_reference,
    successive_probabilities,
)

__all__ = ["FAMILY", "WORD2VEC_PROPERTIES", "WORD2VEC_SPECS", "PROPERTY_TEXT", "chi2_sf", "Merged",
           "FreshPerForward", "FrozenSamplers", "BOOK_PROBES", "BOOK_LOG_EPS_CORRECTIONS", "check_model_gradient",
           "DISTRIBUTION_ALPHA", "DISTRIBUTION_DRAWS"]

#: Level of each chi-square test of the sampler's distribution (its false-alarm rate).
DISTRIBUTION_ALPHA = 1e-6
#: Rows drawn for one distribution test.
DISTRIBUTION_DRAWS = 20_000


def _copy(a: Any) -> Any:
    return np.array(a, copy=True) if isinstance(a, np.ndarray) else a


def _named(base: type, like: Any) -> type:
    return type(type(like).__name__, (base,), {})


class _Forwarding:
    """Every attribute is the wrapped object's own unless the wrapper defines it."""

    _obj: Any

    def __getattr__(self, name: str) -> Any:
        return getattr(self._obj, name)


class _NoneIsNoGrad(_Forwarding):
    """``backward() -> None`` seen as "no input gradients" (an empty tuple)."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def forward(self, *args: Any) -> Any:
        return self._obj.forward(*args)

    def backward(self, *douts: Any) -> Any:
        out = self._obj.backward(*douts)
        return () if out is None else out


def _adapted(impl: Any) -> Callable[..., Any]:
    def make(*args: Any) -> Any:
        obj = impl(*args)
        return _named(_NoneIsNoGrad, obj)(obj)

    return make


class Merged(_Forwarding):
    """``obj`` with its parameters merged by identity: each array once, its gradients summed.  A transposed
    view of a parameter (the book's tied weight, ``W`` and ``W.T`` both in params) joins its parameter, its
    gradient transposed before the sum."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        first: dict[int, int] = {}
        self._groups: list[list[tuple[int, bool]]] = []
        views = {j: i for i, j in tied_transposes(list(obj.params))}
        for i, p in enumerate(obj.params):
            if id(p) in first:
                self._groups[first[id(p)]].append((i, False))
            elif i in views and id(obj.params[views[i]]) in first:
                self._groups[first[id(obj.params[views[i]])]].append((i, True))
            else:
                first[id(p)] = len(self._groups)
                self._groups.append([(i, False)])
        self.params = [obj.params[g[0][0]] for g in self._groups]
        self.grads = [np.zeros_like(p) for p in self.params]

    def forward(self, *args: Any) -> Any:
        return self._obj.forward(*args)

    def backward(self, *douts: Any) -> Any:
        out = self._obj.backward(*douts)
        for g, members in zip(self.grads, self._groups):
            g[...] = sum(np.asarray(self._obj.grads[i].T if transposed else self._obj.grads[i], dtype=g.dtype)
                         for i, transposed in members)
        return () if out is None else out


class FreshPerForward(_Forwarding):
    """A layer rebuilt from the same constructor arguments before every forward (same W, same seed):
    each evaluation then draws the same negatives.  ``grads`` keep their identity (copied in)."""

    def __init__(self, impl: Any, args: tuple[Any, ...]) -> None:
        self._impl, self._args = impl, args
        self._obj = impl(*args)
        self.params = list(self._obj.params)
        self.grads = [np.zeros_like(g) for g in self._obj.grads]

    def forward(self, *args: Any) -> Any:
        self._obj = self._impl(*self._args)
        return self._obj.forward(*args)

    def backward(self, *douts: Any) -> Any:
        out = self._obj.backward(*douts)
        for mine, theirs in zip(self.grads, self._obj.grads):
            mine[...] = theirs
        return out


@contextmanager
def references_shown(references: dict[str, Any]) -> Iterator[None]:
    """Chapter 1's forward/shapes properties look references up by name: show them a family's meanwhile."""
    missing = {k: v for k, v in references.items() if k not in REFERENCES}
    REFERENCES.update(missing)
    try:
        yield
    finally:
        for k in missing:
            REFERENCES.pop(k, None)


def chapter1_properties(props: tuple[str, ...], references: dict[str, Any],
                        adapt: bool = True) -> dict[str, Callable[[Any, Any, Case], None]]:
    """Chapter 1's layer properties `props` for a family: its references shown, its layers adapted."""

    def one(prop: str) -> Callable[[Any, Any, Case], None]:
        chapter1 = LAYER_PROPERTIES[prop]

        def run(spec: Any, impl: Any, case: Case) -> None:
            with references_shown(references):
                chapter1(spec, _adapted(impl) if adapt else impl, case)

        run.__name__ = f"prop_{prop}"
        run.__doc__ = chapter1.__doc__
        return run

    return {p: one(p) for p in props}


def _gradient_check(obj: Any, case: Case) -> None:
    try:
        check_layer(obj, *case.inputs, dout=case.dout)
    except (GradientMismatch, GradsRebound) as exc:
        raise SpecFailure(_gradcheck_text(exc, "ko"), _gradcheck_text(exc, "en")) from None


# --- layers ---------------------------------------------------------------------------------------

def prop_dense_onehot(spec: Any, impl: Any, case: Case) -> None:
    """Embedding: dW equals the dense one_hot(idx)ᵀ · dout exactly, the batch stacked on itself
    (so every id repeats) and on small-integer data."""
    W = np.round(2 * case.args[0])
    idx = np.concatenate([case.inputs[0], case.inputs[0]])
    dout = np.round(2 * np.concatenate([case.dout, case.dout]))
    obj = impl(W.copy())
    obj.forward(idx.copy())
    obj.backward(dout.copy())
    V, H = W.shape
    onehot = np.eye(V)[idx.reshape(-1)]
    want = onehot.T @ dout.reshape(-1, H)
    got = np.asarray(obj.grads[0], dtype=np.float64)
    if not np.array_equal(got, want):
        _compare("dW (원-핫 행렬 곱과 비교)", "dW (against one_hot(idx)ᵀ · dout)", got, want, 0.0, 0.0)
        raise SpecFailure("dW가 원-핫 행렬 곱과 다릅니다", "dW differs from one_hot(idx)ᵀ · dout")


def prop_sigmoid_loss_stability(spec: Any, impl: Any, case: Case) -> None:
    """SigmoidWithLoss at x = ±1e6 and ±1e3: finite, no warning, loss and dx exact."""
    x = np.array([1e6, -1e6, 1e6, -1e6, 1e3, -1e3, 0.0])
    t = np.array([0, 1, 1, 0, 1, 1, 0])
    per = [max(z, 0.0) + math.log1p(math.exp(-abs(z))) for z in np.where(t == 1, -x, x)]  # softplus
    want = math.fsum(per) / x.size
    obj = impl()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        try:
            loss = float(obj.forward(x.copy(), t.copy()))
            dx = np.asarray(obj.backward(1.0), dtype=np.float64)
        except RuntimeWarning as w:
            raise SpecFailure(f"큰 점수에서 경고가 납니다: {w}", f"large scores raise a warning: {w}") from None
    if not math.isclose(loss, want, rel_tol=1e-12):
        raise SpecFailure(f"x = ±1e6에서 손실이 {loss!r}인데 {want!r}이어야 합니다",
                          f"at x = ±1e6 the loss is {loss!r}, expected {want!r}")
    y = np.array([1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z)) for z in x])
    _compare("dx", "dx", dx, (y - t) / x.size, 1e-12, 1e-9)


def prop_gradient_fixed_negatives(spec: Any, impl: Any, case: Case) -> None:
    """dh and dW against finite differences, each forward on a fresh instance with the same W and seed
    (so the same negatives); a W that appears several times in params is checked once, grads summed."""
    fresh = FreshPerForward(impl, tuple(_copy(a) for a in case.args))
    checked: Any = _named(Merged, fresh._obj)(fresh)
    if current().book("log-1e-7"):  # the book's 1e-7 in each log: subtract (book − exact) at the drawn negatives
        W = fresh._args[0]

        def correction(h: Any, target: Any) -> float:
            negative = np.asarray(impl(*fresh._args).sampler.get_negative_sample(np.array(target, copy=True)))
            return ns_loss(W, h, target, negative, book=True) - ns_loss(W, h, target, negative, book=False)

        checked = _view(checked, correction)
    _gradient_check(checked, case)


def _global_state() -> Any:
    return np.random.get_state()


def _same_global(before: Any, what: str) -> None:
    if current().book("global-random"):  # the book's way: seeded before every construction, not an rng
        return
    after = _global_state()
    if not (np.array_equal(before[1], after[1]) and before[2:] == after[2:]):
        raise SpecFailure(f"{what}가 NumPy의 전역 난수 상태를 바꿨습니다 (rng만 써야 합니다)",
                          f"{what} changed NumPy's global random state (use only the rng given)")


def prop_reproducible(spec: Any, impl: Any, case: Case) -> None:
    """The same seed gives the same loss and gradients; NumPy's global random state is untouched."""
    results = []
    before = _global_state()
    for _ in range(2):
        obj = _adapted(impl)(*[_copy(a) for a in case.args])
        loss = obj.forward(*[_copy(a) for a in case.inputs])
        dx = obj.backward(case.dout)
        results.append((float(loss), np.array(dx, copy=True), [np.array(g, copy=True) for g in obj.grads]))
    _same_global(before, "forward/backward")
    (l1, d1, g1), (l2, d2, g2) = results
    if l1 != l2 or not np.array_equal(d1, d2) or not all(np.array_equal(a, b) for a, b in zip(g1, g2)):
        raise SpecFailure("같은 시드로 만든 두 계층의 손실이나 기울기가 다릅니다",
                          "two instances built with the same seed give different losses or gradients")


# --- the sampler ----------------------------------------------------------------------------------

def _sample(impl: Any, case: Case, target: np.ndarray | None = None) -> np.ndarray:
    corpus, power, k, seed = case.args
    sampler = impl(corpus.copy(), power, k, seed)
    return np.asarray(sampler.get_negative_sample(case.inputs[0].copy() if target is None else target))


def sprop_shape(spec: Any, impl: Any, case: Case) -> None:
    """(N, sample_size) integer ids."""
    out = _sample(impl, case)
    want = (case.inputs[0].shape[0], case.args[2])
    if out.shape != want or out.dtype.kind not in "iu":
        raise SpecFailure(f"표본의 형상·dtype이 {out.dtype}{out.shape}인데 정수 {want}이어야 합니다",
                          f"the sample is {out.dtype}{out.shape}, expected integers of shape {want}")


def sprop_target_excluded(spec: Any, impl: Any, case: Case) -> None:
    """No row holds its own target."""
    out = _sample(impl, case)
    bad = np.argwhere(out == case.inputs[0][:, None])
    if bad.size:
        n = int(bad[0][0])
        raise SpecFailure(f"행 {n}에 타깃 {case.inputs[0][n]}이(가) 부정적 예로 들어 있습니다: {out[n].tolist()}",
                          f"row {n} holds its target {case.inputs[0][n]} among its negatives: {out[n].tolist()}")


def sprop_no_repeats(spec: Any, impl: Any, case: Case) -> None:
    """No word twice within a row."""
    out = _sample(impl, case)
    for n, row in enumerate(out):
        if len(set(row.tolist())) != row.size:
            raise SpecFailure(f"행 {n}에 같은 단어가 두 번 있습니다: {row.tolist()}",
                              f"row {n} repeats a word: {row.tolist()}")


def sprop_support(spec: Any, impl: Any, case: Case) -> None:
    """Only words of the corpus are drawn (ids need not be contiguous)."""
    out = _sample(impl, case, np.repeat(case.inputs[0], 50))
    stray = np.setdiff1d(out, case.args[0])
    if stray.size:
        raise SpecFailure(f"말뭉치에 없는 ID {stray.tolist()}가 뽑혔습니다",
                          f"ids absent from the corpus were drawn: {stray.tolist()}")


def sprop_reproducible(spec: Any, impl: Any, case: Case) -> None:
    """The same seed gives the same sample; NumPy's global random state is untouched."""
    before = _global_state()
    a, b = _sample(impl, case), _sample(impl, case)
    _same_global(before, "get_negative_sample")
    if not np.array_equal(a, b):
        raise SpecFailure("같은 시드로 만든 두 표본기가 다른 표본을 냅니다",
                          "two samplers built with the same seed give different samples")


def chi2_sf(x: float, df: int) -> float:
    """P(χ²_df ≥ x), the regularized upper incomplete gamma Q(df/2, x/2) (series or continued fraction)."""
    s, z = df / 2.0, x / 2.0
    if z <= 0:
        return 1.0
    log_front = s * math.log(z) - z - math.lgamma(s)
    if z < s + 1:  # lower series: P = front/s · Σ z^n / ((s+1)…(s+n))
        term = total = 1.0 / s
        n = 1
        while term > total * 1e-16:
            term *= z / (s + n)
            total += term
            n += 1
        return max(0.0, 1.0 - math.exp(log_front) * total)
    # upper continued fraction (modified Lentz)
    b = z + 1.0 - s
    c, d = 1e300, 1.0 / b
    h = d
    for i in range(1, 10_000):
        a = -i * (i - s)
        b += 2.0
        d = a * d + b
        d = 1.0 / (d if abs(d) > 1e-300 else 1e-300)
        c = b + a / c
        c = c if abs(c) > 1e-300 else 1e-300
        delta = c * d
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return math.exp(log_front) * h


def sprop_distribution(spec: Any, impl: Any, case: Case) -> None:
    """Rows follow sequential weighted draws without replacement from count^power (target removed):
    a chi-square test over the ordered k-tuples at level DISTRIBUTION_ALPHA, its seed fixed by the case."""
    corpus, power, k, _ = case.args
    target = int(case.inputs[0][0])
    seed = zlib.crc32(corpus.tobytes() + np.array([target, k, int(power * 100)]).tobytes())
    sampler = impl(corpus.copy(), power, k, seed)
    rows = np.asarray(sampler.get_negative_sample(np.full(DISTRIBUTION_DRAWS, target)))
    ids, counts = np.unique(corpus, return_counts=True)
    weights = {int(w): float(c) ** power for w, c in zip(ids, counts) if w != target}
    total = sum(weights.values())
    exact = successive_probabilities({w: q / total for w, q in weights.items()}, k)
    observed: dict[tuple[int, ...], int] = {}
    for row in map(tuple, rows.tolist()):
        observed[row] = observed.get(row, 0) + 1
    stray = set(observed) - set(exact)
    if stray:
        raise SpecFailure(f"불가능한 표본 {sorted(stray)[:3]}이(가) 나왔습니다",
                          f"impossible samples were drawn: {sorted(stray)[:3]}")
    cells: list[tuple[float, float]] = []
    lumped_o, lumped_e = 0.0, 0.0
    for tup, p in exact.items():
        e = p * DISTRIBUTION_DRAWS
        if e >= 5:
            cells.append((observed.get(tup, 0), e))
        else:
            lumped_o, lumped_e = lumped_o + observed.get(tup, 0), lumped_e + e
    if lumped_e > 0:
        cells.append((lumped_o, lumped_e))
    if len(cells) < 2:
        return
    stat = sum((o - e) ** 2 / e for o, e in cells)
    p_value = chi2_sf(stat, len(cells) - 1)
    if p_value < DISTRIBUTION_ALPHA:
        worst = max(exact, key=lambda t: abs(observed.get(t, 0) - exact[t] * DISTRIBUTION_DRAWS))
        raise SpecFailure(
            f"표본의 분포가 count^{power}의 복원 없는 추출과 다릅니다: χ² = {stat:.1f} (자유도 {len(cells) - 1}, "
            f"p = {p_value:.2g} < {DISTRIBUTION_ALPHA:g}); 예: {worst}의 빈도 {observed.get(worst, 0)}, "
            f"기대 {exact[worst] * DISTRIBUTION_DRAWS:.1f}",
            f"the samples do not follow draws without replacement from count^{power}: chi2 = {stat:.1f} "
            f"(df {len(cells) - 1}, p = {p_value:.2g} < {DISTRIBUTION_ALPHA:g}); e.g. {worst} seen "
            f"{observed.get(worst, 0)} times, expected {exact[worst] * DISTRIBUTION_DRAWS:.1f}",
        )


# --- text utilities -------------------------------------------------------------------------------

def _call(impl: Any, case: Case) -> Any:
    return impl(*[_copy(a) for a in case.inputs])


def tprop_no_mutation(spec: Any, impl: Any, case: Case) -> None:
    """The function leaves its array arguments unchanged."""
    inputs = [_copy(a) for a in case.inputs]
    impl(*inputs)
    for i, (a, b) in enumerate(zip(inputs, case.inputs)):
        if isinstance(b, np.ndarray) and not np.array_equal(a, b):
            raise SpecFailure(f"입력 {i}가 바뀌었습니다", f"input {i} was changed")


def tprop_round_trip(spec: Any, impl: Any, case: Case) -> None:
    """preprocess: id_to_word[corpus] gives the tokens; no empty token; ids in order of first appearance."""
    text = case.inputs[0]
    corpus, w2i, i2w = impl(text)
    tokens = text.lower().replace(".", " .").split()
    got = [i2w[int(i)] for i in corpus]
    if got != tokens:
        raise SpecFailure(f"id_to_word[corpus]가 {got}인데 {tokens}이어야 합니다",
                          f"id_to_word[corpus] is {got}, expected {tokens}")
    first = list(dict.fromkeys(tokens))
    if [w2i[w] for w in first] != list(range(len(first))) or any(i2w[w2i[w]] != w for w in first):
        raise SpecFailure("단어 ID가 처음 나온 순서가 아니거나 두 사전이 서로의 역이 아닙니다",
                          "ids are not in order of first appearance, or the dicts are not inverse")


def tprop_co_definition(spec: Any, impl: Any, case: Case) -> None:
    """create_co_matrix equals the count from its definition (one neighbour at a time)."""
    corpus, v, w = case.inputs
    _compare("동시발생 행렬", "co-occurrence matrix", _call(impl, case), co_matrix_reference(corpus, v, w), 0.0, 0.0)


def tprop_co_symmetric(spec: Any, impl: Any, case: Case) -> None:
    """Symmetric, with Σ C = Σ_d 2·max(T − d, 0) (the window is cut at the corpus edges)."""
    corpus, v, w = case.inputs
    C = np.asarray(_call(impl, case))
    if not np.array_equal(C, C.T):
        raise SpecFailure("동시발생 행렬이 대칭이 아닙니다", "the co-occurrence matrix is not symmetric")
    want = sum(2 * max(corpus.size - d, 0) for d in range(1, w + 1))
    if int(C.sum()) != want:
        raise SpecFailure(f"전체 횟수가 {int(C.sum())}인데 {want}이어야 합니다 (양 끝에서 창이 잘림)",
                          f"the total count is {int(C.sum())}, expected {want} (windows cut at the edges)")


def tprop_ppmi_definition(spec: Any, impl: Any, case: Case) -> None:
    """ppmi equals max(0, log2(C_ij N / (S_i S_j) + eps)) element-wise (float32 output) and is >= 0."""
    M = np.asarray(_call(impl, case))
    if np.any(M < 0):
        raise SpecFailure("PPMI에 음수가 있습니다", "PPMI has negative entries")
    _compare("PPMI", "PPMI", M, ppmi_reference(case.inputs[0]), 1e-6, 1e-6)


def _cos(x: np.ndarray, y: np.ndarray, eps: float = 1e-8) -> float:
    return float(x @ y / ((math.sqrt(x @ x) + eps) * (math.sqrt(y @ y) + eps)))


def tprop_cos_range(spec: Any, impl: Any, case: Case) -> None:
    """cos_similarity lies in [-1, 1] and equals x·y / ((‖x‖ + eps)(‖y‖ + eps))."""
    x, y = case.inputs
    got = float(_call(impl, case))
    if not -1.0 <= got <= 1.0:
        raise SpecFailure(f"코사인 유사도 {got!r}가 [-1, 1] 밖입니다", f"cosine similarity {got!r} is outside [-1, 1]")
    _compare("코사인 유사도", "cosine similarity", got, _cos(x, y), 1e-12, 1e-9)


def tprop_cos_scale(spec: Any, impl: Any, case: Case) -> None:
    """Scaling x and y by positive factors leaves the similarity unchanged (norms well above eps)."""
    x, y = case.inputs
    if math.sqrt(x @ x) < 0.1 or math.sqrt(y @ y) < 0.1:
        return
    a = float(impl(x.copy(), y.copy()))
    b = float(impl(3.5 * x, 0.25 * y))
    if not math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6):
        raise SpecFailure(f"크기를 바꾸면 유사도가 {a!r}에서 {b!r}로 바뀝니다",
                          f"scaling changes the similarity from {a!r} to {b!r}")


def _check_ranking(result: Any, sims: dict[int, float], excluded: set[int], top: int,
                   i2w: dict[int, str]) -> None:
    pairs = list(result)
    words = [w for w, _ in pairs]
    want_len = min(top, len(sims) - len(excluded))
    if len(pairs) != want_len:
        raise SpecFailure(f"{len(pairs)}개를 돌려줬는데 {want_len}개여야 합니다",
                          f"returned {len(pairs)} words, expected {want_len}")
    if any(i2w[i] in words for i in excluded):
        raise SpecFailure(f"질의 단어가 결과에 있습니다: {words}", f"a query word is among the results: {words}")
    values = [float(s) for _, s in pairs]
    if any(a < b for a, b in zip(values, values[1:])):
        raise SpecFailure(f"유사도가 내림차순이 아닙니다: {values}",
                          f"similarities are not in descending order: {values}")
    w2i = {w: i for i, w in i2w.items()}
    for w, s in pairs:
        if not math.isclose(float(s), sims[w2i[w]], rel_tol=1e-9, abs_tol=1e-12):
            raise SpecFailure(f"{w}의 유사도가 {s!r}인데 {sims[w2i[w]]!r}이어야 합니다",
                              f"the similarity of {w} is {s!r}, expected {sims[w2i[w]]!r}")
    rest = sorted((v for i, v in sims.items() if i not in excluded), reverse=True)
    if values and not math.isclose(values[-1], rest[want_len - 1], rel_tol=1e-9, abs_tol=1e-12):
        raise SpecFailure("가장 유사한 단어를 빠뜨렸습니다", "a more similar word was left out")


def tprop_most_similar(spec: Any, impl: Any, case: Case) -> None:
    """most_similar: the query excluded, sorted by cosine similarity, the `top` best."""
    query, w2i, i2w, m = case.inputs
    top = case.meta["top"]
    result = impl(query, dict(w2i), dict(i2w), m.copy(), top=top)
    q = m[w2i[query]]
    _check_ranking(result, {i: _cos(m[i], q) for i in i2w}, {w2i[query]}, top, i2w)


def tprop_analogy(spec: Any, impl: Any, case: Case) -> None:
    """analogy: a, b and c excluded, ranked by cosine similarity to b − a + c."""
    a, b, c, w2i, i2w, m = case.inputs
    top = case.meta["top"]
    result = impl(a, b, c, dict(w2i), dict(i2w), m.copy(), top=top)
    q = m[w2i[b]] - m[w2i[a]] + m[w2i[c]]
    _check_ranking(result, {i: _cos(m[i], q) for i in i2w}, {w2i[a], w2i[b], w2i[c]}, top, i2w)


def tprop_contexts_definition(spec: Any, impl: Any, case: Case) -> None:
    """contexts[n] = the w words left and right of target[n] = corpus[n + w]."""
    corpus, w = case.inputs
    contexts, target = _call(impl, case)
    want_c = [[corpus[i + d] for d in range(-w, w + 1) if d != 0] for i in range(w, corpus.size - w)]
    _compare("contexts", "contexts", contexts, np.array(want_c), 0.0, 0.0)
    _compare("target", "target", target, corpus[w:corpus.size - w], 0.0, 0.0)


def tprop_onehot_definition(spec: Any, impl: Any, case: Case) -> None:
    """convert_one_hot: a 1 at each id, 0 elsewhere, shape corpus.shape + (V,)."""
    corpus, v = case.inputs
    got = np.asarray(_call(impl, case))
    want = np.zeros(corpus.shape + (v,), dtype=np.int64)
    for pos in np.ndindex(corpus.shape):
        want[pos + (corpus[pos],)] = 1
    _compare("원-핫", "one-hot", got, want, 0.0, 0.0)


# --- the table ------------------------------------------------------------------------------------

_LAYER = ("forward", "shapes", "dtype", "gradient", "no_mutation", "grads_inplace", "backward_twice",
          "linearity", "batch_mean")

_CHAPTER1 = chapter1_properties(_LAYER, WORD2VEC_REFERENCES)


def prop_forward(spec: Any, impl: Any, case: Case) -> None:
    """Forward equals the definition; for a NegativeSamplingLoss that draws from NumPy's global state (the
    book's), the definition is taken at the negatives its own sampler draws from the state forward began with."""
    if spec.name != "NegativeSamplingLoss" or not current().book("global-random"):
        _CHAPTER1["forward"](spec, impl, case)
        return
    layer = impl(*[_copy(a) for a in case.args])
    h, target = case.inputs
    state = np.random.get_state()
    loss = float(layer.forward(h.copy(), target.copy()))
    np.random.set_state(state)
    negative = np.asarray(layer.sampler.get_negative_sample(target.copy()))
    want = ns_loss(case.args[0], h, target, negative)
    _compare("순전파 out", "forward out", np.asarray(loss), np.asarray(want), FORWARD_ATOL, FORWARD_RTOL)


WORD2VEC_PROPERTIES: dict[str, Callable[[Any, Any, Case], None]] = {
    **_CHAPTER1,
    "forward": prop_forward,
    "dense_onehot": prop_dense_onehot,
    "sigmoid_loss_stability": prop_sigmoid_loss_stability,
    "gradient_fixed_negatives": prop_gradient_fixed_negatives,
    "reproducible": prop_reproducible,
    "sample_shape": sprop_shape,
    "target_excluded": sprop_target_excluded,
    "no_repeats": sprop_no_repeats,
    "support": sprop_support,
    "sample_reproducible": sprop_reproducible,
    "distribution": sprop_distribution,
    "text_no_mutation": tprop_no_mutation,
    "round_trip": tprop_round_trip,
    "co_definition": tprop_co_definition,
    "co_symmetric": tprop_co_symmetric,
    "ppmi_definition": tprop_ppmi_definition,
    "cos_range": tprop_cos_range,
    "cos_scale": tprop_cos_scale,
    "most_similar_ranking": tprop_most_similar,
    "analogy_ranking": tprop_analogy,
    "contexts_definition": tprop_contexts_definition,
    "onehot_definition": tprop_onehot_definition,
}

#: New property name → (Korean, English) description, for the registry's PROPERTIES.
PROPERTY_TEXT: dict[str, tuple[str, str]] = {
    "dense_onehot": ("dW가 조밀한 onehot(idx)ᵀ·dout과 정확히 같다(같은 ID가 반복되어도)",
                     "dW equals the dense one_hot(idx)ᵀ·dout exactly, repeated ids included"),
    "sigmoid_loss_stability": ("x = ±1e6에서도 경고 없이 유한하고 정확", "finite and exact at x = ±1e6, no warning"),
    "gradient_fixed_negatives": ("부정적 예를 고정하고(같은 W·시드로 매번 새로 만듦) dh·dW가 수치 미분과 같다",
                                 "dh and dW match finite differences with the negatives fixed (same W and seed)"),
    "reproducible": ("같은 시드면 같은 손실·기울기, 전역 난수 상태는 그대로",
                     "the same seed gives the same loss and gradients; the global random state is untouched"),
    "sample_shape": ("표본이 (N, sample_size)의 정수 ID", "samples are integer ids of shape (N, sample_size)"),
    "target_excluded": ("행마다 자신의 타깃이 없다", "no row holds its own target"),
    "no_repeats": ("한 행에 같은 단어가 두 번 없다", "no word twice within a row"),
    "support": ("말뭉치에 나온 ID만 뽑는다(ID가 연속이 아니어도)", "only corpus ids are drawn (gaps allowed)"),
    "sample_reproducible": ("같은 시드면 같은 표본, 전역 난수 상태는 그대로",
                            "the same seed gives the same sample; the global random state is untouched"),
    "distribution": (f"count^power의 복원 없는 추출과 같은 분포(χ² 검정, 유의수준 {DISTRIBUTION_ALPHA:g})",
                     f"distributed as draws without replacement from count^power (chi-square, level "
                     f"{DISTRIBUTION_ALPHA:g})"),
    "text_no_mutation": ("입력 배열을 바꾸지 않는다", "array arguments are not mutated"),
    "round_trip": ("id_to_word[corpus]가 단어 열이고 빈 단어가 없다",
                   "id_to_word[corpus] gives the tokens; no empty token"),
    "co_definition": ("동시발생 행렬이 정의(하나씩 센 값)와 같다", "the co-occurrence matrix equals its definition"),
    "co_symmetric": ("대칭이고 양 끝에서 창이 잘린 만큼의 합", "symmetric, total as the windows cut at the edges"),
    "ppmi_definition": ("원소마다 정의와 같고 0 이상", "equals its definition element-wise and is >= 0"),
    "cos_range": ("[-1, 1] 안이고 정의와 같다", "in [-1, 1] and equal to its definition"),
    "cos_scale": ("양수배에 대해 불변", "invariant under positive scaling"),
    "most_similar_ranking": ("질의 단어를 빼고 코사인 유사도의 내림차순",
                             "query excluded, sorted by cosine similarity"),
    "analogy_ranking": ("a, b, c를 빼고 b − a + c와의 코사인 유사도 순",
                        "a, b, c excluded, ranked by cosine to b − a + c"),
    "contexts_definition": ("맥락과 타깃이 정의와 같다", "contexts and target equal their definition"),
    "onehot_definition": ("원-핫이 정의와 같다", "the one-hot encoding equals its definition"),
}


# --- the registry rows and a runner ---------------------------------------------------------------

_BACKPROP = ("forward", "shapes", "dtype", "gradient", "no_mutation", "backward_twice", "linearity")
_WITH_PARAMS = _BACKPROP + ("grads_inplace",)
_SAMPLER = ("sample_shape", "target_excluded", "no_repeats", "support", "sample_reproducible", "distribution")


def _rows() -> dict[str, Spec]:
    rows = [
        Spec("Embedding", "layer", _WITH_PARAMS + ("dense_onehot",), module="refnn.layers"),
        Spec("EmbeddingDot", "layer", _WITH_PARAMS, module="refnn.layers"),
        # the book's dx = (y - t) * dout / N takes the int labels' dtype: float32 in keeps float32 is refnn's promise
        Spec("SigmoidWithLoss", "loss", ("forward", "shapes", "gradient", "no_mutation", "backward_twice",
                                         "linearity", "batch_mean"), ("dtype", "sigmoid_loss_stability"),
             module="refnn.layers"),
        # as SigmoidWithLoss: the book's int labels make a float32 score give a float64 dh
        Spec("NegativeSamplingLoss", "loss",
             ("forward", "shapes", "gradient_fixed_negatives", "no_mutation", "grads_inplace",
              "backward_twice", "linearity", "reproducible"), ("dtype",), module="refnn.layers"),
        Spec("UnigramSampler", "sampler", _SAMPLER, module="refnn.sampling"),
    ]
    text = {
        "preprocess": ("round_trip",),
        "create_co_matrix": ("co_definition", "co_symmetric", "text_no_mutation"),
        "cos_similarity": ("cos_range", "cos_scale", "text_no_mutation"),
        "most_similar": ("most_similar_ranking", "text_no_mutation"),
        "ppmi": ("ppmi_definition", "text_no_mutation"),
        "create_contexts_target": ("contexts_definition", "text_no_mutation"),
        "convert_one_hot": ("onehot_definition", "text_no_mutation"),
        "analogy": ("analogy_ranking", "text_no_mutation"),
    }
    rows += [Spec(name, "function", props, module="refnn.text") for name, props in text.items()]
    return {s.name: s for s in rows}


WORD2VEC_SPECS: dict[str, Spec] = _rows()

_STRATEGIES = {**WORD2VEC_CASES, **SAMPLER_CASES, **TEXT_CASES}


class FrozenSamplers(_Forwarding):
    """A model whose samplers restart from the Generator state they had at wrapping, before every forward
    (so each evaluation of a gradient check draws the same negatives)."""

    def __init__(self, obj: Any) -> None:
        self._obj = obj
        self._samplers = [s for layer in getattr(obj, "layers", []) if (s := getattr(layer, "sampler", None))]
        self._samplers = [s for s in self._samplers if hasattr(s, "rng")]
        self._states = [s.rng.bit_generator.state for s in self._samplers]
        self._global = np.random.get_state()  # the book's samplers draw from NumPy's global state
        self.params, self.grads = obj.params, obj.grads

    def forward(self, *args: Any) -> Any:
        for sampler, state in zip(self._samplers, self._states):
            sampler.rng.bit_generator.state = state
        np.random.set_state(self._global)
        return self._obj.forward(*args)

    def backward(self, *douts: Any) -> Any:
        return self._obj.backward(*douts)


def check_model_gradient(model: Any, contexts: Any, target: Any, dout: float = 1.0) -> dict[str, float]:
    """Whole-model gradient check in float64: every parameter, shared ones merged by identity (grads summed),
    negatives fixed by `FrozenSamplers`.  Returns check_layer's errors; raises GradientMismatch on a mismatch."""
    frozen = _named(FrozenSamplers, model)(model)
    return check_layer(_named(Merged, model)(frozen), contexts, target, dout=dout)


# --- models ---------------------------------------------------------------------------------------

def _unique(arrays: Any) -> list[np.ndarray]:
    seen: dict[int, np.ndarray] = {}
    for a in arrays:
        seen.setdefault(id(a), a)
    return list(seen.values())


def mprop_gradient(spec: Any, impl: Any, case: Case) -> None:
    """Whole model in float64: every parameter against finite differences, a weight used by several
    layers checked once with its gradients summed, the negatives fixed (samplers reset per forward)."""
    model = impl(*case.args, dtype=np.float64)
    unique = _unique(model.params)
    if [p.shape for p in unique] != [p.shape for p in case.meta["params"]]:
        raise SpecFailure(f"서로 다른 매개변수의 형상이 {[p.shape for p in unique]}인데 "
                          f"{[p.shape for p in case.meta['params']]}이어야 합니다",
                          f"the distinct parameters have shapes {[p.shape for p in unique]}, "
                          f"expected {[p.shape for p in case.meta['params']]}")
    for p, v in zip(unique, case.meta["params"]):
        p[...] = v
    try:
        contexts, target = case.inputs
        check_model_gradient(model, _copy(contexts), _copy(target), dout=case.dout)
    except (GradientMismatch, GradsRebound) as exc:
        raise SpecFailure(_gradcheck_text(exc, "ko"), _gradcheck_text(exc, "en")) from None


def mprop_dtype(spec: Any, impl: Any, case: Case) -> None:
    """float32 by default (as the book from chapter 3 on): params, grads and word_vecs stay float32."""
    model = impl(*case.args)
    loss = model.forward(*[_copy(a) for a in case.inputs])
    model.backward()
    if not math.isfinite(float(loss)):
        raise SpecFailure(f"손실이 유한하지 않습니다: {loss!r}", f"the loss is not finite: {loss!r}")
    for what, arrays in (("params", model.params), ("grads", model.grads), ("word_vecs", [model.word_vecs])):
        for i, a in enumerate(arrays):
            if np.asarray(a).dtype != np.float32:
                raise SpecFailure(f"기본 dtype에서 {what}[{i}]가 {np.asarray(a).dtype}입니다 (float32여야 함)",
                                  f"with the default dtype {what}[{i}] is {np.asarray(a).dtype} (expected float32)")


def mprop_reproducible(spec: Any, impl: Any, case: Case) -> None:
    """The same seed gives the same initial weights, loss and gradients; the global random state is untouched;
    word_vecs is the input-side weight params[0]."""
    before = _global_state()
    runs = []
    for _ in range(2):
        model = impl(*case.args)
        loss = float(model.forward(*[_copy(a) for a in case.inputs]))
        model.backward()
        runs.append((model, loss))
    _same_global(before, "the model")
    (a, la), (b, lb) = runs
    same = la == lb and all(np.array_equal(p, q) for p, q in zip(a.params + a.grads, b.params + b.grads))
    if not same:
        raise SpecFailure("같은 시드로 만든 두 모델의 가중치·손실·기울기가 다릅니다",
                          "two models built with the same seed differ in weights, loss or gradients")
    if a.word_vecs is not a.params[0]:
        raise SpecFailure("word_vecs가 입력 측 가중치 params[0]이 아닙니다",
                          "word_vecs is not the input-side weight params[0]")


WORD2VEC_PROPERTIES.update({"model_gradient": mprop_gradient, "model_dtype": mprop_dtype,
                            "model_reproducible": mprop_reproducible})
PROPERTY_TEXT.update({
    "model_gradient": ("모델 전체의 모든 매개변수가 수치 미분과 같다(공유 가중치는 기울기를 합해 한 번)",
                       "every parameter of the whole model matches finite differences (shared weights summed)"),
    "model_dtype": ("기본 dtype은 float32(params, grads, word_vecs)", "float32 by default (params, grads, word_vecs)"),
    "model_reproducible": ("같은 시드면 같은 가중치·손실·기울기, 전역 난수 상태는 그대로",
                           "the same seed gives the same weights, loss and gradients; global state untouched"),
})
_MODEL = ("model_gradient", "model_dtype", "model_reproducible")
WORD2VEC_SPECS.update({name: Spec(name, "model", _MODEL, module="refnn.models.word2vec")
                       for name in ("SimpleCBOW", "SimpleSkipGram", "CBOW", "SkipGram")})
_STRATEGIES.update(MODEL_CASES)


# --- the book's contract: a probe and a gradient correction for SigmoidWithLoss --------------------

def probe_sigmoid_with_loss(impl: Any) -> set[str]:
    """{"log-1e-7"} when the loss at x = -20, t = 1 is the book's -log(σ(-20) + 1e-7) ≈ 16.1 (exact: ≈ 20)."""
    x, t = np.array([-20.0]), np.array([1])
    loss = float(impl().forward(x, t))
    return {"log-1e-7"} if math.isclose(loss, book_bce(x, t), rel_tol=1e-9) else set()


def sigmoid_loss_correction(obj: Any, case: Case) -> Callable[..., float]:
    """(book − exact) loss at the current scores: subtracted, the book's loss becomes the exact one."""
    return lambda x, t: book_bce(x, t) - bce(x, t)


#: Rows for ``refnn.testing.book.PROBES`` and ``refnn.testing.properties.LOG_EPS_CORRECTIONS``.
def _gapped_fails(draw: Callable[[np.ndarray], Any]) -> bool:
    """Whether sampling from the corpus [0, 0, 2, 2, 2, 4] (ids 1 and 3 absent) shows the book's assumption
    that every id below V occurs: an error, an absent id drawn, or the top id never drawn."""
    try:
        rows = np.asarray(draw(np.array([0, 0, 2, 2, 2, 4])))
    except (IndexError, ValueError):
        return True
    return bool(4 not in rows or np.isin(rows, [1, 3]).any())


def probe_sampler(impl: Any) -> set[str]:
    """{"sampler-ids"} when the sampler assumes contiguous ids (it is then checked on relabelled corpora)."""
    build = book_built(WORD2VEC_SPECS["UnigramSampler"], impl)
    return {"sampler-ids"} if _gapped_fails(
        lambda corpus: build(corpus, 1.0, 1, 0).get_negative_sample(np.array([0, 2] * 100))) else set()


def probe_negative_sampling(impl: Any) -> set[str]:
    """{"log-1e-7"} when every score -20 gives the book's loss ≈ 16.1 (exact ≈ 20); {"sampler-ids"} when its
    sampler assumes contiguous ids."""
    build = book_built(WORD2VEC_SPECS["NegativeSamplingLoss"], impl)
    traits = set()
    W, h = np.full((3, 1), -20.0), np.ones((1, 1))
    loss = float(build(W, np.array([0, 1, 2]), 1.0, 1, 0).forward(h, np.array([0])))
    if math.isclose(loss, book_bce(np.array([-20.0]), np.array([1])) + book_bce(np.array([-20.0]), np.array([0])),
                    rel_tol=1e-9):
        traits.add("log-1e-7")

    try:  # the book's sampler indexes its probabilities by the id: the top id of a gapped corpus is out of range
        build(np.zeros((5, 1)), np.array([0, 0, 2, 2, 2, 4]), 1.0, 1, 0).forward(np.ones((1, 1)), np.array([4]))
    except (IndexError, ValueError):
        traits.add("sampler-ids")
    return traits



#: With the book's 1e-7 in each log, a model's weights are scaled to at most this magnitude: every score
#: |h·w| ≤ H · 0.85² < 3 (H ≤ 4), so σ ≥ 0.05 and the 1e-7 moves a gradient by < 2e-6 relative, below the
#: gradient check's tolerance; away from that the check still sees every formula.
BOOK_WEIGHT_BOUND = 0.85


def _book_scores(case: Case, contract: Any) -> Case:
    if not contract.book("log-1e-7"):
        return case
    scaled = tuple(p * min(1.0, BOOK_WEIGHT_BOUND / max(float(np.abs(p).max()), 1e-300)) for p in case.meta["params"])
    return dataclasses.replace(case, meta={**case.meta, "params": scaled})


def probe_word2vec_model(impl: Any) -> set[str]:
    """{"log-1e-7"} when every weight −5 (H = 1, window 1: every score 25) gives the book's loss: for each of
    the model's negative-sampling losses, −log(σ(25) + 1e-7) − 5·log(1 − σ(25) + 1e-7) ≈ 80.6 (exact ≈ 125)."""
    model = book_built(WORD2VEC_SPECS[impl.__name__], impl)(7, 1, 1, np.arange(7), 0)  # V > k = 5 (the book's)
    for p in _unique(model.params):
        p[...] = -5.0
    loss = float(model.forward(np.array([[0, 1]]), np.array([2])))
    one = book_bce(np.array([25.0]), np.array([1])) + 5 * book_bce(np.array([25.0]), np.array([0]))
    # float32 weights (the book's): agreement to 1e-4; the exact loss is 55 % larger
    return {"log-1e-7"} if any(math.isclose(loss, m * one, rel_tol=1e-4) for m in (1, 2)) else set()


BOOK_PROBES: dict[str, Callable[[Any], set[str]]] = {"SigmoidWithLoss": probe_sigmoid_with_loss,
                                                     "UnigramSampler": probe_sampler,
                                                     "NegativeSamplingLoss": probe_negative_sampling,
                                                     "CBOW": probe_word2vec_model, "SkipGram": probe_word2vec_model}
def _book_ids(case: Case, contract: Any) -> Case:
    return contiguous_ids(case) if contract.book("sampler-ids") else case
#: Name → the case as the book's precondition needs it (its ids relabelled when "sampler-ids" was measured).
BOOK_CASES: dict[str, Callable[[Case, Any], Case]] = {"UnigramSampler": _book_ids, "NegativeSamplingLoss": _book_ids,
                                                      "CBOW": _book_scores, "SkipGram": _book_scores}
BOOK_LOG_EPS_CORRECTIONS: dict[str, Callable[[Any, Case], Callable[..., float]]] = {
    "SigmoidWithLoss": sigmoid_loss_correction}

#: Chapters 2–4 as registered in ``refnn.testing.spec.FAMILIES``.
FAMILY = Family("word2vec", "2–4", WORD2VEC_SPECS, WORD2VEC_PROPERTIES, _STRATEGIES, PROPERTY_TEXT,
                BOOK_PROBES, BOOK_LOG_EPS_CORRECTIONS, BOOK_CASES)
#: The rows chapters 2–4 add to ``refnn.testing.SPECS`` (``family="word2vec"``).
WORD2VEC_SPECS = dict(FAMILY.specs)
