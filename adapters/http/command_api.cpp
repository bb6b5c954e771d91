// The command API, under /api/v1/redis and again at the root (where Upstash serves it),
// wire-compatible with Upstash's REST API: a command from the path or a JSON array, pipelines and
// MULTI/EXEC transactions, replies as {"result": ...} or {"error": "..."}. Each command runs
// through the engine exactly as a RESP client's would.

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "base/strings.hpp"
#include "http/exchange.hpp"
#include "http/json.hpp"
#include "http/json_parse.hpp"
#include "http/routes.hpp"

namespace basalt::http {

namespace {

struct OutputMode {
  StringMode strings = StringMode::kText;
  bool resp2 = false;  // Upstash-Response-Format: resp2: raw RESP2 bytes
};

OutputMode output_mode(Exchange& ex) {
  OutputMode m;
  if (iequals(ex.req.header("upstash-encoding"), "base64")) m.strings = StringMode::kBase64;
  if (iequals(ex.req.header("upstash-response-format"), "resp2")) m.resp2 = true;
  ex.reply().set_protocol(m.resp2 ? 2 : 3);
  return m;
}

// {"result": ...} or {"error": "..."}, as one element of a pipeline's array or a whole body.
void append_result(std::string& out, ReplyRef r, StringMode mode) {
  if (r.is_error()) {
    out += "{\"error\":";
    append_json_string(out, r.str());
    out += '}';
    return;
  }
  out += "{\"result\":";
  render_json(out, r, mode);
  out += '}';
}

void respond_result(Exchange& ex, ReplyRef r, OutputMode mode) {
  int status = r.is_error() ? 400 : 200;
  if (mode.resp2) {
    ex.res.status = status;
    ex.res.content_type = "application/octet-stream";
    ex.res.body.clear();
    render_resp2(ex.res.body, r);
    return;
  }
  std::string body;
  append_result(body, r, mode.strings);
  ex.json(status, std::move(body));
}

// One command as a JSON array of strings and numbers (numbers keep their literal text).
bool json_command(const JsonValue& v, std::vector<std::string>* argv, std::string* error) {
  if (!v.is_array() || v.items.empty()) {
    *error = "ERR a command is a non-empty JSON array, e.g. [\"SET\",\"key\",\"value\"]";
    return false;
  }
  argv->clear();
  for (const JsonValue& item : v.items) {
    if (!item.is_scalar_text()) {
      *error = "ERR command arguments must be strings or numbers";
      return false;
    }
    argv->push_back(item.text);
  }
  return true;
}

// The body as a list of commands (pipeline, multi-exec).
bool json_commands(Exchange& ex, std::vector<std::vector<std::string>>* commands) {
  // Well-formed bodies skip the tree; parse_json explains the others.
  if (parse_json_command_list(ex.req.body, commands)) return true;
  commands->clear();
  std::string error;
  auto doc = parse_json(ex.req.body, &error);
  if (!doc) {
    ex.command_error(400, "ERR " + error);
    return false;
  }
  if (!doc->is_array() || doc->items.empty()) {
    ex.command_error(400, "ERR the body must be a non-empty JSON array of commands");
    return false;
  }
  commands->resize(doc->items.size());
  for (size_t i = 0; i < doc->items.size(); ++i) {
    if (!json_command(doc->items[i], &(*commands)[i], &error)) {
      ex.command_error(400, error);
      return false;
    }
  }
  return true;
}

void run_single(Exchange& ex, const std::vector<std::string_view>& argv, OutputMode mode) {
  uint32_t mark = ex.reply().mark();
  ReplyRef r = ex.run(argv);
  if (ex.blocked()) {
    ex.wait(mark, [mode](Exchange& e, ReplyRef late) { respond_result(e, late, mode); });
    return;
  }
  respond_result(ex, r, mode);
}

struct Pipeline {
  std::vector<std::vector<std::string>> commands;
  size_t next = 0;
  std::string body;
  OutputMode mode;
};

void append_pipeline_result(Pipeline& p, ReplyRef r) {
  if (p.mode.resp2) {
    render_resp2(p.body, r);
    return;
  }
  if (p.next > 1) p.body += ',';
  append_result(p.body, r, p.mode.strings);
}

// Runs the pipeline's commands from p->next on; a command that blocks resumes it when served.
void run_pipeline(Exchange& ex, std::shared_ptr<Pipeline> p) {
  std::vector<std::string_view> argv;
  while (p->next < p->commands.size()) {
    auto& cmd = p->commands[p->next++];
    argv.assign(cmd.begin(), cmd.end());
    ex.reply().clear();  // earlier replies are rendered already
    uint32_t mark = ex.reply().mark();
    ReplyRef r = ex.run(argv);
    if (ex.blocked()) {
      ex.wait(mark, [p](Exchange& e, ReplyRef late) {
        append_pipeline_result(*p, late);
        run_pipeline(e, p);
      });
      return;
    }
    append_pipeline_result(*p, r);
  }
  if (p->mode.resp2) {
    ex.res.status = 200;
    ex.res.content_type = "application/octet-stream";
    ex.res.body = std::move(p->body);
    return;
  }
  p->body += ']';
  ex.json(200, std::move(p->body));
}

bool is_transaction_control(std::string_view name) {
  return iequals(name, "multi") || iequals(name, "exec") || iequals(name, "discard") ||
         iequals(name, "watch") || iequals(name, "unwatch");
}

}  // namespace

// POST /api/v1/redis with ["SET","k","v","EX",100]
void handle_command_json(Exchange& ex) {
  OutputMode mode = output_mode(ex);
  // Well-formed commands (all but a client's mistakes) skip the tree: see parse_json_arguments.
  std::vector<std::string_view> argv;
  if (parse_json_arguments(ex.req.body, &argv)) {
    run_single(ex, argv, mode);
    return;
  }
  std::string error;
  auto doc = parse_json(ex.req.body, &error);
  if (!doc) {
    ex.command_error(400, "ERR " + error);
    return;
  }
  std::vector<std::string> args;
  if (!json_command(*doc, &args, &error)) {
    ex.command_error(400, error);
    return;
  }
  run_single(ex, std::vector<std::string_view>(args.begin(), args.end()), mode);
}

// GET|POST /api/v1/redis/{command}/{arg}/... (or /{command}/{arg}/... at the root): path
// segments from {command} on are the arguments; a POST body is one more, the last.
void handle_command_path(Exchange& ex) {
  OutputMode mode = output_mode(ex);
  const auto& segments = ex.req.url.segments;
  // The arguments start where the route's template does: {command}.
  const auto& pattern = ex.match.route->segments;
  auto first = std::find_if(pattern.begin(), pattern.end(),
                            [](const std::string& p) { return p.starts_with('{'); }) -
               pattern.begin();
  std::vector<std::string_view> argv(segments.begin() + first, segments.end());
  if (ex.req.method == kPost && !ex.req.body.empty()) argv.push_back(ex.req.body);
  run_single(ex, argv, mode);
}

// POST /api/v1/redis/pipeline with [["SET","k","v"],["GET","k"]]: replies in order, one per
// command, each {"result": ...} or {"error": "..."}; an error does not stop the others.
void handle_pipeline(Exchange& ex) {
  auto p = std::make_shared<Pipeline>();
  p->mode = output_mode(ex);
  if (!json_commands(ex, &p->commands)) return;
  if (!p->mode.resp2) p->body = "[";
  run_pipeline(ex, p);
}

// POST /api/v1/redis/multi-exec: the commands as one MULTI/EXEC transaction.
void handle_multi_exec(Exchange& ex) {
  OutputMode mode = output_mode(ex);
  std::vector<std::vector<std::string>> commands;
  if (!json_commands(ex, &commands)) return;
  for (auto& cmd : commands) {
    if (is_transaction_control(cmd[0])) {
      ex.command_error(400, "ERR " + lowercase(cmd[0]) +
                                " is not allowed in multi-exec: the commands are "
                                "already one transaction");
      return;
    }
  }
  ReplyRef multi = ex.run({"MULTI"});
  if (multi.is_error()) {
    respond_result(ex, multi, mode);
    return;
  }
  std::vector<std::string_view> argv;
  for (auto& cmd : commands) {
    argv.assign(cmd.begin(), cmd.end());
    ex.run(argv);  // QUEUED, or an error that makes EXEC abort
  }
  ReplyRef exec = ex.run({"EXEC"});
  if (mode.resp2 || exec.is_error() || !exec.is_aggregate()) {
    respond_result(ex, exec, mode);
    return;
  }
  std::string body = "[";
  bool first = true;
  for (ReplyRef r : exec) {
    if (!first) body += ',';
    first = false;
    append_result(body, r, mode.strings);
  }
  body += ']';
  ex.json(200, std::move(body));
}

}  // namespace basalt::http
