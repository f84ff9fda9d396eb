// Shared by the store benchmarks: a deterministic task generator and its import, timing and peak RSS.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace annot::bench {

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

inline long peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

// splitmix64: a fixed, portable sequence (the same tasks on every run and machine).
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// An image task of ~230 bytes, like a typical Label Studio image import row. Half the tasks have
// split "train" (the data-manager bench's data filter keeps about half).
inline std::string task_data(std::uint64_t i) {
  std::uint64_t h = mix(i);
  char buf[320];
  std::snprintf(
      buf, sizeof buf,
      "{\"image\":\"https://storage.example.com/datasets/birds/images/"
      "%08llu.jpg\",\"split\":\"%s\",\"source\":\"camera-%02llu\",\"captured_at\":\"2023-%02llu-%02lluT%"
      "02llu:%02llu:00Z\",\"width\":%llu,\"height\":%llu,\"tags\":[\"bird\",\"outdoor\"]}",
      static_cast<unsigned long long>(i), (h & 1) ? "train" : "test",
      static_cast<unsigned long long>((h >> 8) % 17), static_cast<unsigned long long>(1 + (h >> 16) % 12),
      static_cast<unsigned long long>(1 + (h >> 24) % 28), static_cast<unsigned long long>((h >> 32) % 24),
      static_cast<unsigned long long>((h >> 40) % 60),
      static_cast<unsigned long long>(640 + (h >> 44) % 1280),
      static_cast<unsigned long long>(480 + (h >> 52) % 720));
  return buf;
}

inline const char* prediction_result() {
  return "[{\"id\":\"p1\",\"from_name\":\"label\",\"to_name\":\"image\",\"type\":\"rectanglelabels\","
         "\"original_width\":1920,\"original_height\":1080,\"value\":{\"x\":12.5,\"y\":30.1,\"width\":20.0,"
         "\"height\":15.5,\"rotation\":0,\"rectanglelabels\":[\"Bird\"]}}]";
}

inline const char* label_config() {
  return "<View><Image name=\"image\" value=\"$image\"/><RectangleLabels name=\"label\" toName=\"image\">"
         "<Label value=\"Bird\"/></RectangleLabels></View>";
}

// Imports tasks 0..n-1 (task_data(i)) into `project_id` through the store's import path, 5,000 a
// batch, and publishes them; task i also gets `annotation` when annotated(i).
template <class Annotated>
void import_generated(host::store::store& s, std::int64_t project_id, std::int64_t n, Annotated annotated,
                      const host::store::import_annotation& annotation) {
  using namespace host::store;
  auto imp = s.run<import_record>([&](write_context& w) { return w.begin_import({project_id}); });
  if (!imp) throw std::runtime_error(imp.error().message());
  for (std::int64_t first = 0; first < n; first += 5000) {
    std::vector<import_task> tasks;
    for (std::int64_t i = first; i < std::min(n, first + 5000); ++i) {
      import_task t;
      t.data = task_data(std::uint64_t(i));
      if (annotated(i)) t.annotations.push_back(annotation);
      tasks.push_back(std::move(t));
    }
    auto b = s.run<staged_batch>([&](write_context& w) { return w.stage_tasks(imp->id, tasks); });
    if (!b) throw std::runtime_error(b.error().message());
  }
  auto pub = s.run<import_record>([&](write_context& w) { return w.publish_import(imp->id, {}); });
  if (!pub) throw std::runtime_error(pub.error().message());
}

}  // namespace annot::bench
