// Store CRUD for every entity, and the maintained counters and project summary after every kind of
// write (checked against a fresh count of the rows by plain SQLite).
#include <gtest/gtest.h>

#include <map>

#include "store/query.hpp"
#include "store/secrets.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

class StoreEntities : public ::testing::Test {
 protected:
  void SetUp() override {
    s = open_at(dir.db());
    ASSERT_TRUE(s);
  }
  void TearDown() override {
    if (s) expect_counters_consistent(dir.db());
  }

  user make_user(const std::string& email) {
    return write<user>(*s, [&](write_context& w) { return w.create_user({email}); });
  }
  project make_project(project_fields f = {}) {
    return write<project>(*s, [&](write_context& w) { return w.create_project({f, std::nullopt}); });
  }
  task make_task(std::int64_t pid, std::string data) {
    return write<task>(*s, [&](write_context& w) { return w.create_task({pid, data}); });
  }
  annotation annotate(std::int64_t tid, std::optional<std::int64_t> by, std::string result,
                      bool cancelled = false, bool gt = false) {
    return write<annotation>(*s, [&](write_context& w) {
      new_annotation a;
      a.task_id = tid;
      a.completed_by = by;
      a.result = result;
      a.was_cancelled = cancelled;
      a.ground_truth = gt;
      return w.create_annotation(a);
    });
  }
  // Reopens the store with data-key indexes from the project's `tasks`-th task on (5,000 by
  // default): the index tests work on a few tasks.
  void index_data_keys_from(std::int64_t tasks) {
    store_options o;
    o.data_index_min_tasks = tasks;
    s.reset();
    s = open_at(dir.db(), o);
    ASSERT_TRUE(s);
  }
  project reload(std::int64_t pid) { return must(s->read()->get_project(pid)); }
  task reload_task(std::int64_t tid) { return must(s->read()->get_task(tid)); }

  temp_dir dir;
  std::unique_ptr<store> s;
};

const char* choice(const char* label) {
  static thread_local std::string r;
  r = std::string(
          R"([{"id":"r1","from_name":"sentiment","to_name":"text","type":"choices","value":{"choices":[")") +
      label + "\"]}}]";
  return r.c_str();
}

TEST_F(StoreEntities, UsersAndTokens) {
  auto hash = must(hash_password("pw"));
  auto u = write<user>(*s, [&](write_context& w) {
    new_user n;
    n.email = " Alice@Example.com ";
    n.password_hash = hash;
    n.first_name = "Alice";
    n.is_superuser = true;
    return w.create_user(n);
  });
  EXPECT_EQ(u.email, "Alice@Example.com");
  EXPECT_EQ(u.username, "Alice");
  EXPECT_TRUE(u.is_superuser);
  EXPECT_TRUE(verify_password(u.password_hash, "pw"));

  auto dup = s->run<user>([](write_context& w) { return w.create_user({"alice@example.COM"}); });
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), errc::already_exists);
  auto bad = s->run<user>([](write_context& w) { return w.create_user({"not-an-email"}); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), errc::invalid_argument);

  auto r = s->read();
  EXPECT_EQ(must(r->find_user_by_email("ALICE@example.com")).id, u.id);
  std::string key = must(r->legacy_token(u.id));
  EXPECT_EQ(key.size(), 40u);
  auto owner = must(r->find_token(token_kind::legacy, key, now()));
  EXPECT_EQ(owner.owner.id, u.id);
  EXPECT_EQ(r->find_token(token_kind::personal, key, now()).error().code(), errc::not_found);
  r.reset();

  std::string fresh = write<std::string>(*s, [&](write_context& w) { return w.reset_legacy_token(u.id); });
  EXPECT_NE(fresh, key);
  EXPECT_FALSE(s->read()->find_token(token_kind::legacy, key, now()).ok()) << "the old token stops working";
  EXPECT_TRUE(s->read()->find_token(token_kind::legacy, fresh, now()).ok());

  // Personal access tokens and sessions: expiry and revocation.
  auto soon = now() + std::chrono::seconds(60);
  auto pat = write<token>(*s, [&](write_context& w) {
    return w.create_token(u.id, token_kind::personal, "digest-1", std::nullopt, "ci");
  });
  auto sess = write<token>(
      *s, [&](write_context& w) { return w.create_token(u.id, token_kind::session, "sess-1", soon, ""); });
  EXPECT_TRUE(s->read()->find_token(token_kind::session, "sess-1", now()).ok());
  EXPECT_FALSE(s->read()->find_token(token_kind::session, "sess-1", soon + std::chrono::seconds(1)).ok());
  must(s->run([&](write_context& w) { return w.revoke_token(pat.id, now()); }));
  EXPECT_FALSE(s->read()->find_token(token_kind::personal, "digest-1", now()).ok());
  EXPECT_EQ(must(s->read()->list_tokens(u.id, token_kind::personal)).size(), 1u);
  auto purged = write<std::int64_t>(
      *s, [&](write_context& w) { return w.purge_tokens(soon + std::chrono::seconds(5)); });
  EXPECT_EQ(purged, 2);
  (void)sess;

  // Deactivated users do not authenticate; deleted users lose their tokens.
  write<user>(*s, [&](write_context& w) {
    user_patch p;
    p.is_active = false;
    p.last_name = "Liddell";
    return w.update_user(u.id, p);
  });
  EXPECT_FALSE(s->read()->find_token(token_kind::legacy, fresh, now()).ok());
  EXPECT_EQ(must(s->read()->get_user(u.id)).last_name, "Liddell");
  must(s->run([&](write_context& w) { return w.delete_user(u.id); }));
  EXPECT_EQ(s->read()->get_user(u.id).error().code(), errc::not_found);
  raw_db db(dir.db());
  EXPECT_EQ(db.scalar("SELECT count(*) FROM tokens"), 0);

  // Settings
  must(s->run([](write_context& w) { return w.set_setting("signup", "disabled"); }));
  EXPECT_EQ(*must(s->read()->get_setting("signup")), "disabled");
  EXPECT_FALSE(must(s->read()->get_setting("nope")).has_value());
}

