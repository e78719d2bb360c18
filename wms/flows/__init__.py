"""Scanner flows: explicit state machines run one transaction per scan by ``runner.run_step``."""
