// The export's host side: the store cursor over the export reader (child rows matched to their
// tasks when projects' task ids interleave, unannotated tasks, unpublished imports, selected ids),
// the serializer's own string escaper and timestamp printer against nlohmann and to_iso8601, and the
// folder sink.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "export/sinks.hpp"
#include "export/store_cursor.hpp"
#include "export_cursor_support.hpp"
#include "export/task_serializer.hpp"
#include "store/time.hpp"
#include "test_host.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace annot::host;
using annot::host::testing::read_all;

using annot::host::testing::export_text_config;

// A draft by `user` and a prediction of `model_version` on `task`: the rows an items export skips.
annot::status add_draft_and_prediction(store::write_context& w, std::int64_t task, std::int64_t user,
                                       const std::string& model_version) {
  store::new_draft d;
  d.task_id = task;
  d.user_id = user;
  if (auto dr = w.create_draft(d); !dr) return dr.error();
  store::new_prediction pr;
  pr.task_id = task;
  pr.model_version = model_version;
  if (auto pd = w.create_prediction(pr); !pd) return pd.error();
  return {};
}

TEST(ExportCursor, ChildRowsFollowTheirTasksWhenProjectsInterleave) {
  annot::host::testing::api_host host;
  host.start();
  auto user = host.make_user("cursor@example.com");
  const std::int64_t p1 = host.make_project(export_text_config), p2 = host.make_project(export_text_config);
  // Tasks of both projects are created alternately, so each project's ids have gaps that the
  // other's annotations, drafts and predictions fill.
  std::map<std::int64_t, int> annotations_of;  // task -> annotations made (p1 only)
  std::vector<std::int64_t> p1_tasks;
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < 25; ++i) {
      for (std::int64_t pid : {p1, p2}) {
        store::new_task n;
        n.project_id = pid;
        n.data = json{{"text", "task " + std::to_string(i) + " of " + std::to_string(pid)}}.dump();
        auto t = w.create_task(n);
        if (!t) return t.error();
        if (pid == p1) p1_tasks.push_back(t->id);
        // Every third task stays without annotations; the others get i % 3 of them.
        const int count = i % 3 == 0 ? 0 : i % 3;
        for (int k = 0; k < count; ++k) {
          store::new_annotation a;
          a.task_id = t->id;
          a.completed_by = user.id;
          a.result = R"([{"from_name":"label","to_name":"text","type":"labels","value":{"start":0,"end":1,"labels":["A"]}}])";
          a.last_action = "line\n\"quoted\"\t\x01";
          auto made_a = w.create_annotation(a);
          if (!made_a) return made_a.error();
          if (pid == p1) ++annotations_of[t->id];
        }
        if (i % 5 == 1)
          if (annot::status st = add_draft_and_prediction(w, t->id, user.id, "v\u00e9"); !st.ok()) return st;
      }
    }
    return 0;
  });
  ASSERT_TRUE(made) << made.error().message();

  for (std::int64_t batch : {1, 4, 7, 1000}) {
    exporting::cursor_options o;
    o.project_id = p1;
    o.only_annotated = false;
    o.batch = batch;
    exporting::store_cursor all(host.db(), o);
    auto tasks = read_all(all);
    ASSERT_EQ(tasks.size(), p1_tasks.size()) << "batch " << batch;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      const json& t = tasks[i];
      const std::int64_t id = t["id"];
      EXPECT_EQ(id, p1_tasks[i]);
      EXPECT_EQ(t["project"], p1);
      EXPECT_EQ(t["annotations"].size(), static_cast<std::size_t>(annotations_of[id])) << "task " << id;
      for (const auto& a : t["annotations"]) {
        EXPECT_EQ(a["task"], id);
        EXPECT_EQ(a["last_action"], "line\n\"quoted\"\t\x01");
      }
      for (const auto& d : t["drafts"]) EXPECT_EQ(d["task"], id);
      const bool has_children = (i % 5) == 1;
      EXPECT_EQ(t["drafts"].size(), has_children ? 1u : 0u) << "task " << id;
      EXPECT_EQ(t["predictions"].size(), has_children ? 1u : 0u) << "task " << id;
      EXPECT_EQ(t["total_annotations"], annotations_of[id]);
    }

    o.only_annotated = true;
    exporting::store_cursor annotated(host.db(), o);
    auto kept = read_all(annotated);
    std::size_t expected = 0;
    for (auto id : p1_tasks) expected += annotations_of[id] > 0 ? 1 : 0;
    ASSERT_EQ(kept.size(), expected) << "batch " << batch;
    for (const auto& t : kept) EXPECT_EQ(t["annotations"].size(), static_cast<std::size_t>(annotations_of[t["id"]]));
  }

  // Selected ids: another project's task is left out, the order is by id.
  exporting::cursor_options o;
  o.project_id = p1;
  o.only_annotated = false;
  o.ids = {p1_tasks[7], p1_tasks[1], p1_tasks[7] + 1, p1_tasks[2]};
  o.batch = 2;
  exporting::store_cursor selected(host.db(), o);
  auto picked = read_all(selected);
  ASSERT_EQ(picked.size(), 3u);
  EXPECT_EQ(picked[0]["id"], p1_tasks[1]);
  EXPECT_EQ(picked[1]["id"], p1_tasks[2]);
  EXPECT_EQ(picked[2]["id"], p1_tasks[7]);
  EXPECT_EQ(picked[1]["annotations"].size(), static_cast<std::size_t>(annotations_of[p1_tasks[2]]));
  EXPECT_EQ(picked[0]["predictions"].size(), 1u);
  EXPECT_TRUE(picked[0]["predictions"][0].is_number_integer());  // ids unless full_predictions
}