TEST_F(StoreEntities, ProjectsCrudValidationAndListing) {
  auto owner = make_user("owner@x.io");
  project_fields f;
  f.title = "Cats";
  f.label_config = "<View><Image name=\"image\" value=\"$image\"/></View>";
  f.maximum_annotations = 2;
  f.sampling = std::string(sampling_uniform);
  f.data_keys = std::vector<std::string>{"image"};
  auto p = write<project>(*s, [&](write_context& w) { return w.create_project({f, owner.id}); });
  EXPECT_EQ(p.title, "Cats");
  EXPECT_EQ(p.maximum_annotations, 2);
  EXPECT_EQ(*p.created_by, owner.id);
  EXPECT_EQ(p.skip_queue, "REQUEUE_FOR_OTHERS");
  EXPECT_EQ(p.color, "#FFFFFF");
  s->drain();  // the data-key index waits for the project's tasks (ADataKeyIndexWaitsForItsProjectsMinimumOfTasks)
  EXPECT_TRUE(must(s->read()->indexed_data_keys(p.id)).empty());
  make_task(p.id, R"({"image":"http://example.com/cat.png"})");
  s->drain();
  EXPECT_TRUE(must(s->read()->indexed_data_keys(p.id)).empty()) << "one task";

  for (auto bad :
       {std::function<void(project_fields&)>([](project_fields& x) { x.sampling = "Random"; }),
        std::function<void(project_fields&)>([](project_fields& x) { x.skip_queue = "NEVER"; }),
        std::function<void(project_fields&)>([](project_fields& x) { x.maximum_annotations = 0; }),
        std::function<void(project_fields&)>([](project_fields& x) { x.overlap_cohort_percentage = 101; }),
        std::function<void(project_fields&)>([](project_fields& x) { x.control_weights = "{oops"; })}) {
    project_fields b;
    bad(b);
    auto r = s->run<project>([&](write_context& w) { return w.update_project(p.id, b); });
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), errc::invalid_argument) << r.error().message();
  }

  project_fields patch;
  patch.description = "feline";
  patch.pinned_at = std::optional<timestamp>(now());
  auto q = write<project>(*s, [&](write_context& w) { return w.update_project(p.id, patch); });
  EXPECT_EQ(q.description, "feline");
  EXPECT_EQ(q.title, "Cats") << "a patch leaves other fields alone";

  for (int i = 0; i < 4; ++i) {
    project_fields g;
    g.title = "Dogs " + std::to_string(i);
    make_project(g);
  }
  auto page1 = must(s->read()->list_projects({"", {}, 1, 3}));
  EXPECT_EQ(page1.count, 5);
  ASSERT_EQ(page1.items.size(), 3u);
  EXPECT_EQ(page1.items[0].id, p.id) << "pinned first";
  auto dogs = must(s->read()->list_projects({"DOG", {}, 1, 30}));
  EXPECT_EQ(dogs.count, 4);
  auto byid = must(s->read()->list_projects({"", {p.id}, 1, 30}));
  EXPECT_EQ(byid.count, 1);

  must(s->run([&](write_context& w) { return w.delete_project(p.id); }));
  EXPECT_EQ(s->read()->get_project(p.id).error().code(), errc::not_found);
  EXPECT_EQ(must(s->read()->list_projects({})).count, 4);
}

TEST_F(StoreEntities, TasksCrudAndCounters) {
  auto p = make_project();
  auto t1 = make_task(p.id, R"({"text":"one","n":1})");
  auto t2 = make_task(p.id, R"({"text":"two"})");
  EXPECT_EQ(t1.inner_id, 1);
  EXPECT_EQ(t2.inner_id, 2);
  EXPECT_EQ(t1.data, R"({"text":"one","n":1})") << "data is kept byte for byte";
  EXPECT_EQ(reload(p.id).task_number, 2);
  expect_counters_consistent(dir.db());

  auto bad = s->run<task>([&](write_context& w) { return w.create_task({p.id, "[1,2]"}); });
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), errc::invalid_argument);
  EXPECT_NE(bad.error().message().find("JSON object"), std::string::npos);
  auto nop = s->run<task>([&](write_context& w) { return w.create_task({9999, "{}"}); });
  EXPECT_EQ(nop.error().code(), errc::not_found);

  auto sum = must(s->read()->get_project_summary(p.id));
  EXPECT_EQ(sum.all_data_columns.at("text"), 2);
  EXPECT_EQ(sum.all_data_columns.at("n"), 1);
  EXPECT_EQ(sum.common_data_columns, std::vector<std::string>{"text"});

  task_patch tp;
  tp.data = R"({"text":"uno","lang":"it"})";
  tp.meta = R"({"source":"x"})";
  auto u = write<task>(*s, [&](write_context& w) { return w.update_task(t1.id, tp); });
  EXPECT_EQ(u.meta, R"({"source":"x"})");
  EXPECT_GE(u.updated_at, t1.updated_at);
  sum = must(s->read()->get_project_summary(p.id));
  EXPECT_EQ(sum.all_data_columns.count("n"), 0u);
  EXPECT_EQ(sum.all_data_columns.at("lang"), 1);

  auto listed = must(s->read()->list_project_tasks(p.id, 0, 10));
  EXPECT_EQ(ids_of(listed), (std::vector<std::int64_t>{t1.id, t2.id}));
  EXPECT_EQ(ids_of(must(s->read()->list_project_tasks_after(p.id, t1.inner_id, 10))),
            std::vector<std::int64_t>{t2.id});
  EXPECT_EQ(ids_of(must(s->read()->get_tasks(std::vector<std::int64_t>{t2.id, 777, t1.id}))),
            (std::vector<std::int64_t>{t2.id, t1.id}));

  must(s->run([&](write_context& w) { return w.delete_task(t1.id); }));
  EXPECT_EQ(s->read()->get_task(t1.id).error().code(), errc::not_found);
  EXPECT_EQ(reload(p.id).task_number, 1);
  auto t3 = make_task(p.id, R"({"text":"three"})");
  EXPECT_EQ(t3.inner_id, 3);
  must(s->run([&](write_context& w) { return w.delete_task(t2.id); }));
  must(s->run([&](write_context& w) { return w.delete_task(t3.id); }));
  EXPECT_TRUE(must(s->read()->get_project_summary(p.id)).all_data_columns.empty())
      << "the summary resets when the project has no tasks";
}

