"""Helpers that look at whole fixture trees: a digest to prove what changed, and permissions."""
import hashlib
import os


def tree_digest(root, exclude=(), mtimes=False):
    """A digest of every path's name, mode, owner, link target and content (and mtime if asked),
    leaving out the paths in `exclude` (relative to root)."""
    digest = hashlib.sha256()
    skip = {os.path.join(root, p) for p in exclude}
    paths = []
    for dirpath, dirnames, filenames in os.walk(root):      # prune in place: excluded dirs are not walked
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
        paths += [os.path.join(dirpath, name) for name in dirnames + filenames
                  if os.path.join(dirpath, name) not in skip]
    for path in sorted(paths):
        info = os.lstat(path)
        stamp = f"\0{info.st_mtime_ns}" if mtimes else ""
        digest.update(f"{os.path.relpath(path, root)}\0{info.st_mode}\0{info.st_uid}{stamp}\0".encode())
        if os.path.islink(path):
            digest.update(os.readlink(path).encode())
        elif os.path.isfile(path):
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def make_world_readable(base):
    """Directories 0755 and files 0644, so another user can read the tree."""
    os.chmod(base, 0o755)
    for dirpath, _dirnames, filenames in os.walk(base):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o644)
