"""Drive wrk (a C load generator, on the other core) and read its figures."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

LUA = r"""
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local keys = {}
for line in io.lines("%(keys)s") do keys[#keys + 1] = line end
sent = 0
wrk.method = "%(method)s"
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Accept"] = "application/fhir+json"
%(auth)s
request = function()
  local n = (sent %% math.max(#bodies, 1)) + 1
  sent = sent + 1
  if #bodies == 0 then return wrk.format(nil, "%(path)s") end
  if #keys > 0 then wrk.headers["Idempotency-Key"] = keys[n] end
  return wrk.format(nil, "%(path)s", nil, bodies[n])
end
local threads = {}
setup = function(thread) threads[#threads + 1] = thread end
done = function(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("sent") end
  io.write(string.format("Bodies sent: %%d of %%d\n", total, #bodies))
end
"""

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Result:
    """One scenario's figures."""

    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    repeats: int = 0  # bodies sent again that must be sent once (counted among the errors)


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages when missing and we are root."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is needed for make bench: apt-get install wrk")
    return found


def run(
    name: str,
    url: str,
    *,
    workdir: Path,
    bodies: list[bytes] | None = None,
    token: str | None = None,
    method: str = "GET",
    seconds: int = 10,
    connections: int = 32,
    keys: list[str] | None = None,
) -> Result:
    """Run one scenario against url (path included) and parse the figures.

    With keys (one per body), each body goes with its own Idempotency-Key and is meant to be
    sent once: wrk cycles through the bodies, so each one sent again is counted as a repeat,
    and a repeat is an error (its answer is a replay or a refusal, not the work measured)."""
    if keys is not None and len(keys) != len(bodies or []):
        raise ValueError("one Idempotency-Key per body")
    base, path = _split(url)
    body_file = workdir / f"{name}.bodies"
    body_file.write_bytes(b"\n".join(bodies or []) + (b"\n" if bodies else b""))
    key_file = workdir / f"{name}.keys"
    key_file.write_text("".join(f"{key}\n" for key in keys or []))
    script = workdir / f"{name}.lua"
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    script.write_text(
        LUA % {"bodies": body_file, "keys": key_file, "method": method, "path": path, "auth": auth}
    )
    command = [ensure_wrk(), "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    out = subprocess.run(
        [*command, "-s", str(script), base], capture_output=True, text=True, check=True
    ).stdout
    result = _parse(name, out)
    if keys is None:
        return result
    repeats = _repeats(out)
    return replace(result, repeats=repeats, errors=result.errors + repeats)


def _repeats(out: str) -> int:
    """How many requests re-sent a body already sent, from the script's own count."""
    match = re.search(r"^Bodies sent: (\d+) of (\d+)$", out, re.MULTILINE)
    if match is None:
        raise ValueError(f"no count of bodies sent in wrk output:\n{out}")
    return max(0, int(match.group(1)) - int(match.group(2)))


def _split(url: str) -> tuple[str, str]:
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    return f"{scheme}://{host}", "/" + path


def _parse(name: str, out: str) -> Result:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    socket = re.search(r"Socket errors:(.*)", out)
    if socket:
        errors += sum(int(n) for n in re.findall(r"\d+", socket.group(1)))
    return Result(name, rps, _percentile(out, "50"), _percentile(out, "99"), errors)


def _percentile(out: str, which: str) -> float:
    match = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if match is None:
        raise ValueError(f"no {which}th percentile in wrk output:\n{out}")
    return float(match.group(1)) * _UNITS[match.group(2)]