TEST_F(StoreEntities, AnnotationsMoveEveryCounter) {
  auto alice = make_user("alice@x.io");
  auto bob = make_user("bob@x.io");
  auto p = make_project();
  auto t = make_task(p.id, R"({"text":"hello"})");

  auto a1 = annotate(t.id, alice.id, choice("Positive"));
  EXPECT_EQ(a1.project_id, p.id);
  EXPECT_EQ(a1.unique_id.size(), 36u);
  EXPECT_EQ(a1.result_count, 1);
  auto tt = reload_task(t.id);
  EXPECT_EQ(tt.total_annotations, 1);
  EXPECT_TRUE(tt.is_labeled);
  EXPECT_EQ(tt.completed_at, a1.created_at);
  EXPECT_EQ(*tt.updated_by, alice.id);
  auto pp = reload(p.id);
  EXPECT_EQ(pp.total_annotations_number, 1);
  EXPECT_EQ(pp.num_tasks_with_annotations, 1);
  EXPECT_EQ(pp.finished_task_number, 1);
  EXPECT_EQ(pp.useful_annotation_number, 1);
  expect_counters_consistent(dir.db());

  auto a2 = annotate(t.id, bob.id, "[]", true);
  tt = reload_task(t.id);
  EXPECT_EQ(tt.cancelled_annotations, 1);
  EXPECT_EQ(reload(p.id).skipped_annotations_number, 1);
  auto a3 = annotate(t.id, std::nullopt, choice("Negative"), false, true);
  pp = reload(p.id);
  EXPECT_EQ(pp.ground_truth_number, 1);
  EXPECT_EQ(pp.total_annotations_number, 2);
  EXPECT_TRUE(reload_task(t.id).ground_truth);
  expect_counters_consistent(dir.db());

  auto sum = must(s->read()->get_project_summary(p.id));
  EXPECT_EQ(sum.created_annotations.at("sentiment|text|choices"), 2);
  EXPECT_EQ(sum.created_labels.at("sentiment").at("Positive"), 1);
  EXPECT_EQ(sum.created_labels.at("sentiment").at("Negative"), 1);

  // Update: result and flags move the summary and counters.
  annotation_patch ap;
  ap.result = choice("Negative");
  ap.was_cancelled = true;
  ap.lead_time = std::optional<double>(12.5);
  auto u = write<annotation>(*s, [&](write_context& w) { return w.update_annotation(a1.id, ap); });
  EXPECT_TRUE(u.was_cancelled);
  EXPECT_EQ(*u.lead_time, 12.5);
  sum = must(s->read()->get_project_summary(p.id));
  EXPECT_EQ(sum.created_labels.at("sentiment").count("Positive"), 0u);
  EXPECT_EQ(sum.created_labels.at("sentiment").at("Negative"), 2);
  EXPECT_EQ(reload(p.id).skipped_annotations_number, 2);
  EXPECT_DOUBLE_EQ(*reload_task(t.id).avg_lead_time, 12.5);
  expect_counters_consistent(dir.db());

  // Bad input is refused without a trace.
  auto bad = s->run<annotation>([&](write_context& w) {
    new_annotation a;
    a.task_id = t.id;
    a.result = R"({"not":"a list"})";
    return w.create_annotation(a);
  });
  EXPECT_EQ(bad.error().code(), errc::invalid_argument);
  auto dupe = s->run<annotation>([&](write_context& w) {
    new_annotation a;
    a.task_id = t.id;
    a.unique_id = a2.unique_id;
    return w.create_annotation(a);
  });
  EXPECT_EQ(dupe.error().code(), errc::already_exists);
  auto ghost = s->run<annotation>([&](write_context& w) {
    new_annotation a;
    a.task_id = t.id;
    a.completed_by = 4242;
    return w.create_annotation(a);
  });
  EXPECT_EQ(ghost.error().code(), errc::invalid_argument);
  EXPECT_EQ(must(s->read()->list_annotations(std::vector<std::int64_t>{t.id})).size(), 3u);

  must(s->run([&](write_context& w) { return w.delete_annotation(a3.id); }));
  EXPECT_FALSE(reload_task(t.id).ground_truth);
  EXPECT_EQ(reload(p.id).ground_truth_number, 0);
  expect_counters_consistent(dir.db());

  // Deleting a user keeps their annotations, unowned.
  must(s->run([&](write_context& w) { return w.delete_user(bob.id); }));
  EXPECT_FALSE(must(s->read()->get_annotation(a2.id)).completed_by.has_value());
}

TEST_F(StoreEntities, SummaryCountsEveryResultShapeAndBulkDeletesUndoIt) {
  auto p = make_project();
  auto t = make_task(p.id, R"({"image":"x.jpg"})");
  const char* result = R"([
    {"id":"a","from_name":"box","to_name":"img","type":"rectanglelabels","value":{"x":1,"rectanglelabels":["Car","Bus"]}},
    {"id":"a","from_name":"txt","to_name":"img","type":"textarea","value":{"text":["free text"]}},
    {"id":"b","from_name":"tax","to_name":"img","type":"taxonomy","value":{"taxonomy":[["Animal","Cat"],["Plant"]]}},
    {"id":"c","from_name":"vid","to_name":"video","type":"videorectangle","value":{"sequence":[],"labels":["Person"]}},
    {"from_id":"a","to_id":"b","type":"relation","direction":"right"},
    {"id":"d","from_name":"n","to_name":"img","type":"number","value":{"number":2}},
    {"id":"e","from_name":"c","to_name":"img","type":"Choices","value":{"choices":"not a list"}},
    "junk"
  ])";
  annotate(t.id, std::nullopt, result);
  annotate(t.id, std::nullopt, result, true);
  auto sum = must(s->read()->get_project_summary(p.id));
  std::map<std::string, std::int64_t> tuples = {
      {"box|img|rectanglelabels", 2},  {"txt|img|textarea", 2}, {"tax|img|taxonomy", 2},
      {"vid|video|videorectangle", 2}, {"n|img|number", 2},     {"c|img|choices", 2}};
  EXPECT_EQ(sum.created_annotations, tuples);
  EXPECT_EQ(sum.created_labels.at("box"), (std::map<std::string, std::int64_t>{{"Bus", 2}, {"Car", 2}}));
  EXPECT_EQ(sum.created_labels.at("tax"),
            (std::map<std::string, std::int64_t>{{"Animal", 2}, {"Cat", 2}, {"Plant", 2}}));
  EXPECT_EQ(sum.created_labels.at("vid"), (std::map<std::string, std::int64_t>{{"Person", 2}}));
  EXPECT_EQ(sum.created_labels.count("txt"), 0u);
  EXPECT_EQ(sum.created_labels.count("c"), 0u);
  // Written one by one, removed in bulk (a data-manager action): nothing left over.
  task_selection all;
  all.project_id = p.id;
  EXPECT_EQ(write<std::int64_t>(*s, [&](write_context& w) { return w.delete_annotations(all, 10); }), 2);
  sum = must(s->read()->get_project_summary(p.id));
  EXPECT_TRUE(sum.created_annotations.empty());
  EXPECT_TRUE(sum.created_labels.empty());
  EXPECT_EQ(sum.all_data_columns.at("image"), 1);
}

