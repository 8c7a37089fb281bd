"""ganzoo's benchmarks: speed and quality measurements, run by hand, printed as tables.

python -m benchmarks                       # lists them
python -m benchmarks step_time --suite translation
"""