// A format declaring export_task_content::items gets tasks holding only the item keys, in Label
// Studio's order, with the values the whole task has; drafts and predictions are not read.
TEST(ExportCursor, ItemsOnlyTasksHoldTheItemKeysWithTheWholeTasksValues) {
  annot::host::testing::api_host host;
  host.start();
  auto user = host.make_user("items@example.com");
  const std::int64_t pid = host.make_project(export_text_config);
  std::vector<std::int64_t> ids;
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < 12; ++i) {
      store::new_task n;
      n.project_id = pid;
      n.data = json{{"text", "task \"" + std::to_string(i) + "\"\n"}, {"n", i}}.dump();
      n.meta = R"({"source": "generated"})";
      auto t = w.create_task(n);
      if (!t) return t.error();
      ids.push_back(t->id);
      for (int k = 0; k < i % 3; ++k) {
        store::new_annotation a;
        a.task_id = t->id;
        a.completed_by = user.id;
        a.result = R"([{"from_name":"label","to_name":"text","type":"labels","value":{"start":0,"end":4,"labels":["A"]}}])";
        a.was_cancelled = k == 1;
        a.lead_time = 1.5 * k;
        if (auto made_a = w.create_annotation(a); !made_a) return made_a.error();
      }
      if (i % 4 == 1)
        if (annot::status st = add_draft_and_prediction(w, t->id, user.id, "m"); !st.ok()) return st;
    }
    return 0;
  });
  ASSERT_TRUE(made) << made.error().message();

  const std::vector<std::string> task_keys = {"id", "annotations", "data"};
  const std::vector<std::string> annotation_keys = {"id", "completed_by", "result", "was_cancelled",
                                                    "ground_truth", "created_at", "updated_at", "lead_time"};
  auto keys_of = [](const nlohmann::ordered_json& o) {
    std::vector<std::string> k;
    for (auto it = o.begin(); it != o.end(); ++it) k.push_back(it.key());
    return k;
  };
  for (bool expand_users : {false, true}) {
    for (std::int64_t batch : {1, 5, 1000}) {
      for (bool selected : {false, true}) {
        exporting::cursor_options o;
        o.project_id = pid;
        o.only_annotated = false;
        o.batch = batch;
        o.serialize.expand_completed_by = expand_users;
        if (selected) o.ids = {ids[1], ids[4], ids[5], ids[9]};
        exporting::store_cursor whole(host.db(), o);
        o.serialize.items_only = true;
        exporting::store_cursor items(host.db(), o);
        std::vector<nlohmann::ordered_json> full, lean;
        for (auto* c : {&whole, &items}) {
          std::string_view text;
          for (;;) {
            auto more = c->next(text);
            ASSERT_TRUE(more.ok()) << more.error().message();
            if (!*more) break;
            (c == &whole ? full : lean).push_back(nlohmann::ordered_json::parse(text));
          }
        }
        ASSERT_EQ(lean.size(), selected ? 4u : ids.size());
        ASSERT_EQ(lean.size(), full.size());
        for (std::size_t i = 0; i < lean.size(); ++i) {
          const auto& t = lean[i];
          const auto& f = full[i];
          EXPECT_EQ(keys_of(t), task_keys) << t.dump();
          EXPECT_EQ(t["id"], f["id"]);
          EXPECT_EQ(t["data"], f["data"]);
          ASSERT_EQ(t["annotations"].size(), f["annotations"].size()) << "task " << t["id"];
          for (std::size_t k = 0; k < t["annotations"].size(); ++k) {
            const auto& a = t["annotations"][k];
            EXPECT_EQ(keys_of(a), annotation_keys) << a.dump();
            for (const auto& key : annotation_keys) EXPECT_EQ(a[key], f["annotations"][k][key]) << key;
          }
        }
      }
    }
  }
}