TEST_F(StoreEntities, DraftsAndTheirLabels) {
  auto alice = make_user("alice@x.io");
  auto p = make_project();
  auto t = make_task(p.id, R"({"text":"hi"})");
  auto d = write<draft>(*s, [&](write_context& w) {
    new_draft n;
    n.task_id = t.id;
    n.user_id = alice.id;
    n.result = choice("Maybe");
    n.lead_time = 3.0;
    return w.create_draft(n);
  });
  EXPECT_EQ(d.project_id, p.id);
  EXPECT_EQ(must(s->read()->get_project_summary(p.id)).created_labels_drafts.at("sentiment").at("Maybe"), 1);
  draft_patch dp;
  dp.result = choice("Sure");
  dp.was_postponed = true;
  auto d2 = write<draft>(*s, [&](write_context& w) { return w.update_draft(d.id, dp); });
  EXPECT_TRUE(d2.was_postponed);
  auto labels = must(s->read()->get_project_summary(p.id)).created_labels_drafts.at("sentiment");
  EXPECT_EQ(labels.count("Maybe"), 0u);
  EXPECT_EQ(labels.at("Sure"), 1);
  EXPECT_EQ(must(s->read()->list_drafts(std::vector<std::int64_t>{t.id}, alice.id)).size(), 1u);
  EXPECT_EQ(must(s->read()->list_drafts(std::vector<std::int64_t>{t.id}, alice.id + 1)).size(), 0u);

  // Submitting the draft as an annotation removes it in the same transaction.
  new_annotation a;
  a.task_id = t.id;
  a.completed_by = alice.id;
  a.result = choice("Sure");
  a.draft_id = d.id;
  write<annotation>(*s, [&](write_context& w) { return w.create_annotation(a); });
  EXPECT_EQ(s->read()->get_draft(d.id).error().code(), errc::not_found);
  auto sum = must(s->read()->get_project_summary(p.id));
  EXPECT_TRUE(sum.created_labels_drafts.empty());
  EXPECT_EQ(sum.created_labels.at("sentiment").at("Sure"), 1);
}

TEST_F(StoreEntities, PredictionsAndModelVersions) {
  auto p = make_project();
  auto t1 = make_task(p.id, R"({"text":"a"})");
  auto t2 = make_task(p.id, R"({"text":"b"})");
  std::vector<new_prediction> ps(3);
  ps[0].task_id = t1.id;
  ps[0].score = 0.9;
  ps[0].model_version = "v1";
  ps[0].result = choice("Positive");
  ps[1].task_id = t1.id;
  ps[1].score = 0.5;
  ps[1].model_version = "v2";
  ps[2].task_id = t2.id;
  ps[2].model_version = "v2";
  auto ids = write<std::vector<std::int64_t>>(*s, [&](write_context& w) { return w.create_predictions(ps); });
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(reload_task(t1.id).total_predictions, 2);
  EXPECT_DOUBLE_EQ(*reload_task(t1.id).predictions_score, 0.7);
  EXPECT_FALSE(reload_task(t2.id).predictions_score.has_value());
  EXPECT_EQ(reload(p.id).total_predictions_number, 3);
  auto versions = must(s->read()->model_versions(p.id));
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].model_version, "v2");
  EXPECT_EQ(versions[0].count, 2);
  EXPECT_EQ(must(s->read()->list_predictions({t1.id, std::nullopt, std::nullopt})).size(), 2u);
  EXPECT_EQ(must(s->read()->list_predictions({std::nullopt, p.id, std::string("v2")})).size(), 2u);

  // A batch with one bad item writes nothing.
  std::vector<new_prediction> mixed(2);
  mixed[0].task_id = t2.id;
  mixed[1].task_id = 999999;
  auto r = s->run<std::vector<std::int64_t>>([&](write_context& w) { return w.create_predictions(mixed); });
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("prediction 1"), std::string::npos) << r.error().message();
  EXPECT_EQ(reload(p.id).total_predictions_number, 3);

  prediction_patch pp;
  pp.score = std::optional<double>(0.1);
  write<prediction>(*s, [&](write_context& w) { return w.update_prediction(ids[0], pp); });
  EXPECT_DOUBLE_EQ(*reload_task(t1.id).predictions_score, 0.3);
  must(s->run([&](write_context& w) { return w.delete_prediction(ids[1]); }));
  EXPECT_EQ(reload_task(t1.id).total_predictions, 1);
  EXPECT_EQ(reload(p.id).total_predictions_number, 2);
}

TEST_F(StoreEntities, FileUploadsViewsAndLocks) {
  auto u = make_user("u@x.io");
  auto p = make_project();
  auto f = write<file_upload>(*s, [&](write_context& w) {
    return w.create_file_upload(
        {p.id, u.id, std::to_string(p.id) + "/0a1b2c3d-cat.jpg", "cat.jpg", 1234, "image/jpeg"});
  });
  EXPECT_EQ(f.original_name, "cat.jpg");
  auto t = write<task>(*s, [&](write_context& w) {
    new_task n{p.id, R"({"image":"/data/upload/1/0a1b2c3d-cat.jpg"})"};
    n.file_upload_id = f.id;
    return w.create_task(n);
  });
  EXPECT_EQ(*t.file_upload_id, f.id);
  EXPECT_EQ(must(s->read()->list_file_uploads(p.id)).size(), 1u);
  must(s->run([&](write_context& w) { return w.delete_file_upload(f.id); }));
  EXPECT_FALSE(reload_task(t.id).file_upload_id.has_value());

  auto v1 = write<view>(*s, [&](write_context& w) {
    return w.create_view({p.id, u.id, R"({"title":"Default"})"});
  });
  auto v2 = write<view>(*s, [&](write_context& w) {
    return w.create_view({p.id, u.id, R"({"title":"Mine"})"});
  });
  EXPECT_EQ(v1.order, 0);
  EXPECT_EQ(v2.order, 1);
  must(s->run([&](write_context& w) {
    return w.reorder_views(p.id, std::vector<std::int64_t>{v2.id, v1.id});
  }));
  auto views = must(s->read()->list_views(p.id));
  ASSERT_EQ(views.size(), 2u);
  EXPECT_EQ(views[0].id, v2.id);
  view_patch vp;
  vp.data = R"({"title":"Renamed","filters":{"conjunction":"and","items":[]}})";
  EXPECT_EQ(write<view>(*s, [&](write_context& w) { return w.update_view(v1.id, vp); }).data, *vp.data);
  auto bad = s->run<view>([&](write_context& w) { return w.create_view({p.id, u.id, "[]"}); });
  EXPECT_EQ(bad.error().code(), errc::invalid_argument);
  must(s->run([&](write_context& w) { return w.delete_view(v1.id); }));
  must(s->run([&](write_context& w) { return w.delete_project_views(p.id); }));
  EXPECT_TRUE(must(s->read()->list_views(p.id)).empty());

  auto expires = now() + std::chrono::minutes(5);
  write<task_lock>(*s, [&](write_context& w) { return w.lock_task(t.id, u.id, expires); });
  EXPECT_EQ(must(s->read()->task_locks(t.id, now())).size(), 1u);
  EXPECT_TRUE(must(s->read()->task_locks(t.id, expires + std::chrono::seconds(1))).empty());
  must(s->run([&](write_context& w) { return w.unlock_task(t.id, u.id); }));
  EXPECT_TRUE(must(s->read()->task_locks(t.id, now())).empty());
}

