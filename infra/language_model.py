"""Writes the chat's fast-loading copy of py3langid's model (run at install time, like infra/onnx_export.py).

py3langid ships its model as an xz-compressed npz: about a second to decompress at every cold start. The copy
holds the same arrays uncompressed, one .npy file each (68 MB instead of 4.5), which tinyeclipse.chat.language
maps into memory instead of reading when they are there (the folder LANGUAGE_MODEL_PATH, else
share/tinyeclipse/py3langid/ under the interpreter's prefix), and py3langid's own file otherwise.
"""

import argparse
import io
import lzma
import shutil
import time
from pathlib import Path

import numpy
from py3langid.langid import MODEL_DIR, MODEL_FILE

from tinyeclipse.chat import language


def write(output: Path) -> None:
    with lzma.open(MODEL_DIR / MODEL_FILE) as source, numpy.load(io.BytesIO(source.read())) as data:
        arrays = {name: data[name] for name in language.FAST_MODEL_ARRAYS}
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name, values in arrays.items():
        numpy.save(partial / f"{name}.npy", values, allow_pickle=False)
    shutil.rmtree(output, ignore_errors=True)
    partial.replace(output)  # make sees the folder only once it is complete


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = language.fast_model_dir()
    parser.add_argument("--output", type=Path, default=None, help=f"a folder; default: {default}")
    args = parser.parse_args(argv)
    output: Path = (args.output or default).resolve()
    started = time.perf_counter()
    write(output)
    size_mb = sum(path.stat().st_size for path in output.iterdir()) / 1e6
    print(f"{output}: {size_mb:.1f} MB in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
