// Splits a JSON task file arriving in chunks into its top-level tasks, so that memory holds one
// task at a time however large the file is.
#pragma once

#include <annot/status.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace annot::host::imports {

// Feed it the bytes of a document whose root is a list of tasks (`[{...}, {...}]`) or one task
// (`{...}`); it calls `on_item` with the raw text of each top-level item, byte for byte as sent.
// It checks only the structure between items (brackets, commas, strings); each item's own syntax is
// the item parser's business. Not thread-safe; one document per object.
class json_splitter {
 public:
  // `item` stays valid during the call only. The buffer behind it has at least `padding` readable
  // bytes after item.end() (simdjson reads past the end). A non-ok status stops the split.
  using item_fn = std::function<status(std::string_view item)>;
  static constexpr std::size_t padding = 64;

  explicit json_splitter(item_fn on_item) : on_item_(std::move(on_item)) {}

  // Scans a chunk; an invalid_argument status names the problem and its byte offset.
  status feed(std::string_view chunk);
  // The end of the document: fails when it stopped inside an item or the list.
  status finish();

  bool root_is_list() const noexcept { return root_list_; }
  std::uint64_t items() const noexcept { return items_; }
  std::uint64_t bytes() const noexcept { return offset_; }
  // What the item buffer holds between items, in bytes (for tests).
  std::size_t held_bytes() const noexcept { return item_.capacity(); }

 private:
  enum class state { before_root, list_open, after_comma, in_item, after_item, after_root };
  status fail(std::string_view what) const;
  status emit();

  static constexpr std::size_t kept_capacity = std::size_t(8) << 20;

  item_fn on_item_;
  state state_ = state::before_root;
  std::string item_;  // the current item's bytes (plus room for the padding)
  int depth_ = 0;     // bracket depth inside the current item
  bool in_string_ = false;
  bool escaped_ = false;
  bool scalar_ = false;  // the item is a bare number/literal: it ends at a delimiter
  bool root_list_ = false;
  std::uint64_t bom_seen_ = 0;  // bytes of a leading byte order mark skipped
  std::uint64_t items_ = 0;
  std::uint64_t offset_ = 0;  // bytes consumed so far
};

}  // namespace annot::host::imports
