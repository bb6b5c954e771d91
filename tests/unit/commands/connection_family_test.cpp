// The connection family: PING, ECHO, HELLO, AUTH, SELECT, RESET, QUIT and CLIENT. Expected bytes
// were taken from redis-server 7.0.15 (CLIENT SETINFO and the lib-name/lib-ver fields from 7.2).

#include <map>
#include <string>
#include <vector>

#include "unit/commands/engine_fixture.hpp"

namespace basalt::testing {
namespace {

class ConnectionTest : public EngineTest {};

std::string hello_reply(int proto, uint64_t id) {
  std::string out = proto == 3 ? "%7\r\n" : "*14\r\n";
  out += bulk("server") + bulk("redis") + bulk("version") + bulk("7.0.15") + bulk("proto") +
         integer(proto) + bulk("id") + integer(static_cast<int64_t>(id)) + bulk("mode") +
         bulk("standalone") + bulk("role") + bulk("master") + bulk("modules") + "*0\r\n";
  return out;
}

std::string verbatim_txt(std::string_view text) {
  return "=" + std::to_string(text.size() + 4) + "\r\ntxt:" + std::string(text) + "\r\n";
}

// The text of a RESP2 bulk or RESP3 verbatim reply ("txt:" prefix removed).
std::string payload(const std::string& reply) {
  std::string text = bulk_body(reply);
  if (reply[0] == '=') text.erase(0, 4);
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    EXPECT_NE(nl, std::string::npos) << "every line ends in \\n";
    if (nl == std::string::npos) break;
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::map<std::string, std::string> fields_of(const std::string& line) {
  std::map<std::string, std::string> out;
  size_t pos = 0;
  while (pos <= line.size()) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string::npos) sp = line.size();
    std::string kv = line.substr(pos, sp - pos);
    size_t eq = kv.find('=');
    out[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    pos = sp + 1;
  }
  return out;
}

// The fields of this client's own CLIENT INFO.
std::map<std::string, std::string> info_fields(std::string reply) {
  auto lines = lines_of(payload(reply));
  EXPECT_EQ(lines.size(), 1u);
  return lines.empty() ? std::map<std::string, std::string>{} : fields_of(lines[0]);
}

// --- PING / ECHO -----------------------------------------------------------------------------

TEST_F(ConnectionTest, Ping) {
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(run({"ping", "hello"}), bulk("hello"));
  EXPECT_EQ(run({"PING", ""}), bulk(""));
  EXPECT_EQ(run({"PING", "a", "b"}), err("ERR wrong number of arguments for 'ping' command"));
  run({"HELLO", "3"});
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(run({"PING", "x"}), bulk("x"));
}

TEST_F(ConnectionTest, Echo) {
  EXPECT_EQ(run({"ECHO", "hello world"}), bulk("hello world"));
  EXPECT_EQ(run({"ECHO", ""}), bulk(""));
  EXPECT_EQ(run({"ECHO", std::string_view("a\0b\r\n", 5)}), bulk(std::string_view("a\0b\r\n", 5)));
  EXPECT_EQ(run({"ECHO"}), err("ERR wrong number of arguments for 'echo' command"));
  EXPECT_EQ(run({"ECHO", "a", "b"}), err("ERR wrong number of arguments for 'echo' command"));
}

// --- HELLO -----------------------------------------------------------------------------------

TEST_F(ConnectionTest, HelloSwitchesProtocol) {
  uint64_t id = client(0).session->id;
  EXPECT_EQ(run({"HELLO"}), hello_reply(2, id));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
  // The reply to HELLO 3 is already RESP3.
  EXPECT_EQ(run({"HELLO", "3"}), hello_reply(3, id));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), "_\r\n");
  // HELLO without a version keeps the current protocol.
  EXPECT_EQ(run({"HELLO"}), hello_reply(3, id));
  EXPECT_EQ(run({"HELLO", "2"}), hello_reply(2, id));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
  // The id is the one CLIENT ID reports, for each client.
  EXPECT_EQ(run({"HELLO"}, 1), hello_reply(2, client(1).session->id));
  EXPECT_EQ(run({"CLIENT", "ID"}, 1), integer(static_cast<int64_t>(client(1).session->id)));
}