// Tasks of an import that is not published yet (rows hidden) sit between visible ones; neither
// they nor their annotations are exported, and the visible tasks after them keep their own.
TEST(ExportCursor, TasksOfUnpublishedImportsAreLeftOut) {
  annot::host::testing::api_host host;
  host.start();
  auto user = host.make_user("hidden@example.com");
  const std::int64_t pid = host.make_project(export_text_config);
  auto add_visible = [&](const std::string& text) {
    auto t = host.db().run<store::task>([&](store::write_context& w) -> annot::result<store::task> {
      store::new_task n;
      n.project_id = pid;
      n.data = json{{"text", text}}.dump();
      auto made = w.create_task(n);
      if (!made) return made;
      store::new_annotation a;
      a.task_id = made->id;
      a.completed_by = user.id;
      if (auto ann = w.create_annotation(a); !ann) return ann.error();
      return made;
    });
    EXPECT_TRUE(t) << t.error().message();
    return t ? t->id : 0;
  };
  const std::int64_t first = add_visible("before");
  auto staged = host.db().run<store::staged_batch>([&](store::write_context& w) -> annot::result<store::staged_batch> {
    auto imp = w.begin_import({.project_id = pid, .user_id = user.id});
    if (!imp) return imp.error();
    std::vector<store::import_task> tasks(3);
    for (auto& t : tasks) {
      t.data = R"({"text": "hidden"})";
      t.annotations.emplace_back();
      t.annotations.back().completed_by = user.id;
    }
    return w.stage_tasks(imp->id, tasks);
  });
  ASSERT_TRUE(staged) << staged.error().message();
  const std::int64_t last = add_visible("after");
  ASSERT_LT(staged->task_ids.front(), last);

  for (bool only_annotated : {false, true}) {
    exporting::cursor_options o;
    o.project_id = pid;
    o.only_annotated = only_annotated;
    o.batch = 2;
    exporting::store_cursor cursor(host.db(), o);
    auto tasks = read_all(cursor);
    ASSERT_EQ(tasks.size(), 2u);
    EXPECT_EQ(tasks[0]["id"], first);
    EXPECT_EQ(tasks[1]["id"], last);
    for (const auto& t : tasks) {
      ASSERT_EQ(t["annotations"].size(), 1u);
      EXPECT_EQ(t["annotations"][0]["task"], t["id"]);
      EXPECT_NE(t["data"]["text"], "hidden");
    }
  }
}

