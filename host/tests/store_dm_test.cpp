// The data manager: every filter operator on Label Studio's filter fixtures
// (../shared/fixtures/ls-import-samples) with the expected task ids, ordering (nulls last, numeric
// strings for Number columns), selectedItems, pages, totals, the query parser's errors, cache
// invalidation by writes, and on-demand data-key indexes.
#include <gtest/gtest.h>

#include "store/query.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;
using ids = std::vector<std::int64_t>;

class StoreDataManager : public ::testing::Test {
 protected:
  void SetUp() override {
    ANNOT_SKIP_WITHOUT_FIXTURES();  // every test here loads Label Studio's filter fixtures
    // Data-key indexes from the first task on (5,000 by default), so that the filters run through
    // them on these small projects as well as by scans (StoreEntities covers the default).
    store_options o;
    o.data_index_min_tasks = 1;
    s = open_at(dir.db(), o);
    ASSERT_TRUE(s);
  }

  // Imports a fixture file as a new project; returns its task ids in file order.
  ids load(const char* file) {
    auto [pid, tids] = import_project(*s, ls_tasks(read_json(fixtures() / file)));
    project_id = pid;
    return tids;
  }

  // The ids a view-style query answers (all pages), checking totals against the pages.
  ids query(const std::string& json, std::int64_t page_size = 100) {
    auto q = parse_dm_query(project_id, json);
    if (!q) {
      ADD_FAILURE() << "parse: " << q.error().message() << " in " << json;
      return {};
    }
    q->page_size = page_size;
    ids out;
    for (std::int64_t page = 1;; ++page) {
      q->page = page;
      auto r = s->read()->query_tasks(*q);
      if (!r) {
        ADD_FAILURE() << "query: " << r.error().message() << " in " << json;
        return {};
      }
      for (const auto& t : r->tasks) out.push_back(t.id);
      last_total = r->total;
      last_annotations = r->total_annotations;
      last_predictions = r->total_predictions;
      if (r->tasks.empty() || std::int64_t(out.size()) >= r->total) break;
    }
    EXPECT_EQ(std::int64_t(out.size()), last_total) << json;
    return out;
  }

  ids filter(const std::string& column, const std::string& op, const std::string& type,
             const std::string& value, const std::string& ordering = "[]") {
    return query(R"({"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:)" + column +
                 R"(","operator":")" + op + R"(","type":")" + type + R"(","value":)" + value +
                 "}]},\"ordering\":" + ordering + "}");
  }

  static ids pick(const ids& all, std::initializer_list<int> one_based) {
    ids out;
    for (int i : one_based) out.push_back(all.at(std::size_t(i - 1)));
    return out;
  }

  temp_dir dir;
  std::unique_ptr<store> s;
  std::int64_t project_id = 0;
  std::int64_t last_total = 0, last_annotations = 0, last_predictions = 0;
};

TEST_F(StoreDataManager, NumberOperatorsOnIntTasks) {
  auto t = load("int_tasks.json");  // int_field: 1, 20, 30, 4, "50", missing
  ASSERT_EQ(t.size(), 6u);
  const std::string by_field = R"(["tasks:data.int_field"])";
  // Label Studio's own expectations (tests/data_manager/filters/int.tavern.yml, in_list.tavern.yml):
  EXPECT_EQ(filter("data.int_field", "greater", "Number", "5", by_field), pick(t, {2, 3, 5}));
  EXPECT_EQ(last_predictions, 0);
  EXPECT_EQ(filter("data.int_field", "in", "Number", R"({"min":10,"max":40})", by_field), pick(t, {2, 3}));
  EXPECT_EQ(filter("data.int_field", "empty", "Number", R"("true")", by_field), pick(t, {6}));
  EXPECT_EQ(filter("data.int_field", "in_list", "Number", "[20,30]"), pick(t, {2, 3}));
  EXPECT_EQ(filter("data.int_field", "not_in_list", "Number", "[20,30]"), pick(t, {1, 4, 5}));
  EXPECT_EQ(filter("id", "in_list", "Number", "[]"), ids{});
  // The other number operators.
  EXPECT_EQ(filter("data.int_field", "greater_or_equal", "Number", "20"), pick(t, {2, 3, 5}));
  EXPECT_EQ(filter("data.int_field", "less", "Number", "20"), pick(t, {1, 4}));
  EXPECT_EQ(filter("data.int_field", "less_or_equal", "Number", "20"), pick(t, {1, 2, 4}));
  EXPECT_EQ(filter("data.int_field", "equal", "Number", "30"), pick(t, {3}));
  EXPECT_EQ(filter("data.int_field", "equal", "Number", R"("50")"), pick(t, {5}));
  EXPECT_EQ(filter("data.int_field", "not_equal", "Number", "30"), pick(t, {1, 2, 4, 5, 6}));
  EXPECT_EQ(filter("data.int_field", "not_in", "Number", R"({"min":10,"max":40})"), pick(t, {1, 4, 5, 6}));
  EXPECT_EQ(filter("data.int_field", "empty", "Number", "false"), pick(t, {1, 2, 3, 4, 5}));
  EXPECT_EQ(filter("data.int_field", "exists", "Number", "null"), pick(t, {1, 2, 3, 4, 5}));
  EXPECT_EQ(filter("data.int_field", "not_exists", "Number", "null"), pick(t, {6}));
  // annotations_ids (annotation-ids in int.tavern.yml): no annotations at all.
  EXPECT_EQ(filter("annotations_ids", "empty", "String", R"("true")"), t);
  EXPECT_EQ(last_predictions, 1);
  EXPECT_EQ(filter("annotations_ids", "empty", "String", R"("false")"), ids{});
  EXPECT_EQ(filter("annotations_ids", "equal", "String", R"("123wrong")"), ids{});
}

