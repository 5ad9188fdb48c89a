"""Each function's dependencies as its image holds them: `pip install --target` of its requirements
under requirements.lock (the pip cache and the local CPU torch wheel make it offline), sized on disk."""

import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.stack import REPO

PIP_TIMEOUT = 900


@dataclass
class Package:
    name: str
    seconds: float = 0.0
    total_mb: float = 0.0
    pycache_mb: float = 0.0
    top: list[tuple[str, float]] = field(default_factory=list)
    nvidia: list[str] = field(default_factory=list)
    error: str = ""
    target: Path | None = None  # kept until the cold starts ran in it


def _size(path: Path) -> tuple[int, int]:
    """Bytes under `path` (apparent size, symlinks not followed), and how many of them are __pycache__."""
    total = pycache = 0
    for root, _, files in os.walk(path):
        for file in files:
            size = (Path(root) / file).lstat().st_size
            total += size
            if "__pycache__" in root:
                pycache += size
    return total, pycache


def _top_level(name: str) -> str:
    """`numpy.libs` counts as numpy; `foo-1.0.dist-info` as foo."""
    name = name.removesuffix(".libs")
    return re.split(r"-\d", name.removesuffix(".dist-info"))[0]


def package_size(name: str, cache_dir: Path, workdir: Path) -> Package:
    package = Package(name)
    target = workdir / f"pkg-{name}"
    started = time.monotonic()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "--quiet",
                "--cache-dir",
                str(cache_dir),
                "--target",
                str(target),
                "-r",
                f"functions/{name}/requirements.txt",
                "-c",
                "requirements.lock",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=PIP_TIMEOUT,
        )
        package.seconds = time.monotonic() - started
        if done.returncode != 0:
            package.error = f"pip exit code {done.returncode}: {done.stderr.strip()[-1500:]}"
            return package
        total, pycache = _size(target)
        package.total_mb, package.pycache_mb = total / 1e6, pycache / 1e6
        by_package: dict[str, float] = defaultdict(float)
        for entry in target.iterdir():
            size = _size(entry)[0] if entry.is_dir() else entry.lstat().st_size
            by_package[_top_level(entry.name)] += size / 1e6
        package.top = sorted(by_package.items(), key=lambda item: -item[1])[:5]
        package.nvidia = sorted(e.name for e in target.iterdir() if "nvidia" in e.name.lower())
        package.target = target
    except subprocess.TimeoutExpired:
        package.error = f"pip timed out after {PIP_TIMEOUT} s"
    if package.target is None:
        shutil.rmtree(target, ignore_errors=True)
    return package


def pip_cache_dir() -> Path:
    done = subprocess.run([sys.executable, "-m", "pip", "cache", "dir"], capture_output=True, text=True, check=False)
    path = done.stdout.strip()
    return Path(path) if done.returncode == 0 and path else Path.home() / ".cache" / "pip"
