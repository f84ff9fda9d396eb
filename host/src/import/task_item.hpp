// One imported task item (spec §3.3) parsed with simdjson: the task's data kept as raw text, its
// embedded annotations, predictions and drafts.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "store/model.hpp"

namespace annot::host::imports {

// Who an imported annotation says completed it; resolved against the users by the pipeline.
struct annotator_ref {
  enum class kind { none, id, email, no_email, invalid };
  kind k = kind::none;
  std::int64_t id = 0;
  std::string email;
};

struct parsed_item {
  store::import_task task;
  std::vector<annotator_ref> annotators;  // one per task.annotations entry
  std::vector<annotator_ref> draft_users;  // one per task.drafts entry (none / id / email)
  bool wrapped = false;                   // the item had a truthy "data" dict
};

// A simdjson on-demand parser, reused from item to item. Not thread-safe: one per thread.
class item_parser {
 public:
  item_parser();
  ~item_parser();
  item_parser(const item_parser&) = delete;
  item_parser& operator=(const item_parser&) = delete;

  // Parses `text`, which must have `padding` readable bytes after its end. Errors are
  // invalid_argument with Label Studio's message where it has one ("Task item should be dict").
  status parse(std::string_view text, std::size_t padding, parsed_item& out);

  // The top-level keys of a JSON object text (same padding rule), in order; false when not an
  // object. `types` gets, for each key, one of "str", "int", "float", "bool", "list", "dict", "none".
  bool object_keys(std::string_view text, std::size_t padding, std::vector<std::string>& keys,
                   std::vector<std::string_view>* types = nullptr);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace annot::host::imports
