"""`cmake --install --component server` gives a runnable server: the binary, and the docs page's
Swagger UI files where the installed binary finds them (the Dockerfile's runtime image is built
this way, so this is what a container serves)."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import basalt_harness as h  # noqa: E402


class InstalledServerTest(unittest.TestCase):
    def test_installed_server_serves_its_docs_page(self):
        build_dir = os.path.dirname(os.environ["BASALT_SERVER_BIN"])
        prefix = tempfile.mkdtemp(prefix="basalt-install-")
        self.addCleanup(shutil.rmtree, prefix, True)
        subprocess.run(["cmake", "--install", build_dir, "--prefix", prefix, "--component",
                        "server"], check=True, stdout=subprocess.DEVNULL)
        binary = os.path.join(prefix, "bin", "basalt-server")
        docs_dir = os.path.join(prefix, "share", "basalt", "swagger-ui")
        self.assertTrue(os.path.isfile(os.path.join(docs_dir, "swagger-ui-bundle.js")))
        self.assertTrue(os.path.isfile(os.path.join(docs_dir, "LICENSE")))

        port, http_port = h.free_port(), h.free_port()
        server = h.Server([binary, "--port", str(port), "--http-port", str(http_port),
                           "--admin-port", str(h.free_port()), "--save", ""], port)
        try:
            base = f"http://127.0.0.1:{http_port}/api/v1/docs/"
            with urllib.request.urlopen(base + "swagger-ui-bundle.js", timeout=10) as r:
                self.assertEqual(r.status, 200)
                with open(os.path.join(docs_dir, "swagger-ui-bundle.js"), "rb") as f:
                    self.assertEqual(r.read(), f.read())
            with urllib.request.urlopen(base, timeout=10) as r:
                self.assertIn(b"swagger-ui-bundle.js", r.read())
        finally:
            server.stop()
            log = server.proc.stderr.read().decode()
        self.assertIn(f"Swagger UI from {os.path.realpath(docs_dir)}", log)


if __name__ == "__main__":
    unittest.main(verbosity=2)
