// Round trip through the host: a converter fixture's tasks are imported through the API (after
// creating the users its completed_by values name), exported through the API, and compared with
// Label Studio's golden output after the normalisation written below.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/host_app.hpp"
#include "store/time.hpp"
#include "test_http_client.hpp"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;
using namespace annot::host;

fs::path converter_dir() {
  fs::path shared;
  if (const char* env = std::getenv("ANNOT_SHARED_DIR"); env && *env)
    shared = env;
  else
    shared = fs::path(__FILE__).parent_path().parent_path().parent_path().parent_path() / "shared";
  for (fs::path base : {shared, fs::path(ANNOT_TEST_BIN_DIR) / ".." / ".." / ".." / "shared"}) {
    fs::path dir = base / "fixtures" / "converter";
    if (fs::is_regular_file(dir / "golden" / "manifest.json")) return fs::canonical(dir);
  }
  return {};
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// ISO timestamps compare as instants ("...00Z" and "...00.000000Z" are the same).
bool same_time(const json& a, const json& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  auto x = store::parse_iso8601(a.get<std::string>()), y = store::parse_iso8601(b.get<std::string>());
  return x && y && *x == *y;
}

class export_roundtrip : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    fixtures_ = converter_dir();
    if (fixtures_.empty()) GTEST_SKIP() << "../shared/fixtures/converter is absent; set ANNOT_SHARED_DIR to run";
    root_ = fs::temp_directory_path() / ("annot-export-rt-" + std::to_string(::getpid()) + "-" + GetParam());
    fs::remove_all(root_);
    app::host_options options;
    options.http.address = "127.0.0.1";
    options.http.port = 0;
    options.data_dir = root_ / "data";
    options.plugins_dir = ANNOT_TEST_PLUGINS_DIR;
    options.web_dir = root_ / "web";
    auto created = app::host_app::create(options);
    ASSERT_TRUE(created) << created.error().message();
    app_ = std::move(*created);
    port_ = app_->start();
  }
  void TearDown() override {
    app_.reset();
    if (!root_.empty()) fs::remove_all(root_);
  }

  annot::test::http_response call(const std::string& method, const std::string& target, const std::string& body = {}) {
    annot::test::http_client c(port_, "127.0.0.1", std::chrono::seconds(60));
    annot::test::header_list h = {{"Authorization", "Token " + token_}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    return c.request(method, target, body, h);
  }

  fs::path fixtures_, root_;
  std::unique_ptr<app::host_app> app_;
  std::uint16_t port_ = 0;
  std::string token_;
};

TEST_P(export_roundtrip, JsonMinMatchesTheGoldenAfterNormalisation) {
  const std::string name = GetParam();
  json input = json::parse(slurp(fixtures_ / "synthetic" / name / "tasks.json"));
  std::string config = slurp(fixtures_ / "synthetic" / name / "label_config.xml");

  // Users first: ids named by completed_by (ids are given out from 1 upwards) and e-mails.
  std::int64_t max_id = 1;
  std::map<std::string, std::int64_t> emails;
  for (const auto& t : input)
    for (const auto& a : t.value("annotations", json::array())) {
      const json& c = a["completed_by"];
      if (c.is_number_integer()) max_id = std::max<std::int64_t>(max_id, c.get<std::int64_t>());
      if (c.is_object() && c.contains("email")) emails[c["email"].get<std::string>()] = 0;
    }
  for (std::int64_t i = 1; i <= max_id; ++i) {
    auto u = app_->db().run<store::user>([&](store::write_context& w) {
      return w.create_user({.email = "user" + std::to_string(i) + "@example.com"});
    });
    ASSERT_TRUE(u) << u.error().message();
    ASSERT_EQ(u->id, i);
    if (i == 1) token_ = *app_->db().read()->legacy_token(u->id);
  }
  for (auto& [email, id] : emails) {
    auto u = app_->db().run<store::user>([&](store::write_context& w) { return w.create_user({.email = email}); });
    ASSERT_TRUE(u) << u.error().message();
    id = u->id;
  }
  auto p = app_->db().run<store::project>([&](store::write_context& w) {
    store::project_fields f;
    f.title = name;
    f.label_config = config;
    return w.create_project({f, 1});
  });
  ASSERT_TRUE(p) << p.error().message();
  const std::string base = "/api/projects/" + std::to_string(p->id);

  // Import: the fixture's own task ids are not kept; the order is.
  auto imported = call("POST", base + "/import", input.dump());
  ASSERT_EQ(imported.status, 201) << imported.body;

  auto ours_r = call("GET", base + "/export?exportType=JSON_MIN&download_all_tasks=true");
  ASSERT_EQ(ours_r.status, 200) << ours_r.body;
  json ours = json::parse(ours_r.body);
  json golden = json::parse(slurp(fixtures_ / "golden" / name / "JSON_MIN" / "result.json"));
  ASSERT_EQ(ours.size(), golden.size());

  // Task ids map in order of first appearance; annotation ids are new.
  std::map<std::int64_t, std::int64_t> task_ids;
  for (std::size_t i = 0; i < golden.size(); ++i) {
    json g = golden[i], o = ours[i];
    SCOPED_TRACE("record " + std::to_string(i) + " (golden task " + g["id"].dump() + ")");
    auto [it, fresh] = task_ids.emplace(g["id"].get<std::int64_t>(), o["id"].get<std::int64_t>());
    EXPECT_EQ(o["id"].get<std::int64_t>(), it->second);
    (void)fresh;
    EXPECT_EQ(g["annotation_id"].is_null(), o["annotation_id"].is_null());
    // completed_by objects were imported as users found by e-mail; the easy export names them by id.
    if (g["annotator"].is_string()) {
      EXPECT_EQ(o["annotator"], emails[g["annotator"].get<std::string>()]);
    } else {
      EXPECT_EQ(o["annotator"], g["annotator"]);
    }
    EXPECT_TRUE(same_time(g["created_at"], o["created_at"])) << g["created_at"] << " vs " << o["created_at"];
    if (!g["updated_at"].is_null()) {
      EXPECT_TRUE(same_time(g["updated_at"], o["updated_at"]));
    }
    // Task-level agreement is not stored by Annot's tasks.
    for (const char* k : {"id", "annotation_id", "annotator", "created_at", "updated_at", "agreement"}) {
      g.erase(k);
      o.erase(k);
    }
    EXPECT_EQ(o.dump(), g.dump());
  }
}

// edge_text is left out: Annot's import refuses its task 209 (a span without offsets), which Label
// Studio's import accepts. edge_image is left out until the normalisation covers its tasks 113
// (legacy `completions`) and 114 (no annotations key), which the import turns into plain tasks.
// Their export rules are covered by the plugins' golden tests.
INSTANTIATE_TEST_SUITE_P(Fixtures, export_roundtrip, ::testing::Values("ner_inline"));

}  // namespace
