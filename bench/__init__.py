"""Performance and reliability figures (`make bench`, `python -m bench.run [--quick]`).

These print and record numbers (bench/RESULTS.md); they are not tests and assert nothing timed.
"""
