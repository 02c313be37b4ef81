import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))


def vector_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("PERMISO_VECTORS", ROOT / "tests" / "vectors"))
