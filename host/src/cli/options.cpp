// Command-line option parsing with environment fallbacks.
#include "cli/options.hpp"

#include <charconv>
#include <cstdlib>

namespace annot::host::cli {
namespace {

bool truthy(std::string_view v) { return v == "1" || v == "true" || v == "yes" || v == "on"; }

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto comma = text.find(',', start);
    auto part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!part.empty()) out.emplace_back(part);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

option_table& option_table::flag(std::string name, std::string env, std::string help) {
  entries_.push_back({std::move(name), std::move(env), "", std::move(help), true, false});
  return *this;
}

option_table& option_table::value(std::string name, std::string env, std::string default_value, std::string help,
                                  bool repeatable) {
  entries_.push_back({std::move(name), std::move(env), std::move(default_value), std::move(help), false, repeatable});
  return *this;
}

const option_table::entry* option_table::find(std::string_view name) const {
  for (auto& e : entries_)
    if (e.name == name) return &e;
  return nullptr;
}

result<option_table::parsed> option_table::parse(const std::vector<std::string>& args) const {
  parsed out;
  std::map<std::string, std::vector<std::string>, std::less<>> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      for (++i; i < args.size(); ++i) out.positional.push_back(args[i]);
      break;
    }
    if (arg.size() < 3 || arg.substr(0, 2) != "--") {
      out.positional.emplace_back(arg);
      continue;
    }
    auto body = arg.substr(2);
    auto eq = body.find('=');
    std::string_view name = body.substr(0, eq);
    const entry* e = find(name);
    if (!e) return status(errc::invalid_argument, "unknown option --" + std::string(name));
    if (e->is_flag) {
      if (eq != std::string_view::npos) {
        auto v = body.substr(eq + 1);
        given[e->name] = {truthy(v) ? "1" : "0"};
      } else {
        given[e->name] = {"1"};
      }
      continue;
    }
    std::string v;
    if (eq != std::string_view::npos) {
      v = std::string(body.substr(eq + 1));
    } else {
      if (i + 1 >= args.size()) return status(errc::invalid_argument, "option --" + e->name + " needs a value");
      v = args[++i];
    }
    auto& slot = given[e->name];
    if (e->repeatable) slot.push_back(std::move(v));
    else slot = {std::move(v)};
  }
  for (auto& e : entries_) {
    if (auto it = given.find(e.name); it != given.end()) {
      out.values[e.name] = it->second;
      continue;
    }
    const char* env = e.env.empty() ? nullptr : std::getenv(e.env.c_str());
    if (env && *env) {
      if (e.is_flag) out.values[e.name] = {truthy(env) ? "1" : "0"};
      else if (e.repeatable) out.values[e.name] = split_commas(env);
      else out.values[e.name] = {env};
    } else if (!e.is_flag && !e.default_value.empty()) {
      out.values[e.name] = {e.default_value};
    }
  }
  return out;
}

std::string option_table::help() const {
  std::string out;
  for (auto& e : entries_) {
    std::string head = "  --" + e.name + (e.is_flag ? "" : " VALUE");
    if (head.size() < 28) head.resize(28, ' ');
    else head += "  ";
    out += head + e.help;
    if (!e.default_value.empty()) out += " (default: " + e.default_value + ")";
    if (!e.env.empty()) out += " [env " + e.env + "]";
    out += "\n";
  }
  return out;
}

bool option_table::parsed::flag(std::string_view name) const {
  auto it = values.find(name);
  return it != values.end() && !it->second.empty() && it->second.back() == "1";
}

std::string option_table::parsed::get(std::string_view name) const {
  auto it = values.find(name);
  return it == values.end() || it->second.empty() ? std::string() : it->second.back();
}

const std::vector<std::string>& option_table::parsed::all(std::string_view name) const {
  static const std::vector<std::string> none;
  auto it = values.find(name);
  return it == values.end() ? none : it->second;
}

bool option_table::parsed::has(std::string_view name) const { return values.find(name) != values.end(); }

result<unsigned short> parse_port(std::string_view text, bool allow_zero) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535 || (value == 0 && !allow_zero))
    return status(errc::invalid_argument, "invalid port '" + std::string(text) + "': expected a number from 1 to 65535");
  return static_cast<unsigned short>(value);
}

result<unsigned> parse_count(std::string_view text, std::string_view what) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 1024)
    return status(errc::invalid_argument,
                  "invalid " + std::string(what) + " '" + std::string(text) + "': expected a number from 1 to 1024");
  return value;
}

}  // namespace annot::host::cli