// Batches are cut by their texts' size as well as by their number of tasks: a pass reads one task
// first, and tasks of 300 KB then make batches of a dozen (about store_cursor::batch_bytes), not 64
// and more.
TEST(ExportCursor, LargeTasksMakeSmallerBatches) {
  annot::host::testing::api_host host;
  host.start();
  const std::int64_t pid = host.make_project(export_text_config);
  constexpr int count = 150;
  const std::string text(300000, 'x');
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i < count; ++i) {
      store::new_task n;
      n.project_id = pid;
      n.data = json{{"text", std::to_string(i) + text}}.dump();
      if (auto t = w.create_task(n); !t) return t.error();
    }
    return count;
  });
  ASSERT_TRUE(made) << made.error().message();

  for (bool ids : {false, true}) {
    exporting::cursor_options o;
    o.project_id = pid;
    o.only_annotated = false;
    if (ids)
      for (std::int64_t id = 1; id <= count; ++id) o.ids.push_back(id);
    std::vector<std::int64_t> starts;  // tasks handed out before each batch
    o.progress = [&](std::int64_t before) { starts.push_back(before); };
    exporting::store_cursor cursor(host.db(), o);
    auto tasks = read_all(cursor);
    ASSERT_EQ(tasks.size(), std::size_t(count));
    for (int i = 0; i < count; ++i)
      EXPECT_EQ(tasks[std::size_t(i)]["data"]["text"].get<std::string>().substr(0, 4),
                (std::to_string(i) + text).substr(0, 4));
    ASSERT_GE(starts.size(), 3u) << "ids " << ids;
    EXPECT_EQ(starts[1], 1) << "a pass reads one task first";
    for (std::size_t b = 2; b < starts.size(); ++b)
      EXPECT_LE(starts[b] - starts[b - 1], 14) << "batch " << b - 1 << ", ids " << ids;
  }
}

// After a batch cut down to one large task, the batches grow back by half for the small tasks after
// it: 400 small tasks behind a 6 MB one take a dozen batches or so, not 400.
TEST(ExportCursor, BatchesGrowBackAfterALargeTask) {
  annot::host::testing::api_host host;
  host.start();
  const std::int64_t pid = host.make_project(export_text_config);
  auto made = host.db().run<int>([&](store::write_context& w) -> annot::result<int> {
    for (int i = 0; i <= 400; ++i) {
      store::new_task n;
      n.project_id = pid;
      n.data = json{{"text", i == 0 ? std::string(6 << 20, 'x') : "small " + std::to_string(i)}}.dump();
      if (auto t = w.create_task(n); !t) return t.error();
    }
    return 401;
  });
  ASSERT_TRUE(made) << made.error().message();
  exporting::cursor_options o;
  o.project_id = pid;
  o.only_annotated = false;
  std::size_t batches = 0;
  o.progress = [&](std::int64_t) { ++batches; };
  exporting::store_cursor cursor(host.db(), o);
  ASSERT_EQ(read_all(cursor).size(), 401u);
  EXPECT_LE(batches, 16u);
}

// The serializer's strings and timestamps are byte for byte what nlohmann / to_iso8601 write.
TEST(ExportSerializer, StringsAndTimestampsMatchTheReferencePrinters) {
  const std::vector<std::string> strings = {
      "",
      "plain ascii",
      "quote \" backslash \\ slash /",
      std::string("controls \b\f\n\r\t \x01\x1f\x7f end"),
      std::string("nul \0 inside", 12),
      "utf-8 \u00e9 \u4e2d \U0001F600",
      "bad utf-8 \xff here",
      "truncated \xe4\xb8",
      "overlong \xc0\xaf",
      "surrogate \xed\xa0\x80",
      "above U+10FFFF \xf4\x90\x80\x80",
  };
  store::task t;
  t.id = 1;
  t.project_id = 2;
  t.data = "{}";
  std::vector<store::timestamp> times;
  for (std::int64_t us : {0LL, 1LL, 999'999LL, 86'399'999'999LL, 86'400'000'000LL, 1'700'000'000'123'456LL,
                          -1LL, -86'400'000'001LL, 253'402'300'799'999'999LL})
    times.push_back(store::timestamp(std::chrono::microseconds(us)));
  for (std::size_t i = 0; i < strings.size(); ++i) {
    store::annotation a;
    a.id = 10;
    a.task_id = 1;
    a.project_id = 2;
    a.unique_id = strings[i];
    a.created_at = times[i % times.size()];
    a.updated_at = times[(i + 3) % times.size()];
    std::string out;
    exporting::append_task_json(out, t, std::span(&a, 1), {}, {}, {}, {});
    const json parsed = json::parse(out, nullptr, false);
    ASSERT_FALSE(parsed.is_discarded()) << out;
    const std::string expected_string =
        json(strings[i]).dump(-1, ' ', false, json::error_handler_t::replace);
    EXPECT_NE(out.find("\"unique_id\":" + expected_string + ","), std::string::npos) << i << ": " << out;
    EXPECT_EQ(parsed["annotations"][0]["created_at"], store::to_iso8601(a.created_at)) << i;
    EXPECT_EQ(parsed["annotations"][0]["updated_at"], store::to_iso8601(a.updated_at)) << i;
  }
}

