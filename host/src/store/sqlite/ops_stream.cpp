// Data-manager views, task locks and the labeling stream's next task.
#include <algorithm>
#include <random>
#include <span>

#include "store/sqlite/ops_impl.hpp"
#include "store/time.hpp"

namespace annot::host::store::sqlite {

namespace {

constexpr const char* view_columns =
    "v.id, v.project_id, v.user_id, v.data, v.position, v.created_at, v.updated_at";

task_lock read_lock(statement& s) {
  task_lock l;
  l.task_id = s.i64(0);
  l.user_id = s.i64(1);
  l.project_id = s.i64(2);
  l.expires_at = s.ts(3);
  return l;
}

}  // namespace

// ---- views ------------------------------------------------------------------------------------------

result<view> ops::get_view(std::int64_t id) {
  return guard([&]() -> result<view> {
    auto s = db_.prepare(cat(
        {"SELECT ", view_columns,
         " FROM views v JOIN projects p ON p.id = v.project_id WHERE v.id = ?1 AND p.deleted_at IS NULL"}));
    s.args(id);
    if (!s.step()) return status(errc::not_found, "view " + std::to_string(id) + " not found");
    return read_view(s);
  });
}

result<std::vector<view>> ops::list_views(std::int64_t project_id) {
  return guard([&]() -> result<std::vector<view>> {
    require_project(project_id);
    std::vector<view> out;
    auto s = db_.prepare(
        cat({"SELECT ", view_columns, " FROM views v WHERE v.project_id = ?1 ORDER BY v.position, v.id"}));
    s.args(project_id);
    while (s.step()) out.push_back(read_view(s));
    return out;
  });
}

result<view> ops::create_view(const new_view& nv) {
  return write_op(*this, [&]() -> result<view> {
    require_project(nv.project_id);
    require_json_object(nv.data, "view data");
    require_user(nv.user_id, "user");
    std::int64_t order = 0;
    if (nv.order) {
      order = *nv.order;
    } else {
      auto m = db_.prepare("SELECT coalesce(max(position) + 1, 0) FROM views WHERE project_id = ?1");
      m.args(nv.project_id);
      m.step();
      order = m.i64(0);
    }
    timestamp ts = now();
    auto s =
        db_.prepare(cat({"INSERT INTO views(id, project_id, user_id, data, position, created_at, updated_at) "
                         "VALUES (",
                         id_above_floor("views"), ", ?1, ?2, ?3, ?4, ?5, ?5)"}));
    s.args(nv.project_id, nv.user_id, nv.data, order, ts).run();
    return get_view(db_.last_insert_rowid());
  });
}

result<view> ops::update_view(std::int64_t id, const view_patch& p) {
  return write_op(*this, [&]() -> result<view> {
    auto cur = get_view(id);
    if (!cur) return cur.error();
    view v = std::move(*cur);
    if (p.data) {
      require_json_object(*p.data, "view data");
      v.data = *p.data;
    }
    if (p.order) v.order = *p.order;
    auto s = db_.prepare("UPDATE views SET data = ?2, position = ?3, updated_at = ?4 WHERE id = ?1");
    s.args(id, v.data, v.order, now()).run();
    return get_view(id);
  });
}

status ops::delete_view(std::int64_t id) {
  return write_op(*this, [&]() -> status {
    auto v = get_view(id);
    if (!v) return v.error();
    auto s = db_.prepare("DELETE FROM views WHERE id = ?1");
    s.args(id).run();
    return status::success();
  });
}

status ops::delete_project_views(std::int64_t project_id) {
  return write_op(*this, [&]() -> status {
    require_project(project_id);
    auto s = db_.prepare("DELETE FROM views WHERE project_id = ?1");
    s.args(project_id).run();
    return status::success();
  });
}

status ops::reorder_views(std::int64_t project_id, std::span<const std::int64_t> ids) {
  return write_op(*this, [&]() -> status {
    require_project(project_id);
    auto s = db_.prepare("UPDATE views SET position = ?3 WHERE id = ?1 AND project_id = ?2");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      s.args(ids[i], project_id, std::int64_t(i)).run();
      sqlite3_reset(s.raw());
      if (db_.changes() == 0)
        return status(errc::invalid_argument, "view " + std::to_string(ids[i]) +
                                                  " is not a view of project " + std::to_string(project_id));
    }
    return status::success();
  });
}

