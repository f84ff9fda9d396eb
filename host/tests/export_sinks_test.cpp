// Export sinks on their own thread: records applied in order across blocks (threaded and inline),
// the queue bounded, folder and zip outputs byte-exact over many entries, errors met on the thread
// (a file that cannot be created, a full disk) reaching the caller with the path, and destruction
// mid-run joining the thread without applying what was still queued.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "export/sinks.hpp"
#include "golden.hpp"
#include "scratch_folder.hpp"
#include "zip_reader.hpp"

namespace {

namespace fs = std::filesystem;
using annot::host::testing::slurp;
using annot::host::testing::temp_dir;
using namespace annot::host;
using annot::host::testing::read_zip;

// Bytes that deflate cannot shrink, so a compressed entry is as large as its input.
std::string noise(std::size_t n, std::uint32_t seed) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>((seed = seed * 1103515245u + 12345u) >> 24);
  return s;
}

// Sizes from empty to several blocks, small ones most often (label files), plus a few large.
std::vector<std::string> file_contents(int n) {
  std::mt19937 rng(7);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::size_t size = rng() % 300;
    if (i % 97 == 0) size = 20'000 + rng() % 50'000;
    if (i % 1000 == 500) size = 3 * exporting::sink_thread::kBlockSize + 17;
    std::string s = "file " + std::to_string(i) + ":";
    s += noise(size, static_cast<std::uint32_t>(i));
    out.push_back(std::move(s));
  }
  return out;
}

// Writes `s` in pieces of varying length (1 byte up to a few KiB), as exporters do.
annot::status write_in_pieces(annot::output_stream& out, std::string_view s, std::mt19937& rng) {
  while (!s.empty()) {
    std::size_t n = std::min<std::size_t>(s.size(), 1 + rng() % 4096);
    if (annot::status st = out.write(s.substr(0, n)); !st.ok()) return st;
    s.remove_prefix(n);
  }
  return {};
}

// ---- the queue itself ---------------------------------------------------------------------------

// Records come out as they went in: same order, data joined per run of one op and never mixed
// with another op's, nothing lost at block edges; with and without the thread.
// The exporters' test harness and fuzzer check entry paths with a copy of the host's rule (they do not
// link the host): both must refuse exactly the same paths.
TEST(ExportEntryPath, TheHostAndTheExporterHarnessAgree) {
  std::vector<std::string> paths = {"images/", "labels/x.txt", "a/.../b", "..\\a/b", "/abs"};
  // Every short path over the bytes that matter.
  const std::string alphabet = std::string("a./\\", 4) + std::string(1, '\0');
  std::vector<std::string> level = {""};
  for (int len = 1; len <= 4; ++len) {
    std::vector<std::string> next;
    for (const auto& p : level)
      for (char c : alphabet) next.push_back(p + c);
    paths.insert(paths.end(), next.begin(), next.end());
    level = std::move(next);
  }
  int refused = 0;
  for (const auto& p : paths) {
    const bool host_ok = annot::host::exporting::check_entry_path(p).ok();
    EXPECT_EQ(host_ok, annot::plugins::export_support::testing::entry_path_error(p).empty())
        << "'" << p << "'";
    refused += !host_ok;
  }
  EXPECT_GT(refused, 100);  // the set holds both kinds
  EXPECT_LT(refused, static_cast<int>(paths.size()) - 50);
}

TEST(ExportSinkThread, RecordsKeepTheirOrderAcrossBlocks) {
  for (bool threaded : {true, false}) {
    std::vector<std::pair<unsigned char, std::string>> seen;
    exporting::sink_thread t(
        [&](unsigned char op, std::string_view bytes) -> annot::status {
          if (!seen.empty() && seen.back().first == op && op < 10)
            seen.back().second.append(bytes);  // data of one op may arrive split
          else
            seen.emplace_back(op, std::string(bytes));
          return {};
        },
        threaded);
    std::vector<std::pair<unsigned char, std::string>> expected;
    std::mt19937 rng(threaded ? 1 : 2);
    for (int i = 0; i < 3000; ++i) {
      std::string name = "entry-" + std::to_string(i);
      ASSERT_TRUE(t.put(20, name).ok());
      expected.emplace_back(20, name);
      std::string data = noise(i % 50 == 0 ? 200'000 + rng() % 100'000 : rng() % 700, static_cast<std::uint32_t>(i));
      std::string_view rest = data;
      while (!rest.empty()) {
        std::size_t n = std::min<std::size_t>(rest.size(), 1 + rng() % 9000);
        ASSERT_TRUE(t.append(1, rest.substr(0, n)).ok());
        rest.remove_prefix(n);
      }
      if (!data.empty()) expected.emplace_back(1, data);
      if (i % 7 == 0) {  // a second kind of data right after the first: a record of its own
        ASSERT_TRUE(t.append(2, "other").ok());
        expected.emplace_back(2, "other");
      }
    }
    ASSERT_TRUE(t.drain().ok());
    ASSERT_EQ(seen.size(), expected.size()) << "threaded=" << threaded;
    for (std::size_t i = 0; i < seen.size(); ++i) {
      ASSERT_EQ(seen[i].first, expected[i].first) << i;
      ASSERT_EQ(seen[i].second, expected[i].second) << i;
    }
  }
}