// Lead times (doubles) are printed byte for byte as nlohmann's dump() prints them; non-finite is null.
TEST(ExportSerializer, LeadTimesMatchNlohmannsPrinter) {
  std::vector<double> values = {0.0, -0.0, 1.0, 1.5, 0.1, 1.0 / 3, 12.345, 1e-5, 1e-4, 123456789012345.0,
                                1e15, 1e16, 1e21, 1e300, -2.5e-300, 5e-324, 1.7976931348623157e308,
                                std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
  std::uint64_t bits = 0x9E3779B97F4A7C15ULL;  // and a deterministic spread of bit patterns
  for (int i = 0; i < 2000; ++i) {
    bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
    double d = 0;
    std::memcpy(&d, &bits, sizeof d);
    values.push_back(d);
  }
  store::task t;
  t.id = 1;
  t.project_id = 2;
  t.data = "{}";
  for (double v : values) {
    store::annotation a;
    a.id = 10;
    a.task_id = 1;
    a.project_id = 2;
    a.lead_time = v;
    std::string out;
    exporting::append_task_json(out, t, std::span(&a, 1), {}, {}, {}, {});
    EXPECT_NE(out.find("\"lead_time\":" + json(v).dump() + ","), std::string::npos) << v << ": " << out;
  }
}

TEST(ExportSinks, FolderSinkWritesNestedFilesAndTruncatesReopenedOnes) {
  const fs::path root = fs::temp_directory_path() / ("annot-dir-sink-" + std::to_string(::getpid()));
  fs::remove_all(root);
  {
    exporting::directory_sink sink(root);
    const std::string big(200'000, 'x');
    for (int i = 0; i < 50; ++i) {
      auto s = sink.open("labels/" + std::to_string(i) + ".txt");
      ASSERT_TRUE(s.ok()) << s.error().message();
      ASSERT_TRUE((*s)->write("line " + std::to_string(i) + "\n").ok());
      ASSERT_TRUE((*s)->write(std::to_string(i)).ok());
    }
    auto s = sink.open("deep/er/big.bin");
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->write("head").ok());
    ASSERT_TRUE((*s)->write(big).ok());
    ASSERT_TRUE((*s)->write("tail").ok());
    s = sink.open("labels/3.txt");  // written again: the new content only
    ASSERT_TRUE(s.ok());
    ASSERT_TRUE((*s)->write("again").ok());
    EXPECT_FALSE(sink.open("../escape.txt").ok());
    EXPECT_FALSE(sink.open("/abs.txt").ok());
    ASSERT_TRUE(sink.finish().ok());
    EXPECT_EQ(sink.files_written(), 52);
  }
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  EXPECT_EQ(slurp(root / "labels/0.txt"), "line 0\n0");
  EXPECT_EQ(slurp(root / "labels/49.txt"), "line 49\n49");
  EXPECT_EQ(slurp(root / "labels/3.txt"), "again");
  EXPECT_EQ(slurp(root / "deep/er/big.bin"), "head" + std::string(200'000, 'x') + "tail");
  EXPECT_FALSE(fs::exists(root.parent_path() / "escape.txt"));
  fs::remove_all(root);
}

TEST(ExportSinks, FolderSinkReportsFilesItCannotCreate) {
  const fs::path root = fs::temp_directory_path() / ("annot-dir-sink-ro-" + std::to_string(::getpid()));
  fs::remove_all(root);
  fs::create_directories(root);
  {
    std::ofstream(root / "taken") << "a file where a folder is wanted";
  }
  exporting::directory_sink sink(root);
  auto s = sink.open("taken/x.txt");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), annot::errc::io_error);
  EXPECT_NE(s.error().message().find("taken"), std::string::npos) << s.error().message();
  fs::remove_all(root);
}

}  // namespace
