"""strata's own prelude (the `prelude` cell of the standalone project).

Buck2 makes the public names of this file globals of every BUCK file, and the fields of `native` bare globals of
BUCK files. It exports only `native`, holding the few core rules BUCK files commonly use without a load line
(`export_file`, `filegroup`, `genrule`, see native.bzl), with Buck2's attribute names and behaviour. strata's own
rules are loaded (`load("//rules:defs.bzl", "feature", "image")`), so the same BUCK files also evaluate when
strata is a cell of a project that has its own (full) prelude.

The cell also holds the local platform (platforms/), used as target and execution platform.
"""

load(":native.bzl", _native = "native")

native = _native
