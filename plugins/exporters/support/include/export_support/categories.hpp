// The category table of COCO, YOLO, YOLO_OBB and VOC names (spec §1.7).
#pragma once

#include <annot/exporter.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "export_support/schema.hpp"

namespace annot::plugins::export_support {

struct category {
  std::int64_t id = 0;
  std::string name;
};

// Built from every control tag of the schema: labels with an integer `category` attribute first
// (schema order, with that id; one entry per control, so a label given a category in two controls
// is listed twice), then every other label sorted by Python string order, each taking the smallest
// id from 0 that no explicit label's name kept. Labels met during the export are appended with
// id = size(). A name listed twice means its last entry, as upstream's name -> id dict does.
class category_table {
 public:
  // Non-integer `category` values are ignored with a warning through `log` (may be null).
  static category_table from_schema(const schema& s, annot::export_log* log = nullptr);

  const std::vector<category>& list() const noexcept { return list_; }
  // The last category named `name`, or nullptr.
  const category* find(std::string_view name) const noexcept;
  // The id of `name`, appending it with id = list().size() when unknown (upstream quirk §4 row 10:
  // the id may collide with an explicit one). `appended` tells whether it was new.
  std::int64_t id_of(std::string_view name, bool* appended = nullptr);
  // Removes every entry named `name`.
  void remove(std::string_view name);
  void push_back(category c);

 private:
  struct name_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  std::vector<category> list_;
  // Name -> position in list_ of its last entry: find() runs per region, and a config of 20,000
  // labels made a search of the list per lookup quadratic.
  std::unordered_map<std::string, std::size_t, name_hash, std::equal_to<>> last_;
};

// Python int() of a label attribute ("7", " +7 ", "1_000"); nullopt when it is not an integer.
std::optional<std::int64_t> python_int(std::string_view text);

}  // namespace annot::plugins::export_support
