"""Computational-graph figures (SVG text) for the layer and node pages.

Each graph is a few nodes and the edges between them. An edge is drawn twice: the
forward value as a black arrow, the backward gradient as a red arrow in the opposite
direction. The labels carry real numbers: ``computed_graphs`` runs the refnn nodes
and layers at build time on a tiny input and writes their outputs and gradients on
the arrows. Labels are plain Unicode (∂L/∂y, ᵀ, ⊙), so the SVG needs no math renderer.

Text is drawn as glyph outlines (matplotlib's TextPath, DejaVu Sans for Latin and math,
the packaged NanumGothic for Hangul), so the figure looks the same with no font
installed; each outline keeps its string in ``data-text``.

Layout: a horizontal edge has its forward label above and its gradient label below;
a vertical edge has the forward label on the left and the gradient on the right.
The picture is cropped to what is drawn, and the figures are kept narrow (about
300–480 px) so that a phone shows their 15 px labels at 11 px or more.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from html import escape

import numpy as np

FWD, BWD = "#1f2937", "#c62828"
LABEL, NODE = 15, 16  # font sizes (px)
LINE = 18  # line height of the labels
PAD = 10


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    x: float  # centre, in px
    y: float
    kind: str = "op"  # "op" (box) or "var" (bare label: an input, parameter or output)


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    fwd: tuple[str, ...]
    bwd: tuple[str, ...] | None  # None: no gradient flows back (labels t)
    flip: bool = False  # swap the sides of the two labels
    at: float = 0.5  # where along the edge the labels sit


@dataclass
class Graph:
    title: str
    nodes: list[Node]
    edges: list[Edge]
    note: str = ""  # one line under the legend (the input the numbers come from)
    parts: list[str] = field(default_factory=list)


FAMILY = ["DejaVu Sans", "NanumGothic"]  # per-glyph fallback: Hangul from NanumGothic


@functools.lru_cache(maxsize=4096)
def _glyphs(s: str, size: float, bold: bool) -> tuple[str, float]:
    """SVG path data of ``s`` (baseline at y = 0, starting at x = 0) and its advance width."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.path import Path as MplPath
    from matplotlib.textpath import TextPath

    # bold is only used for the node names (Latin and math): DejaVu Sans Bold alone
    prop = FontProperties(family=FAMILY[:1], weight="bold") if bold else FontProperties(family=FAMILY)
    tp = TextPath((0, 0), s, size=size, prop=prop)
    out = []
    for verts, code in tp.iter_segments():
        pts = " ".join(f"{x:.2f},{-y:.2f}" for x, y in verts.reshape(-1, 2))
        out.append({MplPath.MOVETO: "M", MplPath.LINETO: "L", MplPath.CURVE3: "Q",
                    MplPath.CURVE4: "C"}.get(code, "Z") + ("" if code == MplPath.CLOSEPOLY else pts))
    ext = tp.get_extents()
    width = max(ext.x1, 0.0) if len(tp.vertices) else size * 0.3 * len(s)
    return "".join(out), width


def text_width(s: str, size: float, bold: bool = False) -> float:
    return _glyphs(s, size, bold)[1]


def _box(n: Node) -> tuple[float, float]:
    if n.kind == "var":
        return text_width(n.label, NODE + 2, True) + 10, 28
    return max(56.0, text_width(n.label, NODE, True) + 22), 38


def _clip(n: Node, ux: float, uy: float) -> float:
    w, h = _box(n)
    w, h = w / 2 + 4, h / 2 + 4
    tx = w / abs(ux) if ux else math.inf
    ty = h / abs(uy) if uy else math.inf
    return min(tx, ty)