TEST_F(StoreEntities, DeletedProjectIsPurgedInTheBackground) {
  store_options o;
  o.purge_batch = 3;  // several background units
  o.data_index_min_tasks = 1;
  s.reset();
  s = open_at(dir.db(), o);
  auto p = make_project();
  auto keep = make_project();
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(make_task(p.id, R"({"i":)" + std::to_string(i) + "}").id);
  annotate(ids[0], std::nullopt, choice("A"));
  make_task(keep.id, R"({"i":0})");
  write<view>(*s, [&](write_context& w) { return w.create_view({p.id, std::nullopt, "{}"}); });
  must(s->run([&](write_context& w) { return w.request_data_index(p.id, "i"); }));
  s->drain();
  EXPECT_EQ(must(s->read()->indexed_data_keys(p.id)).size(), 1u);
  must(s->run([&](write_context& w) { return w.delete_project(p.id); }));
  EXPECT_EQ(s->read()->get_task(ids[3]).error().code(), errc::not_found) << "invisible at once";
  s->drain();
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM projects WHERE id = " + std::to_string(p.id)), 0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM project_configs WHERE project_id = " + std::to_string(p.id)), 0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM project_configs WHERE project_id = " + std::to_string(keep.id)), 1);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM tasks WHERE project_id = " + std::to_string(p.id)), 0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM annotations"), 0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM views"), 0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM sqlite_schema WHERE name LIKE 'tasks_data_" +
                     std::to_string(p.id) + "_%'"),
            0)
      << "its data indexes are dropped";
  EXPECT_EQ(reload(keep.id).task_number, 1);
}

// The data manager's bulk writes keep every counter (checked in TearDown): annotations made from
// predictions, and duplicated tasks merged into their first annotated one.
TEST_F(StoreEntities, PredictionsToAnnotationsAndMergedDuplicatesKeepTheCounters) {
  auto p = make_project();
  auto who = make_user("a@x.io");
  auto t1 = make_task(p.id, R"({"text":"same"})"), t2 = make_task(p.id, R"({"text":"same"})"),
       t3 = make_task(p.id, R"({"text":"same"})"), t4 = make_task(p.id, R"({"text":"other"})");
  for (auto [tid, version] : {std::pair{t1.id, "m1"}, {t4.id, "m2"}})
    write<prediction>(*s, [&](write_context& w) {
      new_prediction np;
      np.task_id = tid;
      np.result = choice("A");
      np.model_version = version;
      return w.create_prediction(np);
    });
  task_selection all{.project_id = p.id};
  auto made = write<std::int64_t>(*s, [&](write_context& w) {
    return w.annotate_from_predictions(all, 1, who.id, std::vector<std::string>{"m1"});
  });
  EXPECT_EQ(made, 1);
  EXPECT_EQ(reload_task(t1.id).total_annotations, 1);
  EXPECT_EQ(
      write<std::int64_t>(
          *s, [&](write_context& w) { return w.annotate_from_predictions(all, 10, who.id, std::nullopt); }),
      1)
      << "only m2's is left";
  annotate(t3.id, who.id, "[]", /*cancelled=*/true);
  std::vector<std::vector<std::int64_t>> groups = {{t2.id, t1.id, t3.id}, {t4.id}};
  auto merged =
      write<duplicates_removed>(*s, [&](write_context& w) { return w.merge_duplicate_tasks(p.id, groups); });
  EXPECT_EQ(merged.tasks_deleted, 2);
  EXPECT_EQ(merged.annotations_moved, 1);
  EXPECT_EQ(reload_task(t1.id).total_annotations, 1);
  EXPECT_EQ(reload_task(t1.id).cancelled_annotations, 1);
  EXPECT_EQ(reload(p.id).task_number, 2);
}

// A data-manager read asks for an index only on a key the project's tasks hold, and on at most
// A config data key's index is decided on with the project's first tasks: built over short values
// (references: URLs, labels, numbers), not built over long ones (documents), which it would hold again
// beside the tasks' data. Either way the first import's batch decides it, queries on a declined key do
// not ask for it again, and both kinds of key filter the same.
TEST_F(StoreEntities, DataKeysAreIndexedForShortValuesOnly) {
  index_data_keys_from(1);
  project_fields f;
  f.data_keys = std::vector<std::string>{"text", "source"};
  auto p = write<project>(*s, [&](write_context& w) { return w.create_project({f, std::nullopt}); });
  s->drain();
  EXPECT_TRUE(must(s->read()->indexed_data_keys(p.id)).empty()) << "no tasks to decide on yet";
  std::vector<import_task> tasks;
  for (int i = 0; i < 50; ++i) {
    import_task t;
    const std::string doc(300 + i, char('a' + i % 26));
    t.data = nlohmann::json{{"text", doc}, {"source", "feed " + std::to_string(i % 3)}}.dump();
    tasks.push_back(std::move(t));
  }
  auto imp = write<import_record>(*s, [&](write_context& w) { return w.begin_import({p.id}); });
  write<staged_batch>(*s, [&](write_context& w) { return w.stage_tasks(imp.id, tasks); });
  write<import_record>(*s, [&](write_context& w) { return w.publish_import(imp.id, {}); });
  s->drain();
  EXPECT_EQ(must(s->read()->indexed_data_keys(p.id)), std::vector<std::string>{"source"});
  auto filter_on = [&](const std::string& key, const std::string& value) {
    auto q = must(parse_dm_query(p.id, R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:data.)" +
                                           key + R"(","operator":"equal","type":"String","value":")" + value +
                                           R"("}]}})"));
    return must(s->read()->query_tasks(q)).total;
  };
  EXPECT_EQ(filter_on("text", std::string(301, 'b')), 1);
  EXPECT_EQ(filter_on("source", "feed 1"), 17);
  s->drain();
  EXPECT_EQ(must(s->read()->indexed_data_keys(p.id)), std::vector<std::string>{"source"}) << "asked again";
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%$.\"text\"%'"), 0);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%$.\"source\"%'"), 1);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM data_indexes WHERE project_id = " + std::to_string(p.id) +
                     " AND key = 'text' AND built = 0"),
            1);

  // A process that stopped between the first tasks and the unit deciding leaves a key pending: the
  // next open decides it.
  const std::string name = r.rows("SELECT name FROM data_indexes WHERE key = 'source'").at(0).at(0);
  s.reset();
  r.rows("DROP INDEX \"" + name + "\"");
  r.rows("UPDATE data_indexes SET built = NULL, final = 0 WHERE key = 'source'");
  index_data_keys_from(1);
  s->drain();
  EXPECT_EQ(must(s->read()->indexed_data_keys(p.id)), std::vector<std::string>{"source"});
  EXPECT_EQ(r.scalar("SELECT count(*) FROM sqlite_master WHERE name = '" + name + "'"), 1);
}

