"""The batch layer: many deals at once, on worker processes or Dask.

Between the faces (render, interop) and the command line: it finds deal files
(:mod:`influence.batch.files`), runs work over them on a process pool or a Dask
cluster with each item isolated (:mod:`influence.batch.engine`), reviews a
pipeline and loads a saved review (:mod:`influence.batch.review`), and writes
the review's report with a map per deal (:mod:`influence.batch.maps`). The
analysis and render layers below it touch neither files, processes nor Dask
(an import-linter contract in ``pyproject.toml`` proves it).
"""
