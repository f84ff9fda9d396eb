// How long an HTML document's text can be in the editor's global offsets, and the HyperText measure.
#pragma once

#include <annot/tags.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace annot::plugins::html {

// What a scan of an HTML document finds.
struct html_text_size {
  // Code points of the text outside markup (tags, comments, doctype), entities as written: Label
  // Studio's editor saves offsets in code points (fixCodePointsInRange).
  std::size_t text_units = 0;
  // Start tags, each of which may add line breaks to the editor's displayed text.
  std::size_t elements = 0;
};

// Scans `html` without building a tree; never fails (unterminated markup runs to the end).
// `utf8`: the bytes are UTF-8 (false: one byte is one character, as atob() gives for base64).
html_text_size scan_html(std::string_view html, bool utf8 = true) noexcept;

// The most global offsets the editor can count in that document: its text in code points plus two
// line breaks per element (the editor adds "\n" for <br> and block elements; entities and collapsed
// white space only make the real count smaller).
std::size_t global_offset_bound(const html_text_size& size) noexcept;

// Standard base64 (padding optional, white space ignored); nullopt when `text` is not base64.
std::optional<std::string> decode_base64(std::string_view text);

// HyperText's data_measure: extent.length = global_offset_bound of the task's HTML, decoded as the
// tag's `encoding` says; unknown for valueType="url" and for data that is not a string.
class hypertext_measure final : public annot::data_measure {
 public:
  annot::data_extent measure(const annot::object_instance& object, annot::json_ref data) const noexcept override;
};

}  // namespace annot::plugins::html
