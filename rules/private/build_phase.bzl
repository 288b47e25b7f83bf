"""Build phases of a layer, in the order they run.

A layer builds one phase after another; each non-empty phase is one compile action whose parent is the
previous phase's output. Every feature type names its phase in its module under `rules/private/features/`.
"""

# The order matters: a phase sees everything the phases before it produced.
BUILD_PHASES = [
    "package_manager",
    "genrule",
    "remove",
    "compile",
    "buildinfo_stamp",
]

BUILD_PHASE = struct(
    package_manager = "package_manager",
    genrule = "genrule",
    remove = "remove",
    compile = "compile",
    buildinfo_stamp = "buildinfo_stamp",
)

# Why the order is what it is; checked when this file loads, so an edit that breaks it fails every build.
_MUST_PRECEDE = [
    ("package_manager", "genrule"),  # genrules run tools the package manager installed
    ("genrule", "remove"),  # a genrule's leftovers can be removed
    ("remove", "compile"),  # removals are hard to order against other features: they get their own phase
    ("compile", "buildinfo_stamp"),  # the stamp describes the finished image
]

def _check_order():
    seen = {}
    for phase in BUILD_PHASES:
        if phase in seen:
            fail("strata: build phase \"{}\" is listed twice in BUILD_PHASES".format(phase))
        seen[phase] = len(seen)
        if getattr(BUILD_PHASE, phase, None) != phase:
            fail("strata: BUILD_PHASE.{} must be \"{}\"".format(phase, phase))
    for first, then in _MUST_PRECEDE:
        if first not in seen or then not in seen:
            fail("strata: BUILD_PHASES must contain \"{}\" and \"{}\"".format(first, then))
        if seen[first] >= seen[then]:
            fail("strata: build phase \"{}\" must come before \"{}\", found {}".format(first, then, BUILD_PHASES))

_check_order()

def phase_index(phase: str) -> int:
    """Position of `phase` in BUILD_PHASES; fails on an unknown phase."""
    for i, p in enumerate(BUILD_PHASES):
        if p == phase:
            return i
    fail("strata: unknown build phase \"{}\" (known: {})".format(phase, ", ".join(BUILD_PHASES)))