// ---- locks ------------------------------------------------------------------------------------------------

result<std::vector<task_lock>> ops::task_locks(std::int64_t task_id, timestamp t) {
  return guard([&]() -> result<std::vector<task_lock>> {
    std::vector<task_lock> out;
    auto s = db_.prepare(
        "SELECT task_id, user_id, project_id, expires_at FROM task_locks WHERE task_id = ?1 AND expires_at "
        "> ?2 ORDER BY user_id");
    s.args(task_id, t);
    while (s.step()) out.push_back(read_lock(s));
    return out;
  });
}

result<task_lock> ops::lock_task(std::int64_t task_id, std::int64_t user_id, timestamp expires_at) {
  return write_op(*this, [&]() -> result<task_lock> {
    task t = require_task(task_id);
    require_user(user_id, "user");
    auto s = db_.prepare(
        "INSERT INTO task_locks(task_id, user_id, project_id, expires_at) VALUES (?1, ?2, ?3, ?4) ON "
        "CONFLICT(task_id, user_id) DO UPDATE SET expires_at = excluded.expires_at");
    s.args(task_id, user_id, t.project_id, expires_at).run();
    return task_lock{task_id, user_id, t.project_id, expires_at};
  });
}

status ops::unlock_task(std::int64_t task_id, std::int64_t user_id) {
  return write_op(*this, [&]() -> status {
    auto s = db_.prepare("DELETE FROM task_locks WHERE task_id = ?1 AND user_id = ?2");
    s.args(task_id, user_id).run();
    return status::success();
  });
}

status ops::unlock_user_tasks(std::int64_t project_id, std::int64_t user_id) {
  return write_op(*this, [&]() -> status {
    auto s = db_.prepare("DELETE FROM task_locks WHERE user_id = ?1 AND project_id = ?2");
    s.args(user_id, project_id).run();
    return status::success();
  });
}

// ---- the labeling stream ------------------------------------------------------------------------------