TEST_F(ConnectionTest, HelloProtocolErrors) {
  for (const char* v : {"1", "4", "0", "-1", "99"}) {
    EXPECT_EQ(run({"HELLO", v}), err("NOPROTO unsupported protocol version")) << v;
  }
  for (const char* v : {"foo", "2.0", "03", " 3", "", "99999999999999999999"}) {
    EXPECT_EQ(run({"HELLO", v}), err("ERR Protocol version is not an integer or out of range"))
        << v;
  }
  // Nothing changed.
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
}

TEST_F(ConnectionTest, HelloOptions) {
  uint64_t id = client(0).session->id;
  EXPECT_EQ(run({"HELLO", "3", "SETNAME", "conn1"}), hello_reply(3, id));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("conn1"));
  EXPECT_EQ(run({"hello", "2", "setname", "a", "SetName", "b"}), hello_reply(2, id));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("b"));
  // Without requirepass the default user takes any password, as Redis's "nopass" default user.
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "default", "anything"}), hello_reply(3, id));
  EXPECT_EQ(run({"HELLO", "2", "auth", "default", "x", "AUTH", "default", "y"}),
            hello_reply(2, id));
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "nobody", "x"}),
            err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "DEFAULT", "x"}),
            err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("b")) << "still RESP2";
}

TEST_F(ConnectionTest, HelloSyntaxErrors) {
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "default"}), err("ERR Syntax error in HELLO option 'AUTH'"));
  EXPECT_EQ(run({"HELLO", "3", "auth"}), err("ERR Syntax error in HELLO option 'auth'"));
  EXPECT_EQ(run({"HELLO", "2", "SETNAME"}), err("ERR Syntax error in HELLO option 'SETNAME'"));
  EXPECT_EQ(run({"HELLO", "3", "FOO"}), err("ERR Syntax error in HELLO option 'FOO'"));
  EXPECT_EQ(run({"HELLO", "3", "SETNAME", "x", "extra"}),
            err("ERR Syntax error in HELLO option 'extra'"));
  EXPECT_EQ(run({"HELLO", "3", "a\r\nb"}), err("ERR Syntax error in HELLO option 'a  b'"));
  // A syntax error changes nothing, even options parsed before it.
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
}

