// Group commit: units queued together share one transaction, each inside its own savepoint, so a
// failing unit rolls back alone; callbacks run after the commit is durable; reads never see a
// unit's writes before that.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace annot::host::store {
namespace {

using namespace testing;

// Holds the writer thread inside a unit until released, so that what is queued meanwhile lands in
// the next batch together.
class writer_gate {
 public:
  void hold(store& s) {
    s.submit(
        [this](write_context&) -> status {
          std::unique_lock lock(m_);
          entered_ = true;
          cv_.notify_all();
          cv_.wait(lock, [&] { return open_; });
          return status::success();
        },
        [](const status&) {});
    std::unique_lock lock(m_);
    cv_.wait(lock, [&] { return entered_; });
  }
  void release() {
    std::lock_guard lock(m_);
    open_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool entered_ = false, open_ = false;
};

TEST(StoreGroupCommit, AFailingUnitRollsBackAloneInASharedCommit) {
  temp_dir dir;
  auto s = open_at(dir.db());
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });

  writer_gate gate;
  gate.hold(*s);
  auto commits_before = s->stats().commits;

  std::mutex m;
  std::vector<std::pair<std::string, status>> done;
  auto record = [&](std::string name) {
    return [&, name](const status& st) {
      // The callback runs after COMMIT: an independent connection already sees the good rows.
      raw_db r(dir.db());
      std::lock_guard lock(m);
      done.emplace_back(name + ":" + std::to_string(r.scalar("SELECT count(*) FROM tasks")), st);
    };
  };
  auto add_task = [&](std::string data) {
    return [p, data](write_context& w) -> status {
      auto t = w.create_task({p.id, data});
      return t.ok() ? status::success() : t.error();
    };
  };
  s->submit(add_task(R"({"n":"good-1"})"), record("good-1"));
  s->submit(
      [&](write_context& w) -> status {
        auto t = w.create_task({p.id, R"({"n":"bad"})"});
        EXPECT_TRUE(t.ok());
        return status(errc::invalid_argument, "changed my mind");  // after writing
      },
      record("bad"));
  s->submit(add_task(R"({"n":"good-2"})"), record("good-2"));
  s->submit(
      [&](write_context& w) -> status {
        (void)w.create_task({p.id, R"({"n":"thrower"})"});
        throw std::runtime_error("boom");
      },
      record("thrower"));
  s->submit(
      [&](write_context& w) -> status {
        // A failing op inside a unit that carries on leaves nothing behind either.
        auto bad = w.create_task({p.id, "not json"});
        EXPECT_FALSE(bad.ok());
        auto ok = w.create_task({p.id, R"({"n":"good-3"})"});
        return ok.ok() ? status::success() : ok.error();
      },
      record("good-3"));
  gate.release();
  s->drain();

  ASSERT_EQ(done.size(), 5u);
  std::map<std::string, status> by_name;
  for (auto& [k, v] : done) by_name[k.substr(0, k.find(':'))] = v;
  EXPECT_TRUE(by_name["good-1"].ok());
  EXPECT_TRUE(by_name["good-2"].ok());
  EXPECT_TRUE(by_name["good-3"].ok());
  EXPECT_EQ(by_name["bad"].code(), errc::invalid_argument);
  EXPECT_EQ(by_name["bad"].message(), "changed my mind");
  EXPECT_EQ(by_name["thrower"].code(), errc::internal);
  EXPECT_NE(by_name["thrower"].message().find("boom"), std::string::npos);
  for (auto& [k, v] : done)
    EXPECT_EQ(k.substr(k.find(':') + 1), "3") << k << ": callbacks see the committed batch";
  // The blocked unit's batch and the five queued units' batch: two commits.
  EXPECT_EQ(s->stats().commits - commits_before, 2u);

  auto tasks = must(s->read()->list_project_tasks(p.id, 0, 100));
  std::set<std::string> data;
  for (auto& t : tasks) data.insert(t.data);
  EXPECT_EQ(data, (std::set<std::string>{R"({"n":"good-1"})", R"({"n":"good-2"})", R"({"n":"good-3"})"}));
  EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, 3);
  expect_counters_consistent(dir.db());
}

