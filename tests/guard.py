"""A sandbox for hostile-input tests: every file the code opens and every socket it uses is checked.

Python's audit hooks (PEP 578) report each ``open``, rename, removal, directory creation and
socket connection. While a :class:`Guard` is active, a write outside the test's folder, a read of
anything that is neither in that folder nor part of the installed software (the interpreter, the
pipeline package, system data such as fonts and locale files), or a socket connection to anywhere
but an allowed loopback address is recorded as a violation, and the test fails on it.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pipeline

_SYSTEM = tuple(
    {
        Path(p).resolve()
        for p in (
            sys.prefix,
            sys.base_prefix,
            sys.exec_prefix,
            sysconfig.get_paths()["stdlib"],
            sysconfig.get_paths()["purelib"],
            "/usr",
            "/etc",
            "/proc",
            "/sys",
            "/dev",
            "/lib",
            "/var/cache/fontconfig",
        )
    }
)
_PACKAGE = Path(pipeline.__file__).resolve().parent
_LOOPBACK = ("127.0.0.1", "::1", "localhost")
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


@dataclass
class Guard:
    """What a test may touch; ``violations`` lists what it touched beyond that."""

    root: Path
    loopback_ports: set[int] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)
    active: bool = False

    def _inside(self, path: Path) -> bool:
        return path.is_relative_to(self.root)

    def _readable(self, path: Path) -> bool:
        if self._inside(path) or path.is_relative_to(_PACKAGE):
            return True
        if path.is_relative_to(Path.home()) and ".cache/fontconfig" in path.as_posix():
            return True
        return any(path.is_relative_to(s) for s in _SYSTEM) and not path.is_relative_to(Path("/etc/shadow"))

    def _writable(self, path: Path) -> bool:
        # Python may cache bytecode of a module imported for the first time; fontconfig its font list.
        return self._inside(path) or "__pycache__" in path.parts or ".cache/fontconfig" in path.as_posix()

    def check_path(self, event: str, raw: object, write: bool) -> None:
        if not isinstance(raw, str | bytes | os.PathLike):
            return  # a file descriptor
        path = Path(os.fsdecode(raw))
        try:
            # open() follows a symbolic link; removing or renaming one acts on the link itself.
            resolved = path.resolve() if event == "open" else path.parent.resolve() / path.name
        except (OSError, RuntimeError):
            resolved = path.absolute()
        self.opened.append(resolved)
        if write and not self._writable(resolved):
            self.violations.append(f"{event} for writing outside the project: {resolved}")
        elif not write and not self._readable(resolved):
            self.violations.append(f"{event} outside the project: {resolved}")

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if not self.active:
            return
        self.active = False  # the checks themselves resolve paths: no recursion
        try:
            if event == "open":
                path, mode, flags = (*args, None, None, None)[:3]
                write = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                    isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
                )
                self.check_path(event, path, write)
            elif event in ("os.rename", "os.replace"):
                self.check_path(event, args[0], True)
                self.check_path(event, args[1], True)
            elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.truncate", "shutil.rmtree"):
                self.check_path(event, args[0], True)
            elif event in ("os.symlink", "os.link"):
                self.check_path(event, args[1], True)  # the new name; the target is not touched
            elif event == "socket.connect":
                address = args[1]
                port = address[1] if isinstance(address, tuple) and len(address) >= 2 else None
                host = address[0] if isinstance(address, tuple) else address
                if host not in _LOOPBACK or port not in self.loopback_ports:
                    self.violations.append(f"socket connection to {address!r}")
            elif event in ("socket.getaddrinfo", "socket.gethostbyname") and args[0] not in _LOOPBACK:
                self.violations.append(f"name lookup of {args[0]!r}")
        finally:
            self.active = True


_CURRENT: list[Guard] = []


def _dispatch(event: str, args: tuple[object, ...]) -> None:
    if _CURRENT:
        _CURRENT[-1].hook(event, args)


sys.addaudithook(_dispatch)  # audit hooks cannot be removed; this one does nothing unless a guard is on


@contextmanager
def guarded(root: Path, loopback_ports: set[int] | None = None) -> Iterator[Guard]:
    """Run the body under a :class:`Guard` for ``root``; the caller asserts on ``violations``."""
    guard = Guard(root.resolve(), set(loopback_ports or ()))
    _CURRENT.append(guard)
    guard.active = True
    try:
        yield guard
    finally:
        guard.active = False
        _CURRENT.remove(guard)


__all__ = ["Guard", "guarded"]