TEST_F(ConnectionTest, HelloBadNameKeepsProtocol) {
  EXPECT_EQ(run({"HELLO", "3", "SETNAME", "bad name"}),
            err("ERR Client names cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
}

// --- AUTH ------------------------------------------------------------------------------------

TEST_F(ConnectionTest, AuthWithoutPassword) {
  EXPECT_EQ(run({"AUTH", "x"}),
            err("ERR AUTH <password> called without any password configured for the default "
                "user. Are you sure your configuration is correct?"));
  EXPECT_EQ(run({"AUTH", "default", "x"}), kOk);
  EXPECT_EQ(run({"AUTH", "DEFAULT", "x"}),
            err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(run({"AUTH", "foo", "x"}),
            err("WRONGPASS invalid username-password pair or user is disabled."));
  EXPECT_EQ(run({"AUTH", "a", "b", "c"}), err("ERR syntax error"));
  EXPECT_EQ(run({"AUTH"}), err("ERR wrong number of arguments for 'auth' command"));
}

class ConnectionAuthTest : public ConnectionTest {
 protected:
  void SetUp() override {
    config_.requirepass = "secret";
    start();
  }
};

constexpr std::string_view kWrongPass =
    "WRONGPASS invalid username-password pair or user is disabled.";
constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH "
    "<user> <pass> option can be used to authenticate the client and select the RESP protocol "
    "version at the same time";

TEST_F(ConnectionAuthTest, CommandsNeedAuth) {
  const std::string noauth = err("NOAUTH Authentication required.");
  EXPECT_EQ(run({"PING"}), noauth);
  EXPECT_EQ(run({"ECHO", "x"}), noauth);
  EXPECT_EQ(run({"SELECT", "1"}), noauth);
  EXPECT_EQ(run({"CLIENT", "ID"}), noauth);
  EXPECT_EQ(run({"MULTI"}), noauth);
  EXPECT_EQ(run({"WATCH", "k"}), noauth);
  // The handshake commands work before authenticating, and HELLO explains what it needs.
  EXPECT_EQ(run({"HELLO"}), err(kHelloNoAuth));
  EXPECT_EQ(run({"HELLO", "3"}), err(kHelloNoAuth));
  EXPECT_EQ(run({"HELLO", "3", "SETNAME", "x"}), err(kHelloNoAuth));
  // Argument errors come before the authentication check.
  EXPECT_EQ(run({"HELLO", "4"}), err("NOPROTO unsupported protocol version"));
  EXPECT_EQ(run({"HELLO", "x"}), err("ERR Protocol version is not an integer or out of range"));
  EXPECT_EQ(run({"QUIT"}), kOk);
}

TEST_F(ConnectionAuthTest, Auth) {
  const std::string noauth = err("NOAUTH Authentication required.");
  // Near misses: same length, prefix, repeated secret, empty, wrong user, user's case.
  for (const char* guess : {"secreT", "secre", "secretsecret", "", "secret "}) {
    EXPECT_EQ(run({"AUTH", guess}), err(kWrongPass)) << guess;
  }
  EXPECT_EQ(run({"AUTH", "default", "wrong"}), err(kWrongPass));
  EXPECT_EQ(run({"AUTH", "nobody", "secret"}), err(kWrongPass));
  EXPECT_EQ(run({"AUTH", "Default", "secret"}), err(kWrongPass));
  EXPECT_EQ(run({"AUTH", "a", "b", "c"}), err("ERR syntax error"));
  EXPECT_EQ(run({"PING"}), noauth);

  EXPECT_EQ(run({"AUTH", "secret"}), kOk);
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
  // A failed attempt does not log an authenticated client out.
  EXPECT_EQ(run({"AUTH", "wrong"}), err(kWrongPass));
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");

  // Authentication is per client.
  EXPECT_EQ(run({"PING"}, 1), noauth);
  EXPECT_EQ(run({"AUTH", "default", "secret"}, 1), kOk);
  EXPECT_EQ(run({"PING"}, 1), "+PONG\r\n");
}

TEST_F(ConnectionAuthTest, HelloAuth) {
  uint64_t id = client(0).session->id;
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "default", "wrong"}), err(kWrongPass));
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "nobody", "secret"}), err(kWrongPass));
  EXPECT_EQ(run({"PING"}), err("NOAUTH Authentication required."));
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "default", "secret", "SETNAME", "app"}), hello_reply(3, id));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("app"));
  EXPECT_EQ(run({"HELLO"}), hello_reply(3, id));

  // AUTH happens before SETNAME is checked: a bad name fails the command but the client is in,
  // still speaking RESP2.
  EXPECT_EQ(run({"HELLO", "3", "AUTH", "default", "secret", "SETNAME", "bad name"}, 1),
            err("ERR Client names cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(run({"PING"}, 1), "+PONG\r\n");
  EXPECT_EQ(run({"CLIENT", "GETNAME"}, 1), kNil);
}

TEST_F(ConnectionAuthTest, ResetLogsOut) {
  EXPECT_EQ(run({"AUTH", "secret"}), kOk);
  EXPECT_EQ(run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(run({"PING"}), err("NOAUTH Authentication required."));
  EXPECT_EQ(run({"AUTH", "secret"}), kOk);
  EXPECT_EQ(run({"PING"}), "+PONG\r\n");
}

TEST_F(ConnectionAuthTest, ExecRefusedForAuthDiscardsTransaction) {
  EXPECT_EQ(run({"AUTH", "secret"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"PING"}), "+QUEUED\r\n");
  // RESET ends the transaction and the authentication; EXEC is then refused with Redis's
  // EXECABORT wording, quoting the reason.
  EXPECT_EQ(run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(run({"EXEC"}),
            err("EXECABORT Transaction discarded because of: NOAUTH Authentication required."));
}

// --- SELECT ----------------------------------------------------------------------------------

TEST_F(ConnectionTest, Select) {
  EXPECT_EQ(run({"SELECT", "15"}), kOk);
  EXPECT_EQ(info_fields(run({"CLIENT", "INFO"}))["db"], "15");
  EXPECT_EQ(run({"SELECT", "0"}), kOk);
  EXPECT_EQ(info_fields(run({"CLIENT", "INFO"}))["db"], "0");
  EXPECT_EQ(run({"SELECT", "16"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SELECT", "-1"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SELECT", "2147483647"}), err("ERR DB index is out of range"));
  EXPECT_EQ(run({"SELECT", "-2147483648"}), err("ERR DB index is out of range"));
  const std::string range =
      err("ERR value is out of range, value must between -2147483648 and 2147483647");
  EXPECT_EQ(run({"SELECT", "2147483648"}), range);
  EXPECT_EQ(run({"SELECT", "-2147483649"}), range);
  for (const char* bad : {"x", "01", " 1", "1.0", "", "99999999999999999999"}) {
    EXPECT_EQ(run({"SELECT", bad}), err("ERR value is not an integer or out of range")) << bad;
  }
  EXPECT_EQ(run({"SELECT"}), err("ERR wrong number of arguments for 'select' command"));
  EXPECT_EQ(run({"SELECT", "1", "2"}), err("ERR wrong number of arguments for 'select' command"));
  EXPECT_EQ(info_fields(run({"CLIENT", "INFO"}))["db"], "0");
}

TEST_F(ConnectionTest, SelectIsolatesKeys) {
  EXPECT_EQ(run({"SET", "k", "zero"}), kOk);
  EXPECT_EQ(run({"SELECT", "1"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), kNil);
  EXPECT_EQ(run({"SET", "k", "one"}), kOk);
  EXPECT_EQ(run({"GET", "k"}, 1), bulk("zero")) << "another client stays in db 0";
  EXPECT_EQ(run({"SELECT", "0"}), kOk);
  EXPECT_EQ(run({"GET", "k"}), bulk("zero"));
}

class ConnectionFewDatabasesTest : public ConnectionTest {
 protected:
  void SetUp() override {
    config_.databases = 4;
    start();
  }
};

TEST_F(ConnectionFewDatabasesTest, SelectUsesConfiguredCount) {
  EXPECT_EQ(run({"SELECT", "3"}), kOk);
  EXPECT_EQ(run({"SELECT", "4"}), err("ERR DB index is out of range"));
}

// --- RESET / QUIT ----------------------------------------------------------------------------

TEST_F(ConnectionTest, Reset) {
  EXPECT_EQ(run({"HELLO", "3", "SETNAME", "before"}).substr(0, 4), "%7\r\n");
  EXPECT_EQ(run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), kOk);
  EXPECT_EQ(run({"SELECT", "5"}), kOk);
  EXPECT_EQ(run({"WATCH", "w"}), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"PING"}), "+QUEUED\r\n");
  // RESET is not queued: it runs at once, and replies +RESET whatever the protocol was.
  EXPECT_EQ(run({"RESET"}), "+RESET\r\n");
  auto f = info_fields(run({"CLIENT", "INFO"}));
  EXPECT_EQ(f["db"], "0");
  EXPECT_EQ(f["resp"], "2");
  EXPECT_EQ(f["name"], "");
  EXPECT_EQ(f["multi"], "-1");
  EXPECT_EQ(f["flags"], "N");
  EXPECT_EQ(f["lib-name"], "redis-py") << "the library name describes the client, not the state";
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
  EXPECT_EQ(run({"EXEC"}), err("ERR EXEC without MULTI"));
  EXPECT_EQ(client(0).session->watched.size(), 0u) << "RESET forgets watched keys";
  EXPECT_EQ(run({"RESET", "x"}), err("ERR wrong number of arguments for 'reset' command"));
}

TEST_F(ConnectionTest, ResetForgetsWatchedKeys) {
  EXPECT_EQ(run({"WATCH", "w"}), kOk);
  EXPECT_EQ(run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(run({"SET", "w", "changed"}, 1), kOk);
  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"PING"}), "+QUEUED\r\n");
  EXPECT_EQ(run({"EXEC"}), array({"+PONG\r\n"}));
}

