"""Which providers and settings are the same across LAs.

`provider_id` is each LA's own reference and never matches across LAs. Providers are
merged on their national identifiers (definitions: merging providers): two LAs' rows
that share an Ofsted provider URN, a company number or a charity number are one
provider, and so, transitively, is every row linked to them by any of the three. Each
merged provider is named by the first identifier it has in that order; a provider with
none stays the LA's own (`E06000066/P001`). A setting's Ofsted URN is national except a
local `X-` reference, which stays the LA's own.
"""

from __future__ import annotations

import re

import polars as pl

_IDENTIFIERS = (
    ("ofsted_provider_urn", "ofsted"),
    ("company_number", "company"),
    ("charity_number", "charity"),
)
LOCAL_SETTING_PREFIX = "X-"


def _normalised(kind: str, value: str | None) -> str | None:
    """The identifier as registers write it: no spaces, upper case, company numbers of
    digits only padded to eight (Companies House drops no zeros; people do)."""
    if value is None:
        return None
    text = re.sub(r"\s+", "", value).upper()
    if not text:
        return None
    if kind == "company" and text.isdigit():
        text = text.zfill(8)
    return text


def local_key(la_code: str, local_id: str) -> str:
    return f"{la_code}/{local_id}"


def provider_keys(providers: pl.DataFrame) -> pl.DataFrame:
    """(la_code, provider_id) -> provider_key, for providers rows from any LAs."""
    parent: dict[str, str] = {}

    def find(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    rows = providers.select(
        "la_code", "provider_id", *(name for name, _ in _IDENTIFIERS)
    ).iter_rows(named=True)
    members: list[tuple[str, str, list[str]]] = []
    for row in rows:
        own = "local:" + local_key(row["la_code"], row["provider_id"])
        found = [
            f"{kind}:{text}"
            for name, kind in _IDENTIFIERS
            if (text := _normalised(kind, row[name])) is not None
        ]
        for identifier in found:
            parent[find(identifier)] = find(own)
        find(own)
        members.append((row["la_code"], row["provider_id"], [own, *found]))

    # Name each group by its best identifier: an Ofsted URN, else a company number, else a
    # charity number (smallest first, so that the name does not depend on row order).
    rank = {kind: position for position, (_, kind) in enumerate(_IDENTIFIERS)}
    best: dict[str, str] = {}
    for _, _, nodes in members:
        for node in nodes:
            kind = node.split(":", 1)[0]
            if kind == "local":
                continue
            root = find(node)
            held = best.get(root)
            if held is None or (rank[kind], node) < (rank[held.split(":", 1)[0]], held):
                best[root] = node
    # Named "ofsted:SC123456" or "company:01234567"; with no identifier, the LA's own
    # reference: "E06000066/P001".
    keys = [
        (la, provider_id, best.get(find(nodes[0]), nodes[0]).removeprefix("local:"))
        for la, provider_id, nodes in members
    ]
    return pl.DataFrame(
        keys,
        schema={"la_code": pl.String, "provider_id": pl.String, "provider_key": pl.String},
        orient="row",
    )


def setting_key() -> pl.Expr:
    """The key of a setting: its Ofsted URN, or the LA's own for a local reference."""
    urn = pl.col("setting_urn")
    return (
        pl.when(urn.is_null())
        .then(None)
        .when(urn.str.starts_with(LOCAL_SETTING_PREFIX))
        .then(pl.concat_str(pl.col("la_code"), pl.lit("/"), urn))
        .otherwise(pl.lit("urn:") + urn)
        .alias("setting_key")
    )
