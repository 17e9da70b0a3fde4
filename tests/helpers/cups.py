"""A private CUPS scheduler with a cups-pdf queue: printing tests go through a real spooler.

`cups_pdf_printer()` starts its own `cupsd -f` with configuration, spool, logs and a Unix
socket in a temporary folder. It never touches the system's scheduler, its queues or
/run/cups. It adds a queue (`BoxOfficeTest` by default, made the default destination)
with the CUPS-PDF driver, and yields a `CupsPdfPrinter`. At the end it stops the
scheduler and removes everything it made.

How clients find it: `CUPS_SERVER` is set to the socket's path in `os.environ` (and
restored afterwards). libcups reads that variable the first time it needs a server and
then keeps the answer for the thread. Qt's CUPS plugin goes through libcups, so the
printer list would stay on the first server asked — measured: with `CUPS_SERVER` set after
a first `QPrinterInfo.availablePrinterNames()`, the list stayed empty. So the helper also
calls libcups's `cupsSetServer(NULL)` (through ctypes, the same library Qt loaded). That
drops the cached server, and the next call reads the variable again. The fixture then
works whatever ran first in the session: a QApplication or QPrinterInfo use does not
matter. libcups keeps this per thread; Qt's printer calls run on the main thread, as
pytest does.

Where the PDFs land: the cups-pdf backend reads its settings only from
`/etc/cups/cups-pdf.conf`, or from `/etc/cups/cups-pdf-<name>.conf` for a queue whose device
URI is `cups-pdf:/<name>`; the folder is compiled in. The helper writes its own
`cups-pdf-boxoffice-test-<random>.conf` there and removes it afterwards. That file sends
output (`Out`, `AnonDirName`), cups-pdf's spool and its log into the temporary folder,
so the system's queues and `/var/spool/cups-pdf` stay untouched.
`CupsPdfPrinter.wait_for_new_pdf` waits (bounded) until the queue has no job left and a new
PDF is in `output_dir`.

The print path is Qt → PDF → CUPS filters (pdftopdf, pdftops) → cups-pdf → Ghostscript →
PDF, so the file read back went through the same chain as a job for a real printer.

Needs root (cups-pdf refuses to run otherwise, and `cupsd` runs it as root only when
it is root itself), and the Debian packages `cups` and `printer-driver-cups-pdf`
(`scripts/setup --dev`). Missing pieces end the test with `pytest.fail` and say which.
No systemd is needed: cupsd runs in the foreground as our child and gets SIGTERM if the
test process dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from boxoffice.desktop.embedded import die_with_parent

PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")
CUPS_PDF_CONFIG_DIR = Path("/etc/cups")  # compiled into cups-pdf
START_TIMEOUT = 20.0


@dataclass
class CupsPdfPrinter:
    """A cups-pdf queue on a private scheduler; `server` is what CUPS_SERVER is set to."""

    name: str
    server: str
    output_dir: Path
    log_dir: Path
    process: subprocess.Popen[bytes]

    def printed_files(self) -> set[Path]:
        """The PDFs cups-pdf has written so far."""
        return set(self.output_dir.glob("*.pdf"))

    def wait_for_new_pdf(self, known: Collection[Path], timeout: float = 60) -> Path:
        """The newest PDF not in `known`, once the queue has finished all its jobs."""
        deadline = time.monotonic() + timeout
        while True:
            new = self.printed_files() - set(known)
            if new and not self._jobs_pending():
                return max(new, key=lambda path: path.stat().st_mtime_ns)
            if self.process.poll() is not None:
                pytest.fail(f"cupsd exited ({self.process.returncode}):\n{self.log_tail()}")
            if time.monotonic() > deadline:
                pytest.fail(
                    f"no PDF from the {self.name} queue after {timeout:.0f} s "
                    f"(jobs: {self.lpstat('-o', self.name)!r}):\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def log_tail(self, lines: int = 30) -> str:
        """The end of the scheduler's error log and of cups-pdf's log, for failure messages."""
        text = []
        for log in sorted(self.log_dir.iterdir()):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            text.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(text)

    def _jobs_pending(self) -> bool:
        return bool(self.lpstat("-o", self.name).strip())

    def lpstat(self, *args: str) -> str:
        """`lpstat` against this scheduler; its standard output."""
        result = subprocess.run(
            ["lpstat", "-h", self.server, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
        return result.stdout


@contextlib.contextmanager
def cups_pdf_printer(name: str = "BoxOfficeTest") -> Iterator[CupsPdfPrinter]:
    """A private cupsd with a cups-pdf queue `name` (the default destination) until the end."""
    _require_tools()
    root = Path(tempfile.mkdtemp(prefix="boxoffice-cups-"))
    device = f"boxoffice-test-{secrets.token_hex(4)}"
    queue_config = CUPS_PDF_CONFIG_DIR / f"cups-pdf-{device}.conf"
    try:
        layout = _make_layout(root)
        queue_config.write_text(_cups_pdf_conf(layout))
        with _scheduler(layout) as process, _cups_server_env(layout.socket):
            printer = CupsPdfPrinter(
                name=name,
                server=str(layout.socket),
                output_dir=layout.output,
                log_dir=layout.logs,
                process=process,
            )
            _wait_until_running(printer)
            _add_queue(printer, device)
            yield printer
    finally:
        queue_config.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


# --- set-up --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    root: Path
    etc: Path
    spool: Path
    logs: Path
    output: Path
    socket: Path


def _require_tools() -> None:
    missing = [tool for tool in ("cupsd", "lpadmin", "lpstat") if shutil.which(tool) is None]
    missing += [str(path) for path in (PPD, BACKEND) if not path.exists()]
    if missing:
        pytest.fail(
            f"CUPS printing is not installed ({', '.join(missing)} missing): "
            "apt-get install cups printer-driver-cups-pdf (scripts/setup --dev does it)"
        )
    if os.geteuid() != 0:
        pytest.fail("the CUPS printing tests must run as root (cups-pdf only runs as root)")


def _make_layout(root: Path) -> _Layout:
    """The scheduler's folders; filters run as `lp`, so the tree must be traversable."""
    layout = _Layout(
        root=root,
        etc=root / "etc",
        spool=root / "spool",
        logs=root / "log",
        output=root / "out",
        socket=root / "run" / "cups.sock",
    )
    for folder in (layout.etc, layout.etc / "ppd", layout.logs, layout.output, root / "run"):
        folder.mkdir(parents=True)
    (root / "cache").mkdir()
    (layout.spool / "tmp").mkdir(parents=True)
    for folder in (root, *root.iterdir()):
        folder.chmod(0o755)
    (layout.spool / "tmp").chmod(0o1777)
    (layout.etc / "cupsd.conf").write_text(_cupsd_conf(layout))
    (layout.etc / "cups-files.conf").write_text(_cups_files_conf(layout))
    return layout