TEST_F(ConnectionTest, Quit) {
  EXPECT_EQ(run({"QUIT"}), kOk);
  EXPECT_TRUE(client(0).session->close_after_reply);
  EXPECT_FALSE(client(0).killed) << "the front end closes after flushing the reply";
  // Any arguments are accepted, and inside MULTI QUIT is not queued.
  EXPECT_EQ(run({"MULTI"}, 1), kOk);
  EXPECT_EQ(run({"QUIT", "now"}, 1), kOk);
  EXPECT_TRUE(client(1).session->close_after_reply);
}

// --- CLIENT ----------------------------------------------------------------------------------

TEST_F(ConnectionTest, ClientContainer) {
  EXPECT_EQ(run({"CLIENT"}), err("ERR wrong number of arguments for 'client' command"));
  EXPECT_EQ(run({"CLIENT", "FOO"}), err("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
  EXPECT_EQ(run({"client", "foo", "bar"}), err("ERR unknown subcommand 'foo'. Try CLIENT HELP."));
  EXPECT_EQ(run({"CLIENT", "ID", "x"}),
            err("ERR wrong number of arguments for 'client|id' command"));
}

TEST_F(ConnectionTest, ClientId) {
  std::string a = run({"CLIENT", "ID"});
  std::string b = run({"client", "id"}, 1);
  EXPECT_EQ(a, integer(static_cast<int64_t>(client(0).session->id)));
  EXPECT_EQ(b, integer(static_cast<int64_t>(client(1).session->id)));
  EXPECT_NE(a, b);
  EXPECT_EQ(run({"CLIENT", "ID"}), a) << "stable";
}

TEST_F(ConnectionTest, ClientSetNameGetName) {
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
  EXPECT_EQ(run({"CLIENT", "SETNAME", "worker-1"}), kOk);
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("worker-1"));
  EXPECT_EQ(run({"CLIENT", "GETNAME"}, 1), kNil) << "names are per client";
  const std::string invalid =
      err("ERR Client names cannot contain spaces, newlines or special characters.");
  for (std::string_view bad :
       {std::string_view("a b"), std::string_view("a\nb"), std::string_view("tab\t"),
        std::string_view("\x7f"), std::string_view("caf\xc3\xa9"), std::string_view("a\0b", 3)}) {
    EXPECT_EQ(run({"CLIENT", "SETNAME", bad}), invalid);
  }
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("worker-1")) << "a refused name changes nothing";
  EXPECT_EQ(run({"CLIENT", "SETNAME", "!~"}), kOk);
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), bulk("!~"));
  // An empty name removes the name.
  EXPECT_EQ(run({"CLIENT", "SETNAME", ""}), kOk);
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), kNil);
  run({"HELLO", "3"});
  EXPECT_EQ(run({"CLIENT", "GETNAME"}), "_\r\n");
  EXPECT_EQ(run({"CLIENT", "SETNAME"}),
            err("ERR wrong number of arguments for 'client|setname' command"));
  EXPECT_EQ(run({"CLIENT", "GETNAME", "x"}),
            err("ERR wrong number of arguments for 'client|getname' command"));
}

