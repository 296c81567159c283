"""refnn: a verified reference implementation of Deep Learning from Scratch 2 (chapters 1-8).

『밑바닥부터 시작하는 딥러닝 2』 1–8장의 계층과 모델을 검증과 함께 구현한 참조 구현입니다.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
