"""Adds the workspace's patched crates (vendor/, named by [patch.crates-io]
in the root Cargo.toml) to the Python sdist that maturin wrote: maturin
packs the crates the Python binding depends on, but not a patch's path,
and cargo cannot read the workspace without it.

    python3 tools/dist/sdist_vendor.py dist/permiso-0.1.0.tar.gz
"""
import io
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sdist = Path(sys.argv[1])
with tarfile.open(sdist, "r:gz") as old:
    members = [(m, old.extractfile(m).read() if m.isfile() else None) for m in old.getmembers()]
top = members[0][0].name.split("/")[0]
names = {m.name for m, _ in members}
added = 0
with tarfile.open(sdist, "w:gz") as new:
    for member, data in members:
        new.addfile(member, io.BytesIO(data) if data is not None else None)
    for path in sorted((ROOT / "vendor").rglob("*")):
        name = f"{top}/{path.relative_to(ROOT).as_posix()}"
        if not path.is_file() or name in names:
            continue
        info = tarfile.TarInfo(name)
        data = path.read_bytes()
        info.size, info.mode, info.mtime = len(data), 0o644, members[0][0].mtime
        new.addfile(info, io.BytesIO(data))
        added += 1
print(f"{sdist.name}: added {added} files of vendor/ (the workspace's patched crates)")