TEST_F(ConnectionTest, ClientInfoExactLine) {
  const std::string line =
      "id=1 addr= laddr= fd=-1 name= age=0 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 "
      "qbuf=0 qbuf-free=0 argv-mem=10 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=10 "
      "events=r cmd=client|info user=default redir=-1 resp=2 lib-name= lib-ver=\n";
  EXPECT_EQ(run({"CLIENT", "INFO"}), bulk(line));
  // RESP3 sends it as a verbatim string, and reports the protocol.
  run({"HELLO", "3"});
  std::string line3 = line;
  line3.replace(line3.find("resp=2"), 6, "resp=3");
  EXPECT_EQ(run({"CLIENT", "INFO"}), verbatim_txt(line3));
  EXPECT_EQ(run({"CLIENT", "INFO", "x"}),
            err("ERR wrong number of arguments for 'client|info' command"));
}

TEST_F(ConnectionTest, ClientInfoFields) {
  client(0).session->addr = "127.0.0.1:50000";
  client(0).session->laddr = "127.0.0.1:6379";
  client(0).session->fd = 9;
  run({"CLIENT", "SETNAME", "me"});
  run({"SELECT", "3"});
  advance_ms(5'000);
  auto f = info_fields(run({"client", "info"}));
  EXPECT_EQ(f["addr"], "127.0.0.1:50000");
  EXPECT_EQ(f["laddr"], "127.0.0.1:6379");
  EXPECT_EQ(f["fd"], "9");
  EXPECT_EQ(f["name"], "me");
  EXPECT_EQ(f["db"], "3");
  EXPECT_EQ(f["age"], "5");
  EXPECT_EQ(f["idle"], "0") << "the caller is never idle";
  EXPECT_EQ(f["cmd"], "client|info");

  EXPECT_EQ(run({"MULTI"}), kOk);
  EXPECT_EQ(run({"SET", "k", "v"}), "+QUEUED\r\n");
  EXPECT_EQ(run({"PING"}), "+QUEUED\r\n");
  // Seen from another client: in MULTI with two queued commands of 5 and 4 bytes.
  auto lines = lines_of(payload(run({"CLIENT", "LIST", "ID", "1"}, 1)));
  ASSERT_EQ(lines.size(), 1u);
  auto g = fields_of(lines[0]);
  EXPECT_EQ(g["flags"], "x");
  EXPECT_EQ(g["multi"], "2");
  EXPECT_EQ(g["multi-mem"], "9");
}

TEST_F(ConnectionTest, ClientListAllClients) {
  client(2);  // three clients: ids 1, 2, 3
  run({"CLIENT", "SETNAME", "second"}, 1);
  run({"HELLO", "3"}, 2);
  advance_ms(3'000);
  run({"ECHO", "x"}, 2);
  advance_ms(2'000);
  std::string reply = run({"CLIENT", "LIST"});
  ASSERT_EQ(reply[0], '$');
  auto lines = lines_of(payload(reply));
  ASSERT_EQ(lines.size(), 3u);
  auto a = fields_of(lines[0]);
  auto b = fields_of(lines[1]);
  auto c = fields_of(lines[2]);
  EXPECT_EQ(a["id"], "1");
  EXPECT_EQ(b["id"], "2");
  EXPECT_EQ(c["id"], "3");
  EXPECT_EQ(a["cmd"], "client|list");
  EXPECT_EQ(a["argv-mem"], "10");
  EXPECT_EQ(a["idle"], "0");
  EXPECT_EQ(b["name"], "second");
  EXPECT_EQ(b["cmd"], "client|setname");
  EXPECT_EQ(b["argv-mem"], "0");
  EXPECT_EQ(b["age"], "5");
  EXPECT_EQ(b["idle"], "5");
  EXPECT_EQ(c["resp"], "3");
  EXPECT_EQ(c["cmd"], "echo");
  EXPECT_EQ(c["idle"], "2");
  // Every line has Redis's fields, in Redis's order.
  std::vector<std::string> order;
  for (size_t pos = 0; pos < lines[1].size();) {
    size_t eq = lines[1].find('=', pos);
    order.push_back(lines[1].substr(pos, eq - pos));
    size_t sp = lines[1].find(' ', eq);
    pos = sp == std::string::npos ? lines[1].size() : sp + 1;
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{
                "id",        "addr", "laddr", "fd",   "name",     "age",    "idle",      "flags",
                "db",        "sub",  "psub",  "ssub", "multi",    "qbuf",   "qbuf-free", "argv-mem",
                "multi-mem", "rbs",  "rbp",   "obl",  "oll",      "omem",   "tot-mem",   "events",
                "cmd",       "user", "redir", "resp", "lib-name", "lib-ver"}));
  // RESP3: a verbatim string.
  std::string reply3 = run({"CLIENT", "LIST"}, 2);
  EXPECT_EQ(reply3.substr(0, 1), "=");
  EXPECT_EQ(lines_of(payload(reply3)).size(), 3u);
}

TEST_F(ConnectionTest, ClientListFilters) {
  client(2);
  auto ids_of = [](const std::string& reply) {
    std::vector<std::string> ids;
    for (auto& line : lines_of(payload(reply))) ids.push_back(fields_of(line)["id"]);
    return ids;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(ids_of(run({"CLIENT", "LIST", "TYPE", "normal"})), (Ids{"1", "2", "3"}));
  EXPECT_EQ(ids_of(run({"CLIENT", "LIST", "type", "NORMAL"})), (Ids{"1", "2", "3"}));
  for (const char* t : {"master", "replica", "slave", "pubsub"}) {
    EXPECT_EQ(run({"CLIENT", "LIST", "TYPE", t}), bulk("")) << t;
  }
  EXPECT_EQ(run({"CLIENT", "LIST", "TYPE", "foo"}), err("ERR Unknown client type 'foo'"));
  // IDs in argument order, repeats repeated, unknown and negative IDs skipped.
  EXPECT_EQ(ids_of(run({"CLIENT", "LIST", "ID", "3", "1", "99", "-1", "3"})), (Ids{"3", "1", "3"}));
  EXPECT_EQ(run({"CLIENT", "LIST", "ID", "99"}), bulk(""));
  EXPECT_EQ(run({"CLIENT", "LIST", "ID", "1", "x"}), err("ERR Invalid client ID"));
  for (auto argv : std::vector<std::vector<std::string_view>>{
           {"CLIENT", "LIST", "ID"},
           {"CLIENT", "LIST", "TYPE"},
           {"CLIENT", "LIST", "FOO"},
           {"CLIENT", "LIST", "TYPE", "normal", "x"},
           {"CLIENT", "LIST", "TYPE", "normal", "ID", "1"}}) {
    EXPECT_EQ(run(argv), err("ERR syntax error")) << argv.size();
  }
  run({"HELLO", "3"});
  EXPECT_EQ(run({"CLIENT", "LIST", "ID", "99"}), verbatim_txt(""));
}

TEST_F(ConnectionTest, ClientListFlags) {
  client(1);
  auto flags_of_1 = [&] {
    auto lines = lines_of(payload(run({"CLIENT", "LIST", "ID", "1"}, 1)));
    return lines.empty() ? std::string() : fields_of(lines[0])["flags"];
  };
  EXPECT_EQ(flags_of_1(), "N");
  run({"WATCH", "k"});
  run({"SET", "k", "v"}, 1);
  EXPECT_EQ(flags_of_1(), "d") << "a touched WATCH makes the client dirty";
  run({"MULTI"});
  EXPECT_EQ(flags_of_1(), "xd");
  run({"DISCARD"});
  EXPECT_EQ(flags_of_1(), "N");
}

TEST_F(ConnectionTest, ClientListShowsBlockedClient) {
  EXPECT_EQ(run({"BLPOP", "queue", "0"}, 1), "") << "blocks";
  ASSERT_TRUE(client(1).session->blocked);
  auto lines = lines_of(payload(run({"CLIENT", "LIST", "ID", "2"})));
  ASSERT_EQ(lines.size(), 1u);
  auto f = fields_of(lines[0]);
  EXPECT_EQ(f["flags"], "b");
  EXPECT_EQ(f["cmd"], "blpop");
  EXPECT_EQ(f["argv-mem"], "11") << "a blocked client keeps its arguments";
  // Killing it goes through its connection, which unblocks it when it closes.
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "2"}), integer(1));
  EXPECT_TRUE(client(1).killed);
}

