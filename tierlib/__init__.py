"""Customer Pyramid domain library: reading, mapping, aggregating and tiering customers.

Pure Python (pandas, numpy, DuckDB); it never imports streamlit, so the CLI, the reports
and the tests use exactly the code the app uses.
"""

__version__ = "0.1.0"