// Imports n tasks {"<key>": <bytes letters><i>} into a project (staged, then published: as an import).
void import_values(store& s, std::int64_t pid, const std::string& key, int n, std::size_t bytes) {
  std::vector<import_task> tasks;
  for (int i = 0; i < n; ++i) {
    import_task t;
    t.data = nlohmann::json{{key, std::string(bytes, char('a' + i % 26)) + std::to_string(i)}}.dump();
    tasks.push_back(std::move(t));
  }
  auto imp = write<import_record>(s, [&](write_context& w) { return w.begin_import({pid}); });
  write<staged_batch>(s, [&](write_context& w) { return w.stage_tasks(imp.id, tasks); });
  write<import_record>(s, [&](write_context& w) { return w.publish_import(imp.id, {}); });
  s.drain();
}

// A data key's index waits until its project has had store_options::data_index_min_tasks tasks (5,000
// by default): SQLite parses every index whenever a connection opens, so an index per key of every
// small project slowed each command as projects came, while a small project's scan is cheap. Until
// then filters scan and a read on the key queues no write; then a full sample decides, for good.
TEST_F(StoreEntities, ADataKeyIndexWaitsForItsProjectsMinimumOfTasks) {
  project_fields f;
  f.data_keys = std::vector<std::string>{"text"};
  auto p = make_project(f);
  raw_db r(dir.db());
  const std::string pid = std::to_string(p.id);
  auto indexes_on_text = [&] {
    return r.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%$.\"text\"%'");
  };
  auto decision = [&] {
    auto rows = r.rows("SELECT coalesce(built, 'waits'), sampled, final FROM data_indexes WHERE project_id = " +
                       pid + " AND key = 'text'");
    return rows.at(0).at(0) + "/" + rows.at(0).at(1) + "/" + rows.at(0).at(2);
  };
  auto q = must(parse_dm_query(p.id, R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:data.text",)"
                                     R"("operator":"equal","type":"String","value":"hello"}]}})"));
  make_task(p.id, R"({"text":"hello"})");
  s->drain();
  EXPECT_TRUE(must(s->read()->indexed_data_keys(p.id)).empty());
  EXPECT_EQ(decision(), "waits/0/0");
  import_values(*s, p.id, "text", 4998, 4);
  EXPECT_EQ(indexes_on_text(), 0) << "4,999 tasks";
  EXPECT_EQ(decision(), "waits/0/0");
  const auto units = s->stats().units;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(must(s->read()->query_tasks(q)).total, 1) << "by a scan";
  s->drain();
  EXPECT_EQ(s->stats().units, units) << "a read on a waiting key queued writes";
  import_values(*s, p.id, "text", 1, 4);  // the 5,000th task
  EXPECT_EQ(must(s->read()->indexed_data_keys(p.id)), std::vector<std::string>{"text"});
  EXPECT_EQ(indexes_on_text(), 1);
  EXPECT_EQ(decision(), "1/256/1");
  EXPECT_EQ(must(s->read()->query_tasks(q)).total, 1) << "through the index";
  import_values(*s, p.id, "text", 300, 2000);  // documents after the decision: it stays
  EXPECT_EQ(indexes_on_text(), 1);
  EXPECT_EQ(decision(), "1/256/1");
}

// Decisions taken by the earlier rule (an index from the project's first task; migration 0011 leaves
// them not final) are taken again at the next open: a small project's index is dropped and its key
// waits; a large project's index stays, now final; one over documents is dropped.
TEST_F(StoreEntities, IndexesOfTheEarlierRuleAreDecidedAgainAtOpen) {
  index_data_keys_from(1);
  project_fields f;
  f.data_keys = std::vector<std::string>{"v"};
  auto small = make_project(f), large = make_project(f), docs = make_project(f);
  make_task(small.id, R"({"v":"a"})");
  import_values(*s, large.id, "v", 300, 4);
  make_task(docs.id, R"({"v":"short first"})");
  s->drain();
  import_values(*s, docs.id, "v", 299, 1000);
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'tasks_data_%'"), 3);
  r.rows("UPDATE data_indexes SET final = 0");  // as migration 0011 leaves the earlier rule's rows
  index_data_keys_from(200);
  s->drain();
  EXPECT_TRUE(must(s->read()->indexed_data_keys(small.id)).empty());
  EXPECT_EQ(must(s->read()->indexed_data_keys(large.id)), std::vector<std::string>{"v"});
  EXPECT_TRUE(must(s->read()->indexed_data_keys(docs.id)).empty());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'tasks_data_%'"), 1);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM data_indexes WHERE built IS NULL AND final = 0 AND project_id = " +
                     std::to_string(small.id)),
            1);
  EXPECT_EQ(r.scalar("SELECT count(*) FROM data_indexes WHERE final = 1"), 2);
}

// A project's first task, written while the decision asked for at the project's creation is queued or
// running (and so decides on no tasks), asks for it once more instead of being dropped as a duplicate:
// the key is not left pending. A race, so it is tried on many projects.
TEST_F(StoreEntities, AnIndexAskedForWhileItsDecisionIsUnderWayIsDecidedAgain) {
  index_data_keys_from(1);
  project_fields f;
  f.data_keys = std::vector<std::string>{"image"};
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 60; ++i) {
    auto p = write<project>(*s, [&](write_context& w) { return w.create_project({f, std::nullopt}); });
    make_task(p.id, R"({"image":"https://example.com/a.jpg"})");
    ids.push_back(p.id);
  }
  s->drain();
  raw_db r(dir.db());
  EXPECT_EQ(r.scalar("SELECT count(*) FROM data_indexes WHERE built IS NULL"), 0) << "left pending";
  for (auto id : ids) EXPECT_EQ(must(s->read()->indexed_data_keys(id)), std::vector<std::string>{"image"}) << id;
}

