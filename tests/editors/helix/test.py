#!/usr/bin/env python3
"""Helix against dockwise, with the configuration editors/README.md gives (taken from it).

Helix has no headless mode, so it runs in a pseudo-terminal and is driven with keystrokes;
what it exchanged with the server is read from its debug log (`-vvv --log`), which records
every LSP message. Checks: `hx --health` finds dockwise for both languages; a Dockerfile and
a compose file get dockwise's diagnostics under the language ids Helix sends; the settings
of the README's `config` reach the server; a quick fix applied through Helix's code-action
menu (`space a`) changes the file that `:w` writes.

Environment (run.sh sets it): HX (the Helix binary), DOCKWISE_REPO, DOCKWISE_WS (a scratch
workspace with the fixtures; dockwise is on PATH), DOCKWISE_TIMEOUT (ms per wait).
"""

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time

HX = os.environ["HX"]
REPO = os.environ["DOCKWISE_REPO"]
WS = os.environ["DOCKWISE_WS"]
TIMEOUT = int(os.environ.get("DOCKWISE_TIMEOUT", "10000")) / 1000

passed = failed = 0


def check(ok, what, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {what}", flush=True)
    else:
        failed += 1
        print(f"FAIL {what}" + (f": {detail}" if detail else ""), flush=True)
    return ok


def readme_config():
    """The languages.toml of editors/README.md's Helix section, exactly as documented."""
    with open(os.path.join(REPO, "editors", "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("\n## Helix") :]
    match = re.search(r"```toml\n(.*?)```", section, re.S)
    return match.group(1)


class Helix:
    """One Helix session on one file in a 120x40 pseudo-terminal."""

    def __init__(self, file, log):
        self.log = log
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(WS)
            os.execvp(HX, [HX, "-vvv", "--log", log, file])
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

    def pump(self, seconds):
        """Reads (and drops) the screen output for `seconds`, so Helix never blocks on it."""
        end = time.time() + seconds
        while time.time() < end:
            ready, _, _ = select.select([self.fd], [], [], 0.05)
            if ready:
                try:
                    output = os.read(self.fd, 65536)
                except OSError:
                    return
                # At start Helix asks the terminal what it supports and waits up to 2 s for
                # the answer to "primary device attributes"; answer as a plain VT220 would.
                if b"\x1b[c" in output:
                    os.write(self.fd, b"\x1b[?62;22c")

    def keys(self, *strokes):
        # One stroke at a time with a pause: Helix reads ESC followed quickly by a key as Alt+key.
        for stroke in strokes:
            os.write(self.fd, stroke.encode())
            self.pump(0.3)

    def messages(self):
        """The LSP messages of the log: (direction, message) with `->` sent to the server."""
        found = []
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                for line in f:
                    m = re.search(r"helix_lsp::transport \[\w+\] dockwise (->|<-) (\{.*\})$", line)
                    if m:
                        try:
                            found.append((m.group(1), json.loads(m.group(2))))
                        except json.JSONDecodeError:
                            pass
        except FileNotFoundError:
            pass
        return found

    def wait_for(self, predicate):
        """The first message matching `predicate`, pumping the screen meanwhile; None on timeout."""
        end = time.time() + TIMEOUT
        while time.time() < end:
            for direction, message in self.messages():
                if predicate(direction, message):
                    return message
            self.pump(0.1)
        return None

    def quit(self):
        self.keys("\x1b", ":q!\r")
        end = time.time() + TIMEOUT
        while time.time() < end:
            pid, _ = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return True
            self.pump(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)
        return False


def diagnostics_of(name, wanted):
    def predicate(direction, message):
        return (
            direction == "<-"
            and message.get("method") == "textDocument/publishDiagnostics"
            and message["params"]["uri"].endswith("/" + name)
            and wanted in [d.get("code") for d in message["params"]["diagnostics"]]
        )

    return predicate


def opened_as(name):
    def predicate(direction, message):
        return (
            direction == "->"
            and message.get("method") == "textDocument/didOpen"
            and message["params"]["textDocument"]["uri"].endswith("/" + name)
        )

    return predicate


def main():
    config_dir = os.path.join(os.environ["XDG_CONFIG_HOME"], "helix")
    os.makedirs(config_dir, exist_ok=True)
    with open(os.path.join(config_dir, "languages.toml"), "w", encoding="utf-8") as f:
        f.write(readme_config())
    version = subprocess.run([HX, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"INFO {version}", flush=True)

    for language in ("dockerfile", "docker-compose"):
        health = subprocess.run([HX, "--health", language], capture_output=True, text=True, cwd=WS)
        plain = re.sub(r"\x1b\[[0-9;]*m", "", health.stdout)
        check(
            re.search(r"✓ dockwise: \S*dockwise", plain) is not None,
            f"hx --health {language} finds dockwise",
            plain.strip().replace("\n", " | "),
        )

    # The Dockerfile: diagnostics, settings, a quick fix.
    hx = Helix("Dockerfile", os.path.join(WS, "helix-dockerfile.log"))
    started = time.time()
    published = hx.wait_for(diagnostics_of("Dockerfile", "DF006"))
    if check(published is not None, "DF006 diagnostic on `run` reaches Helix"):
        print(f"INFO first diagnostics {time.time() - started:.2f} s after start", flush=True)
        codes = [d.get("code") for d in published["params"]["diagnostics"]]
        print(f"DIAG Dockerfile {' '.join(codes)}", flush=True)
        check("DF080" not in codes, "the README's config (ignore DF080) reached the server", codes)
    opened = hx.wait_for(opened_as("Dockerfile"))
    language_id = opened and opened["params"]["textDocument"]["languageId"]
    check(language_id == "dockerfile", "Helix sends the Dockerfile as `dockerfile`", language_id)
    # Line 2 is `run echo hello`: the code-action menu there, its first entry (the fix), save.
    hx.keys("j", " ", "a")
    action = hx.wait_for(lambda d, m: d == "<-" and isinstance(m.get("result"), list)
                         and any(isinstance(a, dict) and "DF006" in json.dumps(a) for a in m["result"]))
    titles = [a.get("title") for a in (action or {}).get("result", [])]
    print(f"ACTIONS {' | '.join(map(str, titles))}", flush=True)
    hx.keys("\r")
    hx.pump(0.5)
    hx.keys(":w\r")
    hx.pump(0.5)
    with open(os.path.join(WS, "Dockerfile"), encoding="utf-8") as f:
        saved = f.read()
    check("RUN echo hello" in saved, "the quick fix, applied from `space a` and saved, upper-cased RUN",
          saved.splitlines()[1:2])
    check(hx.quit(), "Helix quits")

    # A compose file: Helix's own docker-compose language, with dockwise as its server.
    hx = Helix("compose.yaml", os.path.join(WS, "helix-compose.log"))
    published = hx.wait_for(diagnostics_of("compose.yaml", "CP018"))
    check(published is not None, "CP018 diagnostic on the unquoted port reaches Helix")
    opened = hx.wait_for(opened_as("compose.yaml"))
    language_id = opened and opened["params"]["textDocument"]["languageId"]
    # Helix 25.01 sends its language's name, `docker-compose`; both spellings are compose.
    check(language_id in ("docker-compose", "dockercompose"), "Helix sends compose.yaml as compose",
          language_id)
    check(hx.quit(), "Helix quits")

    print(f"summary passed={passed} failed={failed}", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
