#!/bin/sh
PYTHONPATH=/work/wt-multipage exec /work/main/.venv/bin/python -m crawler.cli "$@"