TEST_F(StoreDataManager, StringOperators) {
  auto t = load("int_tasks.json");  // text: "Test example phrase 1", x2, x3, x4, x5, x6
  EXPECT_EQ(filter("data.text", "contains", "String", R"("PHRASE")"), pick(t, {1}));
  EXPECT_EQ(filter("data.text", "not_contains", "String", R"("phrase")"), pick(t, {2, 3, 4, 5, 6}));
  EXPECT_EQ(filter("data.text", "starts_with", "String", R"("x")"), pick(t, {2, 3, 4, 5, 6}));
  EXPECT_EQ(filter("data.text", "ends_with", "String", R"("5")"), pick(t, {5}));
  EXPECT_EQ(filter("data.text", "equal", "String", R"("x3")"), pick(t, {3}));
  EXPECT_EQ(filter("data.text", "not_equal", "String", R"("x3")"), pick(t, {1, 2, 4, 5, 6}));
  EXPECT_EQ(filter("data.text", "regex", "String", R"("^x[2-4]$")"), pick(t, {2, 3, 4}));
  EXPECT_EQ(filter("data.text", "regex", "String", R"("*")"), ids{}) << "an invalid pattern matches nothing";
  EXPECT_EQ(filter("data.text", "in_list", "String", R"(["x2","x6"])"), pick(t, {2, 6}));
  EXPECT_EQ(filter("data.text", "greater", "String", R"("x4")"), pick(t, {5, 6}));
  EXPECT_EQ(filter("data.text", "less", "String", R"("x3")"), pick(t, {1, 2}));
}

TEST_F(StoreDataManager, EmptyAndExistsOnStrTasks) {
  auto t = load("str_tasks.json");  // text: "x1", "", null, (missing; other: "o1")
  // str.tavern.yml: empty = "", null and missing.
  EXPECT_EQ(filter("data.text", "empty", "String", R"("true")", R"(["tasks:data.text"])"),
            pick(t, {2, 3, 4}));
  EXPECT_EQ(filter("data.text", "empty", "String", "false"), pick(t, {1}));
  EXPECT_EQ(filter("data.text", "regex", "String", R"("o.*")"), ids{});
  EXPECT_EQ(filter("data.text", "exists", "String", "null"), pick(t, {1, 2, 3}));
  EXPECT_EQ(filter("data.other", "equal", "String", R"("o1")"), pick(t, {4}));
}

