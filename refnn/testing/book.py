"""The book's deliberate behaviours, recognised from what a reader's code computes.

책이 refnn의 정확한 계약과 일부러 다른 곳(정오표의 "책과 일부러 다른 곳")을, 코드의 글자가 아니라
**계산한 값**으로 알아봅니다. 이름마다 두 식(정확한 식과 책의 식)이 뚜렷이 다른 값을 내는 입력을
하나 골라 구현을 실행하고, 어느 식과 같은지 봅니다. 어느 쪽과도 다르면 아무것도 측정하지 않은
것이고, 그때는 성질 검사가 실패를 그대로 알립니다.

- `log-1e-7`: `cross_entropy_error`, `SoftmaxWithLoss`, `TwoLayerNet`가 log 안에 1e-7을 더함.
- `nesterov`: 책의 Nesterov 갱신 식(μ² 항에 갱신된 속도).
- `optimizer-eps`: AdaGrad·RMSprop·Adam의 eps가 1e-7이 아니거나(1e-8) 제곱근 안에 있거나,
  Adam의 편향 보정을 m̂, v̂에 따로 함(논문의 형태).
- `softmax-3d`: 책의 `softmax`가 3차원 입력을 그대로 돌려줌.
- `global-random`, `float32`: 4–8장의 생성자가 `rng` 없이 전역 난수 상태를 쓰고, 코드에 float32를
  적어 둠(`refnn.testing.bookstyle`이 재고, 책의 방식으로 만들고 실행함).

함께 구조에서 알아보는 두 경우(정오표 항목은 아님): `backward`가 아직 없는 1.2절 단계의 클래스
(`forward_only`), `dout`을 받지 않는 `backward()`(`no_dout`).
"""

from __future__ import annotations

import inspect
import itertools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from refnn.testing.bookstyle import measure_traits
from refnn.testing.cases import BOOK_LOG_EPS as LOG_EPS
from refnn.testing.contract import REFNN_FORM, Contract, OptimizerForm
from refnn.testing.hints import suggest

__all__ = ["LOG_EPS", "TRAIT_PROPERTIES", "PROBES", "measure", "note", "hint", "errata_link"]

#: Relative agreement that decides which formula a probe's value matches (the two differ by > 1e-5).
_MATCH_RTOL = 1e-9
_MATCH_ATOL = 1e-12

#: Each trait → the properties whose reference values it changes (and whose failures it explains).
TRAIT_PROPERTIES: dict[str, tuple[str, ...]] = {
    "log-1e-7": ("forward", "gradient", "uniform_loss"),
    "nesterov": ("step", "inplace"),
    "optimizer-eps": ("step", "inplace"),
    "softmax-3d": ("nd",),
    "global-random": ("reproducible", "sample_reproducible", "model_reproducible", "dropout_rng"),
    "dh-only": ("initial_state_gradient", "chained_cells"),
    "tied-transpose": ("tied_weight", "model_gradient"),
    "no-predict": ("model_dtype", "model_stateful"),
    "sampler-ids": ("sample_shape", "target_excluded", "no_repeats", "support", "distribution", "forward", "shapes"),
    "float32": ("forward", "gradient", "linearity", "backward_twice", "per_step", "stateful_halves",
                "bidirectional", "model_gradient"),
}

_ANCHORS = {"log-1e-7": "log-1e-7", "nesterov": "nesterov", "optimizer-eps": "optimizer-eps",
            "softmax-3d": "softmax-3d", "global-random": "global-random-state", "float32": "float32",
            "dh-only": "time-lstm-dc", "sampler-ids": "sampler-ids", "tied-transpose": "tied-transpose",
            "no-predict": "simple-rnnlm-predict"}


def errata_link(trait: str) -> str:
    """The errata entry of ``trait`` on the site (a path relative to the site's root)."""
    return f"errata/#{_ANCHORS[trait]}"


def _form_text(form: OptimizerForm, lang: str) -> str:
    eps = f"{form.eps:g}".replace("e-0", "e-")  # 1e-7, not 1e-07
    if lang == "ko":
        text = f"eps = {eps}를 제곱근 {'안' if form.inside else '밖'}에 더함"
        return text + (", 편향 보정은 m̂, v̂에 따로(논문의 형태)" if form.hat else "")
    text = f"eps = {eps} added {'inside' if form.inside else 'outside'} the square root"
    return text + (", bias correction on m-hat and v-hat (the paper's form)" if form.hat else "")


