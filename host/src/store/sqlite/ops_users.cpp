// Users, tokens and instance settings.
#include <algorithm>
#include <cctype>

#include "store/secrets.hpp"
#include "store/sqlite/ops_impl.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

constexpr const char* user_columns =
    "id, email, username, password_hash, first_name, last_name, phone, avatar, is_staff, is_superuser, "
    "is_active, date_joined, last_login, last_activity";

token read_token(statement& s, int i = 0) {
  token t;
  t.id = s.i64(i);
  t.user_id = s.i64(i + 1);
  t.kind = token_kind_from_string(s.view(i + 2)).value_or(token_kind::legacy);
  t.key = s.text(i + 3);
  t.label = s.text(i + 4);
  t.created_at = s.ts(i + 5);
  t.expires_at = s.opt_ts(i + 6);
  t.revoked_at = s.opt_ts(i + 7);
  return t;
}

std::string trim_email(std::string_view e) {
  while (!e.empty() && std::isspace(static_cast<unsigned char>(e.front()))) e.remove_prefix(1);
  while (!e.empty() && std::isspace(static_cast<unsigned char>(e.back()))) e.remove_suffix(1);
  return std::string(e);
}

constexpr std::string_view find_token_sql =
    "SELECT k.id, k.user_id, k.kind, k.key, k.label, k.created_at, k.expires_at, k.revoked_at, u.id, "
    "u.email, u.username, u.password_hash, u.first_name, u.last_name, u.phone, u.avatar, u.is_staff, "
    "u.is_superuser, u.is_active, u.date_joined, u.last_login, u.last_activity FROM tokens k JOIN users "
    "u ON u.id = k.user_id WHERE k.key = ?1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR "
    "k.expires_at > ?2) AND u.is_active = 1 AND k.kind = ";

}  // namespace