TEST_F(StoreDataManager, OrderingOnFloatTasks) {
  auto t = load("float_tasks.json");  // a: "456","123","789"; b: 789,123,456; c: 4.56, 12.3, -7.89
  auto ordered = [&](const std::string& o, const std::string& display = "{}") {
    return query(R"({"ordering":[")" + o + R"("],"columnsDisplayType":)" + display + "}");
  };
  // float.tavern.yml (signed-float-ordering)
  EXPECT_EQ(ordered("tasks:data.a", R"({"tasks:data.a":"Number"})"), pick(t, {2, 1, 3}));
  EXPECT_EQ(ordered("tasks:data.b"), pick(t, {2, 3, 1}));
  EXPECT_EQ(ordered("tasks:data.c"), pick(t, {3, 1, 2}));
  EXPECT_EQ(ordered("tasks:-data.c"), pick(t, {2, 1, 3}));
  EXPECT_EQ(ordered("-tasks:data.b"), pick(t, {1, 3, 2}));
  EXPECT_EQ(ordered("tasks:data.e").back(), t[2]) << "null last";
  EXPECT_EQ(ordered("tasks:-data.e").back(), t[2]) << "null last descending too";
  EXPECT_EQ(filter("data.c", "less", "Number", "0"), pick(t, {3}));
  EXPECT_EQ(filter("data.c", "greater", "Number", "0"), pick(t, {1, 2}));
  EXPECT_EQ(filter("data.a", "greater", "Number", "200"), pick(t, {1, 3}));
  EXPECT_EQ(ordered("tasks:-id"), pick(t, {3, 2, 1}));
  EXPECT_EQ(ordered("tasks:inner_id"), pick(t, {1, 2, 3}));
}

TEST_F(StoreDataManager, CountersResultsAndTotalsOnAnnotatedTasks) {
  auto t = load("tasks_annotations_predictions.json");
  ASSERT_EQ(t.size(), 6u);
  // annotations per task: 1, 2, 1, 0, 0, 0; predictions: 1, 1, 0, 0, 0, 1
  EXPECT_EQ(filter("total_annotations", "greater_or_equal", "Number", "1"), pick(t, {1, 2, 3}));
  EXPECT_EQ(last_total, 3);
  EXPECT_EQ(last_annotations, 4);
  EXPECT_EQ(last_predictions, 2);
  EXPECT_EQ(filter("total_annotations", "equal", "Number", "2"), pick(t, {2}));
  EXPECT_EQ(filter("total_annotations", "less", "Number", "1"), pick(t, {4, 5, 6}));
  EXPECT_EQ(filter("total_predictions", "greater", "Number", "0"), pick(t, {1, 2, 6}));
  EXPECT_EQ(filter("cancelled_annotations", "equal", "Number", "0"), t);
  EXPECT_EQ(filter("annotations_results", "contains", "String", R"("class_testing")"), pick(t, {3}));
  EXPECT_EQ(filter("annotations_results", "not_contains", "String", R"("class_A")"), pick(t, {3, 4, 5, 6}));
  EXPECT_EQ(filter("annotations_results", "empty", "String", "true"), pick(t, {4, 5, 6}));
  EXPECT_EQ(filter("predictions_results", "contains", "String", R"("PREDICTIONS_TESTING")"), pick(t, {6}));
  EXPECT_EQ(filter("predictions_model_versions", "equal", "List", R"("model_version_A")"), pick(t, {1, 2}));
  EXPECT_EQ(filter("predictions_model_versions", "contains", "List", R"("undefined")"), pick(t, {6}));
  EXPECT_EQ(filter("predictions_model_versions", "not_equal", "List", R"("model_version_A")"),
            pick(t, {3, 4, 5, 6}));
  EXPECT_EQ(filter("predictions_model_versions", "empty", "List", "true"), pick(t, {3, 4, 5}));
  EXPECT_EQ(filter("completed_at", "empty", "Datetime", "true"), pick(t, {4, 5, 6}));
  EXPECT_EQ(filter("completed_at", "empty", "Datetime", "false"), pick(t, {1, 2, 3}));
  EXPECT_EQ(filter("ground_truth", "equal", "Boolean", "true"), pick(t, {1, 2, 3}))
      << "imported annotations are ground truth";
  EXPECT_EQ(filter("avg_lead_time", "equal", "Number", "4"), pick(t, {2}));
  EXPECT_EQ(filter("avg_lead_time", "greater", "Number", "3.5"), pick(t, {2}));
  EXPECT_EQ(filter("avg_lead_time", "empty", "Number", "true"), pick(t, {3, 4, 5, 6}));
  EXPECT_EQ(filter("predictions_score", "empty", "Number", "true"), t);
  EXPECT_EQ(filter("id", "in", "Number",
                   "{\"min\":" + std::to_string(t[1]) + ",\"max\":" + std::to_string(t[3]) + "}"),
            pick(t, {2, 3, 4}));
  EXPECT_EQ(filter("inner_id", "in_list", "Number", "[1,6]"), pick(t, {1, 6}));
  EXPECT_EQ(filter("created_at", "greater", "Datetime", R"("2000-01-01T00:00:00Z")"), t);
  EXPECT_EQ(filter("created_at", "less", "Datetime", R"("2000-01-01T00:00:00.000Z")"), ids{});
  EXPECT_EQ(filter("draft_exists", "equal", "Boolean", "false"), t);
  EXPECT_EQ(filter("file_upload", "empty", "String", "true"), t);

  // Conjunctions.
  EXPECT_EQ(query(R"({"filters":{"conjunction":"or","items":[
      {"filter":"filter:tasks:total_annotations","operator":"equal","type":"Number","value":2},
      {"filter":"filter:tasks:data.text","operator":"equal","type":"String","value":"zzz"}]}})"),
            pick(t, {2, 4}));
  EXPECT_EQ(query(R"({"filters":{"conjunction":"and","items":[
      {"filter":"filter:tasks:total_annotations","operator":"greater","type":"Number","value":0},
      {"filter":"filter:tasks:total_predictions","operator":"greater","type":"Number","value":0}]}})"),
            pick(t, {1, 2}));

  // Ordering by a counter, descending: ties by id in the same direction.
  EXPECT_EQ(query(R"({"ordering":["tasks:-total_annotations"]})"), pick(t, {2, 3, 1, 6, 5, 4}));
  // Nulls last in both directions.
  EXPECT_EQ(query(R"({"ordering":["tasks:completed_at"]})").back(), t[5]);
  EXPECT_EQ(query(R"({"ordering":["tasks:-completed_at"]})").back(), t[3]);
}