def note(trait: str, lang: str, form: OptimizerForm = REFNN_FORM) -> str:
    """One line naming a measured book behaviour, with its errata entry."""
    link = errata_link(trait)
    if lang == "ko":
        text = {
            "log-1e-7": "log 안에 1e-7을 더합니다(책의 식): 손실이 정확한 값보다 조금 작고 16.1을 넘지 못합니다",
            "nesterov": "책의 Nesterov 갱신 식입니다(μ² 항에 이미 갱신된 속도 v를 씀)",
            "optimizer-eps": f"{_form_text(form, 'ko')} (refnn: 1e-7을 제곱근 밖에)",
            "softmax-3d": "책의 softmax처럼 3차원 입력을 정규화하지 않고 그대로 돌려줍니다",
            "global-random": "rng 대신 NumPy의 전역 난수 상태를 씁니다(책의 방식): 매번 np.random.seed로 시드를 "
                             "주고 검사했습니다",
            "float32": "float32를 코드에 적어 두었습니다(책의 dtype='f'): float64 성질은 float32를 float64로 "
                       "넓혀 검사했습니다",
            "dh-only": "역전파 뒤 초기 상태의 기울기로 dh만 남깁니다(책처럼): dc는 검사하지 않았습니다",
            "tied-transpose": "공유 가중치를 params에 W와 그 전치 뷰 W.T로 두 번 둡니다(책처럼): 한 매개변수로 보고 "
                              "기울기를 전치해 더해 검사했습니다",
            "no-predict": "predict가 없습니다(책의 SimpleRnnlm처럼): 점수는 layers를 차례로 거쳐 구했습니다",
            "sampler-ids": "책의 표본기처럼 0..V-1의 ID가 모두 말뭉치에 있다고 가정합니다: ID를 그렇게 바꾼 "
                           "말뭉치로 검사했습니다",
        }[trait]
        return f"{text} — 정오표 {link}"
    text = {
        "log-1e-7": "adds 1e-7 inside the log (the book's formula): the loss is slightly low and capped at 16.1",
        "nesterov": "the book's Nesterov update (the mu^2 term uses the already updated velocity v)",
        "optimizer-eps": f"{_form_text(form, 'en')} (refnn: 1e-7 outside the square root)",
        "softmax-3d": "like the book's softmax, returns a 3-D input unnormalised",
        "global-random": "draws from NumPy's global random state instead of an rng (the book's way): checked "
                         "with np.random.seed before every construction",
        "float32": "float32 is written into the code (the book's dtype='f'): the float64 properties were "
                   "checked with float32 widened to float64",
        "dh-only": "keeps only dh as the initial state's gradient after backward (as the book): dc not checked",
        "tied-transpose": "holds the tied weight twice in params, as W and its transposed view W.T (as the book): "
                          "checked as one parameter, the gradients summed with the transpose",
        "no-predict": "has no predict (as the book's SimpleRnnlm): the scores were taken through its layers",
        "sampler-ids": "like the book's sampler, assumes every id 0..V-1 occurs in the corpus: checked on "
                       "corpora relabelled that way",
    }[trait]
    return f"{text} — errata {link}"


def hint(trait: str, lang: str, form: OptimizerForm = REFNN_FORM) -> str:
    """Appended to a strict failure that the measured ``trait`` explains."""
    return (f" (측정한 원인: {note(trait, 'ko', form)})" if lang == "ko"
            else f" (measured cause: {note(trait, 'en', form)})")


# --- probes ------------------------------------------------------------------------------------

def _matches(got: Any, want: Any) -> bool:
    g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    return g.shape == w.shape and bool(np.all(np.abs(g - w) <= _MATCH_ATOL + _MATCH_RTOL * np.abs(w)))


def _log_eps(got: float, p: float) -> bool:
    """The loss ``got`` for a correct-class probability ``p`` matches -log(p + 1e-7), not -log p."""
    return not _matches(got, -math.log(p)) and _matches(got, -math.log(p + LOG_EPS))


def _probe_cross_entropy(impl: Any) -> set[str]:
    p = 1e-4
    y, t = np.array([[1.0 - p, p]]), np.array([1])
    return {"log-1e-7"} if _log_eps(float(impl(y, t)), p) else set()


def _scores_probe() -> tuple[np.ndarray, np.ndarray, float]:
    x = np.array([[0.0, 9.0]])
    return x, np.array([0]), 1.0 / (1.0 + math.exp(9.0))


def _probe_softmax_with_loss(impl: Any) -> set[str]:
    x, t, p = _scores_probe()
    return {"log-1e-7"} if _log_eps(float(impl().forward(x, t)), p) else set()


