"""`native`: the rules BUCK files use without a load line, as Buck2's prelude provides them.

Buck2 makes the fields of the prelude's `native` struct globals of every BUCK file (and .bzl macros reach them as
`native.<rule>`)."""

load(":export_file.bzl", "export_file_macro")
load(":filegroup.bzl", "filegroup")
load(":genrule.bzl", "genrule")

native = struct(
    export_file = export_file_macro,
    filegroup = filegroup,
    genrule = genrule,
)