TEST_F(ConnectionTest, ClientKillById) {
  client(2);
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "2"}), integer(1));
  EXPECT_TRUE(client(1).killed);
  EXPECT_FALSE(client(2).killed);
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "99"}), integer(0));
  // The caller is skipped unless SKIPME no; then it gets its reply and is closed after it.
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "1"}), integer(0));
  EXPECT_FALSE(client(0).session->close_after_reply);
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "1", "SKIPME", "no"}), integer(1));
  EXPECT_TRUE(client(0).session->close_after_reply);
  EXPECT_FALSE(client(0).killed) << "the caller is closed after its reply, not killed mid-command";
}

TEST_F(ConnectionTest, ClientKillFilters) {
  client(3);
  client(1).session->addr = "10.0.0.2:4000";
  client(1).session->laddr = "127.0.0.1:6379";
  client(2).session->addr = "10.0.0.3:4000";
  client(2).session->laddr = "127.0.0.1:6380";
  client(3).session->addr = "10.0.0.4:4000";
  client(3).session->laddr = "127.0.0.1:6379";
  EXPECT_EQ(run({"CLIENT", "KILL", "ADDR", "10.0.0.3:4000"}), integer(1));
  EXPECT_TRUE(client(2).killed);
  client(2).killed = false;
  EXPECT_EQ(run({"CLIENT", "KILL", "LADDR", "127.0.0.1:6379", "ID", "4"}), integer(1));
  EXPECT_TRUE(client(3).killed);
  EXPECT_FALSE(client(1).killed) << "filters combine";
  client(3).killed = false;
  EXPECT_EQ(run({"CLIENT", "KILL", "TYPE", "master"}), integer(0));
  EXPECT_EQ(run({"CLIENT", "KILL", "TYPE", "pubsub"}), integer(0));
  EXPECT_EQ(run({"CLIENT", "KILL", "USER", "default", "TYPE", "normal"}), integer(3));
  EXPECT_TRUE(client(1).killed && client(2).killed && client(3).killed);
  EXPECT_FALSE(client(0).session->close_after_reply);
  EXPECT_EQ(run({"client", "kill", "type", "NORMAL", "skipme", "NO"}), integer(4));
  EXPECT_TRUE(client(0).session->close_after_reply);
}

