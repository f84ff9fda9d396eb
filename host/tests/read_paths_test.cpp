// The fast read paths over real HTTP on 127.0.0.1 and a real SQLite file: the single-task read (one
// lease, few statements) answers what the separate reads answer, and cached token lookups end the
// moment a token is reset, revoked or its user deactivated, and within the cache's bound when
// another process (another store on the same file) changes them.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "store/store.hpp"
#include "task_api_test_support.hpp"

namespace annot::host::testing {
namespace {

class ReadPaths : public ::testing::Test {
 protected:
  api_host host;
};

template <class T>
T must(result<T> r) {
  if (!r) throw std::runtime_error(r.error().message());
  return std::move(*r);
}

TEST_F(ReadPaths, SingleTaskReadMatchesTheSeparateReads) {
  host.start();
  auto alice = host.make_user("alice@example.com");
  auto bob = host.make_user("bob@example.com");
  const auto pid = host.make_project(image_config(), R"({"image":"Image"})", {"image"});
  auto& db = host.db();
  const auto upload = must(db.run<store::file_upload>([&](store::write_context& w) {
    return w.create_file_upload({.project_id = pid, .user_id = alice.id, .file = std::to_string(pid) + "/1a2b3c4d-cat.jpg",
                                 .original_name = "cat.jpg", .size = 10, .content_type = "image/jpeg"});
  }));
  const auto full = must(db.run<store::task>([&](store::write_context& w) {
    return w.create_task({.project_id = pid, .data = R"({"image":"/data/upload/1/1a2b3c4d-cat.jpg"})",
                          .file_upload_id = upload.id});
  }));
  const auto bare = must(db.run<store::task>([&](store::write_context& w) {
    return w.create_task({.project_id = pid, .data = R"({"image":"https://example.com/b.jpg"})"});
  }));
  const std::string result = json::array({box(), choice()}).dump();
  for (const auto& by : {std::pair{alice.id, false}, std::pair{bob.id, false}, std::pair{bob.id, true}}) {
    store::new_annotation a;
    a.task_id = full.id;
    a.completed_by = by.first;
    a.was_cancelled = by.second;
    a.result = by.second ? "[]" : result;
    must(db.run<store::annotation>([&](store::write_context& w) { return w.create_annotation(a); }));
  }
  for (const char* version : {"v1", "v2"}) {
    must(db.run<store::prediction>([&](store::write_context& w) {
      return w.create_prediction({.task_id = full.id, .result = result, .score = 0.5, .model_version = version});
    }));
  }
  for (auto who : {alice.id, bob.id}) {
    must(db.run<store::draft>([&](store::write_context& w) {
      return w.create_draft({.task_id = full.id, .user_id = who, .result = result});
    }));
  }

  // The store: the bundle holds exactly what the separate reads return.
  {
    auto r = db.read();
    auto b = must(r->get_task_bundle(full.id, alice.id));
    auto t = must(r->get_task(full.id));
    EXPECT_EQ(b.t.data, t.data);
    EXPECT_EQ(b.t.total_annotations, 2);
    EXPECT_EQ(b.t.cancelled_annotations, 1);
    auto anns = must(r->list_annotations(std::span(&full.id, 1)));
    auto preds = must(r->list_task_predictions(std::span(&full.id, 1)));
    auto drafts = must(r->list_drafts(std::span(&full.id, 1), alice.id));
    ASSERT_EQ(b.details.annotations.size(), anns.size());
    for (std::size_t i = 0; i < anns.size(); ++i) {
      EXPECT_EQ(b.details.annotations[i].id, anns[i].id);
      EXPECT_EQ(b.details.annotations[i].result, anns[i].result);
    }
    ASSERT_EQ(b.details.predictions.size(), preds.size());
    for (std::size_t i = 0; i < preds.size(); ++i) EXPECT_EQ(b.details.predictions[i].id, preds[i].id);
    ASSERT_EQ(b.details.drafts.size(), 1u);
    EXPECT_EQ(b.details.drafts[0].id, drafts.at(0).id);
    ASSERT_EQ(b.details.annotators.size(), 2u);
    EXPECT_EQ(b.details.annotators[0].id, alice.id);
    EXPECT_EQ(b.details.annotators[0].email, "alice@example.com");
    EXPECT_EQ(b.details.annotators[1].id, bob.id);
    ASSERT_EQ(b.details.upload_files.size(), 1u);
    EXPECT_EQ(b.details.upload_files[0].second, upload.file);
    EXPECT_FALSE(r->get_task_bundle(bare.id + 1000, alice.id));
  }

  // Over HTTP: each caller sees every annotation and prediction, and only their own draft.
  auto as_alice = api_host::body(host.call("GET", "/api/tasks/" + std::to_string(full.id), alice.auth));
  auto as_bob = api_host::body(host.call("GET", "/api/tasks/" + std::to_string(full.id), bob.auth));
  ASSERT_TRUE(as_alice.is_object());
  ASSERT_EQ(as_alice["annotations"].size(), 3u);
  EXPECT_EQ(as_alice["annotations"][0]["completed_by"], alice.id);
  EXPECT_EQ(as_alice["annotations"][0]["created_username"],
            " alice@example.com, " + std::to_string(alice.id));
  EXPECT_EQ(as_alice["annotations"][1]["created_username"], " bob@example.com, " + std::to_string(bob.id));
  EXPECT_EQ(as_alice["annotations"][2]["was_cancelled"], true);
  EXPECT_EQ(as_alice["annotators"], json::array({alice.id, bob.id}));
  ASSERT_EQ(as_alice["predictions"].size(), 2u);
  EXPECT_EQ(as_alice["predictions_model_versions"], "v1, v2");
  ASSERT_EQ(as_alice["drafts"].size(), 1u);
  EXPECT_EQ(as_alice["drafts"][0]["user"], "alice@example.com");  // str(user)
  EXPECT_EQ(as_alice["drafts"][0]["created_username"], "alice@example.com, " + std::to_string(alice.id));
  ASSERT_EQ(as_bob["drafts"].size(), 1u);
  EXPECT_EQ(as_bob["drafts"][0]["user"], "bob@example.com");
  EXPECT_EQ(as_alice["draft_exists"], true);
  EXPECT_EQ(as_alice["file_upload"], "1a2b3c4d-cat.jpg");
  EXPECT_EQ(as_alice["annotations"], as_bob["annotations"]);

  // The data-manager list (several tasks at once) shows the same rows for the same task.
  auto list = api_host::body(host.call("GET", "/api/tasks?fields=all&project=" + std::to_string(pid), alice.auth));
  ASSERT_EQ(list["tasks"].size(), 2u);
  const json& listed = list["tasks"][0]["id"] == full.id ? list["tasks"][0] : list["tasks"][1];
  for (const char* key : {"annotations", "predictions", "drafts", "annotators", "annotations_ids", "file_upload"})
    EXPECT_EQ(listed[key], as_alice[key]) << key;

  // A task with nothing attached.
  auto empty = api_host::body(host.call("GET", "/api/tasks/" + std::to_string(bare.id), alice.auth));
  EXPECT_EQ(empty["annotations"], json::array());
  EXPECT_EQ(empty["predictions"], json::array());
  EXPECT_EQ(empty["drafts"], json::array());
  EXPECT_EQ(empty["draft_exists"], false);
  EXPECT_TRUE(empty["file_upload"].is_null());
  EXPECT_EQ(host.call("GET", "/api/tasks/" + std::to_string(bare.id + 1000), alice.auth).status, 404);
}

TEST_F(ReadPaths, CachedTokensEndWithResetsAndOtherProcesses) {
  host.start();
  auto u = host.make_user("cache@example.com");
  const std::string whoami = "/api/current-user/whoami";
  for (int i = 0; i < 3; ++i) ASSERT_EQ(host.call("GET", whoami, u.auth).status, 200);

  // A reset through the API ends the old token at once (it was cached a moment ago).
  auto reset = host.call("POST", "/api/current-user/reset-token", u.auth);
  ASSERT_EQ(reset.status, 201) << reset.body;
  const std::string fresh = api_host::body(reset)["token"];
  EXPECT_EQ(host.call("GET", whoami, u.auth).status, 401);
  test::header_list now_auth = {{"Authorization", "Token " + fresh}};
  ASSERT_EQ(host.call("GET", whoami, now_auth).status, 200);

  // A renamed user is seen at once (the principal is not a stale copy).
  must(host.db().run<store::user>([&](store::write_context& w) {
    store::user_patch p;
    p.first_name = std::string("Renamed");
    return w.update_user(u.id, p);
  }));
  EXPECT_EQ(api_host::body(host.call("GET", whoami, now_auth))["first_name"], "Renamed");

  // Another process deactivates the user: its commit cannot reach this process's cache, whose
  // entries live at most auth_options::token_cache_ttl (1 s).
  {
    auto other = must(store::open_store({(host.root() / "data" / "annot.db").string()}));
    must(other->run<store::user>([&](store::write_context& w) {
      store::user_patch p;
      p.is_active = false;
      return w.update_user(u.id, p);
    }));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int status = 200;
  while (status == 200 && std::chrono::steady_clock::now() < deadline) {
    status = host.call("GET", whoami, now_auth).status;
    if (status == 200) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(status, 401) << "a token deactivated by another process must stop working within the cache's bound";
}

// Another process's new annotation is in the next reads at once (within 500 ms here), after
// reads of the same task that might have left snapshots behind.
TEST_F(ReadPaths, AnotherProcessesAnnotationIsReadWithinTheSnapshotBound) {
  host.start();
  auto u = host.make_user("reader@example.com");
  const auto pid = host.make_project(image_config(), R"({"image":"Image"})", {"image"});
  const auto task_id = must(host.db().run<store::task>([&](store::write_context& w) {
                              return w.create_task({.project_id = pid, .data = R"({"image":"https://example.com/a.jpg"})"});
                            })).id;
  const std::string path = "/api/tasks/" + std::to_string(task_id);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(host.call("GET", path, u.auth).status, 200);  // snapshots kept
  {
    auto other = must(store::open_store({(host.root() / "data" / "annot.db").string()}));
    store::new_annotation a;
    a.task_id = task_id;
    a.completed_by = u.id;
    a.result = "[]";
    must(other->run<store::annotation>([&](store::write_context& w) { return w.create_annotation(a); }));
  }
  const auto start = std::chrono::steady_clock::now();
  std::int64_t seen = 0;
  while (seen == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    seen = api_host::body(host.call("GET", path, u.auth))["total_annotations"].get<std::int64_t>();
    if (seen == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(seen, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
}

}  // namespace
}  // namespace annot::host::testing
