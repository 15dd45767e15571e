"""Benchmark of Bruggen (issue 8): ``make bench`` seeds data, serves, loads and reports."""