def _cupsd_conf(layout: _Layout) -> str:
    return f"""\
Listen {layout.socket}
LogLevel info
MaxLogSize 0
Browsing No
WebInterface No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  JobPrivateAccess all
  JobPrivateValues none
  SubscriptionPrivateAccess all
  SubscriptionPrivateValues none
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""


def _cups_files_conf(layout: _Layout) -> str:
    root = layout.root
    return f"""\
ServerRoot {layout.etc}
RequestRoot {layout.spool}
TempDir {layout.spool / "tmp"}
CacheDir {root / "cache"}
StateDir {root / "run"}
Printcap {root / "run" / "printcap"}
ErrorLog {layout.logs / "error_log"}
AccessLog {layout.logs / "access_log"}
PageLog {layout.logs / "page_log"}
SystemGroup root
LogFileGroup root
"""


def _cups_pdf_conf(layout: _Layout) -> str:
    return f"""\
Out {layout.output}
AnonDirName {layout.output}
Spool {layout.root / "cups-pdf-spool"}
Log {layout.logs}
LogType 3
Label 1
"""


@contextlib.contextmanager
def _scheduler(layout: _Layout) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        shutil.which("cupsd") or "cupsd",
        "-f",
        "-c",
        str(layout.etc / "cupsd.conf"),
        "-s",
        str(layout.etc / "cups-files.conf"),
    ]
    with (layout.logs / "cupsd.out").open("wb") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_parent(os.getpid())
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def _cups_server_env(socket: Path) -> Iterator[None]:
    """Point libcups (ours and Qt's) at `socket`; put the old server back afterwards."""
    previous = os.environ.get("CUPS_SERVER")
    os.environ["CUPS_SERVER"] = str(socket)
    _forget_cups_server()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("CUPS_SERVER", None)
        else:
            os.environ["CUPS_SERVER"] = previous
        _forget_cups_server()


def _forget_cups_server() -> None:
    """Make libcups read CUPS_SERVER again (it caches the server after its first use)."""
    try:
        libcups = ctypes.CDLL("libcups.so.2")
    except OSError:
        return  # no libcups in this process's reach, so Qt has no CUPS plugin either
    libcups.cupsSetServer.argtypes = [ctypes.c_char_p]
    libcups.cupsSetServer.restype = None
    libcups.cupsSetServer(None)


def _wait_until_running(printer: CupsPdfPrinter) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while "scheduler is running" not in printer.lpstat("-r"):
        if printer.process.poll() is not None:
            pytest.fail(
                f"cupsd did not start ({printer.process.returncode}):\n{printer.log_tail()}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"cupsd did not answer within {START_TIMEOUT:.0f} s:\n{printer.log_tail()}")
        time.sleep(0.05)


def _add_queue(printer: CupsPdfPrinter, device: str) -> None:
    """The cups-pdf queue, enabled and the default; `device` picks its cups-pdf config."""
    for args in (
        ["-p", printer.name, "-E", "-v", f"cups-pdf:/{device}", "-P", str(PPD)],
        ["-d", printer.name],
    ):
        result = subprocess.run(
            ["lpadmin", "-h", printer.server, *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        if result.returncode != 0:
            pytest.fail(f"lpadmin {' '.join(args)} failed: {result.stderr}\n{printer.log_tail()}")
