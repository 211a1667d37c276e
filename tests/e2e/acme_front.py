"""A TLS front on 127.0.0.1:443 for Let's Encrypt's names, inside a private network namespace.

GET /directory goes to pebble's /dir; everything else is forwarded as is, with the client's Host
header, so pebble builds every URL on the Let's Encrypt names and certbot runs with its real
default server. Usage: acme_front.py LISTEN CERT KEY CA PEBBLE_PORT
"""
import http.client
import http.server
import ssl
import sys

listen, cert, key, ca, pebble_port = sys.argv[1:6]
upstream = ssl.create_default_context(cafile=ca)
HOP_BY_HOP = {"connection", "content-length", "transfer-encoding"}


class Forward(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = "/dir" if self.path == "/directory" else self.path
        connection = http.client.HTTPSConnection("127.0.0.1", int(pebble_port), context=upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(self.command, path, body=body or None, headers=headers)
        response = connection.getresponse()
        data = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        connection.close()

    do_GET = do_POST = do_HEAD = forward

    def log_message(self, fmt, *args):
        sys.stderr.write(f"front: {self.headers.get('Host')} {fmt % args}\n")


host, port = listen.rsplit(":", 1)
server = http.server.ThreadingHTTPServer((host, int(port)), Forward)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
server.serve_forever()