TEST_F(StoreDataManager, SelectedItemsAndPages) {
  auto t = load("tasks_annotations_predictions.json");
  std::string inc =
      "{\"all\":false,\"included\":[" + std::to_string(t[1]) + "," + std::to_string(t[4]) + "]}";
  EXPECT_EQ(query(R"({"selectedItems":)" + inc + "}"), pick(t, {2, 5}));
  std::string exc = "{\"all\":true,\"excluded\":[" + std::to_string(t[0]) + "]}";
  EXPECT_EQ(query(R"({"selectedItems":)" + exc + "}"), pick(t, {2, 3, 4, 5, 6}));
  std::string exc2 = "{\"all\":true,\"excluded\":[" + std::to_string(t[1]) + "]}";
  EXPECT_EQ(
      query(
          R"({"selectedItems":)" + exc2 +
          R"(,"filters":{"conjunction":"and","items":[{"filter":"filter:tasks:total_annotations","operator":"greater_or_equal","type":"Number","value":1}]}})"),
      pick(t, {1, 3}));
  EXPECT_EQ(query(R"({"selectedItems":{"all":true,"excluded":[]}})"), t);

  // Pages of 4 over a filtered, ordered selection, and past the end.
  auto q =
      must(parse_dm_query(project_id, R"({"ordering":["tasks:-id"],"filters":{"conjunction":"and","items":[
      {"filter":"filter:tasks:id","operator":"greater","type":"Number","value":0}]}})"));
  q.page_size = 4;
  auto p1 = must(s->read()->query_tasks(q));
  EXPECT_EQ(ids_of(p1.tasks), pick(t, {6, 5, 4, 3}));
  EXPECT_EQ(p1.total, 6);
  q.page = 2;
  EXPECT_EQ(ids_of(must(s->read()->query_tasks(q)).tasks), pick(t, {2, 1}));
  q.page = 3;
  auto past = must(s->read()->query_tasks(q));
  EXPECT_TRUE(past.tasks.empty());
  EXPECT_EQ(past.total, 6);
  // The whole project by id (served from the index and the project's counters).
  auto all = must(parse_dm_query(project_id, "{}"));
  all.page_size = 4;
  all.page = 2;
  auto w = must(s->read()->query_tasks(all));
  EXPECT_EQ(ids_of(w.tasks), pick(t, {5, 6}));
  EXPECT_EQ(w.total, 6);
  EXPECT_EQ(w.total_annotations, 4);
  EXPECT_EQ(w.total_predictions, 3);
  EXPECT_EQ(must(s->read()->select_task_ids(q)), pick(t, {6, 5, 4, 3, 2, 1}));
  q.page = 0;
  EXPECT_EQ(s->read()->query_tasks(q).error().code(), errc::invalid_argument);
}

