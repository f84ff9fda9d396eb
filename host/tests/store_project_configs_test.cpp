// A project's config texts live in project_configs and are kept in memory by config_version
// (migration 0012): reads must still see every committed change of them, from this store or another
// one on the same file, and nothing of a write that rolled back.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

std::string config_of(int labels) {
  std::string out = "<View><Image name=\"i\" value=\"$image\"/><RectangleLabels name=\"r\" toName=\"i\">";
  for (int i = 0; i < labels; ++i) out += "<Label value=\"c" + std::to_string(i) + "\"/>";
  return out + "</RectangleLabels></View>";
}

project_fields config_fields(int labels) {
  project_fields f;
  f.label_config = config_of(labels);
  f.parsed_label_config = std::string(R"({"r": {"labels_count": )") + std::to_string(labels) + "}}";
  f.control_weights = std::string(R"({"r": {"overall": )") + std::to_string(labels) + "}}";
  return f;
}

// A new project with config_fields(labels); its id.
std::int64_t create_with_config(store& s, int labels) {
  return write<project>(s, [&](write_context& w) {
           new_project np;
           np.fields = config_fields(labels);
           return w.create_project(np);
         }).id;
}

std::string version_of(const fs::path& db, std::int64_t id) {
  return raw_db(db).rows("SELECT config_version FROM projects WHERE id = " + std::to_string(id)).at(0).at(0);
}

TEST(StoreProjectConfigs, ReadsFollowConfigWritesOfAnotherStoreOnTheFile) {
  temp_dir dir;
  auto a = open_at(dir.db());
  auto b = open_at(dir.db());
  ASSERT_TRUE(a && b);
  auto id = create_with_config(*a, 3000);
  EXPECT_EQ(must(a->read()->get_project(id)).label_config, config_of(3000));
  EXPECT_EQ(must(b->read()->get_project(id)).label_config, config_of(3000));

  write<project>(*b, [&](write_context& w) { return w.update_project(id, config_fields(5)); });
  auto seen = must(a->read()->get_project(id));
  EXPECT_EQ(seen.label_config, config_of(5));
  EXPECT_EQ(seen.parsed_label_config, R"({"r": {"labels_count": 5}})");
  EXPECT_EQ(seen.control_weights, R"({"r": {"overall": 5}})");

  // Only the control weights change: a new version too.
  const std::string before = version_of(dir.db(), id);
  project_fields weights;
  weights.control_weights = std::string(R"({"r": {"overall": 0.25}})");
  write<project>(*b, [&](write_context& w) { return w.update_project(id, weights); });
  EXPECT_NE(version_of(dir.db(), id), before);
  EXPECT_EQ(must(a->read()->get_project(id)).control_weights, R"({"r": {"overall": 0.25}})");
  EXPECT_EQ(must(a->read()->list_projects({})).items.at(0).control_weights, R"({"r": {"overall": 0.25}})");
}

TEST(StoreProjectConfigs, OtherFieldsAndCountersLeaveTheConfigVersion) {
  temp_dir dir;
  auto s = open_at(dir.db());
  ASSERT_TRUE(s);
  auto id = create_with_config(*s, 100);
  const std::string version = version_of(dir.db(), id);
  EXPECT_EQ(version.size(), 32u);
  project_fields title;
  title.title = std::string("renamed");
  write<project>(*s, [&](write_context& w) { return w.update_project(id, title); });
  // The same texts written again are no change either.
  write<project>(*s, [&](write_context& w) { return w.update_project(id, config_fields(100)); });
  auto t = write<task>(*s, [&](write_context& w) { return w.create_task({id, R"({"image":"a.png"})"}); });
  write<annotation>(*s, [&](write_context& w) {
    new_annotation a;
    a.task_id = t.id;
    return w.create_annotation(a);
  });
  EXPECT_EQ(version_of(dir.db(), id), version);
  auto p = must(s->read()->get_project(id));
  EXPECT_EQ(p.title, "renamed");
  EXPECT_EQ(p.label_config, config_of(100));
  EXPECT_EQ(p.total_annotations_number, 1);
}

TEST(StoreProjectConfigs, AConfigWriteThatRolledBackIsNeverRead) {
  temp_dir dir;
  auto s = open_at(dir.db());
  ASSERT_TRUE(s);
  auto id = create_with_config(*s, 10);
  // The unit reads the new texts (update_project returns the project) and then fails: rolled back.
  auto failed = s->run([&](write_context& w) -> status {
    auto p = w.update_project(id, config_fields(20));
    if (!p.ok() || p->label_config != config_of(20))
      return status(errc::internal, "the update did not apply");
    return status(errc::failed_precondition, "rolled back on purpose");
  });
  EXPECT_EQ(failed.code(), errc::failed_precondition) << failed.message();
  EXPECT_EQ(must(s->read()->get_project(id)).label_config, config_of(10));
  // And a write of other fields after it keeps the texts that were committed.
  project_fields title;
  title.title = std::string("after");
  EXPECT_EQ(write<project>(*s, [&](write_context& w) { return w.update_project(id, title); }).label_config,
            config_of(10));
  EXPECT_EQ(must(s->read()->get_project(id)).label_config, config_of(10));
}

}  // namespace
}  // namespace annot::host::store
