"""벤치마크 설정: 목표를 판정하는 크기(기본)와 스모크 테스트용 작은 크기(`Config.quick`)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Config", "CASES", "MIN_ROUNDS"]

#: 목표를 판정할 때 필요한 최소 라운드 수(적어도 5).
MIN_ROUNDS = 5

#: 기본으로 실행하는 경우들. 속성 테스트 묶음(`suite`)은 오래 걸려서 따로 켭니다.
CASES = ("chapter1", "mlp", "gradcheck", "memory")


@dataclass
class Config:
    """모든 경우의 크기와 라운드 수.

    Attributes
    ----------
    rounds : int
        교대 라운드 수.
    epochs, batch_size, hidden, lr, seed : 1장 학습(책의 설정: 300 에폭, 배치 30, 은닉 10, SGD 1.0).
    mlp_batch, mlp_sizes, mlp_dtypes : 큰 MLP(배치 4096, 1024 → 2048 → 1024 → 10).
    gradcheck_sizes : Affine 기울기 검사의 `(N, D, H)` 목록.
    memory_steps : 최대 RSS를 비교할 두 학습 길이(짧은 쪽, 긴 쪽).
    """

    rounds: int = 7
    epochs: int = 300
    batch_size: int = 30
    hidden: int = 10
    lr: float = 1.0
    seed: int = 0
    mlp_batch: int = 4096
    mlp_sizes: tuple[int, ...] = (1024, 2048, 1024, 10)
    mlp_dtypes: tuple[str, ...] = ("float32", "float64")
    gradcheck_sizes: tuple[tuple[int, int, int], ...] = ((2, 3, 4), (4, 8, 8), (8, 16, 16))
    memory_steps: tuple[int, int] = (100, 10_000)
    cases: tuple[str, ...] = field(default=CASES)

    @classmethod
    def quick(cls, rounds: int = 3) -> Config:
        """몇 초 안에 끝나는 작은 설정(하니스가 도는지만 봅니다; 목표 판정용이 아님)."""
        return cls(
            rounds=rounds,
            epochs=2,
            mlp_batch=32,
            mlp_sizes=(16, 32, 16, 4),
            gradcheck_sizes=((2, 3, 4),),
            memory_steps=(10, 200),
        )
