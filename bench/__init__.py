"""The benchmark (`make bench`): bench/run.py, its settings and URL configuration."""
