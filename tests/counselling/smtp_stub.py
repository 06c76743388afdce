"""Tiny SMTP servers on loopback for tests: accept mail, refuse it with 554, or hang."""

import socket
import socketserver
import threading
import time


class _Handler(socketserver.StreamRequestHandler):
    def send(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        server = self.server
        if server.refuse:
            self.send("554 5.7.1 Service unavailable; no mail accepted")
            return
        self.send("220 stub.test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.send("250 stub.test")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.send("250 OK")
            elif command == "DATA":
                self.send("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if data in (b".\r\n", b".\n", b""):
                        break
                    lines.append(data)
                if server.delay:
                    time.sleep(server.delay)
                server.messages.append(b"".join(lines).decode(errors="replace"))
                self.send("250 OK queued")
            elif command == "QUIT":
                self.send("221 Bye")
                return
            else:
                self.send("502 Command not implemented")


class SMTPStub(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, refuse=False, delay=0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.refuse = refuse
        self.delay = delay  # seconds before a message is accepted (a slow server)
        self.messages = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def port(self):
        return self.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


def closed_port():
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class HangingSMTP:
    """Accepts TCP connections and never says a word: the worst mail server there is.

    `connections` counts the accepted connections, so a test can prove that
    something (the request form) never even tried to connect.
    """

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.settimeout(0.1)
        self.connections = 0
        self._open = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self):
        return self.listener.getsockname()[1]

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)  # kept open, never answered

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.thread.join()
        for conn in self._open:
            conn.close()
        self.listener.close()
