"""Mutations of FHIR bodies, as Hypothesis strategies: what a broken or hostile client sends.

A valid request is taken apart a few times over: an element dropped, duplicated, retyped,
nested deep, given a huge or odd string (NUL, control characters, right-to-left marks), a key
no profile knows; sometimes the serialised bytes themselves are cut or spoilt.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

Json = Any
Path = tuple[str | int, ...]
# Past the gateway's body limit (1 MiB) by a little: enough to meet the 413, no more to build.
MAX_BUILT_BYTES = 1_500_000

ODD_STRINGS = [
    "",
    "\x00",
    "x\x00y",
    "\x1b[31m\r\n",
    "\u202eevil",  # right-to-left override
    "\ufeff",
    "💊" * 2_000,
    "x" * 300_000,  # under the body limit, over every field's sense
    "Patient/../../admin",
    "' OR '1'='1",
    "%00",
    "null",
    "9" * 400,
    "2026-02-30",
    "-0001-01-01",
    "urn:uuid:",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(ODD_STRINGS),
)


def paths(value: Json, prefix: Path = ()) -> list[Path]:
    """Every element's path in a JSON value, the root first."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += paths(child, (*prefix, index))
    return found


def _get(value: Json, path: Path) -> Json:
    for step in path:
        value = value[step]
    return value


def _set(root: Json, path: Path, new: Json) -> Json:
    if not path:
        return new
    _get(root, path[:-1])[path[-1]] = new
    return root


def _drop(root: Json, path: Path, draw: st.DrawFn) -> Json:
    if path:
        del _get(root, path[:-1])[path[-1]]
    return root


def _duplicate(root: Json, path: Path, draw: st.DrawFn) -> Json:
    node = _get(root, path)
    size = len(json.dumps(node))
    times = min(draw(st.sampled_from([2, 50, 3_000])), max(2, MAX_BUILT_BYTES // size))
    if isinstance(node, list) and node:
        return _set(root, path, node * times)
    return _set(root, path, [copy.deepcopy(node) for _ in range(min(times, 50))])


def _retype(root: Json, path: Path, draw: st.DrawFn) -> Json:
    node = _get(root, path)
    new = draw(st.one_of(SCALARS, st.just([node]), st.just({"value": node}), st.just({})))
    return _set(root, path, new)


def _nest(root: Json, path: Path, draw: st.DrawFn) -> Json:
    node = _get(root, path)
    in_list = draw(st.booleans())
    for _ in range(draw(st.sampled_from([10, 40, 400]))):
        node = [node] if in_list else {"extension": node}
    return _set(root, path, node)


def _odd_string(root: Json, path: Path, draw: st.DrawFn) -> Json:
    node = _get(root, path)
    odd = draw(st.sampled_from(ODD_STRINGS))
    if isinstance(node, str) and node:
        at = draw(st.integers(0, len(node)))
        return _set(root, path, node[:at] + odd + node[at:])
    return _set(root, path, odd)


def _new_key(root: Json, path: Path, draw: st.DrawFn) -> Json:
    node = _get(root, path)
    if isinstance(node, dict):
        node[draw(st.sampled_from(["id", "resourceType", "extension", "", "\x00", "zz"]))] = draw(
            SCALARS
        )
    return root


MUTATIONS: list[Callable[[Json, Path, st.DrawFn], Json]] = [
    _drop, _duplicate, _retype, _nest, _odd_string, _new_key,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Json]) -> bytes:
    """A seed mutated one to four times, serialised, its bytes sometimes spoilt."""
    body = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths(body)))
        body = draw(st.sampled_from(MUTATIONS))(body, path, draw)
    raw = json.dumps(body, ensure_ascii=draw(st.booleans())).encode()
    spoil = draw(st.integers(0, 9))
    if spoil == 0:  # cut short
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif spoil == 1:  # a byte that is no UTF-8
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + b"\xff\xfe" + raw[at:]
    return raw
