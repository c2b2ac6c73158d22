"""`make bench`: measured, side-by-side performance of the verifier, the token client and the packages.

Run ``python -m bench.run`` (what ``make bench`` does after building what it needs); see bench/run.py.
"""
