// The @upstash/redis npm client, unchanged, pointed at Basalt's command API: set, get, incr,
// lpush, lpop, pipeline and multi-exec, each result checked. The client sends
// Upstash-Encoding: base64 and a bearer token, and decodes results as it does against Upstash.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { requireFromUi, startServer } from "./server.mjs";

const { Redis } = requireFromUi("@upstash/redis");

// Both URLs the server answers: its own, as Upstash's URLs look (https://<name>.upstash.io),
// and the command API's place under /api/v1.
const bases = [["the root URL", ""], ["/api/v1/redis", "/api/v1/redis"]];

function client(server, base, token = "any-token") {
  return new Redis({
    url: server.url(base),
    token,
    retry: false,
    automaticDeserialization: true,
  });
}

for (const [where, base] of bases) describe(`@upstash/redis at ${where} (no password)`, () => {
  let server, redis;
  before(async () => {
    server = await startServer();
    redis = client(server, base);
  });
  after(async () => server.stop());

  test("set and get", async () => {
    assert.equal(await redis.set("greeting", "hello"), "OK");
    assert.equal(await redis.get("greeting"), "hello");
    assert.equal(await redis.get("missing"), null);
  });

  test("set with options and non-ASCII values", async () => {
    assert.equal(await redis.set("temp", "caf\u00e9 \u2603", { ex: 100 }), "OK");
    assert.equal(await redis.get("temp"), "caf\u00e9 \u2603");
    const ttl = await redis.ttl("temp");
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await redis.set("temp", "x", { nx: true }), null);
  });

  test("JSON values round-trip through automatic (de)serialization", async () => {
    await redis.set("obj", { a: 1, b: [true, "x"] });
    assert.deepEqual(await redis.get("obj"), { a: 1, b: [true, "x"] });
  });

  test("incr and incrby", async () => {
    assert.equal(await redis.incr("counter"), 1);
    assert.equal(await redis.incr("counter"), 2);
    assert.equal(await redis.incrby("counter", 40), 42);
    assert.equal(await redis.decr("counter"), 41);
  });

  test("lpush, lpop, lrange", async () => {
    assert.equal(await redis.lpush("queue", "a", "b", "c"), 3);
    assert.equal(await redis.rpush("queue", "z"), 4);
    assert.deepEqual(await redis.lrange("queue", 0, -1), ["c", "b", "a", "z"]);
    assert.equal(await redis.lpop("queue"), "c");
    assert.deepEqual(await redis.lpop("queue", 2), ["b", "a"]);
    assert.equal(await redis.llen("queue"), 1);
    assert.equal(await redis.lpop("nothing"), null);
  });

  test("pipeline", async () => {
    const p = redis.pipeline();
    p.set("p1", "10");
    p.incr("p1");
    p.get("p1");
    p.lpush("plist", "x", "y");
    p.lrange("plist", 0, -1);
    p.del("p1", "plist");
    assert.deepEqual(await p.exec(), ["OK", 11, 11, 2, ["y", "x"], 2]);
  });

  test("pipeline with an error", async () => {
    await redis.set("str", "v");
    const p = redis.pipeline();
    p.get("str");
    p.lpush("str", "x");
    const results = await p.exec({ keepErrors: true });
    assert.equal(results[0].result, "v");
    assert.match(results[1].error, /^WRONGTYPE/);
  });

  test("multi-exec", async () => {
    const tx = redis.multi();
    tx.set("t1", "a");
    tx.get("t1");
    tx.incr("t2");
    tx.lpush("t3", "x");
    tx.lpop("t3");
    assert.deepEqual(await tx.exec(), ["OK", "a", 1, 1, "x"]);
  });

  test("errors are thrown", async () => {
    await redis.set("s", "v");
    await assert.rejects(redis.lpush("s", "x"), /WRONGTYPE/);
    await assert.rejects(redis.incr("s"), /not an integer/);
  });

  test("exists, del, expire, ping", async () => {
    await redis.set("d1", "1");
    assert.equal(await redis.exists("d1", "nope"), 1);
    assert.equal(await redis.expire("d1", 50), 1);
    assert.equal(await redis.del("d1"), 1);
    assert.equal(await redis.ping(), "PONG");
  });
});

describe("@upstash/redis with requirepass", () => {
  let server;
  before(async () => {
    server = await startServer("--requirepass", "s3cret");
  });
  after(async () => server.stop());

  for (const [where, base] of bases) {
    test(`at ${where}: the right token works, a wrong one is refused`, async () => {
      assert.equal(await client(server, base, "s3cret").set("k", "v"), "OK");
      assert.equal(await client(server, base, "s3cret").get("k"), "v");
      await assert.rejects(client(server, base, "wrong").get("k"), /Unauthorized/);
    });
  }
});

describe("errors the client can print", () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => server.stop());

  // Under /api no path is a command: a client pointed at a wrong path there gets a 404 whose
  // error it shows as text (not "[object Object]").
  test("a wrong URL under /api", async () => {
    const err = await client(server, "/api/v1/nowhere").get("k").then(
      () => assert.fail("no error"), (e) => e);
    assert.doesNotMatch(String(err.message), /object Object/);
    assert.match(String(err.message), /no such route/);
  });
});