TEST(StoreGroupCommit, ReadersNeverSeeUncommittedWrites) {
  temp_dir dir;
  auto s = open_at(dir.db());
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  std::mutex m;
  std::condition_variable cv;
  bool written = false, go = false;
  std::int64_t id = 0;
  std::atomic<bool> finished{false};
  s->submit(
      [&](write_context& w) -> status {
        auto t = w.create_task({p.id, R"({"x":1})"});
        if (!t) return t.error();
        EXPECT_TRUE(w.get_task(t->id).ok()) << "a unit sees its own writes";
        std::unique_lock lock(m);
        id = t->id;
        written = true;
        cv.notify_all();
        cv.wait(lock, [&] { return go; });
        return status::success();
      },
      [&](const status& st) {
        EXPECT_TRUE(st.ok());
        finished = true;
      });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return written; });
  }
  EXPECT_EQ(s->read()->get_task(id).error().code(), errc::not_found);
  EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, 0);
  {
    std::lock_guard lock(m);
    go = true;
    cv.notify_all();
  }
  s->drain();
  EXPECT_TRUE(finished);
  EXPECT_TRUE(s->read()->get_task(id).ok());
}

TEST(StoreGroupCommit, ConcurrentWritersShareCommits) {
  temp_dir dir;
  auto s = open_at(dir.db());
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  auto t = write<task>(*s, [&](write_context& w) { return w.create_task({p.id, R"({"x":1})"}); });
  const int threads = 8, per_thread = 150;
  auto before = s->stats();
  std::vector<std::thread> ts;
  std::mutex m;
  std::set<std::int64_t> ids;
  std::atomic<int> failures{0};
  for (int i = 0; i < threads; ++i)
    ts.emplace_back([&] {
      for (int j = 0; j < per_thread; ++j) {
        auto a = s->run<annotation>([&](write_context& w) {
          new_annotation n;
          n.task_id = t.id;
          n.result = "[]";
          return w.create_annotation(n);
        });
        if (!a) {
          ++failures;
          continue;
        }
        std::lock_guard lock(m);
        ids.insert(a->id);
      }
    });
  for (auto& th : ts) th.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(ids.size(), std::size_t(threads * per_thread));
  auto after = s->stats();
  EXPECT_EQ(after.units - before.units, std::uint64_t(threads * per_thread));
  EXPECT_LT(after.commits - before.commits, after.units - before.units)
      << "concurrent units must share commits";
  EXPECT_EQ(must(s->read()->get_task(t.id)).total_annotations, threads * per_thread);
  expect_counters_consistent(dir.db());
}

TEST(StoreGroupCommit, TypedSubmitDeliversTheValueAfterCommit) {
  temp_dir dir;
  auto s = open_at(dir.db());
  std::promise<result<project>> got;
  s->submit<project>(
      [](write_context& w) {
        project_fields f;
        f.title = "async";
        return w.create_project({f, std::nullopt});
      },
      [&](result<project> r) { got.set_value(std::move(r)); });
  auto r = got.get_future().get();
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->title, "async");
  EXPECT_TRUE(s->read()->get_project(r->id).ok());

  std::promise<result<project>> failed;
  s->submit<project>([](write_context& w) { return w.update_project(424242, {}); },
                     [&](result<project> r2) { failed.set_value(std::move(r2)); });
  auto f = failed.get_future().get();
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().code(), errc::not_found);
}

TEST(StoreGroupCommit, ReadLeasesAreSnapshots) {
  temp_dir dir;
  store_options o;
  o.readers = 2;
  auto s = open_at(dir.db(), o);
  auto p = write<project>(*s, [](write_context& w) { return w.create_project({}); });
  auto lease = s->read();
  EXPECT_EQ(must(lease->get_project(p.id)).task_number, 0);
  write<task>(*s, [&](write_context& w) { return w.create_task({p.id, "{}"}); });
  EXPECT_EQ(must(lease->get_project(p.id)).task_number, 0) << "same snapshot for the whole lease";
  lease.reset();
  EXPECT_EQ(must(s->read()->get_project(p.id)).task_number, 1);
  // Writes are refused on a reader.
  auto l2 = s->read();
  auto* as_writer = dynamic_cast<write_context*>(&*l2);
  ASSERT_NE(as_writer, nullptr);
  EXPECT_EQ(as_writer->create_task({p.id, "{}"}).error().code(), errc::failed_precondition);
}

}  // namespace
}  // namespace annot::host::store