TEST_F(ConnectionTest, ClientKillOldForm) {
  client(1).session->addr = "10.0.0.2:4000";
  client(0).session->addr = "10.0.0.1:4000";
  EXPECT_EQ(run({"CLIENT", "KILL", "10.0.0.9:1"}), err("ERR No such client"));
  // With three arguments, "ID" is an address, not an option.
  EXPECT_EQ(run({"CLIENT", "KILL", "ID"}), err("ERR No such client"));
  EXPECT_EQ(run({"CLIENT", "KILL", "10.0.0.2:4000"}), kOk);
  EXPECT_TRUE(client(1).killed);
  // The old form may kill the caller itself.
  EXPECT_EQ(run({"CLIENT", "KILL", "10.0.0.1:4000"}), kOk);
  EXPECT_TRUE(client(0).session->close_after_reply);
}

TEST_F(ConnectionTest, ClientKillErrors) {
  client(1);
  const std::string id_error = err("ERR client-id should be greater than 0");
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "0"}), id_error);
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "-1"}), id_error);
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "x"}), id_error);
  EXPECT_EQ(run({"CLIENT", "KILL", "TYPE", "foo"}), err("ERR Unknown client type 'foo'"));
  EXPECT_EQ(run({"CLIENT", "KILL", "USER", "nobody"}), err("ERR No such user 'nobody'"));
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "2", "SKIPME", "maybe"}), err("ERR syntax error"));
  EXPECT_EQ(run({"CLIENT", "KILL", "ID", "2", "SKIPME"}), err("ERR syntax error"));
  EXPECT_EQ(run({"CLIENT", "KILL", "FOO", "bar"}), err("ERR syntax error"));
  EXPECT_EQ(run({"CLIENT", "KILL"}),
            err("ERR wrong number of arguments for 'client|kill' command"));
  EXPECT_FALSE(client(1).killed) << "an error kills nobody, even with a valid filter before it";
}

