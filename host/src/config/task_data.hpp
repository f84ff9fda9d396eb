// Task-data checks (spec §3.4): which keys a task must have and whether their types fit the tags.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace annot::host::config {

// The keys a task's data must have, as Label Studio reports them: the part of each data key before
// any '[' ("images" for "images[{{idx}}].url"), in first-seen order, without repeats.
std::vector<std::string> required_data_keys(const config_model& model);

// Imports of text/HTML/media files store their content under "$undefined$"; Label Studio moves it
// to the config's first data key. Does that in place; returns whether it did.
bool rename_undefined_key(const config_model& model, nlohmann::json& data);
// The same on stored data text, for what reads tasks back (the API's task JSON, exports), as
// Label Studio's replace_task_data_undefined_with_config_field: the value takes `first_key`'s place
// when the data has that key, else goes last. Appends the renamed text to `out` and returns true;
// false (nothing appended) when there is nothing to rename or `first_key` is empty.
bool append_data_with_undefined_renamed(std::string& out, std::string_view data, std::string_view first_key);

// Checks task data (the "data" dict) against the config's data keys, with Label Studio's messages:
//   "text" key is expected in task data
//   data['text']=5 is of type 'int', but the object tag HyperText expects the following types: ['str']
// Label Studio stops at the first; this returns all, the first being its. Empty when the data fits.
// A "$undefined$" key counts as the first data key, as if rename_undefined_key() had run.
std::vector<std::string> check_task_data(const config_model& model, const nlohmann::json& data);

// Checks one task as imported: {"data": {...}, ...} or a bare data dict, adding Label Studio's
// suffix (" [assume: item[\"data\"] = task root with values]" or
// " [assume: item as is = task root with values] ").
std::vector<std::string> check_task(const config_model& model, const nlohmann::json& task);

// Resolves a lodash-style path ("a.b", "arr[0].url", "$a" without the '$') in task data;
// nullptr when any step is missing.
const nlohmann::json* resolve_data_path(const nlohmann::json& data, std::string_view path);

}  // namespace annot::host::config