result<std::optional<task>> ops::next_task(const next_task_request& r, timestamp t_now) {
  return write_op(*this, [&]() -> result<std::optional<task>> {
    project p = require_project(r.project_id);
    require_user(r.user_id, "user");
    if (r.lock_ttl.count() <= 0) return status(errc::invalid_argument, "lock_ttl must be positive");
    const bool ignore_skipped = is_ignore_skipped(p.skip_queue);
    const bool requeue_for_me = p.skip_queue == skip_requeue_for_me;
    const std::string hidden = ids_to_json(hidden_imports(p.id));

    // The conditions a task must meet for this user. The project is spelt in the text (project_is: a
    // bound one is re-prepared at every use; ?1 stays bound, unused); ?2 user, ?3 ignore skipped,
    // ?4 now, ?5 hidden imports, ?6 allow the user's own skipped tasks (REQUEUE_FOR_ME, 2nd pass).
    const std::string open =
        project_is("t.project_id", p.id) +
        " AND t.is_labeled = 0 AND (?5 = '[]' OR t.import_id IS NULL OR t.import_id NOT IN "
        "(SELECT value FROM json_each(?5))) AND NOT EXISTS (SELECT 1 FROM annotations a WHERE a.completed_by "
        "= ?2 AND a.task_id = t.id AND (?6 = 0 OR a.was_cancelled = 0)) AND (t.total_annotations + CASE WHEN "
        "?3 THEN t.cancelled_annotations ELSE 0 END + (SELECT count(*) FROM task_locks l WHERE l.task_id = "
        "t.id AND l.user_id <> ?2 AND l.expires_at > ?4)) < t.overlap";
    // Tasks the user postponed (a draft with was_postponed) wait for the postponed queue below.
    const std::string available =
        open +
        " AND NOT EXISTS (SELECT 1 FROM drafts d WHERE d.task_id = t.id AND d.user_id = ?2 AND "
        "d.was_postponed = 1)";

    std::optional<std::string> tab;
    if (r.candidates) tab = ids_to_json(*r.candidates);

    // Label Studio's show_overlap_first: while tasks with overlap > 1 are left for this user, the
    // queue holds only those. `queue` is what the first pass hands out (the skipped and postponed
    // queues after it look past this rule, as upstream).
    std::string queue = available;
    if (p.show_overlap_first) {
      auto s = db_.prepare(
          "SELECT 1 FROM tasks t WHERE " + available +
          " AND t.overlap > 1 AND (?7 IS NULL OR t.id IN (SELECT value FROM json_each(?7))) LIMIT 1");
      s.args(p.id, r.user_id, ignore_skipped, t_now, hidden, false, tab);
      if (s.step()) queue += " AND t.overlap > 1";
    }

    auto pick = [&](const std::string& where, const std::string& tail, bool own_skipped,
                    std::optional<std::int64_t> from) -> std::optional<std::int64_t> {
      auto s = db_.prepare("SELECT t.id FROM tasks t WHERE " + where + tail);
      s.args(p.id, r.user_id, ignore_skipped, t_now, hidden, own_skipped);
      if (from) s.bind(7, *from);
      if (s.step()) return s.i64(0);
      return std::nullopt;
    };

    // A task the user already holds keeps being theirs while it is still available to them.
    std::optional<std::int64_t> chosen;
    {
      auto s = db_.prepare(
          "SELECT l.task_id FROM task_locks l WHERE l.user_id = ?1 AND l.project_id = ?2 AND l.expires_at > "
          "?3 ORDER BY l.expires_at DESC");
      s.args(r.user_id, p.id, t_now);
      std::vector<std::int64_t> held;
      while (s.step()) held.push_back(s.i64(0));
      for (auto id : held) {
        // With a tab, a held task outside it waits: the tab's tasks come first.
        if (r.candidates && std::find(r.candidates->begin(), r.candidates->end(), id) == r.candidates->end())
          continue;
        if (pick(queue, " AND t.id = ?7", requeue_for_me, id)) {
          chosen = id;
          break;
        }
      }
    }

    // A tab's tasks in its order, a chunk of ids at a time: the first chunk usually has one.
    auto first_candidate = [&](const std::string& where, bool own_skipped) -> std::optional<std::int64_t> {
      constexpr std::size_t chunk = 512;
      const std::vector<std::int64_t>& ids = *r.candidates;
      for (std::size_t from = 0; from < ids.size(); from += chunk) {
        std::span<const std::int64_t> part(ids.data() + from, std::min(chunk, ids.size() - from));
        auto s = db_.prepare("SELECT t.id FROM json_each(?7) c JOIN tasks t ON t.id = c.value WHERE " +
                             where + " ORDER BY c.key LIMIT 1");
        s.args(p.id, r.user_id, ignore_skipped, t_now, hidden, own_skipped, ids_to_json(part));
        if (s.step()) return s.i64(0);
      }
      return std::nullopt;
    };

    // The first task in inner-id order or, with `random`, the first from a random inner id on.
    auto in_order = [&](const std::string& where, bool own_skipped,
                        bool random) -> std::optional<std::int64_t> {
      if (!random) return pick(where, " ORDER BY t.inner_id LIMIT 1", own_skipped, std::nullopt);
      const std::string own = project_is("project_id", p.id);
      auto m = db_.prepare(cat({"SELECT (SELECT min(inner_id) FROM tasks WHERE ", own,
                                "), (SELECT max(inner_id) FROM tasks WHERE ", own, ")"}));
      if (!m.step() || m.is_null(0)) return std::nullopt;
      std::int64_t lo = m.i64(0), hi = m.i64(1);
      std::mt19937_64 rng(r.seed ? r.seed : std::random_device{}());
      std::int64_t start = std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
      if (auto id = pick(where, " AND t.inner_id >= ?7 ORDER BY t.inner_id LIMIT 1", own_skipped, start))
        return id;
      return pick(where, " AND t.inner_id < ?7 ORDER BY t.inner_id LIMIT 1", own_skipped, start);
    };
    const bool sequential = p.sampling != sampling_uniform && p.sampling != sampling_uncertainty;

    auto search = [&](bool own_skipped) -> std::optional<std::int64_t> {
      const std::string& where = own_skipped ? available : queue;
      if (r.candidates) return first_candidate(where, own_skipped);
      if (p.sampling == sampling_uncertainty)
        return pick(where, " ORDER BY t.predictions_score IS NULL, t.predictions_score, t.inner_id LIMIT 1",
                    own_skipped, std::nullopt);
      return in_order(where, own_skipped, p.sampling == sampling_uniform);
    };

    // Before the project's sampling (not in a tab's queue, as upstream): show_ground_truth_first,
    // tasks with a ground-truth annotation; then with maximum_annotations > 1, breadth first: the
    // tasks others have annotated most (none of them finished, or they would be labeled). Upstream
    // draws both at random; a sequential project takes them in inner-id order here (locks keep
    // annotators apart already).
    auto priority = [&]() -> std::optional<std::int64_t> {
      if (r.candidates) return std::nullopt;
      if (p.show_ground_truth_first)
        if (auto id = in_order(queue + " AND t.ground_truth = 1", false, !sequential)) return id;
      if (p.maximum_annotations <= 1) return std::nullopt;
      // The user has no annotation on a task of the queue: every one counted is someone else's. The
      // index tasks_project_breadth walks the open tasks from the highest count down, in inner-id
      // order within a count, so this stops at the first task the user may take instead of reading
      // every open task of the project; its row is a sequential project's answer.
      auto m = db_.prepare(
          "SELECT t.total_annotations + t.cancelled_annotations, t.id FROM tasks t WHERE " + queue +
          " ORDER BY t.total_annotations + t.cancelled_annotations DESC, t.inner_id LIMIT 1");
      m.args(p.id, r.user_id, ignore_skipped, t_now, hidden, false);
      if (!m.step() || m.i64(0) == 0) return std::nullopt;
      if (sequential) return m.i64(1);
      return in_order(
          queue + " AND t.total_annotations + t.cancelled_annotations = " + std::to_string(m.i64(0)), false,
          true);
    };

    // Label Studio's postponed queue: once nothing else is left, the user's postponed tasks come back,
    // the one postponed longest ago first (within a tab, only the tab's). Unlike upstream, a task
    // another annotator holds stays theirs, and one the user has annotated or skipped since stays out
    // (the skip rules decide about it).
    auto postponed = [&]() -> std::optional<std::int64_t> {
      auto s = db_.prepare(
          "SELECT t.id FROM drafts d JOIN tasks t ON t.id = d.task_id WHERE d.user_id = ?2 AND "
          "d.was_postponed = 1 AND (?7 IS NULL OR t.id IN (SELECT value FROM json_each(?7))) "
          "AND " +
          open + " ORDER BY d.updated_at, d.id LIMIT 1");
      s.args(p.id, r.user_id, ignore_skipped, t_now, hidden, false, tab);
      if (s.step()) return s.i64(0);
      return std::nullopt;
    };

    if (!chosen) chosen = priority();
    if (!chosen) chosen = search(false);
    if (!chosen) chosen = postponed();
    // REQUEUE_FOR_ME: once nothing else is left, the user's own skipped tasks come back to them.
    if (!chosen && requeue_for_me) chosen = search(true);
    if (!chosen) return std::optional<task>();

    // One lock per user per project: taking a task releases the others.
    auto rel = db_.prepare("DELETE FROM task_locks WHERE user_id = ?1 AND project_id = ?2 AND task_id <> ?3");
    rel.args(r.user_id, p.id, *chosen).run();
    auto lock = db_.prepare(
        "INSERT INTO task_locks(task_id, user_id, project_id, expires_at) VALUES (?1, ?2, ?3, ?4) ON "
        "CONFLICT(task_id, user_id) DO UPDATE SET expires_at = excluded.expires_at");
    lock.args(*chosen, r.user_id, p.id,
              t_now + std::chrono::duration_cast<std::chrono::microseconds>(r.lock_ttl))
        .run();
    auto t = get_task(*chosen);
    if (!t) return t.error();
    return std::optional<task>(std::move(*t));
  });
}

}  // namespace annot::host::store::sqlite