result<user> ops::get_user(std::int64_t id) {
  return guard([&]() -> result<user> {
    auto s = db_.prepare(cat({"SELECT ", user_columns, " FROM users WHERE id = ?1"}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "user " + std::to_string(id) + " not found");
    return read_user(s);
  });
}

result<user> ops::find_user_by_email(std::string_view email) {
  return guard([&]() -> result<user> {
    auto s = db_.prepare(cat({"SELECT ", user_columns, " FROM users WHERE email = ?1 COLLATE NOCASE"}));
    s.args(trim_email(email));
    if (!s.step()) return status(errc::not_found, "no user with email " + std::string(email));
    return read_user(s);
  });
}

result<std::vector<user>> ops::list_users() {
  return guard([&]() -> result<std::vector<user>> {
    std::vector<user> out;
    auto s = db_.prepare(cat({"SELECT ", user_columns, " FROM users ORDER BY id"}));
    while (s.step()) out.push_back(read_user(s));
    return out;
  });
}

result<std::vector<user>> ops::project_annotators(std::int64_t project_id) {
  return guard([&]() -> result<std::vector<user>> {
    // Per user, an index probe (annotations by completed_by) rather than a scan of the project's
    // annotations: users are few, annotations many.
    std::vector<user> out;
    auto s = db_.prepare(
        cat({"SELECT ", user_columns,
             " FROM users u WHERE EXISTS (SELECT 1 FROM annotations a WHERE a.completed_by = u.id "
             "AND a.project_id = ?1) OR EXISTS (SELECT 1 FROM drafts d JOIN tasks t ON t.id = "
             "d.task_id WHERE d.user_id = u.id AND t.project_id = ?1) ORDER BY u.id"}));
    s.args(project_id);
    while (s.step()) out.push_back(read_user(s));
    return out;
  });
}

result<token_owner> ops::find_token(token_kind kind, std::string_view key, timestamp now) {
  return guard([&]() -> result<token_owner> {
    // The kind is spelt in the SQL, one statement per kind: bound, it is compared with the partial
    // index tokens_one_legacy (WHERE kind = 'legacy'), which makes SQLite re-prepare the statement
    // on every new binding (~40% of a task read's CPU).
    static const std::string by_kind[3] = {
        cat({find_token_sql, "'", to_string(token_kind::legacy), "'"}),
        cat({find_token_sql, "'", to_string(token_kind::personal), "'"}),
        cat({find_token_sql, "'", to_string(token_kind::session), "'"})};
    auto s = db_.prepare(by_kind[static_cast<std::size_t>(kind) % 3]);
    s.args(key, now);
    if (!s.step()) return status(errc::not_found, "unknown, expired or revoked token");
    token_owner o;
    o.tok = read_token(s);
    user u;
    u.id = s.i64(8);
    u.email = s.text(9);
    u.username = s.text(10);
    u.password_hash = s.text(11);
    u.first_name = s.text(12);
    u.last_name = s.text(13);
    u.phone = s.text(14);
    u.avatar = s.text(15);
    u.is_staff = s.boolean(16);
    u.is_superuser = s.boolean(17);
    u.is_active = s.boolean(18);
    u.date_joined = s.ts(19);
    u.last_login = s.opt_ts(20);
    u.last_activity = s.opt_ts(21);
    o.owner = std::move(u);
    return o;
  });
}

result<std::string> ops::legacy_token(std::int64_t user_id) {
  return guard([&]() -> result<std::string> {
    auto s = db_.prepare("SELECT key FROM tokens WHERE user_id = ?1 AND kind = 'legacy'");
    s.args(user_id);
    if (!s.step()) return status(errc::not_found, "user " + std::to_string(user_id) + " has no API token");
    return s.text(0);
  });
}

result<std::vector<token>> ops::list_tokens(std::int64_t user_id, std::optional<token_kind> kind) {
  return guard([&]() -> result<std::vector<token>> {
    std::vector<token> out;
    auto s = db_.prepare(
        "SELECT id, user_id, kind, key, label, created_at, expires_at, revoked_at FROM tokens WHERE user_id "
        "= ?1 AND (?2 IS NULL OR kind = ?2) ORDER BY id");
    s.bind(1, user_id);
    if (kind) s.bind(2, to_string(*kind));
    while (s.step()) out.push_back(read_token(s));
    return out;
  });
}

result<std::optional<std::string>> ops::get_setting(std::string_view key) {
  return guard([&]() -> result<std::optional<std::string>> {
    auto s = db_.prepare("SELECT value FROM settings WHERE key = ?1");
    s.args(key);
    if (!s.step()) return std::optional<std::string>();
    return std::optional<std::string>(s.text(0));
  });
}

result<user> ops::create_user(const new_user& u) {
  return write_op(*this, [&]() -> result<user> {
    std::string email = trim_email(u.email);
    if (email.empty() || email.find('@') == std::string::npos)
      return status(errc::invalid_argument, "email: \"" + email + "\" is not an email address");
    auto dup = db_.prepare("SELECT 1 FROM users WHERE email = ?1 COLLATE NOCASE");
    dup.args(email);
    if (dup.step()) return status(errc::already_exists, "a user with email " + email + " already exists");
    std::string username = u.username.empty() ? email.substr(0, email.find('@')) : u.username;
    // Never a deleted user's id (id_above_floor): scripts and saved filters keep user ids.
    auto s = db_.prepare(cat({"INSERT INTO users(id, email, username, password_hash, first_name, last_name, is_staff, "
                              "is_superuser, is_active, date_joined) VALUES (",
                              id_above_floor("users"), ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"}));
    s.args(email, username, u.password_hash, u.first_name, u.last_name, u.is_staff, u.is_superuser,
           u.is_active, now())
        .run();
    std::int64_t id = db_.last_insert_rowid();
    auto t = db_.prepare("INSERT INTO tokens(user_id, kind, key, created_at) VALUES (?1, 'legacy', ?2, ?3)");
    t.args(id, random_hex(20), now()).run();
    return get_user(id);
  });
}

result<user> ops::update_user(std::int64_t id, const user_patch& p) {
  return write_op(*this, [&]() -> result<user> {
    st_.unit.auth = true;  // cached token lookups end with this commit
    auto cur = get_user(id);
    if (!cur) return cur.error();
    user u = std::move(*cur);
    if (p.email) {
      std::string email = trim_email(*p.email);
      if (email.empty() || email.find('@') == std::string::npos)
        return status(errc::invalid_argument, "email: \"" + email + "\" is not an email address");
      auto dup = db_.prepare("SELECT 1 FROM users WHERE email = ?1 COLLATE NOCASE AND id <> ?2");
      dup.args(email, id);
      if (dup.step()) return status(errc::already_exists, "a user with email " + email + " already exists");
      u.email = email;
    }
    if (p.username) u.username = *p.username;
    if (p.password_hash) u.password_hash = *p.password_hash;
    if (p.first_name) u.first_name = *p.first_name;
    if (p.last_name) u.last_name = *p.last_name;
    if (p.phone) u.phone = *p.phone;
    if (p.avatar) u.avatar = *p.avatar;
    if (p.is_staff) u.is_staff = *p.is_staff;
    if (p.is_superuser) u.is_superuser = *p.is_superuser;
    if (p.is_active) u.is_active = *p.is_active;
    if (p.last_login) u.last_login = *p.last_login;
    if (p.last_activity) u.last_activity = *p.last_activity;
    auto s = db_.prepare(
        "UPDATE users SET email = ?2, username = ?3, password_hash = ?4, first_name = ?5, last_name = ?6, "
        "phone = ?7, avatar = ?8, is_staff = ?9, is_superuser = ?10, is_active = ?11, last_login = ?12, "
        "last_activity = ?13 WHERE id = ?1");
    s.args(id, u.email, u.username, u.password_hash, u.first_name, u.last_name, u.phone, u.avatar, u.is_staff,
           u.is_superuser, u.is_active, u.last_login, u.last_activity)
        .run();
    return u;
  });
}

status ops::delete_user(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    st_.unit.auth = true;  // cached token lookups end with this commit
    auto u = get_user(id);
    if (!u) return u.error();
    // The user's drafts go with them (cascade): take their labels out of the project summaries.
    std::vector<std::int64_t> drafts;
    std::vector<std::int64_t> projects;
    auto d = db_.prepare("SELECT id, project_id FROM drafts WHERE user_id = ?1");
    d.args(id);
    while (d.step()) {
      drafts.push_back(d.i64(0));
      if (std::find(projects.begin(), projects.end(), d.i64(1)) == projects.end())
        projects.push_back(d.i64(1));
    }
    if (!drafts.empty()) summarize_results("drafts", ids_to_json(drafts), -1, false, 0);
    // Their annotations and tasks stay but lose their annotator / last editor: the data manager's
    // annotators and updated_by columns move (a rare, whole-table scan for updated_by).
    for (const char* sql : {"SELECT DISTINCT project_id FROM annotations WHERE completed_by = ?1",
                            "SELECT DISTINCT project_id FROM tasks WHERE updated_by = ?1"}) {
      auto a = db_.prepare(sql);
      a.args(id);
      while (a.step())
        if (std::find(projects.begin(), projects.end(), a.i64(0)) == projects.end())
          projects.push_back(a.i64(0));
    }
    auto s = db_.prepare("DELETE FROM users WHERE id = ?1");
    s.args(id).run();
    for (auto p : projects) {
      prune_summary(p);
      touch(p);
    }
    return status::success();
  });
}

result<std::string> ops::reset_legacy_token(std::int64_t user_id) {
  return write_op(*this, [&]() -> result<std::string> {
    st_.unit.auth = true;  // cached token lookups end with this commit
    auto u = get_user(user_id);
    if (!u) return u.error();
    std::string key = random_hex(20);
    auto s = db_.prepare(
        "INSERT INTO tokens(user_id, kind, key, created_at) VALUES (?1, 'legacy', ?2, ?3) ON CONFLICT "
        "(user_id) WHERE kind = 'legacy' DO UPDATE SET key = excluded.key, created_at = excluded.created_at");
    s.args(user_id, key, now()).run();
    return key;
  });
}

result<token> ops::create_token(std::int64_t user_id, token_kind kind, std::string_view key,
                                std::optional<timestamp> expires_at, std::string_view label) {
  return write_op(*this, [&]() -> result<token> {
    if (kind == token_kind::legacy)
      return status(errc::invalid_argument, "use reset_legacy_token for the API token");
    if (key.empty()) return status(errc::invalid_argument, "token key is empty");
    auto u = get_user(user_id);
    if (!u) return u.error();
    auto s = db_.prepare(
        "INSERT INTO tokens(user_id, kind, key, label, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6)");
    s.args(user_id, to_string(kind), key, label, now(), expires_at).run();
    auto r = db_.prepare(
        "SELECT id, user_id, kind, key, label, created_at, expires_at, revoked_at FROM tokens WHERE id = ?1");
    r.args(db_.last_insert_rowid());
    r.step();
    return read_token(r);
  });
}

status ops::revoke_token(std::int64_t token_id, timestamp t) {
  return write_op(*this, [&]() -> status {
    st_.unit.auth = true;  // cached token lookups end with this commit
    auto s = db_.prepare(
        "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1 AND kind <> 'legacy'");
    s.args(token_id, t).run();
    if (db_.changes() == 0)
      return status(errc::not_found, "token " + std::to_string(token_id) + " not found");
    return status::success();
  });
}

result<std::int64_t> ops::purge_tokens(timestamp t) {
  return write_op(*this, [&]() -> result<std::int64_t> {
    st_.unit.auth = true;  // cached token lookups end with this commit
    auto s = db_.prepare(
        "DELETE FROM tokens WHERE kind <> 'legacy' AND (revoked_at IS NOT NULL OR (expires_at IS NOT NULL "
        "AND expires_at <= ?1))");
    s.args(t).run();
    return db_.changes();
  });
}

status ops::set_setting(std::string_view key, std::string_view value) {
  return write_op(*this, [&]() -> status {
    auto s = db_.prepare(
        "INSERT INTO settings(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value");
    s.args(key, value).run();
    return status::success();
  });
}

}  // namespace annot::host::store::sqlite
