// Starts basalt-server ($BASALT_SERVER_BIN) on free ports for the Node-based HTTP tests, and
// loads the npm packages installed in adapters/http/ui by tools/dev.sh.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fs from "node:fs";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const uiDir = path.join(repoRoot, "adapters", "http", "ui");

// require() rooted at adapters/http/ui, where package.json lists the test dependencies.
export function requireFromUi(name) {
  if (!fs.existsSync(path.join(uiDir, "node_modules", name))) {
    throw new Error(`${name} is not installed: run tools/dev.sh deps (npm ci in adapters/http/ui)`);
  }
  return createRequire(path.join(uiDir, "package.json"))(name);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function waitForPort(port, child, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`basalt-server exited (${child.exitCode})`));
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve();
      });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() > deadline) return reject(new Error(`nothing listening on ${port}`));
        setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

// Returns { port, httpPort, adminPort, url(path), stop() }.
// A "free" port can be taken by a test running in parallel before the server binds it; then the
// server exits at once, while the other process answers on that port. So the server must still
// be running once all its ports answer, or it is started again on other ports (as
// tests/integration/basalt_harness.py does).
export async function startServer(...extra) {
  const bin = process.env.BASALT_SERVER_BIN;
  if (!bin) throw new Error("BASALT_SERVER_BIN is not set");
  for (let attempt = 1; ; ++attempt) {
    const [port, httpPort, adminPort] = [await freePort(), await freePort(), await freePort()];
    const child = spawn(bin, ["--port", String(port), "--http-port", String(httpPort),
                              "--admin-port", String(adminPort), "--loglevel", "warning", "--save", "",
                              ...extra],
                        { stdio: ["ignore", "ignore", "inherit"] });
    try {
      for (const p of [port, httpPort, adminPort]) await waitForPort(p, child);
      await new Promise((resolve) => setTimeout(resolve, 100));
      if (child.exitCode !== null) throw new Error(`basalt-server exited (${child.exitCode})`);
    } catch (err) {
      if (child.exitCode === null) child.kill("SIGKILL");
      if (attempt === 3) throw err;
      continue;
    }
    return {
      port, httpPort, adminPort,
      url: (p) => `http://127.0.0.1:${httpPort}${p}`,
      stop: () => new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
    };
  }
}