// kMaxQueryDataIndexes (32) keys per project: a filter names any key it likes, and every index is lasting
// work on each later write.
TEST_F(StoreEntities, QueriesIndexOnlyKnownDataKeysAndBoundedlyMany) {
  index_data_keys_from(1);
  auto p = make_project();
  std::string data = "{";
  for (int k = 0; k < 40; ++k) data += (k ? ",\"k" : "\"k") + std::to_string(k) + "\":" + std::to_string(k);
  make_task(p.id, data + "}");
  auto filter_on = [&](const std::string& key) {
    auto q = must(
        parse_dm_query(p.id, R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:data.)" +
                                 key + R"(","operator":"equal","type":"Number","value":1}]}})"));
    must(s->read()->query_tasks(q));
  };
  filter_on("nope");
  s->drain();
  EXPECT_TRUE(must(s->read()->indexed_data_keys(p.id)).empty()) << "a key no task holds";
  for (int k = 0; k < 40; ++k) {
    filter_on("k" + std::to_string(k));
    s->drain();
  }
  EXPECT_EQ(must(s->read()->indexed_data_keys(p.id)).size(), 32u);
}

// A purged project's id is never given again, even when it was the largest: stored exports and uploads are
// kept under project ids, and Label Studio's ids are never reused.
TEST_F(StoreEntities, APurgedProjectsIdIsNotReused) {
  auto first = make_project();
  auto last = make_project();
  must(s->run([&](write_context& w) { return w.delete_project(last.id); }));
  s->drain();
  raw_db r(dir.db());
  ASSERT_EQ(r.scalar("SELECT count(*) FROM projects WHERE id = " + std::to_string(last.id)), 0) << "purged";
  auto next = make_project();
  EXPECT_EQ(next.id, last.id + 1);
  must(s->run([&](write_context& w) { return w.delete_project(first.id); }));
  s->drain();
  EXPECT_EQ(make_project().id, next.id + 1) << "a purged smaller id leaves the floor where it is";
}

// Nor are task or annotation ids: deleting the newest task (and with it its annotation) and adding new ones
// gives ids above theirs, through the API's writes and an import alike.
TEST_F(StoreEntities, DeletedTaskAndAnnotationIdsAreNotReused) {
  auto p = make_project();
  auto keep = make_task(p.id, R"({"i":0})");
  auto last = make_task(p.id, R"({"i":1})");
  auto a = annotate(last.id, std::nullopt, choice("A"));
  must(s->run([&](write_context& w) { return w.delete_task(last.id); }));
  auto next = make_task(p.id, R"({"i":2})");
  EXPECT_EQ(next.id, last.id + 1);
  auto b = annotate(next.id, std::nullopt, choice("A"));
  EXPECT_EQ(b.id, a.id + 1) << "the annotation went with its task; its id stays taken";
  must(s->run([&](write_context& w) { return w.delete_annotation(b.id); }));
  auto imp = write<import_record>(*s, [&](write_context& w) { return w.begin_import({p.id}); });
  std::vector<import_task> three(3);
  for (auto& t : three) t.data = R"({"i":3})";
  auto staged = write<staged_batch>(*s, [&](write_context& w) { return w.stage_tasks(imp.id, three); });
  ASSERT_EQ(staged.task_ids.size(), 3u);
  EXPECT_EQ(staged.task_ids[0], next.id + 1);
  EXPECT_EQ(staged.task_ids[2], next.id + 3) << "an import's ids stay one run";
  EXPECT_EQ(annotate(keep.id, std::nullopt, choice("A")).id, b.id + 1);
}

// Nor are the ids of uploads, tabs and imports: a retried DELETE of the newest upload must not take
// the next one made.
TEST_F(StoreEntities, DeletedUploadViewAndImportIdsAreNotReused) {
  auto p = make_project();
  auto upload = [&] {
    return write<file_upload>(*s, [&](write_context& w) {
      return w.create_file_upload({.project_id = p.id, .file = std::to_string(p.id) + "/x.json", .size = 1});
    });
  };
  auto first = upload();
  must(s->run([&](write_context& w) { return w.delete_file_upload(first.id); }));
  EXPECT_EQ(upload().id, first.id + 1);
  auto tab = [&] {
    return write<view>(*s, [&](write_context& w) { return w.create_view({.project_id = p.id}); });
  };
  auto t1 = tab();
  must(s->run([&](write_context& w) { return w.delete_view(t1.id); }));
  EXPECT_EQ(tab().id, t1.id + 1);
  auto imp = write<import_record>(*s, [&](write_context& w) { return w.begin_import({p.id}); });
  must(s->run([&](write_context& w) { return w.delete_project(p.id); }));
  s->drain();
  auto q = make_project();
  EXPECT_EQ(write<import_record>(*s, [&](write_context& w) { return w.begin_import({q.id}); }).id, imp.id + 1)
      << "the purged project's import keeps its id taken";
}

// Nor are users' ids: a retried DELETE /api/users/{id}, or a script's completed_by, must not name the
// next user made after the newest one was deleted.
TEST_F(StoreEntities, ADeletedUsersIdIsNotReused) {
  auto first = write<user>(*s, [](write_context& w) { return w.create_user({"first@example.com"}); });
  auto last = write<user>(*s, [](write_context& w) { return w.create_user({"last@example.com"}); });
  must(s->run([&](write_context& w) { return w.delete_user(last.id); }));
  auto next = write<user>(*s, [](write_context& w) { return w.create_user({"next@example.com"}); });
  EXPECT_EQ(next.id, last.id + 1);
  must(s->run([&](write_context& w) { return w.delete_user(first.id); }));
  EXPECT_EQ(write<user>(*s, [](write_context& w) { return w.create_user({"after@example.com"}); }).id, next.id + 1)
      << "a deleted smaller id leaves the floor where it is";
}

TEST_F(StoreEntities, ChangingMaximumAnnotationsRecountsLabeledTasks) {
  auto p = make_project();
  auto t1 = make_task(p.id, R"({"x":1})");
  auto t2 = make_task(p.id, R"({"x":2})");
  annotate(t1.id, std::nullopt, choice("A"));
  annotate(t1.id, std::nullopt, choice("B"));
  annotate(t2.id, std::nullopt, choice("A"));
  EXPECT_EQ(reload(p.id).finished_task_number, 2);
  project_fields f;
  f.maximum_annotations = 2;
  write<project>(*s, [&](write_context& w) { return w.update_project(p.id, f); });
  EXPECT_EQ(reload(p.id).finished_task_number, 1);
  EXPECT_EQ(reload_task(t2.id).overlap, 2);
  EXPECT_FALSE(reload_task(t2.id).is_labeled);
  expect_counters_consistent(dir.db());
  // Half the tasks get the full overlap with a 50% cohort.
  f.overlap_cohort_percentage = 50;
  write<project>(*s, [&](write_context& w) { return w.update_project(p.id, f); });
  EXPECT_EQ(reload_task(t1.id).overlap + reload_task(t2.id).overlap, 3);
  // With IGNORE_SKIPPED, skipped annotations complete a task.
  project_fields g;
  g.skip_queue = std::string(skip_ignore_skipped);
  g.overlap_cohort_percentage = 100;
  g.maximum_annotations = 1;
  write<project>(*s, [&](write_context& w) { return w.update_project(p.id, g); });
  auto t3 = make_task(p.id, R"({"x":3})");
  annotate(t3.id, std::nullopt, "[]", true);
  EXPECT_TRUE(reload_task(t3.id).is_labeled);
  expect_counters_consistent(dir.db());
}

