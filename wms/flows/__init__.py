"""Scanner flows: one explicit state machine per floor job.

Each is run one transaction per scan by ``runner.run_step``.
"""
