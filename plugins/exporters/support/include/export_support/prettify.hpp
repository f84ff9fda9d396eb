// JSON_MIN / CSV value shaping ("prettify", spec §2.2): what one output group becomes in a record.
#pragma once

#include "export_support/json_text.hpp"

namespace annot::plugins::export_support {

// One output group (the list of value dicts of one from_name, each with its schema "type") as
// JSON_MIN and CSV write it: "type" removed; a Choices value with one choice / a TextArea value
// with one text becomes that string; chat values become their "chatmessage" object; a Choices or
// TextArea group with a single region is unwrapped from its list.
json prettify(const json& group);
// The same, moving the values out of `group` (left with moved-from values).
json prettify(json&& group);

// Whether a group holds chat messages (type Chat or chatmessage): CSV adds "<name>_transcript".
bool is_chat_group(const json& group);

// "role: content" lines of a chat group, joined by '\n' (CSV's <name>_transcript).
std::string chat_transcript(const json& group);

}  // namespace annot::plugins::export_support