// The producer gets at most the pool's blocks ahead of a thread that does not move.
TEST(ExportSinkThread, TheQueueIsBounded) {
  std::mutex m;
  std::condition_variable cv;
  bool go = false;
  std::atomic<std::size_t> applied{0};
  exporting::sink_thread t([&](unsigned char, std::string_view bytes) -> annot::status {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return go; });
    applied += bytes.size();
    return {};
  });
  std::atomic<std::size_t> queued{0};
  const std::string chunk(10'000, 'q');
  const std::size_t total = 16 * exporting::sink_thread::kBlocks * exporting::sink_thread::kBlockSize;
  std::thread producer([&] {
    while (queued < total) {
      if (!t.append(1, chunk).ok()) return;
      queued += chunk.size();
    }
    (void)t.drain();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_LE(queued.load(), (exporting::sink_thread::kBlocks + 1) * exporting::sink_thread::kBlockSize)
      << "the producer ran ahead of a stuck writer";
  {
    std::lock_guard lock(m);
    go = true;
  }
  cv.notify_all();
  producer.join();
  EXPECT_GE(queued.load(), total);
  EXPECT_EQ(applied.load(), queued.load());
}

// The thread's first error comes back from the producer's next call and from drain(), and what
// was queued after it is not applied.
TEST(ExportSinkThread, AnErrorOnTheThreadReachesTheProducer) {
  std::atomic<int> after_error{0};
  std::atomic<bool> failed{false};
  exporting::sink_thread t([&](unsigned char op, std::string_view) -> annot::status {
    if (failed) ++after_error;
    if (op == 9) {
      failed = true;
      return annot::status(annot::errc::io_error, "cannot create /x/bad: No space left on device");
    }
    return {};
  });
  ASSERT_TRUE(t.put(9, "bad").ok()) << "queued, not yet applied";
  annot::status st;
  const std::string chunk(50'000, 'a');
  for (int i = 0; i < 10'000 && st.ok(); ++i) st = t.append(1, chunk);
  EXPECT_EQ(st.code(), annot::errc::io_error) << "500 MB accepted after a failure";
  EXPECT_NE(st.message().find("/x/bad"), std::string::npos) << st.message();
  EXPECT_EQ(t.put(3, "more").code(), annot::errc::io_error);
  EXPECT_EQ(t.drain().code(), annot::errc::io_error);
  EXPECT_EQ(after_error.load(), 0);
}

// ---- folder sink ----------------------------------------------------------------------------------

// 5,000 files written in pieces, a few several blocks long, two paths written twice and one copied
// over: every file holds its bytes, and the later copy wins.
TEST(ExportSinkThread, FolderSinkKeepsEveryFilesBytesInOrder) {
  using calls = exporting::directory_sink::file_calls;
  for (auto [threaded, lanes, how] : {std::tuple{true, 1u, calls::batched},
                                      {true, 3u, calls::batched},
                                      {true, 3u, calls::plain},
                                      {false, 1u, calls::plain}}) {
    temp_dir dir(std::string("sink-order-") + (threaded ? "t" : "i") + std::to_string(lanes) +
                 (how == calls::batched ? "b" : "p"));
    const fs::path root = dir.path / "out";
    const std::vector<std::string> contents = file_contents(5000);
    const fs::path source = dir.path / "source.bin";
    std::ofstream(source, std::ios::binary) << "copied bytes";
    std::mt19937 rng(3);
    {
      exporting::directory_sink sink(root, threaded, lanes, how);
      ASSERT_TRUE(sink.add_directory("images").ok());
      for (std::size_t i = 0; i < contents.size(); ++i) {
        auto s = sink.open("labels/" + std::to_string(i / 1000) + "/" + std::to_string(i) + ".txt");
        ASSERT_TRUE(s.ok()) << s.error().message();
        ASSERT_TRUE(write_in_pieces(**s, contents[i], rng).ok());
        if (i == 10) {
          ASSERT_TRUE(sink.add_file("labels/0/3.txt", source.string()).ok());
        }
      }
      auto again = sink.open("labels/0/7.txt");
      ASSERT_TRUE(again.ok());
      ASSERT_TRUE((*again)->write("second").ok());
      ASSERT_TRUE(sink.finish().ok());
      EXPECT_EQ(sink.files_written(), 5002);
    }
    for (std::size_t i = 0; i < contents.size(); ++i) {
      const fs::path p = root / "labels" / std::to_string(i / 1000) / (std::to_string(i) + ".txt");
      const std::string expected = i == 3 ? "copied bytes" : i == 7 ? "second" : contents[i];
      ASSERT_EQ(slurp(p), expected) << p;
    }
    EXPECT_TRUE(fs::is_directory(root / "images"));
  }
}

// Files opened and closed with no bytes (YOLO's label file of an image without boxes) are empty,
// whatever file came before them in a block: the io_uring batch once took the previous file's bytes
// for them. Every lane count, with and without threads, several strands and folders.
TEST(ExportSinkThread, FolderSinkWritesEmptyFilesEmpty) {
  using calls = exporting::directory_sink::file_calls;
  for (auto [threaded, lanes, how] : {std::tuple{true, 1u, calls::batched},
                                      {true, 2u, calls::batched},
                                      {true, 4u, calls::batched},
                                      {true, 2u, calls::plain},
                                      {false, 1u, calls::plain}}) {
    temp_dir dir(std::string("sink-empty-") + (threaded ? "t" : "i") + std::to_string(lanes) +
                 (how == calls::batched ? "b" : "p"));
    const fs::path root = dir.path / "out";
    std::mt19937 rng(5);
    {
      exporting::directory_sink sink(root, threaded, lanes, how);
      for (int i = 0; i < 3'000; ++i) {
        auto s = sink.open("labels/" + std::to_string(i % 3) + "/" + std::to_string(i) + ".txt");
        ASSERT_TRUE(s.ok()) << s.error().message();
        if (i % 2 == 0) ASSERT_TRUE(write_in_pieces(**s, "box " + std::to_string(i) + "\n", rng).ok());
      }
      ASSERT_TRUE(sink.finish().ok());
      EXPECT_EQ(sink.files_written(), 3'000);
    }
    for (int i = 0; i < 3'000; ++i) {
      const fs::path p = root / "labels" / std::to_string(i % 3) / (std::to_string(i) + ".txt");
      ASSERT_TRUE(fs::exists(p)) << p;
      ASSERT_EQ(slurp(p), i % 2 == 0 ? "box " + std::to_string(i) + "\n" : "") << p;
    }
  }
}

// Lanes share the strands: rewritten paths (YOLO's label files of tasks annotated more than once) keep
// their last bytes, whichever lane applied the earlier copies, and a copy over a written file wins when
// it comes last. 50 paths among 7,000 other files; then 3 paths only, so that a strand has many blocks
// queued at once for the lanes to take.
TEST(ExportSinkThread, FolderSinkKeepsTheLastCopyOfARewrittenPath) {
  using calls = exporting::directory_sink::file_calls;
  for (auto [lanes, others, how] : {std::tuple{2u, true, calls::batched},
                                    {4u, true, calls::batched},
                                    {2u, false, calls::batched},
                                    {4u, false, calls::batched},
                                    {2u, true, calls::plain},
                                    {4u, false, calls::plain}}) {
    temp_dir dir("sink-rewrite-" + std::to_string(lanes) + (others ? "-mixed" : "-hot") +
                 (how == calls::batched ? "-b" : "-p"));
    const fs::path root = dir.path / "out";
    const fs::path source = dir.path / "source.bin";
    std::ofstream(source, std::ios::binary) << "copied last";
    std::mt19937 rng(11);
    std::vector<int> last(others ? 50 : 3, -1);
    {
      exporting::directory_sink sink(root, true, lanes, how);
      for (int i = 0; i < (others ? 8'000 : 4'000); ++i) {
        const bool rewrite = !others || rng() % 11 == 0;
        const int which = static_cast<int>(rng() % last.size());
        const std::string path =
            rewrite ? "labels/r" + std::to_string(which) + ".txt" : "labels/" + std::to_string(i) + ".txt";
        auto s = sink.open(path);
        ASSERT_TRUE(s.ok()) << s.error().message();
        ASSERT_TRUE(write_in_pieces(**s, "version " + std::to_string(i) + "\n", rng).ok());
        if (rewrite) last[static_cast<std::size_t>(which)] = i;
      }
      ASSERT_TRUE(sink.add_file("labels/r0.txt", source.string()).ok());
      ASSERT_TRUE(sink.finish().ok());
    }
    for (std::size_t w = 0; w < last.size(); ++w) {
      const fs::path p = root / "labels" / ("r" + std::to_string(w) + ".txt");
      if (w == 0) {
        EXPECT_EQ(slurp(p), "copied last");
      } else if (last[w] >= 0) {
        EXPECT_EQ(slurp(p), "version " + std::to_string(last[w]) + "\n") << p;
      }
    }
  }
}

// A file larger than a block (a JSON export's result.json) is written beside its place and renamed over
// it once whole: an export dropped before finish() (a failure, Ctrl-C) leaves a file of an earlier export
// there as it was and nothing beside it; one that finishes replaces it. (The file used to be truncated
// at its first block, and a failure left it cut short.) Small files are written in place, as before.
TEST(ExportSinkThread, FolderSinkReplacesALargeFileOnlyOnceItIsWhole) {
  using calls = exporting::directory_sink::file_calls;
  for (auto [threaded, lanes, how] :
       {std::tuple{true, 1u, calls::batched}, {true, 2u, calls::plain}, {false, 1u, calls::plain}}) {
    temp_dir dir(std::string("sink-beside-") + (threaded ? "t" : "i") + std::to_string(lanes) +
                 (how == calls::batched ? "b" : "p"));
    const fs::path root = dir.path / "out";
    fs::create_directories(root);
    std::ofstream(root / "result.json", std::ios::binary) << "old export";
    std::string large;
    for (int i = 0; large.size() < 3 * exporting::directory_sink::kStreamBlockSize; ++i)
      large += "{\"id\": " + std::to_string(i) + "},\n";
    std::mt19937 rng(7);
    const auto others = [&] {
      std::vector<std::string> names;
      for (const auto& e : fs::directory_iterator(root))
        if (e.path().filename() != "result.json" && e.path().filename() != "small.txt")
          names.push_back(e.path().filename().string());
      return names;
    };
    {
      exporting::directory_sink sink(root, threaded, lanes, how);
      auto s = sink.open("result.json");
      ASSERT_TRUE(s.ok()) << s.error().message();
      ASSERT_TRUE(
          write_in_pieces(**s, large.substr(0, 2 * exporting::directory_sink::kStreamBlockSize), rng).ok());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the lanes apply what is queued
    }                                                              // dropped without finish()
    EXPECT_EQ(slurp(root / "result.json"), "old export");
    EXPECT_TRUE(others().empty()) << others().front();
    {
      exporting::directory_sink sink(root, threaded, lanes, how);
      auto s = sink.open("result.json");
      ASSERT_TRUE(s.ok()) << s.error().message();
      ASSERT_TRUE(write_in_pieces(**s, large, rng).ok());
      auto small = sink.open("small.txt");
      ASSERT_TRUE(small.ok());
      ASSERT_TRUE((*small)->write("small").ok());
      ASSERT_TRUE(sink.finish().ok());
    }
    EXPECT_EQ(slurp(root / "result.json"), large);
    EXPECT_EQ(slurp(root / "small.txt"), "small");
    EXPECT_TRUE(others().empty()) << others().front();
    // A name with no room for the partial suffix under the file system's 255 bytes is written in place.
    const std::string long_name = std::string(250, 'n') + ".txt";
    {
      exporting::directory_sink sink(dir.path / "long", threaded, lanes, how);
      auto s = sink.open(long_name);
      ASSERT_TRUE(s.ok()) << s.error().message();
      ASSERT_TRUE(write_in_pieces(**s, large, rng).ok());
      ASSERT_TRUE(sink.finish().ok());
    }
    EXPECT_EQ(slurp(dir.path / "long" / long_name), large);
  }
}

// A file a lane cannot create (the path is a folder): open() returned at once, the error comes from
// a later open() or write() (on any strand) and from finish(), naming the path. Files of other strands
// queued meanwhile may be written (their blocks can be applied first), but none after the one whose
// open() reported the error.
TEST(ExportSinkThread, FolderSinkReportsAFileItCouldNotCreate) {
  for (unsigned lanes : {1u, 3u}) {
    temp_dir dir("sink-eisdir-" + std::to_string(lanes));
    exporting::directory_sink sink(dir.path, true, lanes);
    ASSERT_TRUE(sink.add_directory("taken").ok());
    auto s = sink.open("taken");
    ASSERT_TRUE(s.ok()) << "open() queues; the thread meets the error";
    annot::status st;
    int opened = 0;
    for (; opened < 1'000'000 && st.ok(); ++opened) {
      auto next = sink.open("after/" + std::to_string(opened) + ".txt");
      st = next.ok() ? (*next)->write(std::string(100, 'x')) : next.error();
    }
    EXPECT_EQ(st.code(), annot::errc::io_error);
    EXPECT_NE(st.message().find("taken"), std::string::npos) << st.message();
    annot::status end = sink.finish();
    EXPECT_EQ(end.code(), annot::errc::io_error);
    EXPECT_NE(end.message().find(dir.path.string() + "/taken"), std::string::npos) << end.message();
    // Folders are made at open().
    std::size_t files = 0;
    for (auto it = fs::directory_iterator(dir.path / "after"); it != fs::directory_iterator(); ++it) ++files;
    EXPECT_LT(files, static_cast<std::size_t>(opened));
  }
}

// The same when the last thing written fails: only finish() can tell, and it does.
TEST(ExportSinkThread, FolderSinkFinishReportsTheLastFilesError) {
  temp_dir dir("sink-eisdir-last");
  exporting::directory_sink sink(dir.path);
  ASSERT_TRUE(sink.add_directory("a/b").ok());
  auto s = sink.open("a/b");
  ASSERT_TRUE(s.ok());
  (void)(*s)->write("lost");
  annot::status end = sink.finish();
  EXPECT_EQ(end.code(), annot::errc::io_error);
  EXPECT_NE(end.message().find("a/b"), std::string::npos) << end.message();
}

// Destroyed mid-run (the exporter failed): the thread is joined, queued files are not created,
// nothing hangs.
TEST(ExportSinkThread, FolderSinkDestroyedMidRunJoinsItsThread) {
  temp_dir dir("sink-abandon");
  {
    exporting::directory_sink sink(dir.path);
    for (int i = 0; i < 5000; ++i) {
      auto s = sink.open("labels/" + std::to_string(i) + ".txt");
      ASSERT_TRUE(s.ok());
      ASSERT_TRUE((*s)->write("0 0.5 0.5 0.1 0.1\n").ok());
    }
  }
  std::size_t files = 0;
  for (auto it = fs::directory_iterator(dir.path / "labels"); it != fs::directory_iterator(); ++it) ++files;
  EXPECT_LE(files, 5000u);
  // The thread is gone: nothing appears afterwards.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::size_t later = 0;
  for (auto it = fs::directory_iterator(dir.path / "labels"); it != fs::directory_iterator(); ++it) ++later;
  EXPECT_EQ(later, files);
}

// ---- zip sink -------------------------------------------------------------------------------------

// 5,000 entries written in pieces (some several blocks long), folders, a replaced entry and a copied
// file: the zip reader finds every entry in order with its bytes and CRC.
TEST(ExportSinkThread, ZipSinkKeepsEntriesAndBytesInOrder) {
  temp_dir dir("sink-zip-order");
  const std::vector<std::string> contents = file_contents(5000);
  const fs::path source = dir.path / "source.bin";
  const std::string copied = noise(400'000, 99);
  std::ofstream(source, std::ios::binary) << copied;
  std::string bytes;
  std::size_t calls = 0;
  exporting::callback_writer w([&](std::string_view b) -> annot::status {
    ++calls;
    bytes.append(b);
    return {};
  });
  std::mt19937 rng(5);
  exporting::zip_sink zip(w);
  ASSERT_TRUE(zip.add_directory("images").ok());
  for (std::size_t i = 0; i < contents.size(); ++i) {
    auto s = zip.open("labels/" + std::to_string(i) + ".txt");
    ASSERT_TRUE(s.ok()) << s.error().message();
    ASSERT_TRUE(write_in_pieces(**s, contents[i], rng).ok());
  }
  ASSERT_TRUE(zip.add_file("images/copy.bin", source.string()).ok());
  auto again = zip.open("labels/7.txt");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->write("second").ok());
  EXPECT_EQ(zip.add_file("x.bin", (dir.path / "missing").string()).code(), annot::errc::not_found);
  ASSERT_TRUE(zip.finish().ok());
  EXPECT_EQ(zip.entries(), 5003u);
  EXPECT_GT(calls, 1u);
  const auto entries = read_zip(bytes);
  ASSERT_EQ(entries.size(), 5003u);
  EXPECT_EQ(entries[0].first, "images/");
  EXPECT_EQ(entries[1].first, "labels/");
  for (std::size_t i = 0; i < contents.size(); ++i) {
    ASSERT_EQ(entries[i + 2].first, "labels/" + std::to_string(i) + ".txt");
    ASSERT_EQ(entries[i + 2].second, i == 7 ? "second" : contents[i]) << i;
  }
  EXPECT_EQ(entries.back().first, "images/copy.bin");
  EXPECT_EQ(entries.back().second, copied);
}

// More entries than the central directory keeps in memory: the spilled ones are listed as the others,
// and a path written again after them is listed once, in its first place, with its last bytes.
TEST(ExportSinkThread, ZipSinkListsEntriesBeyondADirectoryChunk) {
  std::string bytes;
  exporting::callback_writer w([&](std::string_view b) -> annot::status {
    bytes.append(b);
    return {};
  });
  exporting::zip_sink zip(w);
  const std::size_t n = exporting::zip_directory::kChunkEntries + 5'000;
  for (std::size_t i = 0; i < n; ++i) {
    auto s = zip.open("l/" + std::to_string(i) + ".txt");
    ASSERT_TRUE(s.ok()) << s.error().message();
    ASSERT_TRUE((*s)->write(std::to_string(i)).ok());
  }
  ASSERT_TRUE(zip.add_directory("l").ok());
  auto again = zip.open("l/5.txt");
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE((*again)->write("again").ok());
  ASSERT_TRUE(zip.finish().ok());
  EXPECT_EQ(zip.entries(), n + 1);
  const auto entries = read_zip(bytes);
  ASSERT_EQ(entries.size(), n + 1);
  EXPECT_EQ(entries[0].first, "l/");
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(entries[i + 1].first, "l/" + std::to_string(i) + ".txt");
    ASSERT_EQ(entries[i + 1].second, i == 5 ? "again" : std::to_string(i)) << i;
  }
}

// A full disk met while deflating on the thread: the error reaches a later write or finish(),
// naming the file.
// A zip header holds names of up to 65,535 bytes: a longer path is refused (it would corrupt the
// archive), and the archive stays whole.
TEST(ExportSinkThread, ZipSinkRefusesANameItsHeadersCannotHold) {
  std::string bytes;
  exporting::callback_writer w([&](std::string_view b) -> annot::status {
    bytes.append(b);
    return {};
  });
  exporting::zip_sink zip(w);
  const std::string longest = "d/" + std::string(65'533, 'a');
  auto fits = zip.open(longest);
  ASSERT_TRUE(fits.ok()) << fits.error().message();
  ASSERT_TRUE((*fits)->write("fits").ok());
  auto over = zip.open(longest + "b");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code(), annot::errc::invalid_argument);
  EXPECT_NE(over.error().message().find("65535"), std::string::npos) << over.error().message();
  EXPECT_EQ(zip.add_directory(std::string(65'535, 'c')).code(), annot::errc::invalid_argument);
  ASSERT_TRUE(zip.add_directory(std::string(65'534, 'c')).ok());
  ASSERT_TRUE(zip.finish().ok());
  const auto entries = read_zip(bytes);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].first, "d/");
  EXPECT_EQ(entries[1].first, longest);
  EXPECT_EQ(entries[1].second, "fits");
  EXPECT_EQ(entries[2].first, std::string(65'534, 'c') + "/");
}

TEST(ExportSinkThread, ZipSinkReportsAFullDisk) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  auto file = exporting::file_writer::create("/dev/full");
  ASSERT_TRUE(file.ok()) << file.error().message();
  exporting::zip_sink zip(**file);
  auto s = zip.open("big.bin");
  ASSERT_TRUE(s.ok());
  const std::string block = noise(1 << 20, 11);
  annot::status st;
  for (int i = 0; i < 64 && st.ok(); ++i) st = (*s)->write(block);
  if (st.ok()) st = zip.finish();
  EXPECT_EQ(st.code(), annot::errc::io_error);
  EXPECT_NE(st.message().find("/dev/full"), std::string::npos) << st.message();
  EXPECT_EQ(zip.finish().code(), annot::errc::io_error) << "finish() after the failure reports it again";
}

// The same with small entries only, deflated whole by the helpers and written in their turn.
TEST(ExportSinkThread, ZipSinkReportsAFullDiskWithSmallEntries) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full on this system";
  auto file = exporting::file_writer::create("/dev/full");
  ASSERT_TRUE(file.ok()) << file.error().message();
  exporting::zip_sink zip(**file, true, 1);
  annot::status st;
  for (int i = 0; i < 5000 && st.ok(); ++i) {
    auto s = zip.open("labels/" + std::to_string(i) + ".txt");
    st = s.ok() ? (*s)->write(noise(2000, static_cast<std::uint32_t>(i))) : s.error();
  }
  if (st.ok()) st = zip.finish();
  EXPECT_EQ(st.code(), annot::errc::io_error);
  EXPECT_NE(st.message().find("/dev/full"), std::string::npos) << st.message();
}

// A writer whose writes stick until release_after() lets them go: a client that stopped reading.
struct stuck_writer {
  std::mutex m;
  std::condition_variable cv;
  bool released = false;
  std::atomic<int> calls{0};
  std::atomic<std::size_t> written{0};
  std::thread releaser;
  exporting::callback_writer writer{[this](std::string_view b) -> annot::status {
    ++calls;
    written += b.size();
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return released; });
    return {};
  }};

  // The number of writes once the first one has begun (0 if none came within 10 s).
  int first_write() {
    for (int i = 0; i < 1000 && calls.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return calls.load();
  }
  void release_after(std::chrono::milliseconds delay) {
    releaser = std::thread([this, delay] {
      std::this_thread::sleep_for(delay);
      std::lock_guard lock(m);
      released = true;
      cv.notify_all();
    });
  }
  void join() {
    if (releaser.joinable()) releaser.join();
  }
  ~stuck_writer() { join(); }
};

// Destroyed while its writer is stuck with blocks queued: the destructor waits only for the write
// under way (and the rest of the block being applied), and the blocks still queued are never written.
TEST(ExportSinkThread, ZipSinkDestroyedMidRunJoinsItsThread) {
  stuck_writer stuck;
  {
    // No deflate helpers: each 256 KiB chunk is deflated and emitted as soon as it is full.
    exporting::zip_sink zip(stuck.writer, true, 0);
    auto s = zip.open("a.bin");
    ASSERT_TRUE(s.ok());
    // Six blocks: the third completes the first chunk, whose output (noise: as large as its input)
    // overflows the zip's 256 KiB buffer, so the buffered local header is written, and sticks.
    // Blocks four and five stay queued, the sixth with the producer (fewer than the pool holds, so
    // the producer is not stopped); applied, they would complete and emit a second chunk.
    ASSERT_TRUE((*s)->write(noise(6 * exporting::sink_thread::kBlockSize - 64, 3)).ok());
    EXPECT_EQ(stuck.first_write(), 1);  // not ASSERT: the writer must be released whatever happens
    stuck.release_after(std::chrono::milliseconds(100));
  }  // the destructor returns once the stuck write does
  stuck.join();
  EXPECT_LE(stuck.calls.load(), 2) << "the header, then the first chunk's output";
  EXPECT_LT(stuck.written.load(), 2 * exporting::chunked_deflate::kChunk)
      << "queued blocks were written out instead of dropped";
}

// Destroyed mid-run with small entries queued for the helpers and the writer stuck: the destructor
// waits only for the write under way, and the entries still queued are never written. (800 KB of
// entries: under the sink's 1 MiB queue, so the producer is never stopped.)
TEST(ExportSinkThread, ZipSinkDestroyedWithSmallEntriesQueuedJoinsItsThreads) {
  stuck_writer stuck;
  std::size_t total = 0;
  {
    exporting::zip_sink zip(stuck.writer, true, 1);
    for (int i = 0; i < 2000; ++i) {
      auto s = zip.open("labels/" + std::to_string(i) + ".txt");
      ASSERT_TRUE(s.ok());
      const std::string bytes = noise(400, static_cast<std::uint32_t>(i));
      total += bytes.size();
      ASSERT_TRUE((*s)->write(bytes).ok());
    }
    // The first 256 KiB of the archive go to the writer, which sticks.
    EXPECT_EQ(stuck.first_write(), 1);  // not ASSERT: the writer must be released whatever happens
    stuck.release_after(std::chrono::milliseconds(100));
  }
  stuck.join();
  EXPECT_LE(stuck.calls.load(), 2);
  EXPECT_LT(stuck.written.load(), total / 2) << "queued entries were written out instead of dropped";
}

// An entry of several chunks deflated by 0, 1 or 3 helper threads: what it holds reads back exactly
// (read_zip inflates each entry and checks its CRC), at sizes around the chunk edges, compressible
// and not, written in pieces of any length. The deflated bytes themselves may differ from run to
// run: igzip's output depends on what its state deflated before, which the threads decide.
TEST(ExportSinkThread, ZipSinkDeflatesLargeEntriesInChunksWithAnyHelpers) {
  constexpr std::size_t chunk = exporting::chunked_deflate::kChunk;
  std::vector<std::string> contents;
  for (std::size_t size : {std::size_t(0), chunk - 1, chunk, chunk + 1, 2 * chunk, 9 * chunk + 12345}) {
    std::string text;
    for (std::size_t i = 0; text.size() < size; ++i)  // JSON-like, repetitive: deflate shrinks it
      text += "{\"id\": " + std::to_string(i) + ", \"bbox\": [" + std::to_string(i % 640) + ".5, 12.25]},\n";
    text.resize(size);
    contents.push_back(text);
    contents.push_back(noise(size, static_cast<std::uint32_t>(size)));
  }
  for (unsigned helpers : {0u, 1u, 3u}) {
    std::string bytes;
    exporting::callback_writer w([&](std::string_view b) -> annot::status {
      bytes.append(b);
      return {};
    });
    std::mt19937 rng(11);
    {
      exporting::zip_sink zip(w, true, helpers);
      for (std::size_t i = 0; i < contents.size(); ++i) {
        auto s = zip.open("entry" + std::to_string(i));
        ASSERT_TRUE(s.ok());
        std::string_view rest = contents[i];
        while (!rest.empty()) {  // pieces from 1 byte to 300 KiB
          std::size_t n = std::min<std::size_t>(rest.size(), rng() % 3 == 0 ? 1 + rng() % 64 : 1 + rng() % 300'000);
          ASSERT_TRUE((*s)->write(rest.substr(0, n)).ok());
          rest.remove_prefix(n);
        }
      }
      ASSERT_TRUE(zip.finish().ok());
    }
    const auto entries = read_zip(bytes);
    ASSERT_EQ(entries.size(), contents.size());
    for (std::size_t i = 0; i < contents.size(); ++i) ASSERT_EQ(entries[i].second, contents[i]) << helpers << " " << i;
    std::size_t text = 0, random = 0;
    for (std::size_t i = 0; i < contents.size(); ++i) (i % 2 ? random : text) += contents[i].size();
    EXPECT_LT(bytes.size(), random + text / 4) << "the repetitive entries were not compressed";
  }
}

// Thousands of small entries (deflated whole, in batches, by the helpers) around a large one, a
// folder made midway and a path written twice: with 0, 1 or 3 helpers the entries come in the
// order written and each reads back exactly (the deflated bytes may differ, as above).
TEST(ExportSinkThread, ZipSinkDeflatesSmallEntriesWholeWithAnyHelpers) {
  std::mt19937 gen(21);
  std::vector<std::pair<std::string, std::string>> writes;  // path, bytes, in order
  for (int i = 0; i < 3000; ++i) {
    const std::size_t size = i % 97 == 0 ? 0 : gen() % 3000;
    std::string text;
    while (text.size() < size) text += "0 0." + std::to_string(gen() % 100000) + " 0.25 0.5 0.125\n";
    text.resize(size);
    writes.emplace_back((i < 1500 ? "labels/" : "more/labels/") + std::to_string(i) + ".txt",
                        i % 5 == 0 ? noise(size, static_cast<std::uint32_t>(i)) : text);
    if (i == 1000) writes.emplace_back("result.json", noise(2 * exporting::chunked_deflate::kChunk + 7, 5));
  }
  writes.emplace_back("labels/3.txt", "written again");
  for (unsigned helpers : {0u, 1u, 3u}) {
    std::string bytes;
    exporting::callback_writer w([&](std::string_view b) -> annot::status {
      bytes.append(b);
      return {};
    });
    {
      exporting::zip_sink zip(w, true, helpers);
      for (std::size_t i = 0; i < writes.size(); ++i) {
        if (i == 2000) {
          ASSERT_TRUE(zip.add_directory("images").ok());
        }
        auto s = zip.open(writes[i].first);
        ASSERT_TRUE(s.ok());
        std::string_view rest = writes[i].second;
        while (!rest.empty()) {
          const std::size_t n = std::min<std::size_t>(rest.size(), 1 + gen() % 1500);
          ASSERT_TRUE((*s)->write(rest.substr(0, n)).ok());
          rest.remove_prefix(n);
        }
      }
      ASSERT_TRUE(zip.finish().ok());
    }
    const auto entries = read_zip(bytes);
    std::vector<std::string> names;
    std::map<std::string, std::string> held;
    for (const auto& [name, data] : entries) {
      names.push_back(name);
      held[name] = data;
    }
    // Folders first met, each before the entries in it; "images/" where it was added.
    std::vector<std::string> expected = {"labels/"};
    for (std::size_t i = 0; i + 1 < writes.size(); ++i) {
      if (writes[i].first.starts_with("more/") && !writes[i - 1].first.starts_with("more/")) {
        expected.push_back("more/");
        expected.push_back("more/labels/");
      }
      if (i == 2000) expected.push_back("images/");
      expected.push_back(writes[i].first);
    }
    ASSERT_EQ(names, expected) << helpers << " helpers";
    for (std::size_t i = 0; i + 1 < writes.size(); ++i) {
      if (writes[i].first != "labels/3.txt") {
        ASSERT_EQ(held[writes[i].first], writes[i].second) << writes[i].first;
      }
    }
    EXPECT_EQ(held["labels/3.txt"], "written again");
  }
}

// Each entry's method and general-purpose flags from the central directory, and whether its local
// header repeats the central directory's CRC and sizes (as a stored entry's must, having no
// descriptor), by name.
struct zip_entry_form {
  std::uint16_t method = 0, flags = 0;
  bool header_has_sums = false;
};
std::map<std::string, zip_entry_form> zip_forms(const std::string& zip) {
  using annot::host::testing::zip_rd16;
  using annot::host::testing::zip_rd32;
  std::map<std::string, zip_entry_form> out;
  for (std::size_t at = zip.find("PK\x01\x02"); at != std::string::npos; at = zip.find("PK\x01\x02", at + 4)) {
    const std::uint16_t nlen = zip_rd16(zip, at + 28);
    const std::uint32_t local = zip_rd32(zip, at + 42);
    zip_entry_form f;
    f.flags = zip_rd16(zip, at + 8);
    f.method = zip_rd16(zip, at + 10);
    f.header_has_sums = zip_rd16(zip, local + 8) == f.method && zip_rd32(zip, local + 14) == zip_rd32(zip, at + 16) &&
                        zip_rd32(zip, local + 18) == zip_rd32(zip, at + 20) &&
                        zip_rd32(zip, local + 22) == zip_rd32(zip, at + 24);
    out[zip.substr(at + 46, nlen)] = f;
  }
  return out;
}

// Files that deflate would not shrink (here JPEG, PNG, MP4 and unnamed bytes of noise) are stored
// as they are, with their sums in the local header; text, a BMP, a barely compressed PNG and a
// file over the store limit are deflated. Entries keep the order written, among small entries
// queued for the helpers, with 0, 1 or 3 of them; a stored path written again keeps only its last,
// deflated copy.
TEST(ExportSinkThread, ZipSinkStoresFilesThatAreCompressedAlready) {
  temp_dir dir("sink-zip-stored");
  const std::map<std::string, std::string> files = {
      {"photo.jpg", "\xFF\xD8\xFF\xE0" + noise(300'000, 1)},
      {"tiny.jpg", "\xFF\xD8\xFF\xDB" + noise(10, 2)},
      {"mask.png", std::string("\x89PNG\r\n\x1A\n", 8) + noise(50'000, 3)},
      {"clip.mp4", std::string("\0\0\0\x18" "ftypmp42", 12) + noise(70'000, 4)},
      {"notes.txt", [] {
         std::string t;
         while (t.size() < 100'000) t += "0 0.25 0.5 0.125 0.0625\n";
         return t;
       }()},
      {"frame.bmp", "BM" + std::string(60'000, '\x7F')},
      {"flat.png", std::string("\x89PNG\r\n\x1A\n", 8) + std::string(40'000, '\0')},
      {"data.bin", noise(30'000, 6)},
      {"huge.jpg", "\xFF\xD8\xFF\xE0" + noise(exporting::zip_sink::kStoreLimit, 7)},
  };
  for (const auto& [name, content] : files) std::ofstream(dir.path / name, std::ios::binary) << content;
  const std::vector<std::string> order = {"photo.jpg", "notes.txt", "tiny.jpg", "mask.png", "frame.bmp",
                                          "clip.mp4",  "flat.png",  "data.bin", "huge.jpg"};
  for (unsigned helpers : {0u, 1u, 3u}) {
    std::string bytes;
    exporting::callback_writer w([&](std::string_view b) -> annot::status {
      bytes.append(b);
      return {};
    });
    std::vector<std::pair<std::string, std::string>> expected;
    {
      exporting::zip_sink zip(w, true, helpers);
      for (std::size_t i = 0; i < order.size(); ++i) {
        const std::string label = "labels/" + std::to_string(i) + ".txt";  // small: queued whole
        auto s = zip.open(label);
        ASSERT_TRUE(s.ok());
        ASSERT_TRUE((*s)->write("0 0.5 0.5 0.1 0.1\n").ok());
        ASSERT_TRUE(zip.add_file("media/" + order[i], (dir.path / order[i]).string()).ok()) << order[i];
        expected.emplace_back(label, "0 0.5 0.5 0.1 0.1\n");
        expected.emplace_back("media/" + order[i], files.at(order[i]));
      }
      ASSERT_TRUE(zip.add_file("again/tiny.jpg", (dir.path / "tiny.jpg").string()).ok());
      auto again = zip.open("again/tiny.jpg");
      ASSERT_TRUE(again.ok());
      ASSERT_TRUE((*again)->write("replaced").ok());
      ASSERT_TRUE(zip.finish().ok());
    }
    const auto entries = read_zip(bytes);
    std::vector<std::pair<std::string, std::string>> files_read;
    for (const auto& e : entries)
      if (e.first.back() != '/') files_read.push_back(e);
    ASSERT_EQ(files_read.size(), expected.size() + 1) << helpers << " helpers";
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(files_read[i].first, expected[i].first) << helpers << " helpers";
      EXPECT_TRUE(files_read[i].second == expected[i].second) << expected[i].first << ", " << helpers << " helpers";
    }
    EXPECT_EQ(files_read.back(), std::make_pair(std::string("again/tiny.jpg"), std::string("replaced")));
    const auto forms = zip_forms(bytes);
    for (const char* name : {"photo.jpg", "tiny.jpg", "mask.png", "clip.mp4", "data.bin"}) {
      const zip_entry_form f = forms.at(std::string("media/") + name);
      EXPECT_EQ(f.method, 0) << name;
      EXPECT_EQ(f.flags, 0x0800) << name << ": no data descriptor";
      EXPECT_TRUE(f.header_has_sums) << name;
    }
    for (const char* name : {"notes.txt", "frame.bmp", "flat.png", "huge.jpg"}) {
      EXPECT_EQ(forms.at(std::string("media/") + name).method, 8) << name;
      EXPECT_EQ(forms.at(std::string("media/") + name).flags, 0x0808) << name;
    }
    EXPECT_EQ(forms.at("again/tiny.jpg").method, 8);
  }
}

// ---- single-file sink -----------------------------------------------------------------------------

// The one entry's bytes reach the writer in order by finish(); a second entry is refused at once.
TEST(ExportSinkThread, SingleFileSinkWritesEverythingByFinish) {
  std::string bytes;
  exporting::callback_writer w([&](std::string_view b) -> annot::status {
    bytes.append(b);
    return {};
  });
  exporting::single_file_sink single(w);
  auto s = single.open("result.json");
  ASSERT_TRUE(s.ok());
  std::string expected;
  std::mt19937 rng(9);
  for (int i = 0; i < 2000; ++i) {
    std::string piece = noise(rng() % 3000, static_cast<std::uint32_t>(i));
    ASSERT_TRUE((*s)->write(piece).ok());
    expected += piece;
  }
  EXPECT_EQ(single.open("other.json").error().code(), annot::errc::internal);
  ASSERT_TRUE(single.finish().ok());
  EXPECT_EQ(bytes, expected);
}

}  // namespace