TEST_F(StoreDataManager, DeepPagesOfTheWholeProject) {
  store_options o;
  o.offset_scan_limit = 2;  // every page past the first two rows takes the deep paths
  s.reset();
  s = open_at(dir.db(), o);
  auto t = load("tasks_annotations_predictions.json");
  auto page_of = [&](const char* ordering, std::int64_t page) {
    auto q = must(parse_dm_query(project_id, std::string(R"({"ordering":[")") + ordering + "\"]}"));
    q.page = page;
    q.page_size = 2;
    auto r = must(s->read()->query_tasks(q));
    EXPECT_EQ(r.total, std::int64_t(t.size()));
    return ids_of(r.tasks);
  };
  // Dense inner ids: arithmetic boundaries.
  EXPECT_EQ(page_of("tasks:-id", 2), pick(t, {4, 3}));
  EXPECT_EQ(page_of("tasks:id", 3), pick(t, {5, 6}));
  // With a hole (a deleted task), the cached-positions path gives the same answer.
  must(s->run([&](write_context& w) { return w.delete_task(t[2]); }));
  t.erase(t.begin() + 2);
  auto q = must(parse_dm_query(project_id, R"({"ordering":["tasks:-id"]})"));
  q.page_size = 2;
  q.page = 2;
  auto r = must(s->read()->query_tasks(q));
  EXPECT_EQ(r.total, 5);
  EXPECT_EQ(ids_of(r.tasks), (ids{t[2], t[1]}));
  q.page = 3;
  EXPECT_EQ(ids_of(must(s->read()->query_tasks(q)).tasks), (ids{t[0]}));
}

TEST_F(StoreDataManager, CachedPagesFollowWrites) {
  auto t = load("int_tasks.json");
  auto q = must(parse_dm_query(project_id, R"({"filters":{"conjunction":"and","items":[
      {"filter":"filter:tasks:total_annotations","operator":"greater_or_equal","type":"Number","value":1}]}})"));
  EXPECT_EQ(must(s->read()->query_tasks(q)).total, 0);
  auto hits = s->stats().query_cache_hits;
  EXPECT_EQ(must(s->read()->query_tasks(q)).total, 0);
  EXPECT_EQ(s->stats().query_cache_hits, hits + 1) << "the second identical query is served from the cache";
  write<annotation>(*s, [&](write_context& w) {
    new_annotation a;
    a.task_id = t[3];
    return w.create_annotation(a);
  });
  auto after = must(s->read()->query_tasks(q));
  EXPECT_EQ(after.total, 1) << "a write to the project invalidates its cached selections";
  EXPECT_EQ(ids_of(after.tasks), pick(t, {4}));
  // A write to another project leaves this one's cache alone.
  auto other = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  write<task>(*s, [&](write_context& w) { return w.create_task({other.id, "{}"}); });
  hits = s->stats().query_cache_hits;
  EXPECT_EQ(must(s->read()->query_tasks(q)).total, 1);
  EXPECT_EQ(s->stats().query_cache_hits, hits + 1);
  // DM actions over a selection, in chunks.
  auto sel = must(parse_dm_query(project_id, R"({"filters":{"conjunction":"and","items":[
      {"filter":"filter:tasks:data.int_field","operator":"greater","type":"Number","value":5}]}})"));
  std::int64_t deleted = 0;
  for (;;) {
    auto n = write<std::int64_t>(*s, [&](write_context& w) { return w.delete_tasks(sel.selection, 2); });
    if (n == 0) break;
    deleted += n;
  }
  EXPECT_EQ(deleted, 3);
  EXPECT_EQ(must(s->read()->get_project(project_id)).task_number, 3);
  expect_counters_consistent(dir.db());
}

