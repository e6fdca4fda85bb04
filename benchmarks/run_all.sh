#!/usr/bin/env bash
# make bench: every pipeline benchmark in turn. Each prints its figures and the machine;
# none asserts. Run on a quiet machine: the receiver shares the 2 cores with wrk.
# The Superset render benchmark is separate (make bench-superset).
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
echo "== receiver (wrk, TLS, 64 connections) =="; $py benchmarks/bench_receiver.py
echo "== loader (2 M events, dedup) vs DuckDB read_json =="; $py benchmarks/bench_loader.py
echo "== All Attempts export (1 M rows) vs DuckDB COPY =="; $py benchmarks/bench_exports.py
