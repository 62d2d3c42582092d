"""The warmed-up render process: results in order, errors carried back, nothing left running."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.render import prefork
from pipeline.render.pdf import PdfJob, cost

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks: Linux only")

WARMED: dict[str, int] = {}


def _warm() -> None:
    WARMED["pid"] = os.getpid()


def _where(item: int) -> tuple[int, int, int]:
    """The item squared, the process that ran it, and the process that warmed up."""
    return item * item, os.getpid(), WARMED.get("pid", -1)


def _fail_on_three(item: int) -> int:
    if item == 3:
        raise ValueError(f"bad item {item}")
    return item


def _stopped_on_three(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGTERM)  # as if an operator or the system stopped this worker
        time.sleep(30)
    return item


def _broken_warm_up() -> None:
    raise OSError("libpango-1.0.so.0: cannot open shared object file")


@pytest.mark.parametrize("workers", [1, 2])
def test_jobs_run_in_processes_forked_after_the_warm_up(workers: int) -> None:
    renderer = prefork.start(_warm)
    assert renderer is not None
    results = renderer.map(_where, list(range(7)), workers)
    assert [r[0] for r in results] == [i * i for i in range(7)]
    warmed = {r[2] for r in results}
    # Every job saw the warm-up's state: it ran in the warmed-up process or a fork of it.
    assert len(warmed) == 1 and warmed != {-1} and warmed != {os.getpid()}
    runners = {r[1] for r in results}
    assert os.getpid() not in runners
    if workers == 1:
        assert runners == warmed  # the warmed-up process ran them itself
    else:
        assert runners.isdisjoint(warmed) and len(runners) <= 2
    assert not multiprocessing.active_children()


def test_an_error_in_a_job_is_raised_in_the_caller() -> None:
    renderer = prefork.start(_warm)
    assert renderer is not None
    with pytest.raises(ValueError, match="bad item 3"):
        renderer.map(_fail_on_three, [1, 2, 3, 4], 2)
    assert not multiprocessing.active_children()


def test_a_worker_stopped_midway_is_an_error_not_a_short_result() -> None:
    renderer = prefork.start(_warm)
    assert renderer is not None
    with pytest.raises(RuntimeError, match="exited with code 143"):
        renderer.map(_stopped_on_three, [1, 2, 3, 4, 5, 6], 2)
    assert not multiprocessing.active_children()


def test_a_failed_warm_up_is_raised_when_the_work_comes() -> None:
    renderer = prefork.start(_broken_warm_up)
    assert renderer is not None
    with pytest.raises(OSError, match="libpango"):
        renderer.map(_where, [1], 1)


def test_an_unused_process_is_stopped() -> None:
    renderer = prefork.start(_warm)
    assert renderer is not None
    assert multiprocessing.active_children()
    with renderer:
        pass
    assert not multiprocessing.active_children()


def test_a_failing_build_leaves_no_process_behind(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(project), "build", "--format", "pdf,docx"]) != 0
    assert "unknown format(s) docx" in capsys.readouterr().err
    assert not multiprocessing.active_children()


def test_cjk_handouts_are_started_first() -> None:
    from pipeline.render.pdf import installed_families

    families = installed_families() or frozenset()
    if not {"Noto Sans", "Noto Sans CJK SC"} <= families:
        pytest.skip("needs fonts-noto-core and fonts-noto-cjk")
    page = "<p>" + "x" * 4000 + "</p>"

    def job(font: str) -> PdfJob:
        return PdfJob(page, Path("."), (), (font, "Noto Sans"), "test", "doc", Path("out.pdf"))

    # Subsetting the 19 MB CJK font costs as much as laying out thousands of characters.
    assert cost(job("Noto Sans CJK SC")) > cost(job("Noto Sans")) + 3000


# A caller whose jobs block until stopped: each job leaves a marker, then sleeps.
_STUCK_CALLER = """
import pathlib, sys, time
from pipeline.render import prefork

def job(item):
    pathlib.Path(sys.argv[1], f"started-{item}").touch()
    time.sleep(120)

renderer = prefork.start(lambda: None)
try:
    renderer.map(job, [1, 2, 3, 4], 2)
except KeyboardInterrupt:
    sys.exit(130)
"""


def _stuck_caller(tmp_path: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", _STUCK_CALLER, str(tmp_path)],
        start_new_session=True,  # its own process group, like a command run from a terminal
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("started-*"))) < 2:  # both workers are busy
        assert time.monotonic() < deadline and process.poll() is None, process.stderr
        time.sleep(0.05)
    return process


def _group_gone(group: int) -> bool:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)
    return False


def test_an_interrupt_stops_every_process(tmp_path: Path) -> None:
    caller = _stuck_caller(tmp_path)
    os.killpg(caller.pid, signal.SIGINT)  # Ctrl-C in a terminal reaches the whole group
    _, err = caller.communicate(timeout=30)
    assert caller.returncode == 130
    assert "Traceback" not in err
    assert _group_gone(caller.pid)
    assert len(list(tmp_path.glob("started-*"))) == 2  # nothing new started after the interrupt


def test_workers_stop_when_the_caller_is_killed(tmp_path: Path) -> None:
    caller = _stuck_caller(tmp_path)
    os.kill(caller.pid, signal.SIGKILL)  # only the caller: no chance to clean up
    caller.wait(timeout=30)
    assert _group_gone(caller.pid)  # the warmed-up process and its workers followed
