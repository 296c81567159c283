"""Computational-graph figures (SVG text) for the layer and node pages.

Each graph is a few nodes on a grid and the edges between them. An edge is drawn
twice: the forward value as a black arrow with its label above, the backward
gradient as a red arrow in the opposite direction with its label below. The
labels are plain Unicode (∂L/∂y, Wᵀ, ⊙), so the SVG needs no math renderer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

CELL_X, CELL_Y = 180, 110
MARGIN_X, MARGIN_Y = 70, 55
FWD, BWD = "#1f2937", "#d1342f"


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    col: float
    row: float
    kind: str = "op"  # "op" (box), "var" (bare label: an input or output value)


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    fwd: str
    bwd: str | None  # None: no gradient flows back along this edge (labels t)


def _pos(n: Node) -> tuple[float, float]:
    return MARGIN_X + n.col * CELL_X, MARGIN_Y + n.row * CELL_Y


def _box_size(n: Node) -> tuple[float, float]:
    if n.kind == "var":
        return 14 + 9 * len(n.label), 30
    return max(64, 20 + 10.5 * len(n.label)), 42


def _clip(n: Node, dx: float, dy: float) -> float:
    """Distance from a node's centre to its border along the direction (dx, dy)."""
    w, h = _box_size(n)
    w, h = w / 2 + 4, h / 2 + 4
    tx = w / abs(dx) if dx else math.inf
    ty = h / abs(dy) if dy else math.inf
    return min(tx, ty)


def _arrow(x1, y1, x2, y2, color, marker):
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{color}" stroke-width="1.6" marker-end="url(#{marker})"/>'
    )


def _text(x, y, s, color, size=16, anchor="middle", weight="normal"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" fill="{color}" font-size="{size}" '
        f'text-anchor="{anchor}" font-weight="{weight}">{escape(s)}</text>'
    )


def draw(title: str, nodes: list[Node], edges: list[Edge]) -> bytes:
    """Render one graph to SVG bytes (explicit width/height so <img> has a natural size)."""
    by_id = {n.id: n for n in nodes}
    width = int(2 * MARGIN_X + max(n.col for n in nodes) * CELL_X)
    height = int(2 * MARGIN_Y + max(n.row for n in nodes) * CELL_Y + 28)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        'font-family="\'Noto Sans CJK KR\', \'Noto Sans KR\', \'Malgun Gothic\', sans-serif">',
        f"<title>{escape(title)}</title>",
        "<defs>",
        f'<marker id="f" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
        f'<path d="M0,0 L10,4 L0,8 z" fill="{FWD}"/></marker>',
        f'<marker id="b" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto">'
        f'<path d="M0,0 L10,4 L0,8 z" fill="{BWD}"/></marker>',
        "</defs>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for e in edges:
        a, b = by_id[e.src], by_id[e.dst]
        (x1, y1), (x2, y2) = _pos(a), _pos(b)
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        ux, uy = dx / length, dy / length
        nx, ny = uy, -ux  # left normal: "above" a left-to-right edge
        if ny > 0:  # keep "above" pointing up on the screen
            nx, ny = -nx, -ny
        s, t = _clip(a, ux, uy), _clip(b, -ux, -uy)
        off = 5
        fx1, fy1 = x1 + ux * s + nx * off, y1 + uy * s + ny * off
        fx2, fy2 = x2 - ux * t + nx * off, y2 - uy * t + ny * off
        bx1, by1 = x2 - ux * t - nx * off, y2 - uy * t - ny * off
        bx2, by2 = x1 + ux * s - nx * off, y1 + uy * s - ny * off
        out.append(_arrow(fx1, fy1, fx2, fy2, FWD, "f"))
        if e.bwd is not None:
            out.append(_arrow(bx1, by1, bx2, by2, BWD, "b"))
        mx, my = (x1 + ux * s + x2 - ux * t) / 2, (y1 + uy * s + y2 - uy * t) / 2
        out.append(_text(mx + nx * 17, my + ny * 17 + 5, e.fwd, FWD))
        if e.bwd:
            out.append(_text(mx - nx * 25, my - ny * 25 + 6, e.bwd, BWD))
    for n in nodes:
        x, y = _pos(n)
        w, h = _box_size(n)
        if n.kind == "op":
            out.append(
                f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" height="{h:.1f}" '
                'rx="10" fill="#eef2ff" stroke="#3f51b5" stroke-width="1.6"/>'
            )
            out.append(_text(x, y + 6, n.label, "#1a237e", 17, weight="bold"))
        else:
            out.append(_text(x, y + 6, n.label, FWD, 18, weight="bold"))
    legend_y = height - 12
    out.append(_text(12, legend_y, "검정: 순전파 (값)", FWD, 14, anchor="start"))
    out.append(_text(170, legend_y, "빨강: 역전파 (기울기)", BWD, 14, anchor="start"))
    out.append("</svg>")
    return "\n".join(out).encode("utf-8")


def _v(id, label, col, row=0.0):
    return Node(id, label, col, row, "var")


def _op(id, label, col, row=0.0):
    return Node(id, label, col, row, "op")


def _unary(title, op, fwd_in, bwd_in, fwd_out, bwd_out, gap=1.4):
    """x → [op] → y: the graph of a one-input, one-output node."""
    nodes = [_v("x", "x", 0), _op("op", op, gap), _v("y", "y", 2 * gap)]
    return title, nodes, [Edge("x", "op", fwd_in, bwd_in), Edge("op", "y", fwd_out, bwd_out)]