class _Canvas:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.x0 = self.y0 = math.inf
        self.x1 = self.y1 = -math.inf

    def extend(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.x0, self.y0 = min(self.x0, x0), min(self.y0, y0)
        self.x1, self.y1 = max(self.x1, x1), max(self.y1, y1)

    def text(self, x, y, s, color, size=LABEL, anchor="middle", weight="normal") -> None:
        d, w = _glyphs(s, size, weight == "bold")
        left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
        self.extend(left, y - size * 0.8, left + w, y + size * 0.25)
        self.parts.append(
            f'<path transform="translate({left:.1f} {y:.1f})" fill="{color}" '
            f'data-text="{escape(s)}" d="{d}"/>'
        )

    def lines(self, x, y, lines, color, anchor, valign) -> None:
        """A block of label lines at (x, y): ``valign`` "above", "below" or "centre" of y."""
        n = len(lines)
        if valign == "above":
            first = y - (n - 1) * LINE
        elif valign == "below":
            first = y + LABEL
        else:
            first = y - (n - 1) * LINE / 2 + LABEL * 0.35
        for i, s in enumerate(lines):
            self.text(x, first + i * LINE, s, color, anchor=anchor)

    def arrow(self, x1, y1, x2, y2, color, marker) -> None:
        self.extend(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        self.parts.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{color}" stroke-width="1.6" marker-end="url(#{marker})"/>'
        )


def _edge(c: _Canvas, e: Edge, a: Node, b: Node) -> None:
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    horizontal = abs(dx) >= abs(dy)
    nx, ny = (uy, -ux) if (uy, -ux)[1 if horizontal else 0] < 0 else (-uy, ux)  # up, or left
    if horizontal and abs(ny) < 1e-9:
        nx, ny = 0.0, -1.0
    s, t = _clip(a, ux, uy), _clip(b, -ux, -uy)
    off = 4.5
    sx, sy, tx, ty = a.x + ux * s, a.y + uy * s, b.x - ux * t, b.y - uy * t
    c.arrow(sx + nx * off, sy + ny * off, tx + nx * off, ty + ny * off, FWD, "f")
    if e.bwd is not None:
        c.arrow(tx - nx * off, ty - ny * off, sx - nx * off, sy - ny * off, BWD, "b")
    mx, my = sx + (tx - sx) * e.at, sy + (ty - sy) * e.at
    sides = [(e.fwd, FWD), (e.bwd or (), BWD)]
    if e.flip:
        sides.reverse()
    (first, c1), (second, c2) = sides
    if horizontal:
        c.lines(mx + nx * 12, my + ny * 12, list(first), c1, "middle", "above")
        c.lines(mx - nx * 12, my - ny * 12 - 3, list(second), c2, "middle", "below")
    else:
        c.lines(mx - 15, my, list(first), c1, "end", "centre")
        c.lines(mx + 15, my, list(second), c2, "start", "centre")


def draw(g: Graph) -> bytes:
    """Render one graph to SVG bytes (explicit width/height so <img> has a natural size)."""
    by_id = {n.id: n for n in g.nodes}
    c = _Canvas()
    for e in g.edges:
        _edge(c, e, by_id[e.src], by_id[e.dst])
    for n in g.nodes:
        w, h = _box(n)
        c.extend(n.x - w / 2, n.y - h / 2, n.x + w / 2, n.y + h / 2)
        if n.kind == "op":
            c.parts.append(
                f'<rect x="{n.x - w / 2:.1f}" y="{n.y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
                'rx="9" fill="#eef2ff" stroke="#3f51b5" stroke-width="1.6"/>'
            )
            c.text(n.x, n.y + NODE * 0.35, n.label, "#1a237e", NODE, weight="bold")
        else:
            c.text(n.x, n.y + NODE * 0.35, n.label, FWD, NODE + 2, weight="bold")
    y = c.y1 + 26
    c.text(c.x0, y, "검정: 순전파 (값)", FWD, 14, anchor="start")
    c.text(c.x0 + 130, y, "빨강: 역전파 (기울기)", BWD, 14, anchor="start")
    if g.note:
        c.text(c.x0, y + 20, g.note, "#555", 13, anchor="start")
    x0, y0 = math.floor(c.x0 - PAD), math.floor(c.y0 - PAD)
    width, height = math.ceil(c.x1 + PAD) - x0, math.ceil(c.y1 + PAD) - y0
    head = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="{x0} {y0} {width} {height}" role="img" aria-label="{escape(g.title)}">',
        f"<title>{escape(g.title)}</title>",
        "<defs>",
        f'<marker id="f" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
        f'<path d="M0,0 L10,4 L0,8 z" fill="{FWD}"/></marker>',
        f'<marker id="b" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
        f'<path d="M0,0 L10,4 L0,8 z" fill="{BWD}"/></marker>',
        "</defs>",
        f'<rect x="{x0}" y="{y0}" width="{width}" height="{height}" fill="white"/>',
    ]
    return "\n".join([*head, *c.parts, "</svg>"]).encode("utf-8")


# ---- numbers on the arrows ------------------------------------------------------------------


def num(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s.replace("-", "−")


def rows(a: np.ndarray) -> list[str]:
    """An array as the lines NumPy would print (rounded to 2 decimals): ``[[1, −2], [0.5, 3]]``."""
    a = np.asarray(a, dtype=float)
    if a.ndim == 0:
        return [num(float(a))]
    if a.ndim == 1:
        return ["[" + ", ".join(num(v) for v in a) + "]"]
    body = ["[" + ", ".join(num(v) for v in r) + "]" for r in a]
    return ["[" + body[0] + ("," if len(body) > 1 else "]")] + [
        " " + r + ("," if i < len(body) - 2 else "]") for i, r in enumerate(body[1:])
    ]


def label(name: str, a: np.ndarray) -> tuple[str, ...]:
    """``x = [1, −2]`` on one line, or ``x =`` over the rows of a matrix."""
    r = rows(a)
    return (f"{name} = {r[0]}",) if len(r) == 1 else (f"{name} =", *r)


def d(name: str) -> str:
    return f"∂L/∂{name}"


def _v(id: str, text: str, x: float, y: float) -> Node:
    return Node(id, text, x, y, "var")


def _op(id: str, text: str, x: float, y: float) -> Node:
    return Node(id, text, x, y, "op")


def _note(**arrays: np.ndarray) -> str:
    return "입력: " + ", ".join(f"{k} = {' '.join(rows(v))}" for k, v in arrays.items())


def _step(*labels: tuple[str, ...]) -> float:
    """Distance between two nodes joined vertically: room for the tallest label block."""
    return max(96.0, 50 + LINE * max(len(lab) for lab in labels))


def _unary(title: str, op: str, x: np.ndarray, y: np.ndarray, dout: np.ndarray, dx: np.ndarray,
           out: str = "y") -> Graph:
    """x ↓ [op] ↓ y, top to bottom: forward values on the left, gradients on the right."""
    e1 = Edge("x", "op", label("x", x), label(d("x"), dx))
    e2 = Edge("op", "y", label(out, y), label(d(out), dout))
    s1, s2 = _step(e1.fwd, e1.bwd or ()), _step(e2.fwd, e2.bwd or ())
    nodes = [_v("x", "x", 0, 0), _op("op", op, 0, s1), _v("y", out, 0, s1 + s2)]
    return Graph(title, nodes, [e1, e2])


def _binary(title: str, op: str, names: tuple[str, str, str], x, y, z, dz, dx, dy) -> Graph:
    """x from above and y from below into [op], z to the right."""
    a, b, o = names
    e1 = Edge("x", "op", label(a, x), label(d(a), dx))
    e2 = Edge("y", "op", label(b, y), label(d(b), dy))
    e3 = Edge("op", "z", label(o, z), label(d(o), dz))
    s1, s2 = _step(e1.fwd, e1.bwd or ()), _step(e2.fwd, e2.bwd or ())
    reach = max(text_width(s, LABEL) for s in (*e1.bwd, *e2.bwd, *e3.fwd, *e3.bwd))  # type: ignore[misc]
    nodes = [_v("x", a, 0, 0), _op("op", op, 0, s1), _v("y", b, 0, s1 + s2),
             _v("z", o, max(190.0, reach + 80), s1)]
    return Graph(title, nodes, [e1, e2, e3])


def computed_graphs() -> dict[str, Graph]:
    """Every node and layer graph, with the values refnn computes for a tiny input."""
    from refnn.functions import softmax
    from refnn.layers import Affine, MatMul, ReLU, Sigmoid, Softmax, SoftmaxWithLoss
    from refnn.nodes import Add, Branch, Mul, Repeat, Sum

    x, y = np.array([[1.0, -2.0]]), np.array([[3.0, 0.5]])
    out: dict[str, Graph] = {}

    dz = np.array([[1.0, -1.0]])
    add = Add()
    z = add.forward(x, y)
    gx, gy = add.backward(dz)
    out["add"] = _binary("Add 노드의 계산 그래프", "+", ("x", "y", "z"), x, y, z, dz, gx, gy)

    dz = np.array([[1.0, 2.0]])
    mul = Mul()
    z = mul.forward(x, y)
    gx, gy = mul.backward(dz)
    out["mul"] = _binary("Mul 노드의 계산 그래프", "×", ("x", "y", "z"), x, y, z, dz, gx, gy)

    d1, d2 = np.array([[1.0, 0.0]]), np.array([[0.5, 2.0]])
    br = Branch(2)
    y1, y2 = br.forward(x)
    gx = br.backward(d1, d2)
    e0 = Edge("x", "br", label("x", x), label(d("x"), gx))
    e1 = Edge("br", "y1", label("y₁", y1), label(d("y₁"), d1))
    e2 = Edge("br", "y2", label("y₂", y2), label(d("y₂"), d2))
    s1 = _step(e1.fwd, e1.bwd or ())
    out["branch"] = Graph("Branch 노드의 계산 그래프", [
        _v("x", "x", -270, s1), _op("br", "Branch", 0, s1), _v("y1", "y₁", 0, 0), _v("y2", "y₂", 0, 2 * s1)],
        [e0, e1, e2], note="∂L/∂x = ∂L/∂y₁ + ∂L/∂y₂ (두 기울기의 합)")

    rep, dout3 = Repeat(3), np.array([[1.0, 0.0], [2.0, -1.0], [0.5, 0.5]])
    yy = rep.forward(x)
    out["repeat"] = _unary("Repeat 노드의 계산 그래프 (N = 3)", "Repeat", x, yy, dout3, rep.backward(dout3))
    sm, x3 = Sum(), np.array([[1.0, -2.0], [0.0, 4.0], [2.0, 1.0]])
    ys = sm.forward(x3)
    out["sum"] = _unary("Sum 노드의 계산 그래프 (N = 3)", "Sum", x3, ys, dz, sm.backward(dz))

    W = np.array([[1.0, 0.5], [-1.0, 2.0]])
    mm, dy2 = MatMul(W), np.array([[1.0, -1.0]])
    ym = mm.forward(x)
    gx = mm.backward(dy2)
    out["matmul"] = _binary("MatMul 노드의 계산 그래프", "MatMul", ("x", "W", "y"), x, W, ym, dy2, gx,
                            mm.grads[0].copy())

    xa, b = np.array([[1.0, -2.0], [0.0, 1.0]]), np.array([0.5, -1.0])
    aff, douta = Affine(W, b), np.array([[1.0, -1.0], [0.5, 2.0]])
    ya = aff.forward(xa)
    gxa = aff.backward(douta)
    dW, db = aff.grads[0].copy(), aff.grads[1].copy()
    out["affine"] = Graph("Affine 계층의 계산 그래프 (MatMul + Repeat + Add)", [
        _v("x", "x", 0, 0), _op("mm", "MatMul", 0, 150), _v("W", "W", -190, 150),
        _v("b", "b", -345, 290), _op("rep", "Repeat", -165, 290), _op("add", "+", 0, 290),
        _v("y", "y", 0, 440)], [
        Edge("x", "mm", label("x", xa), label(d("x"), gxa)),
        Edge("W", "mm", label("W", W), label(d("W"), dW)),
        Edge("b", "rep", label("b", b), label(d("b"), db)),
        Edge("mm", "add", ("xW",), (d("y"),)),
        Edge("rep", "add", ("b 복제",), (d("y"),)),
        Edge("add", "y", label("y", ya), label(d("y"), douta))],
        note="∂L/∂b는 ∂L/∂y의 열 합 (Repeat의 역전파)")

    sg, dsig = Sigmoid(), np.array([[1.0, -1.0]])
    xs = np.array([[-1.0, 2.0]])
    out["sigmoid"] = _unary("Sigmoid 계층의 계산 그래프", "Sigmoid", xs, sg.forward(xs), dsig, sg.backward(dsig))
    rl, xr = ReLU(), np.array([[-1.0, 2.0]])
    out["relu"] = _unary("ReLU 계층의 계산 그래프", "ReLU", xr, rl.forward(xr), dsig, rl.backward(dsig))
    so, xc, dc = Softmax(), np.array([[1.0, 2.0, 0.0]]), np.array([[1.0, 0.0, -1.0]])
    out["softmax"] = _unary("Softmax 계층의 계산 그래프", "Softmax", xc, so.forward(xc), dc, so.backward(dc))

    t = np.array([1])
    swl = SoftmaxWithLoss()
    loss = swl.forward(xc, t)
    gx = swl.backward()
    ys = softmax(xc)
    onehot = np.eye(3)[t]
    out["softmax-with-loss"] = Graph("SoftmaxWithLoss 계층의 계산 그래프 (N = 1, 정답 t = 1)", [
        _v("x", "x", 0, 0), _op("s", "Softmax", 0, 120), _op("ce", "Cross Entropy", 0, 240),
        _v("t", "t", 235, 240), _v("L", "L", 0, 340)], [
        Edge("x", "s", label("x", xc), label(d("x"), gx) + ("= y − t",)),
        Edge("s", "ce", label("y", ys), label(d("y"), -onehot / ys) + ("= −t ⊘ y",)),
        Edge("t", "ce", label("t", onehot), None),
        Edge("ce", "L", (f"L = {num(loss)}",), ("1",))])
    out["two-layer-net"] = two_layer_net_graph()
    return out


def two_layer_net_graph(N: int = 30, D: int = 2, H: int = 10, C: int = 3) -> Graph:
    """TwoLayerNet node by node, top to bottom, with every parameter and its gradient.

    Shapes and the loss come from a real model on a spiral mini-batch of N points.
    """
    from dataset import spiral
    from refnn.models import TwoLayerNet

    model = TwoLayerNet(D, H, C, rng=0)
    x, t = spiral.load_data()
    loss = model.forward(x[:N], t[:N])
    model.backward()
    shapes = [p.shape for p in model.params]
    assert shapes == [(D, H), (H,), (H, C), (C,)], shapes  # W1, b1, W2, b2

    def sh(*s: int) -> str:
        return "(" + ", ".join(map(str, s)) + (",)" if len(s) == 1 else ")")

    step, left, right = 92, -185, 150
    chain = [("x", "x"), ("mm1", "MatMul"), ("add1", "+"), ("sig", "Sigmoid"), ("mm2", "MatMul"),
             ("add2", "+"), ("loss", "SoftmaxWithLoss"), ("L", "L")]
    nodes = [(_v if i in (0, len(chain) - 1) else _op)(k, lab, 0, i * step) for i, (k, lab) in enumerate(chain)]
    nodes += [_v("W1", "W₁", left, step), _v("b1", "b₁", left, 2 * step), _v("W2", "W₂", left, 4 * step),
              _v("b2", "b₂", left, 5 * step), _v("t", "t", right + 60, 6 * step)]
    flow = [  # (src, dst, value, gradient, shape)
        ("x", "mm1", "x", "x", sh(N, D)), ("mm1", "add1", "xW₁", "h", sh(N, H)),
        ("add1", "sig", "h", "h", sh(N, H)), ("sig", "mm2", "a", "a", sh(N, H)),
        ("mm2", "add2", "aW₂", "s", sh(N, C)), ("add2", "loss", "s", "s", sh(N, C)),
    ]
    edges = [Edge(a, b, (f"{v} {s}",), (f"{d(g)} {s}",)) for a, b, v, g, s in flow]
    for p, dst, s in (("W₁", "mm1", sh(D, H)), ("b₁", "add1", sh(H)), ("W₂", "mm2", sh(H, C)),
                      ("b₂", "add2", sh(C))):
        edges.append(Edge(p.replace("₁", "1").replace("₂", "2"), dst, (f"{p} {s}",), (f"{d(p)} {s}",)))
    edges += [Edge("t", "loss", (f"t {sh(N)}",), None), Edge("loss", "L", (f"L = {num(loss)}",), ("1",))]
    return Graph(f"TwoLayerNet의 계산 그래프 (D = {D}, H = {H}, C = {C}, 미니배치 N = {N})", nodes, edges,
                 note=f"+는 편향을 N행으로 복제해 더함 (Repeat) · 스파이럴 데이터 {N}개의 실제 손실")


def all_graphs() -> dict[str, bytes]:
    return {f"graph-{name}.svg": draw(g) for name, g in computed_graphs().items()}