TEST_F(StoreDataManager, DataManagerActionsOnSelections) {
  auto t = load("tasks_annotations_predictions.json");
  task_selection sel;
  sel.project_id = project_id;
  sel.selected = selected_items{false, {t[0], t[1], t[5]}};
  auto anns = write<std::int64_t>(*s, [&](write_context& w) { return w.delete_annotations(sel, 100); });
  EXPECT_EQ(anns, 3);
  EXPECT_EQ(write<std::int64_t>(*s, [&](write_context& w) { return w.delete_annotations(sel, 100); }), 0);
  auto preds = write<std::int64_t>(*s, [&](write_context& w) { return w.delete_predictions(sel, 100); });
  EXPECT_EQ(preds, 3);
  auto p = must(s->read()->get_project(project_id));
  EXPECT_EQ(p.total_annotations_number, 1);
  EXPECT_EQ(p.total_predictions_number, 0);
  auto sum = must(s->read()->get_project_summary(project_id));
  EXPECT_EQ(sum.created_annotations.at("text_class|text|choices"), 1);
  EXPECT_EQ(sum.created_labels.at("text_class").count("class_A"), 0u);
  EXPECT_EQ(write<std::int64_t>(*s, [&](write_context& w) { return w.delete_drafts(sel, 100); }), 0);
  expect_counters_consistent(dir.db());
}

