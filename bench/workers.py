"""Real Celery worker processes on Redis, for the benchmarks and the tests that need several of them."""

import signal
import subprocess
import sys


def start_workers(specs: list[tuple[str, str]], env: dict) -> list[subprocess.Popen]:
    """One solo-pool worker per ``(name, queues)``: node ``name@host`` on the comma-separated queues."""
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ims_portal",
                "worker",
                "-P",
                "solo",
                "-n",
                f"{name}@%h",
                "-Q",
                queues,
                "-l",
                "WARNING",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name, queues in specs
    ]


def stop_workers(procs: list[subprocess.Popen]) -> None:
    """A warm shutdown (the task in hand finishes), then kill whatever did not stop in 30 s."""
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
