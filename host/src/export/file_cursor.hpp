// annot::task_cursor over a JSON array file of tasks (a stored export's snapshot): elements are
// split by a streaming scanner, so memory holds one task and a read buffer. A preparer runs inside
// next() (stored exports are converted in the background; the store's cursor is the fast path).
#pragma once

#include <annot/exporter.hpp>
#include <cstdio>
#include <filesystem>
#include <string>

namespace annot::host::exporting {

class file_cursor final : public annot::task_cursor {
 public:
  // `tasks` is the number of elements when known (for progress), else -1.
  file_cursor(std::filesystem::path file, std::int64_t tasks = -1);
  ~file_cursor();
  file_cursor(const file_cursor&) = delete;
  file_cursor& operator=(const file_cursor&) = delete;

  annot::result<bool> next(std::string_view& task_json) override;
  annot::status rewind() override;
  std::int64_t size_hint() const noexcept override { return tasks_; }
  annot::status prepare_with(const annot::task_preparer* preparer) override;
  // Tasks handed out since the last rewind (the export report's count).
  std::int64_t delivered() const noexcept { return delivered_; }

 private:
  bool fill();  // reads more into buf_; false at end of file

  std::filesystem::path path_;
  std::int64_t tasks_;
  std::FILE* f_ = nullptr;
  std::string buf_;
  std::size_t pos_ = 0;
  bool started_ = false;  // past the opening '['
  bool done_ = false;
  std::int64_t delivered_ = 0;
  std::string current_;
  const annot::task_preparer* preparer_ = nullptr;
  std::string prepared_;
  annot::status failed_;  // the preparer's error: sticky until rewind()
};

}  // namespace annot::host::exporting