// Label Studio's tests/data_manager/test_ordering_filters.py, rebuilt on the store.
TEST_F(StoreDataManager, LabelStudioOrderingAndFilterScenarios) {
  auto ann1 = write<user>(*s, [](write_context& w) { return w.create_user({"ann1@testheartex.com"}); });
  auto ann2 = write<user>(*s, [](write_context& w) { return w.create_user({"ann2@testheartex.com"}); });
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  project_id = p.id;
  auto since = to_iso8601(now());
  auto f1 = write<file_upload>(*s, [&](write_context& w) {
    return w.create_file_upload({p.id, {}, "x/file_upload1", "file_upload1"});
  });
  auto f2 = write<file_upload>(*s, [&](write_context& w) {
    return w.create_file_upload({p.id, {}, "x/file_upload2", "file_upload2"});
  });
  auto mk = [&](std::string data, std::optional<std::int64_t> f) {
    return write<task>(*s, [&](write_context& w) {
      new_task n{p.id, data};
      n.file_upload_id = f;
      return w.create_task(n);
    });
  };
  auto ann = [&](std::int64_t task, std::string result, bool cancelled, std::optional<std::int64_t> by) {
    write<annotation>(*s, [&](write_context& w) {
      new_annotation a;
      a.task_id = task;
      a.result = result;
      a.was_cancelled = cancelled;
      a.completed_by = by;
      return w.create_annotation(a);
    });
  };
  auto pred = [&](std::int64_t task, std::string result, double score) {
    write<prediction>(*s, [&](write_context& w) {
      new_prediction n;
      n.task_id = task;
      n.result = result;
      n.score = score;
      return w.create_prediction(n);
    });
  };
  auto t1 = mk(R"({"data":"some text1"})", f1.id).id;
  ann(t1, R"([{"from_name":"1_first","to_name":"","value":{}}])", false, ann1.id);
  pred(t1, R"([{"from_name":"1_first","to_name":"","value":{}}])", 1);
  auto t2 = mk(R"({"data":"some text2"})", f2.id).id;
  ann(t2, R"([{"from_name":"2_second","to_name":"","value":{}}])", true, ann1.id);
  ann(t2, R"([{"from_name":"2_second","to_name":"","value":{}}])", true, ann2.id);
  pred(t2, R"([{"from_name":"2_second","to_name":"","value":{}}])", 2);
  pred(t2, R"([{"from_name":"2_second","to_name":"","value":{}}])", 2);
  auto t3 = mk(R"({"data":"some text_"})", std::nullopt).id;
  auto t4 = mk(R"({"data":"some text_"})", std::nullopt).id;

  // test_views_ordering: the first task of the answer.
  std::vector<std::pair<std::string, std::int64_t>> orderings = {
      {"tasks:id", t1},
      {"tasks:-id", t4},
      {"tasks:completed_at", t1},
      {"tasks:-completed_at", t1},
      {"tasks:total_annotations", t2},
      {"tasks:-total_annotations", t1},
      {"tasks:total_predictions", t3},
      {"tasks:-total_predictions", t2},
      {"tasks:cancelled_annotations", t1},
      {"tasks:-cancelled_annotations", t2},
      {"tasks:annotations_results", t1},
      {"tasks:-annotations_results", t2},
      {"tasks:predictions_results", t1},
      {"tasks:-predictions_results", t2},
      {"tasks:predictions_score", t1},
      {"tasks:-predictions_score", t2},
      {"tasks:file_upload", t1},
      {"-tasks:file_upload", t2},
  };
  for (const auto& [o, first] : orderings) {
    auto got = query(R"({"ordering":[")" + o + R"("]})");
    ASSERT_FALSE(got.empty()) << o;
    EXPECT_EQ(got.front(), first) << o;
  }

  // test_views_filters: the whole answer.
  auto idv = [](std::int64_t v) { return std::to_string(v); };
  EXPECT_EQ(filter("id", "equal", "Number", idv(t1)), (ids{t1}));
  EXPECT_EQ(query(R"({"filters":{"conjunction":"or","items":[
      {"filter":"filter:tasks:id","operator":"equal","type":"Number","value":)" +
                  idv(t1) + R"(},
      {"filter":"filter:tasks:id","operator":"equal","type":"Number","value":)" +
                  idv(t2) + "}]}}"),
            (ids{t1, t2}));
  EXPECT_EQ(query(R"({"filters":{"conjunction":"or","items":[
      {"filter":"filter:tasks:id","operator":"not_equal","type":"Number","value":)" +
                  idv(t1) + R"(},
      {"filter":"filter:tasks:id","operator":"greater","type":"Number","value":)" +
                  idv(t3) + "}]}}"),
            (ids{t2, t3, t4}));
  EXPECT_EQ(filter("id", "less", "Number", idv(t3)), (ids{t1, t2}));
  EXPECT_EQ(filter("id", "greater", "Number", idv(t2)), (ids{t3, t4}));
  EXPECT_EQ(filter("id", "less_or_equal", "Number", idv(t3)), (ids{t1, t2, t3}));
  EXPECT_EQ(filter("id", "greater_or_equal", "Number", idv(t2)), (ids{t2, t3, t4}));
  EXPECT_EQ(filter("id", "in", "Number", R"({"min":)" + idv(t2) + R"(,"max":)" + idv(t3) + "}"),
            (ids{t2, t3}));
  EXPECT_EQ(filter("id", "not_in", "Number", R"({"min":)" + idv(t2) + R"(,"max":)" + idv(t3) + "}"),
            (ids{t1, t4}));
  EXPECT_EQ(filter("completed_at", "less", "Datetime", "\"" + since + "\""), ids{});
  EXPECT_EQ(filter("completed_at", "greater", "Datetime", "\"" + since + "\""), (ids{t1}));
  EXPECT_EQ(filter("completed_at", "empty", "Datetime", R"("True")"), (ids{t2, t3, t4}));
  EXPECT_EQ(filter("completed_at", "empty", "Datetime", R"("False")"), (ids{t1}));
  EXPECT_EQ(filter("annotations_results", "contains", "String", R"("first")"), (ids{t1}));
  EXPECT_EQ(filter("data.data", "contains", "String", R"("text1")"), (ids{t1}));
  EXPECT_EQ(query(R"({"filters":{"conjunction":"and","items":[
      {"filter":"filter:tasks:data.data","operator":"contains","type":"String","value":"text"},
      {"filter":"filter:tasks:id","operator":"equal","type":"Number","value":)" +
                  idv(t1) + "}]}}"),
            (ids{t1}));
  EXPECT_EQ(filter("annotations_results", "not_contains", "String", R"("first")"), (ids{t2, t3, t4}));
  EXPECT_EQ(query(R"({"filters":{"conjunction":"and","items":[
      {"filter":"filter:tasks:annotators","operator":"contains","type":"List","value":)" +
                  idv(ann1.id) + R"(},
      {"filter":"filter:tasks:annotators","operator":"contains","type":"List","value":)" +
                  idv(ann2.id) + "}]}}"),
            (ids{t2}));
  EXPECT_EQ(filter("annotators", "contains", "List", idv(ann1.id)), (ids{t1, t2}));
  EXPECT_EQ(filter("annotators", "not_contains", "List", idv(ann2.id)), (ids{t1, t3, t4}));
  EXPECT_EQ(filter("annotators", "empty", "List", "true"), (ids{t3, t4}));
  EXPECT_EQ(filter("updated_by", "contains", "List", idv(ann2.id)), (ids{t2}));
  EXPECT_EQ(filter("file_upload", "contains", "String", R"("upload2")"), (ids{t2}));
  EXPECT_EQ(filter("predictions_score", "greater", "Number", "1.5"), (ids{t2}));
}

