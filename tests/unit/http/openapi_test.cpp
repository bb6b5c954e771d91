// The OpenAPI document (api/openapi.yaml, embedded) and the routers describe the same routes:
// every route the server answers is documented with the same methods, and every documented
// operation is a route.

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "http/docs.hpp"
#include "http/frontend.hpp"
#include "http/json_parse.hpp"
#include "store/value.hpp"

namespace basalt::http {
namespace {

using Operations = std::map<std::string, std::set<std::string>>;  // path -> methods

std::set<std::string> method_names(uint32_t methods) {
  std::set<std::string> out;
  for (Method m : {kGet, kHead, kPost, kPut, kPatch, kDelete, kOptions}) {
    if (methods & m) {
      std::string name(method_name(m));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.insert(name);
    }
  }
  return out;
}

std::string doc_path(std::string path, std::string_view strip_prefix) {
  if (path.starts_with(strip_prefix)) path.erase(0, strip_prefix.size());
  if (size_t p = path.find("...}"); p != std::string::npos) path.replace(p, 4, "}");
  return path;
}

JsonValue document() {
  std::string error;
  auto doc = parse_json(openapi_json(), &error);
  EXPECT_TRUE(doc.has_value()) << error;
  return doc ? *doc : JsonValue();
}

TEST(OpenApi, IsVersion31WithApiServer) {
  JsonValue doc = document();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.find("openapi")->text, "3.1.0");
  const JsonValue* servers = doc.find("servers");
  ASSERT_NE(servers, nullptr);
  EXPECT_EQ(servers->items.at(0).find("url")->text, "/api/v1");
}

// The docs page shows info.license: the repository has no LICENSE file, so the document must not
// claim one (it said "Proprietary"). Add the license here when the repository gets one.
TEST(OpenApi, ClaimsNoLicenseTheRepositoryDoesNotHave) {
  JsonValue doc = document();
  const JsonValue* info = doc.find("info");
  ASSERT_NE(info, nullptr);
  std::filesystem::path root = std::filesystem::path(__FILE__).parent_path() / ".." / ".." / "..";
  ASSERT_TRUE(std::filesystem::exists(root / "api" / "openapi.yaml")) << root;
  if (!std::filesystem::exists(root / "LICENSE")) {
    EXPECT_EQ(info->find("license"), nullptr);
  }
}

TEST(OpenApi, DocumentsExactlyTheRoutesServed) {
  JsonValue doc = document();
  const JsonValue* paths = doc.find("paths");
  ASSERT_NE(paths, nullptr);
  static const std::set<std::string> kMethods = {"get",    "head",  "post",   "put",
                                                 "delete", "patch", "options"};
  // Paths without a servers entry are under the document's /api/v1; the root's say "/", the
  // admin port's name it with a URL.
  Operations documented_api, documented_root, documented_admin;
  for (auto& [path, item] : paths->members) {
    const JsonValue* servers = item.find("servers");
    Operations& into = servers == nullptr                              ? documented_api
                       : servers->items.at(0).find("url")->text == "/" ? documented_root
                                                                       : documented_admin;
    for (auto& [key, op] : item.members) {
      if (!kMethods.count(key)) continue;
      into[path].insert(key);
      EXPECT_NE(op.find("responses"), nullptr) << key << " " << path << " has no responses";
      EXPECT_NE(op.find("summary"), nullptr) << key << " " << path << " has no summary";
    }
  }
  Router api, admin;
  build_api_router(api);
  build_admin_router(admin);
  Operations served_api, served_root, served_admin;
  for (const Route& r : api.routes()) {
    if (r.fence) continue;
    if (r.path.starts_with("/api/v1/")) {
      served_api[doc_path(r.path, "/api/v1")] = method_names(r.methods);
    } else {
      served_root[doc_path(r.path, "")] = method_names(r.methods);
    }
  }
  for (const Route& r : admin.routes())
    served_admin[doc_path(r.path, "")] = method_names(r.methods);
  EXPECT_EQ(documented_api, served_api);
  EXPECT_EQ(documented_root, served_root);
  EXPECT_EQ(documented_admin, served_admin);
}

TEST(OpenApi, OperationIdsAreUnique) {
  // The root's operations are the command API's, merged in YAML: each needs its own id.
  JsonValue doc = document();
  std::set<std::string> ids;
  for (auto& [path, item] : doc.find("paths")->members) {
    for (auto& [key, op] : item.members) {
      const JsonValue* id = op.is_object() ? op.find("operationId") : nullptr;
      if (id == nullptr) continue;
      EXPECT_TRUE(ids.insert(id->text).second) << id->text << " at " << path;
    }
  }
  EXPECT_GT(ids.size(), 30u);
}

TEST(OpenApi, ServedWithTheConfiguredAdminServer) {
  // Given the document's own defaults, the rewrite gives back the embedded text byte for byte:
  // the writer loses nothing.
  EXPECT_EQ(openapi_json_for_admin("http://127.0.0.1:8081", "The admin port"), openapi_json());

  std::string served = openapi_json_for_admin("http://db.example:9191", "The admin port (x)");
  std::string error;
  auto doc = parse_json(served, &error);
  ASSERT_TRUE(doc.has_value()) << error;
  int admin_paths = 0;
  for (auto& [path, item] : doc->find("paths")->members) {
    const JsonValue* servers = item.find("servers");
    if (servers == nullptr) continue;
    const std::string& url = servers->items.at(0).find("url")->text;
    if (url == "/") continue;  // the command API at the root
    ++admin_paths;
    EXPECT_EQ(url, "http://db.example:9191") << path;
    EXPECT_EQ(servers->items.at(0).find("description")->text, "The admin port (x)");
  }
  EXPECT_EQ(admin_paths, 4);  // /healthz /readyz /metrics /info
  EXPECT_EQ(served.find("127.0.0.1:8081"), std::string::npos);
}

TEST(OpenApi, ReferencesResolve) {
  // Every "$ref" points at something under components.
  JsonValue doc = document();
  const JsonValue* components = doc.find("components");
  ASSERT_NE(components, nullptr);
  std::vector<const JsonValue*> stack = {&doc};
  int refs = 0;
  while (!stack.empty()) {
    const JsonValue* v = stack.back();
    stack.pop_back();
    for (auto& item : v->items) stack.push_back(&item);
    for (auto& [k, member] : v->members) {
      if (k == "$ref") {
        ++refs;
        std::string ref = member.text;
        ASSERT_TRUE(ref.starts_with("#/components/")) << ref;
        std::string rest = ref.substr(13);
        size_t slash = rest.find('/');
        const JsonValue* group = components->find(rest.substr(0, slash));
        ASSERT_NE(group, nullptr) << ref;
        EXPECT_NE(group->find(rest.substr(slash + 1)), nullptr) << ref;
      } else {
        stack.push_back(&member);
      }
    }
  }
  EXPECT_GT(refs, 20);
}

TEST(OpenApi, ResourceApiDocumentsEveryType) {
  // The resource API serves every type TYPE names; the document's type enums say the same.
  std::set<std::string> served;
  for (ValueType t : {ValueType::kString, ValueType::kList, ValueType::kHash, ValueType::kSet,
                      ValueType::kZSet}) {
    served.insert(std::string(type_name(t)));
  }
  JsonValue doc = document();
  const JsonValue* schemas = doc.find("components");
  ASSERT_NE(schemas, nullptr);
  schemas = schemas->find("schemas");
  ASSERT_NE(schemas, nullptr);
  for (const char* name : {"Item", "WriteBody", "PatchBody"}) {
    const JsonValue* schema = schemas->find(name);
    ASSERT_NE(schema, nullptr) << name;
    const JsonValue* type = schema->find("properties");
    ASSERT_NE(type, nullptr) << name;
    type = type->find("type");
    ASSERT_NE(type, nullptr) << name;
    const JsonValue* values = type->find("enum");
    ASSERT_NE(values, nullptr) << name;
    std::set<std::string> documented;
    for (const JsonValue& v : values->items) documented.insert(v.text);
    EXPECT_EQ(documented, served) << name;
  }
}

}  // namespace
}  // namespace basalt::http