TEST_F(ConnectionTest, ClientNoEvict) {
  EXPECT_EQ(run({"CLIENT", "NO-EVICT", "on"}), kOk);
  EXPECT_EQ(run({"CLIENT", "no-evict", "OFF"}), kOk);
  EXPECT_EQ(run({"CLIENT", "NO-EVICT", "maybe"}), err("ERR syntax error"));
  EXPECT_EQ(run({"CLIENT", "NO-EVICT"}),
            err("ERR wrong number of arguments for 'client|no-evict' command"));
}

TEST_F(ConnectionTest, ClientSetInfo) {
  EXPECT_EQ(run({"CLIENT", "SETINFO", "LIB-NAME", "redis-py"}), kOk);
  EXPECT_EQ(run({"CLIENT", "SETINFO", "lib-ver", "5.0.1"}), kOk);
  auto f = info_fields(run({"CLIENT", "INFO"}));
  EXPECT_EQ(f["lib-name"], "redis-py");
  EXPECT_EQ(f["lib-ver"], "5.0.1");
  EXPECT_EQ(run({"CLIENT", "SETINFO", "LIB-NAME", "bad name"}),
            err("ERR LIB-NAME cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(run({"CLIENT", "SETINFO", "lib-ver", "1\n"}),
            err("ERR lib-ver cannot contain spaces, newlines or special characters."));
  EXPECT_EQ(run({"CLIENT", "SETINFO", "name", "x"}), err("ERR Unrecognized option 'name'"));
  EXPECT_EQ(run({"CLIENT", "SETINFO", "LIB-NAME"}),
            err("ERR wrong number of arguments for 'client|setinfo' command"));
  f = info_fields(run({"CLIENT", "INFO"}));
  EXPECT_EQ(f["lib-name"], "redis-py") << "a refused value changes nothing";
  EXPECT_EQ(run({"CLIENT", "SETINFO", "LIB-VER", ""}), kOk);
  EXPECT_EQ(info_fields(run({"CLIENT", "INFO"}))["lib-ver"], "");
}

TEST_F(ConnectionTest, ClientHelp) {
  std::string reply = run({"CLIENT", "HELP"});
  EXPECT_EQ(reply.substr(0, reply.find("\r\n")), "*43");
  EXPECT_NE(reply.find("\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"),
            std::string::npos);
  EXPECT_NE(reply.find("+KILL <option> <value> [<option> <value> [...]]\r\n"), std::string::npos);
  EXPECT_TRUE(reply.ends_with("+HELP\r\n+    Prints this help.\r\n"));
  EXPECT_EQ(run({"CLIENT", "HELP", "x"}),
            err("ERR wrong number of arguments for 'client|help' command"));
}

}  // namespace
}  // namespace basalt::testing
