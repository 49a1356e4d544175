"""Performance internals of the sinks: not an API, free to change or go away.

- `ordered`: encodes slices of batches on the shared thread pool and writes them in order (every
  format), and tells the kernel to drop written pages.
- `json_text`, `json_fast`: NDJSON and the text of CSV's timestamps and nested columns built with
  Arrow compute, with tables of precomputed texts for dates, seconds, small integers and decimals.
- `csv_text`: CSV rows laid out by one gather from small tables of texts and per-row texts, the
  same bytes as Arrow's CSV writer (its fallback) without printing every value.
- `parquet_join`, `thrift_compact`: Parquet row groups encoded as separate in-memory files on
  every core, then joined into one file by rewriting the footer (a minimal Thrift compact codec).

The Parquet joiner exists because pyarrow's `ParquetWriter` encodes a file's columns on one
thread. Setting `STREAMFORGE_PLAIN_PARQUET=1` (`fmt_parquet.PLAIN_PARQUET_ENV`) writes Parquet
with a plain `pyarrow.parquet.ParquetWriter` instead: the same rows, columns and encodings, no
joined footer (tests/sinks/test_plain_parquet.py reads both back and compares). Delete
`parquet_join` and `thrift_compact`, and keep the plain writer, once pyarrow's writer encodes
columns on several threads (apache/arrow#50866).
"""
