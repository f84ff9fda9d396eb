// Prepared tasks (export_support/prepared.hpp): what a preparer logged comes back in task order, woven
// with the payloads; an unparsable task is skipped as the one-thread loop skips it; an error ends the loop
// and lets the preparer go; bytes no preparer made are refused; preparing on several threads at once
// gives what one thread gives; op streams come back as written, with the log in its place.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "export_support/op_stream.hpp"
#include "export_support/prepared.hpp"
#include "golden.hpp"

namespace es = annot::plugins::export_support;
namespace t = annot::plugins::export_support::testing;

namespace {

// Everything that reached run(): log entries and payloads, in the order they came.
struct event_log final : annot::export_log {
  std::vector<std::string> events;
  void warn(std::string_view m) noexcept override { events.push_back("warn " + std::string(m)); }
  void skipped(std::int64_t id, std::string_view why) noexcept override {
    events.push_back("skip " + std::to_string(id) + " " + std::string(why));
  }
};

// Payload "<id>:<text>"; a warning for odd ids, a skip for ids divisible by 3 (then no payload); an error
// at id 99.
auto make_preparer() {
  return es::task_view_preparer([](const es::task_view& task, std::string& out, annot::export_log& log) -> annot::status {
    const std::int64_t id = task.id();
    if (id == 99) return annot::status(annot::errc::invalid_argument, "task 99 is bad");
    if (id % 2) log.warn("odd " + std::to_string(id));
    if (id % 3 == 0) {
      log.skipped(id, "a multiple of three");
      return {};
    }
    std::optional<es::element> data = task.find("data");
    out += std::to_string(id) + ":" + std::string(data ? es::string_or(*es::find_member(*data, "text")) : "");
    return {};
  });
}

std::vector<std::string> tasks_up_to(int n) {
  std::vector<std::string> tasks;
  for (int i = 1; i <= n; ++i)
    tasks.push_back(R"({"id": )" + std::to_string(i) + R"(, "data": {"text": "t)" + std::to_string(i) + "\"}}");
  return tasks;
}

}  // namespace

TEST(ExportPrepared, LogEntriesAndPayloadsComeInTaskOrder) {
  auto tasks = tasks_up_to(7);
  tasks.insert(tasks.begin() + 2, "{not json");
  t::memory_cursor cursor(tasks);
  auto preparer = make_preparer();
  event_log log;
  annot::status st = es::for_each_prepared(cursor, preparer, log, [&](std::string_view payload) -> annot::status {
    log.events.push_back("payload " + std::string(payload));
    return {};
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(log.events, (std::vector<std::string>{
                            "warn odd 1", "payload 1:t1", "payload 2:t2", "skip 0 a task is not valid JSON",
                            "payload ", "warn odd 3", "skip 3 a multiple of three", "payload ", "payload 4:t4",
                            "warn odd 5", "payload 5:t5", "skip 6 a multiple of three", "payload ", "warn odd 7",
                            "payload 7:t7"}));
}

TEST(ExportPrepared, AnErrorEndsTheLoopAndLetsThePreparerGo) {
  t::memory_cursor cursor(tasks_up_to(120));
  event_log log;
  int payloads = 0;
  {
    auto preparer = make_preparer();
    annot::status st = es::for_each_prepared(cursor, preparer, log, [&](std::string_view) -> annot::status {
      ++payloads;
      return {};
    });
    EXPECT_EQ(st.message(), "task 99 is bad");
  }
  EXPECT_EQ(payloads, 98);
  // fn's error ends it too, after fewer tasks.
  ASSERT_TRUE(cursor.rewind().ok());
  auto preparer = make_preparer();
  payloads = 0;
  annot::status st = es::for_each_prepared(cursor, preparer, log, [&](std::string_view) -> annot::status {
    return ++payloads == 10 ? annot::status(annot::errc::io_error, "disk full") : annot::status();
  });
  EXPECT_EQ(st.code(), annot::errc::io_error);
  // The preparer was let go: the rest comes as JSON text.
  std::string_view next;
  ASSERT_TRUE(cursor.next(next).ok());
  EXPECT_EQ(next, R"({"id": 11, "data": {"text": "t11"}})");
}

namespace {
// A cursor that takes a preparer and ignores it.
class careless_cursor final : public annot::task_cursor {
 public:
  annot::result<bool> next(std::string_view& task) override {
    task = given_ ? std::string_view() : std::string_view(R"({"id": 1})");
    return !std::exchange(given_, true);
  }
  annot::status rewind() override { return {}; }
  std::int64_t size_hint() const noexcept override { return 1; }
  annot::status prepare_with(const annot::task_preparer*) override { return {}; }

 private:
  bool given_ = false;
};
}  // namespace

TEST(ExportPrepared, BytesNoPreparerMadeAreRefused) {
  careless_cursor cursor;
  auto preparer = make_preparer();
  event_log log;
  annot::status st = es::for_each_prepared(cursor, preparer, log, [](std::string_view) { return annot::status(); });
  EXPECT_EQ(st.code(), annot::errc::internal);
  EXPECT_NE(st.message().find("preparer did not make"), std::string::npos) << st.message();
}

TEST(ExportPrepared, SeveralThreadsAtOnceGiveWhatOneGives) {
  const auto tasks = tasks_up_to(98);
  const auto preparer = make_preparer();
  std::vector<std::string> one(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) ASSERT_TRUE(preparer.prepare(tasks[i], one[i]).ok());
  std::vector<std::vector<std::string>> many(4, std::vector<std::string>(tasks.size()));
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < many.size(); ++k)
    threads.emplace_back([&, k] {
      for (int round = 0; round < 50; ++round)
        for (std::size_t i = 0; i < tasks.size(); ++i) {
          // Each thread walks the tasks from a different place, so their parses interleave.
          const std::size_t j = (i + k * 17) % tasks.size();
          many[k][j].clear();
          if (!preparer.prepare(tasks[j], many[k][j]).ok()) many[k][j] = "error";
        }
    });
  for (auto& th : threads) th.join();
  for (const auto& m : many) EXPECT_EQ(m, one);
}

TEST(ExportPrepared, OpStreamsComeBackAsWrittenWithTheLogInPlace) {
  std::string out = "payload before";
  const std::size_t start = out.size();
  es::op_writer ops(out);
  annot::export_log& log = ops;
  ops.op('A');
  ops.text("first");
  log.warn("between");
  ops.op('B');
  ops.id(-42);
  ops.begin_text() += std::string(70000, 'z');  // a field longer than 64 KiB
  ops.end_text();
  log.skipped(7, "skipped here");
  ops.op('C');
  ops.text("");

  event_log replayed;
  std::vector<std::string> seen;
  es::op_reader reader(std::string_view(out).substr(start));
  while (!reader.done()) {
    const char code = reader.op();
    if (reader.replay_log(code, replayed)) {
      seen.push_back("log");
      continue;
    }
    if (code == 'A') seen.push_back("A " + std::string(reader.text()));
    if (code == 'B') {
      const std::int64_t id = reader.id();
      seen.push_back("B " + std::to_string(id) + " " + std::to_string(reader.text().size()));
    }
    if (code == 'C') seen.push_back("C [" + std::string(reader.text()) + "]");
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"A first", "log", "B -42 70000", "log", "C []"}));
  EXPECT_EQ(replayed.events, (std::vector<std::string>{"warn between", "skip 7 skipped here"}));

  // A stream cut short is an error, not a read past its end.
  es::op_reader cut(std::string_view(out).substr(start, 8));
  EXPECT_EQ(cut.op(), 'A');
  EXPECT_THROW(cut.text(), std::runtime_error);
}
