"""strata's own prelude (the `prelude` cell of the standalone project).

Buck2 makes the public names of this file globals of every BUCK file. It exports nothing on purpose:
BUCK files load what they use (`load("//rules:defs.bzl", "feature", "image")`), so the same BUCK files
also evaluate when strata is a cell of a project that has its own prelude.

The cell also holds the local platform (platforms/), used as target and execution platform.
"""
