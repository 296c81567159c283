"""Sub-commands of ``python -m refnn``; each module exposes ``register(subparsers)``.

A module registers its parser cheaply and imports anything heavy inside its
``run`` function, so ``python -m refnn --help`` stays fast.
"""

COMMANDS = ("train_spiral", "check", "bench")
