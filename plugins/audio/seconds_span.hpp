// Audio segments: {start, end, channel} in seconds, checked against the item's original_length.
#pragma once

#include <annot/regions.hpp>
#include <memory>

namespace annot::plugins::audio {

// The value keys of a segment; `required` for labels, optional for per-region results.
annot::field_table seconds_span_fields(bool required);

// Checks a segment: end after start, within original_length (seconds) when the item carries it.
// With `geometry_required` false the segment is checked only when the result repeats it, but then
// start and end must come together.
std::unique_ptr<annot::result_validator> make_seconds_span_validator(bool geometry_required);

}  // namespace annot::plugins::audio