// num_tasks_with_annotations counts tasks with an annotation that is neither ground truth nor
// cancelled (Label Studio's annotate_num_tasks_with_annotations), through every write that moves it.
TEST_F(StoreEntities, TasksWithAnnotationsLeaveOutGroundTruthAndSkips) {
  auto alice = make_user("alice@x.io");
  auto bob = make_user("bob@x.io");
  auto p = make_project();
  auto t1 = make_task(p.id, R"({"x":1})");
  auto t2 = make_task(p.id, R"({"x":2})");
  auto t3 = make_task(p.id, R"({"x":3})");
  auto gt = annotate(t1.id, alice.id, choice("A"), false, true);
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 0) << "only a ground truth";
  annotate(t2.id, alice.id, "[]", true);
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 0) << "only a skip";
  auto plain = annotate(t1.id, bob.id, choice("B"));
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 1);
  annotation_patch to_gt;
  to_gt.ground_truth = true;
  write<annotation>(*s, [&](write_context& w) { return w.update_annotation(plain.id, to_gt); });
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 1) << "alice's annotation stopped being ground truth";
  must(s->run([&](write_context& w) { return w.delete_annotation(gt.id); }));
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 0) << "t1 keeps only bob's ground truth";
  annotate(t3.id, bob.id, choice("A"));
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 1);
  must(s->run([&](write_context& w) { return w.delete_task(t3.id); }));
  EXPECT_EQ(reload(p.id).num_tasks_with_annotations, 0);
  expect_counters_consistent(dir.db());
}

// overlap_cohort_percentage: int(percentage / 100 * tasks + 0.5) tasks get maximum_annotations
// (Label Studio's _rearrange_overlap_cohort), whether tasks come after the setting or the setting
// changes over existing tasks.
TEST_F(StoreEntities, OverlapCohortRoundsHalfUp) {
  project_fields f;
  f.maximum_annotations = 3;
  f.overlap_cohort_percentage = 50;
  auto p = make_project(f);
  std::vector<std::int64_t> tasks;
  auto full = [&] {
    int n = 0;
    for (auto id : tasks) n += reload_task(id).overlap == 3;
    return n;
  };
  tasks.push_back(make_task(p.id, R"({"x":1})").id);
  EXPECT_EQ(full(), 1) << "50% of 1 task rounds up to 1";
  tasks.push_back(make_task(p.id, R"({"x":2})").id);
  tasks.push_back(make_task(p.id, R"({"x":3})").id);
  EXPECT_EQ(full(), 2) << "50% of 3 tasks is 1.5: 2";
  for (auto [percentage, expected] : {std::pair{40, 1}, {10, 0}, {50, 2}, {84, 3}, {83, 2}}) {
    project_fields g;
    g.overlap_cohort_percentage = percentage;
    write<project>(*s, [&](write_context& w) { return w.update_project(p.id, g); });
    EXPECT_EQ(full(), expected) << percentage << "% of 3 tasks";
  }
  expect_counters_consistent(dir.db());
}

// A changed cohort is drawn as Label Studio's _rearrange_overlap_cohort draws it: tasks already holding
// maximum_annotations finished annotations stay in (past the count if need be), then the tasks with the
// most annotations; a new maximum alone moves only the tasks in the cohort, and a new skip rule none.
TEST_F(StoreEntities, ACohortKeepsTheTasksWhoseLabelingIsUnderWay) {
  project_fields f;
  f.maximum_annotations = 2;
  f.overlap_cohort_percentage = 50;
  auto p = make_project(f);
  std::vector<std::int64_t> t;
  for (int i = 1; i <= 4; ++i) t.push_back(make_task(p.id, R"({"x":)" + std::to_string(i) + "}").id);
  auto overlaps = [&] {
    std::vector<std::int64_t> o;
    for (auto id : t) o.push_back(reload_task(id).overlap);
    return o;
  };
  using v = std::vector<std::int64_t>;
  EXPECT_EQ(overlaps(), (v{2, 1, 2, 1})) << "an import spreads the cohort over the tasks";
  annotate(t[3], std::nullopt, choice("A"));
  annotate(t[3], std::nullopt, choice("B"));
  annotate(t[1], std::nullopt, choice("A"));
  annotate(t[0], std::nullopt, "[]", true);
  annotate(t[0], std::nullopt, choice("A"), false, true);
  auto set = [&](std::function<void(project_fields&)> edit) {
    project_fields g;
    edit(g);
    write<project>(*s, [&](write_context& w) { return w.update_project(p.id, g); });
  };
  set([](project_fields& g) { g.overlap_cohort_percentage = 25; });
  EXPECT_EQ(overlaps(), (v{1, 1, 1, 2})) << "the one task of 25% is the one with two finished annotations";
  EXPECT_EQ(reload(p.id).finished_task_number, 3) << "t1 and t2 now need one annotation, which they have";
  set([](project_fields& g) { g.overlap_cohort_percentage = 50; });
  EXPECT_EQ(overlaps(), (v{2, 1, 1, 2}))
      << "t1's skip and ground truth are two annotations, more than t2's one; neither is finished work";
  set([](project_fields& g) { g.overlap_cohort_percentage = 0; });
  EXPECT_EQ(overlaps(), (v{1, 1, 1, 2})) << "a complete task stays in even past the count";
  set([](project_fields& g) { g.overlap_cohort_percentage = 75; });
  EXPECT_EQ(overlaps(), (v{2, 2, 1, 2}));
  set([](project_fields& g) { g.maximum_annotations = 3; });
  EXPECT_EQ(overlaps(), (v{3, 3, 1, 3})) << "a new maximum moves the cohort, not its members";
  EXPECT_FALSE(reload_task(t[3]).is_labeled);
  set([](project_fields& g) { g.skip_queue = std::string(skip_ignore_skipped); });
  EXPECT_EQ(overlaps(), (v{3, 3, 1, 3})) << "the skip rule changes what counts, not the cohort";
  set([](project_fields& g) { g.maximum_annotations = 1; });
  EXPECT_EQ(overlaps(), (v{1, 1, 1, 1}));
  set([](project_fields& g) { g.maximum_annotations = 2; });
  EXPECT_EQ(overlaps(), (v{2, 2, 1, 2})) << "no cohort left: drawn anew at 75%";
  expect_counters_consistent(dir.db());
}

}  // namespace
}  // namespace annot::host::store
