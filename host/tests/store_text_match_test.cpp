// Case-insensitive matching beyond ASCII: the data manager's contains / starts_with / ends_with and
// the project title search fold every script, as Label Studio's icontains does on PostgreSQL.
#include <gtest/gtest.h>

#include "store/query.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"
#include "util/unicode_lower.hpp"

namespace annot::host::store {
namespace {

using namespace testing;
using ids = std::vector<std::int64_t>;

TEST(UnicodeLower, FoldsEveryScriptOneCodePointForOne) {
  EXPECT_EQ(util::unicode_lower("ÄRGER Ärger"), "ärger ärger");
  EXPECT_EQ(util::unicode_lower("ЖУРНАЛ Ωμέγα İ"), "журнал ωμέγα i");
  EXPECT_EQ(util::unicode_lower("MiXeD 123 ✓ 日本"), "mixed 123 ✓ 日本");
  // Bytes that are not UTF-8 pass through, and so does everything after them.
  EXPECT_EQ(util::unicode_lower(std::string("A\xff"
                                            "B\xc3") +
                                "Ä"),
            std::string("a\xff"
                        "b\xc3") +
                "ä");
  EXPECT_EQ(util::unicode_lower(""), "");
}

class StoreTextMatch : public ::testing::Test {
 protected:
  void SetUp() override {
    s = open_at(dir.db());
    ASSERT_TRUE(s);
    std::vector<import_task> tasks;
    for (const char* text : {"Ärger im Büro", "ärger", "ЖУРНАЛ дня", "plain", "ÉCOLE"}) {
      import_task t;
      t.data = nlohmann::json{{"text", text}}.dump();
      tasks.push_back(std::move(t));
    }
    std::tie(project_id, task_ids) = import_project(*s, std::move(tasks));
  }

  ids filter(const std::string& op, const std::string& value) {
    auto q = parse_dm_query(
        project_id,
        R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:data.text","operator":")" + op +
            R"(","type":"String","value":)" + nlohmann::json(value).dump() + "}]}}");
    if (!q) {
      ADD_FAILURE() << q.error().message();
      return {};
    }
    auto r = s->read()->query_tasks(*q);
    if (!r) {
      ADD_FAILURE() << r.error().message();
      return {};
    }
    return ids_of(r->tasks);
  }
  ids pick(std::initializer_list<std::size_t> positions) {
    ids out;
    for (auto p : positions) out.push_back(task_ids[p]);
    return out;
  }

  temp_dir dir;
  std::unique_ptr<store> s;
  std::int64_t project_id = 0;
  std::vector<std::int64_t> task_ids;
};

TEST_F(StoreTextMatch, DataManagerStringOperatorsFoldEveryScript) {
  EXPECT_EQ(filter("contains", "ärger"), pick({0, 1}));
  EXPECT_EQ(filter("contains", "ÄRGER"), pick({0, 1}));
  EXPECT_EQ(filter("contains", "журнал"), pick({2}));
  EXPECT_EQ(filter("contains", "BÜRO"), pick({0}));
  EXPECT_EQ(filter("not_contains", "Ärger"), pick({2, 3, 4}));
  EXPECT_EQ(filter("starts_with", "école"), pick({4}));
  EXPECT_EQ(filter("ends_with", "ДНЯ"), pick({2}));
  EXPECT_EQ(filter("ends_with", "büro"), pick({0}));
}

TEST_F(StoreTextMatch, ProjectTitleSearchFoldsEveryScript) {
  for (const char* title : {"Проект Один", "Straße", "other"}) {
    project_fields f;
    f.title = title;
    write<project>(*s, [&](write_context& w) { return w.create_project({f, std::nullopt}); });
  }
  auto titles = [&](const std::string& search) {
    project_list_query q;
    q.title_contains = search;
    std::vector<std::string> out;
    auto r = s->read()->list_projects(q);
    if (r)
      for (const auto& p : r->items) out.push_back(p.title);
    return out;
  };
  EXPECT_EQ(titles("проект"), std::vector<std::string>{"Проект Один"});
  EXPECT_EQ(titles("STRASSE"), std::vector<std::string>{}) << "simple case mapping: one code point for one";
  EXPECT_EQ(titles("STRAßE"), std::vector<std::string>{"Straße"});
}

}  // namespace
}  // namespace annot::host::store