def _probe_two_layer_net(impl: Any) -> set[str]:
    x, t, p = _scores_probe()
    net = impl(1, 1, 2)
    values = (np.zeros((1, 1)), np.zeros(1), np.zeros((1, 2)), x[0].copy())  # scores = 0·h + b2 = x
    params = net.params
    if len(params) != 4 or any(np.shape(a) != v.shape for a, v in zip(params, values)):
        return set()
    for a, v in zip(params, values):
        a[...] = v
    return {"log-1e-7"} if _log_eps(float(net.forward(np.ones((1, 1)), t)), p) else set()


def _probe_softmax(impl: Any) -> set[str]:
    x = np.arange(12.0).reshape(2, 2, 3) / 4
    out = impl(x.copy())
    return {"softmax-3d"} if np.array_equal(np.asarray(out), x) else set()


_PROBE_HYPER = {"lr": 0.1, "momentum": 0.9, "decay_rate": 0.9, "beta1": 0.9, "beta2": 0.999}
#: Two steps on tiny and ordinary gradients: every eps form gives a clearly different result.
_PROBE_GRADS = ((np.array([1e-5, 0.5]),), (np.array([-2e-5, 0.25]),))


def _forms(name: str) -> list[OptimizerForm]:
    hats = (False, True) if name == "Adam" else (False,)
    return [OptimizerForm(e, i, h) for e, i, h in itertools.product((1e-7, 1e-8), (False, True), hats)]


def _run_probe(impl: Any, name: str) -> np.ndarray:
    from refnn.testing.functional import OPTIMIZER_HYPER

    opt = impl(**{k: _PROBE_HYPER[k] for k in OPTIMIZER_HYPER[name]})
    params = [np.array([1.0, -1.0])]
    for grads in _PROBE_GRADS:
        opt.update(params, [g.copy() for g in grads])
    return params[0]


def _probe_optimizer(impl: Any, name: str) -> tuple[set[str], OptimizerForm]:
    from refnn.testing.functional import OPTIMIZER_HYPER, reference_steps

    got = _run_probe(impl, name)
    hyper = {k: _PROBE_HYPER[k] for k in OPTIMIZER_HYPER[name]}
    start = (np.array([1.0, -1.0]),)

    def want(**kwargs: Any) -> np.ndarray:
        return reference_steps(name, hyper, start, _PROBE_GRADS, **kwargs)[0]

    if _matches(got, want()):
        return set(), REFNN_FORM
    if name == "Nesterov" and _matches(got, want(nesterov_book=True)):
        return {"nesterov"}, REFNN_FORM
    if name in ("AdaGrad", "RMSprop", "Adam"):
        for form in _forms(name):
            if form != REFNN_FORM and _matches(got, want(form=form)):
                return {"optimizer-eps"}, form
    return set(), REFNN_FORM


#: Name → probe: the book's behaviours the implementation shows (a family of layers adds its own rows).
PROBES: dict[str, Callable[[Any], set[str]]] = {
    "cross_entropy_error": _probe_cross_entropy,
    "SoftmaxWithLoss": _probe_softmax_with_loss,
    "TwoLayerNet": _probe_two_layer_net,
    "softmax": _probe_softmax,
}


def _takes_no_dout(method: Any) -> bool:
    try:
        sig = inspect.signature(method)
    except (TypeError, ValueError):
        return False
    positional = [p for p in list(sig.parameters.values())[1:]
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    return not positional


def measure(spec: Any, impl: Any, strict: bool) -> Contract:
    """The contract for checking ``impl`` as ``spec``: the book's behaviours it shows, measured.

    A probe that raises measures nothing: the properties then report the error where it happens.
    """
    traits: set[str] = set()
    form = REFNN_FORM
    forward_only = no_dout = False
    if spec.kind in ("layer", "loss", "node", "model") and isinstance(impl, type):
        backward = getattr(impl, "backward", None)
        has_backward = callable(backward)
        forward_only = (callable(getattr(impl, "forward", None)) and not has_backward
                        and suggest("backward", dir(impl)) is None)
        no_dout = spec.kind in ("loss", "model") and has_backward and _takes_no_dout(backward)
    try:
        if spec.kind == "optimizer":
            traits, form = _probe_optimizer(impl, spec.name)
        elif spec.name in PROBES:
            traits = PROBES[spec.name](impl)
    except Exception:  # the reader's code failed on the probe: nothing measured
        traits, form = set(), REFNN_FORM
    traits |= measure_traits(spec, impl, frozenset(traits))
    return Contract(strict, frozenset(traits), form, forward_only, no_dout)
