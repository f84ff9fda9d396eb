// Byte-exact printers for Label Studio's export files: ujson-style JSON (spec §1.5), Python's
// float repr and Python json.dumps style (§1.5, §7.2), and CSV cells.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace annot::plugins::export_support {

// The JSON document type exporters work on: keeps key order, integers stay integers and
// non-integers become doubles (what ijson with use_float=True gives the converter).
using json = nlohmann::ordered_json;

// Python repr of a float (str(float)): shortest round trip, "1.0", "1e-05", "1e+16", "inf", "nan".
std::string python_float(double v);
void append_python_float(std::string& out, double v);

// ujson's float (double-conversion shortest): like python_float but exponents unpadded:
// "1e-5", "3.0000000000000004e-5", "1e+16"; integral floats keep ".0".
void append_ujson_float(std::string& out, double v);
// append_ujson_float's text written at p, which must have room for 48 bytes (at most 24 are text); returns
// the end. For elements laid out in a stack buffer (COCO's boxes).
char* write_ujson_float(char* p, double v);

struct ujson_options {
  // Spaces per level; 0 = compact ({"a":1,"b":[1,2]}).
  int indent = 0;
  // Escape non-ASCII as \uXXXX (ujson's default); off = raw UTF-8 (JSON_MIN, CSV cells).
  bool ensure_ascii = true;
};

// ujson.dumps: '/' escaped as "\/", indent style "key": value with one element per line, empty
// containers as [] and {}, no trailing newline. `level` is the starting indentation level.
void append_ujson(std::string& out, const json& value, const ujson_options& options, int level = 0);
std::string ujson(const json& value, const ujson_options& options = {});
// A JSON string literal the way ujson writes it.
void append_ujson_string(std::string& out, std::string_view s, bool ensure_ascii);

struct python_json_options {
  // json.dumps(indent=...): -1 = None (one line with ", " and ": " separators).
  int indent = -1;
  bool ensure_ascii = true;
};
// Python's json.dumps (ASR manifest, BRUSH_TO_COCO): no "\/" escaping, floats as repr.
void append_python_json(std::string& out, const json& value, const python_json_options& options, int level = 0);
// A JSON string literal the way json.dumps writes it ('/' as is).
void append_python_json_string(std::string& out, std::string_view s, bool ensure_ascii);
std::string python_json(const json& value, const python_json_options& options = {});

// Python str() of a scalar as csv.DictWriter writes it: ints as digits, floats as repr, True/False.
// Strings are returned as is. Not for arrays or objects.
std::string python_str(const json& scalar);

}  // namespace annot::plugins::export_support
