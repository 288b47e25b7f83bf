"""Where Debian packages come from: `[strata] debian_mirror` in .buckconfig / .buckconfig.local.

The repository names no archive host: scripts/bootstrap.sh writes the host's own apt mirror into .buckconfig.local.
Call these while a BUCK file is evaluated (read_root_config is not available during analysis).
"""

def debian_mirror() -> str:
    """The configured archive base URL (the `[strata] debian_mirror` value), without a trailing slash."""
    mirror = read_root_config("strata", "debian_mirror", None)
    if mirror == None or mirror.strip() == "":
        fail("`[strata] debian_mirror` is not set: run `bash scripts/bootstrap.sh` (it copies the host's apt mirror into .buckconfig.local), or add `[strata]` / `debian_mirror = <archive URL>` to .buckconfig.local")
    return mirror.strip().rstrip("/")

def pool_url(pool_filename: str) -> str:
    """The URL of a file of the archive's pool/, from its `Filename` (relative to the archive root)."""
    return debian_mirror() + "/" + pool_filename.lstrip("/")
