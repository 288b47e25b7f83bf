"""Attributes that Buck2's prelude gives every core rule (contacts, labels, licenses): accepted, not used."""

def common_attrs() -> dict:
    return {
        "contacts": attrs.list(attrs.string(), default = []),
        "labels": attrs.list(attrs.string(), default = []),
        "licenses": attrs.list(attrs.source(), default = []),
    }

def with_common_attrs(own: dict) -> dict:
    """`own` plus the common attributes."""
    out = dict(own)
    out.update(common_attrs())
    return out
