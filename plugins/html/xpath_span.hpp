// XPath spans on HyperText: the XPath form the editor writes, and the region validator.
#pragma once

#include <annot/regions.hpp>
#include <memory>
#include <string_view>

namespace annot::plugins::html {

// True when `path` is an XPath of the form the editor writes relative to the document root: "/"
// alone, or steps "/name" or "/name[n]" (n >= 1), the last of which may be "text()" or "text()[n]".
bool is_editor_xpath(std::string_view path) noexcept;

// Checks {start, end, startOffset?, endOffset?, globalOffsets?, text?}. With `geometry_required`
// false (per-region results of other controls, which may or may not repeat the span) the span is
// checked only when present, but then start and end must come together.
std::unique_ptr<annot::result_validator> make_xpath_span_validator(bool geometry_required);

}  // namespace annot::plugins::html
