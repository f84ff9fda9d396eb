// `annot user create|list|delete`: manage accounts straight in the database (the first admin, or
// every account when signup is disabled). `create` prints the new user's API token on its last line.
#include <charconv>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "store/secrets.hpp"
#include "store/store.hpp"
#include "store/time.hpp"

namespace annot::host::cli {
namespace {

option_table user_options() {
  option_table t;
  t.value("data-dir", "ANNOT_DATA_DIR", "./data", "where the database lives (data-dir/annot.db)")
      .value("db", "ANNOT_DB", "", "database location (sqlite:PATH or a path); default: data-dir/annot.db")
      .value("email", "", "", "the user's email (create, delete)")
      .value("password", "ANNOT_PASSWORD", "", "the password for web login (create; none: API token only)")
      .value("first-name", "", "", "first name (create)")
      .value("last-name", "", "", "last name (create)")
      .value("id", "", "", "the user's id (delete)")
      .flag("admin", "", "make the user an administrator (create)")
      .flag("json", "", "print JSON (list)")
      .flag("help", "", "show this help");
  return t;
}

const char* usage_text =
    "usage: annot user create --email E [--password P] [--admin] [--data-dir D | --db LOCATION]\n"
    "       annot user list [--json] [--data-dir D | --db LOCATION]\n"
    "       annot user delete (--email E | --id N | E) [--data-dir D | --db LOCATION]\n";

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "annot user: %s\n", message.c_str());
  return code;
}

store::store_options store_location(const option_table::parsed& p) {
  store::store_options o;
  std::string db = p.get("db");
  o.location = db.empty() ? "sqlite:" + (std::filesystem::path(p.get("data-dir")) / "annot.db").string() : db;
  return o;
}

result<std::unique_ptr<store::store>> open(const option_table::parsed& p, bool create_dir) {
  if (create_dir && p.get("db").empty()) {
    std::error_code ec;
    std::filesystem::create_directories(p.get("data-dir"), ec);
    if (ec) return status(errc::io_error, "cannot create the data directory " + p.get("data-dir") + ": " + ec.message());
  }
  store::store_options o = store_location(p);
  o.must_exist = !create_dir;  // list and delete: a mistyped --data-dir makes no empty database
  return store::open_store(o);
}

int create(const option_table::parsed& p) {
  std::string email = p.get("email");
  if (email.empty()) return fail("create needs --email", 2);
  store::new_user nu;
  nu.email = email;
  nu.first_name = p.get("first-name");
  nu.last_name = p.get("last-name");
  nu.is_superuser = nu.is_staff = p.flag("admin");
  std::string password = p.get("password");
  if (!password.empty()) {
    if (password.size() < 8) return fail("the password needs at least 8 characters", 2);
    auto h = store::hash_password(password);
    if (!h) return fail(h.error().message());
    nu.password_hash = *h;
  }
  auto db = open(p, true);
  if (!db) return fail(db.error().message());
  auto u = (*db)->run<store::user>([&](store::write_context& w) { return w.create_user(nu); });
  if (!u) return fail(u.error().message());
  auto key = (*db)->read()->legacy_token(u->id);
  if (!key) return fail(key.error().message());
  std::printf("created user %lld <%s>%s%s\n", static_cast<long long>(u->id), u->email.c_str(),
              u->is_superuser ? " (admin)" : "", nu.password_hash.empty() ? " without a password (API token only)" : "");
  std::printf("%s\n", key->c_str());
  return 0;
}

int list(const option_table::parsed& p) {
  auto db = open(p, false);
  if (!db) return fail(db.error().message());
  auto users = (*db)->read()->list_users();
  if (!users) return fail(users.error().message());
  if (p.flag("json")) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& u : *users)
      out.push_back({{"id", u.id}, {"email", u.email}, {"username", u.username}, {"is_superuser", u.is_superuser},
                     {"is_active", u.is_active}, {"date_joined", store::to_iso8601(u.date_joined)}});
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  std::printf("%-6s %-40s %-6s %-7s %s\n", "ID", "EMAIL", "ADMIN", "ACTIVE", "JOINED");
  for (const auto& u : *users)
    std::printf("%-6lld %-40s %-6s %-7s %s\n", static_cast<long long>(u.id), u.email.c_str(),
                u.is_superuser || u.is_staff ? "yes" : "no", u.is_active ? "yes" : "no",
                store::to_iso8601(u.date_joined).c_str());
  return 0;
}

int remove(const option_table::parsed& p) {
  std::string email = p.get("email"), id_text = p.get("id");
  if (email.empty() && id_text.empty() && p.positional.size() == 2) {
    const std::string& who = p.positional[1];
    (who.find('@') != std::string::npos ? email : id_text) = who;
  }
  if (email.empty() == id_text.empty()) return fail("delete needs one of --email or --id", 2);
  auto db = open(p, false);
  if (!db) return fail(db.error().message());
  std::int64_t id = 0;
  if (!id_text.empty()) {
    auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || end != id_text.data() + id_text.size() || id <= 0)
      return fail("invalid user id '" + id_text + "'", 2);
  } else {
    auto u = (*db)->read()->find_user_by_email(email);
    if (!u) return fail(u.error().message());
    id = u->id;
  }
  auto s = (*db)->run([id](store::write_context& w) { return w.delete_user(id); });
  if (!s.ok()) return fail(s.message());
  std::printf("deleted user %lld\n", static_cast<long long>(id));
  return 0;
}

}  // namespace

int run_user(const std::vector<std::string>& args) {
  auto table = user_options();
  auto parsed = table.parse(args);
  if (!parsed) {
    std::fprintf(stderr, "annot user: %s\n\n%s\noptions:\n%s", parsed.error().message().c_str(), usage_text,
                 table.help().c_str());
    return 2;
  }
  if (parsed->flag("help")) {
    std::printf("%s\noptions:\n%s", usage_text, table.help().c_str());
    return 0;
  }
  if (parsed->positional.empty()) {
    std::fprintf(stderr, "%s", usage_text);
    return 2;
  }
  const std::string& sub = parsed->positional.front();
  std::size_t allowed = sub == "delete" ? 2 : 1;
  if (parsed->positional.size() > allowed) return fail("unexpected argument '" + parsed->positional[allowed] + "'", 2);
  if (sub == "create") return create(*parsed);
  if (sub == "list") return list(*parsed);
  if (sub == "delete") return remove(*parsed);
  std::fprintf(stderr, "annot user: unknown command '%s'\n%s", sub.c_str(), usage_text);
  return 2;
}

}  // namespace annot::host::cli
