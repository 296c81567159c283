"""Serve the built site on 127.0.0.1 (``make serve``): one line, not a traceback, when the port is taken.

    python docs/scripts/serve.py PORT DIRECTORY    # bind, then serve until Ctrl-C
    python docs/scripts/serve.py PORT --check      # only test that PORT is free (before the build)
"""

from __future__ import annotations

import errno
import functools
import http.server
import sys


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def bind(port: int, directory: str | None) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_Quiet, directory=directory)
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: serve.py PORT DIRECTORY|--check", file=sys.stderr)
        return 2
    port, target = int(argv[0]), argv[1]
    try:
        httpd = bind(port, None if target == "--check" else target)
    except OSError as exc:
        why = "is already in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc.strerror})"
        print(f"refnn docs: port {port} on 127.0.0.1 {why}; choose another port, e.g. make serve PORT={port + 1}",
              file=sys.stderr)
        return 1
    if target == "--check":
        httpd.server_close()
        return 0
    print(f"refnn docs: http://127.0.0.1:{port}/  (Ctrl-C to stop)", flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
