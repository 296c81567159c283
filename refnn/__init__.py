"""refnn: a verified reference implementation of chapter 1 of Deep Learning from Scratch 2.

밑바닥부터 시작하는 딥러닝 2 1장의 계층을 검증과 함께 구현한 참조 구현입니다.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