TEST_F(StoreDataManager, ParserRefusesBadQueriesNamingTheProblem) {
  auto expect_bad = [&](const std::string& json, const std::string& needle) {
    auto q = parse_dm_query(1, json);
    ASSERT_FALSE(q.ok()) << json;
    EXPECT_EQ(q.error().code(), errc::invalid_argument);
    EXPECT_NE(q.error().message().find(needle), std::string::npos) << q.error().message();
  };
  expect_bad("{oops", "not valid JSON");
  expect_bad(R"({"filters":{"conjunction":"xor","items":[]}})", "conjunction");
  expect_bad(R"({"filters":{"items":[{"filter":"filter:tasks:nope","operator":"equal","value":1}]}})",
             "unknown column \"nope\"");
  expect_bad(R"({"filters":{"items":[{"filter":"tasks:id","operator":"equal","value":1}]}})",
             "filter:tasks:");
  expect_bad(R"({"filters":{"items":[{"filter":"filter:tasks:id","operator":"sort_of","value":1}]}})",
             "unknown operator \"sort_of\"");
  expect_bad(
      R"({"filters":{"items":[{"filter":"filter:tasks:id","operator":"in_list","value":"not a list"}]}})",
      "must be a list");
  expect_bad(
      R"({"filters":{"items":[{"filter":"filter:tasks:total_annotations","operator":"in_list","value":[0,1]}]}})",
      "not supported");
  expect_bad(
      R"({"filters":{"items":[{"filter":"filter:tasks:created_at","operator":"greater","value":"soon"}]}})",
      "ISO 8601");
  expect_bad(R"({"filters":{"items":[{"filter":"filter:tasks:id","operator":"in","value":{"min":1}}]}})",
             "min");
  expect_bad(R"({"ordering":["tasks:whatever"]})", "unknown column");
  expect_bad(R"({"ordering":["tasks:annotators"]})", "cannot be ordered");
  expect_bad(R"({"selectedItems":{"all":"yes"}})", "selectedItems.all");
  expect_bad(R"({"selectedItems":{"all":false,"included":["a"]}})", "task ids");
  expect_bad(R"([1,2])", "JSON object");
  // Well-formed but unsupported by the column: refused at query time.
  auto t = load("int_tasks.json");
  (void)t;
  auto q = must(parse_dm_query(
      project_id,
      R"({"filters":{"items":[{"filter":"filter:tasks:annotators","operator":"regex","value":"x"}]}})"));
  auto r = s->read()->query_tasks(q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), errc::invalid_argument);
  EXPECT_EQ(s->read()->query_tasks(must(parse_dm_query(424242, "{}"))).error().code(), errc::not_found);
}

TEST_F(StoreDataManager, FilteredDataKeysGetAnIndexOnDemand) {
  load("int_tasks.json");
  EXPECT_TRUE(must(s->read()->indexed_data_keys(project_id)).empty());
  EXPECT_EQ(filter("data.text", "equal", "String", R"("x2")").size(), 1u);
  s->drain();
  EXPECT_EQ(must(s->read()->indexed_data_keys(project_id)), std::vector<std::string>{"text"});
  raw_db r(dir.db());
  auto plan = r.rows("EXPLAIN QUERY PLAN SELECT count(*) FROM tasks t WHERE t.project_id = " +
                     std::to_string(project_id) + " AND json_extract(t.data, '$.\"text\"') = 'x2'");
  std::string all;
  for (auto& row : plan) all += row.back() + "\n";
  EXPECT_NE(all.find("tasks_data_" + std::to_string(project_id)), std::string::npos) << all;
  // Keys that cannot appear in SQL text still filter correctly (bound, unindexed).
  auto p2 =
      import_project(*s, ls_tasks(nlohmann::json::parse(R"([{"we'ird\"key":"v1"},{"we'ird\"key":"v2"}])")));
  project_id = p2.first;
  EXPECT_EQ(filter("data.we'ird\\\"key", "equal", "String", R"("v2")"), (ids{p2.second[1]}));
  EXPECT_EQ(query(R"({"ordering":["tasks:-data.we'ird\"key"]})"), (ids{p2.second[1], p2.second[0]}));
}

}  // namespace
}  // namespace annot::host::store