GRAPHS: dict[str, tuple[str, list[Node], list[Edge]]] = {
    "add": (
        "Add 노드의 계산 그래프",
        [_v("x", "x", 0, 0), _v("y", "y", 0, 1.2), _op("add", "+", 1.3, 0.6), _v("z", "z", 2.5, 0.6)],
        [
            Edge("x", "add", "x", "∂L/∂z"),
            Edge("y", "add", "y", "∂L/∂z"),
            Edge("add", "z", "z = x + y", "∂L/∂z"),
        ],
    ),
    "mul": (
        "Mul 노드의 계산 그래프",
        [_v("x", "x", 0, 0), _v("y", "y", 0, 1.2), _op("mul", "×", 1.3, 0.6), _v("z", "z", 2.5, 0.6)],
        [
            Edge("x", "mul", "x", "∂L/∂z ⊙ y"),
            Edge("y", "mul", "y", "∂L/∂z ⊙ x"),
            Edge("mul", "z", "z = x ⊙ y", "∂L/∂z"),
        ],
    ),
    "branch": (
        "Branch 노드의 계산 그래프",
        [_v("x", "x", 0, 0.6), _op("br", "Branch", 1.2, 0.6), _v("y1", "y₁", 2.5, 0), _v("y2", "y₂", 2.5, 1.2)],
        [
            Edge("x", "br", "x", "∂L/∂y₁ + ∂L/∂y₂"),
            Edge("br", "y1", "x", "∂L/∂y₁"),
            Edge("br", "y2", "x", "∂L/∂y₂"),
        ],
    ),
    "repeat": _unary("Repeat 노드의 계산 그래프", "Repeat", "x (1, D)", "Σₙ ∂L/∂yₙ (1, D)", "y (N, D)", "∂L/∂y (N, D)"),
    "sum": _unary("Sum 노드의 계산 그래프", "Sum", "x (N, D)", "∂L/∂y 복제 (N, D)", "y (1, D)", "∂L/∂y (1, D)"),
    "matmul": (
        "MatMul 노드의 계산 그래프",
        [_v("x", "x", 0, 0), _v("W", "W", 0, 1.3), _op("mm", "MatMul", 1.5, 0.65), _v("y", "y", 2.9, 0.65)],
        [
            Edge("x", "mm", "x (N, D)", "∂L/∂y · Wᵀ"),
            Edge("W", "mm", "W (D, H)", "xᵀ · ∂L/∂y"),
            Edge("mm", "y", "y (N, H)", "∂L/∂y"),
        ],
    ),
    "affine": (
        "Affine 계층의 계산 그래프 (MatMul + Repeat + Add)",
        [
            _v("x", "x", 0, 0),
            _v("W", "W", 0, 1.1),
            _op("mm", "MatMul", 1.3, 0.55),
            _v("b", "b", 0, 2.3),
            _op("rep", "Repeat", 1.3, 2.3),
            _op("add", "+", 2.6, 1.4),
            _v("y", "y", 3.8, 1.4),
        ],
        [
            Edge("x", "mm", "x (N, D)", "∂L/∂y · Wᵀ"),
            Edge("W", "mm", "W", "xᵀ · ∂L/∂y"),
            Edge("b", "rep", "b (H,)", "Σₙ ∂L/∂yₙ"),
            Edge("mm", "add", "xW", "∂L/∂y"),
            Edge("rep", "add", "(N, H)", "∂L/∂y"),
            Edge("add", "y", "y (N, H)", "∂L/∂y"),
        ],
    ),
    "sigmoid": _unary("Sigmoid 계층의 계산 그래프", "sigmoid", "x", "∂L/∂y ⊙ y(1 − y)", "y = σ(x)", "∂L/∂y"),
    "relu": _unary("ReLU 계층의 계산 그래프", "ReLU", "x", "∂L/∂y ⊙ [x > 0]", "y = max(0, x)", "∂L/∂y"),
    "softmax": _unary(
        "Softmax 계층의 계산 그래프", "Softmax", "x (N, C)", "y ⊙ (g − Σ g⊙y)", "y (N, C)", "g = ∂L/∂y", gap=1.5
    ),
    "softmax-with-loss": (
        "SoftmaxWithLoss 계층의 계산 그래프",
        [
            _v("x", "x", 0, 0),
            _op("s", "Softmax", 1.3, 0),
            _op("ce", "Cross Entropy", 2.7, 0.5),
            _v("t", "t", 1.3, 1.3),
            _v("L", "L", 3.9, 0.5),
        ],
        [
            Edge("x", "s", "x (N, C)", "(y − t) / N"),
            Edge("s", "ce", "y", "−t ⊘ (N·y)"),
            Edge("t", "ce", "t", None),
            Edge("ce", "L", "L", "1"),
        ],
    ),
    "two-layer-net": (
        "TwoLayerNet의 계산 그래프",
        [
            _v("x", "x", 0, 0),
            _op("a1", "Affine", 1, 0),
            _op("s", "Sigmoid", 2, 0),
            _op("a2", "Affine", 3, 0),
            _op("l", "SoftmaxWithLoss", 4.3, 0),
            _v("t", "t", 4.3, 1.1),
            _v("L", "L", 5.4, 0),
        ],
        [
            Edge("x", "a1", "x", "dx"),
            Edge("a1", "s", "h", "dh"),
            Edge("s", "a2", "a", "da"),
            Edge("a2", "l", "s", "ds"),
            Edge("t", "l", "t", None),
            Edge("l", "L", "L", "1"),
        ],
    ),
}


def all_graphs() -> dict[str, bytes]:
    return {f"graph-{name}.svg": draw(*spec) for name, spec in GRAPHS.items()}
