// The durability test's driver: `setup` makes a user, token, project and tasks in a data directory
// through the store; `load` runs 32 clients posting annotations until the server dies, recording
// every annotation acknowledged with a 201; `verify` checks over HTTP that each one is there.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "test_http_client.hpp"

namespace {

using namespace annot::host;
using nlohmann::json;

constexpr int clients = 32;

int setup(const std::string& data_dir) {
  std::filesystem::create_directories(data_dir);
  store::store_options o;
  o.location = (std::filesystem::path(data_dir) / "annot.db").string();
  auto db = store::open_store(o);
  if (!db) return std::fprintf(stderr, "open_store: %s\n", db.error().message().c_str()), 1;
  auto& s = **db;
  auto u = s.run<store::user>([](store::write_context& w) { return w.create_user({.email = "durable@example.com"}); });
  if (!u) return std::fprintf(stderr, "create_user: %s\n", u.error().message().c_str()), 1;
  store::project_fields f;
  f.title = "durability";
  f.label_config = R"(<View><Text name="text" value="$text"/><Choices name="c" toName="text"><Choice value="yes"/><Choice value="no"/></Choices></View>)";
  f.data_types = R"({"text":"Text"})";
  auto p = s.run<store::project>([&](store::write_context& w) { return w.create_project({f, u->id}); });
  if (!p) return std::fprintf(stderr, "create_project: %s\n", p.error().message().c_str()), 1;
  std::cout << *s.read()->legacy_token(u->id);
  for (int i = 0; i < clients; ++i) {
    auto t = s.run<store::task>([&](store::write_context& w) {
      return w.create_task({.project_id = p->id, .data = R"({"text":"task )" + std::to_string(i) + "\"}"});
    });
    if (!t) return std::fprintf(stderr, "create_task: %s\n", t.error().message().c_str()), 1;
    std::cout << ' ' << t->id;
  }
  std::cout << '\n';
  return 0;
}

// Posts annotations from `clients` threads (one task each) until the server goes away or `limit`
// seconds pass. Each acknowledged annotation goes to `acked` as "<task> <id> <unique_id>".
int load(std::uint16_t port, const std::string& token, const std::vector<std::int64_t>& tasks, const std::string& acked,
         int limit) {
  std::ofstream out(acked);
  std::mutex out_mutex;
  std::atomic<long> ok{0}, failed{0};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(limit);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      const std::string target = "/api/tasks/" + std::to_string(tasks[std::size_t(c)]) + "/annotations";
      const annot::test::header_list h = {{"Authorization", "Token " + token}, {"Content-Type", "application/json"}};
      for (long n = 0; std::chrono::steady_clock::now() < deadline; ++n) {
        const std::string uid = "c" + std::to_string(c) + "-" + std::to_string(n);
        json body = {{"result", {{{"id", "r"}, {"from_name", "c"}, {"to_name", "text"}, {"type", "choices"},
                                  {"value", {{"choices", {n % 2 ? "yes" : "no"}}}}}}},
                     {"unique_id", uid}, {"lead_time", 1.5}};
        try {
          annot::test::http_client client(port, "127.0.0.1", std::chrono::seconds(5));
          auto r = client.request("POST", target, body.dump(), h);
          if (r.status != 201) {
            ++failed;
            std::fprintf(stderr, "client %d: %d %s\n", c, r.status, r.body.c_str());
            return;
          }
          auto id = json::parse(r.body).at("id").get<std::int64_t>();
          std::lock_guard lock(out_mutex);
          out << tasks[std::size_t(c)] << ' ' << id << ' ' << uid << '\n';
          out.flush();
          ++ok;
        } catch (const std::exception&) {
          return;  // the server is gone: the point of the test
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  std::fprintf(stderr, "load: %ld annotations acknowledged, %ld refused\n", ok.load(), failed.load());
  return failed.load() == 0 ? 0 : 1;
}

int verify(std::uint16_t port, const std::string& token, const std::string& acked) {
  std::map<std::int64_t, std::map<std::int64_t, std::string>> expected;  // task -> id -> unique_id
  std::ifstream in(acked);
  std::int64_t task = 0, id = 0;
  std::string uid;
  long total = 0;
  while (in >> task >> id >> uid) expected[task][id] = uid, ++total;
  if (total == 0) return std::fprintf(stderr, "verify: no annotation was acknowledged before the kill\n"), 1;
  long missing = 0;
  annot::test::http_client client(port);
  for (const auto& [t, anns] : expected) {
    auto r = client.request("GET", "/api/tasks/" + std::to_string(t) + "/annotations", {}, {{"Authorization", "Token " + token}});
    if (r.status != 200) return std::fprintf(stderr, "verify: GET task %lld annotations: %d\n", (long long)t, r.status), 1;
    std::map<std::int64_t, std::string> found;
    for (const auto& a : json::parse(r.body)) found[a["id"].get<std::int64_t>()] = a["unique_id"].get<std::string>();
    for (const auto& [aid, u] : anns) {
      auto it = found.find(aid);
      if (it == found.end() || it->second != u) {
        if (++missing <= 10) std::fprintf(stderr, "verify: acknowledged annotation %lld (%s) is missing\n", (long long)aid, u.c_str());
      }
    }
  }
  std::fprintf(stderr, "verify: %ld acknowledged, %ld missing\n", total, missing);
  return missing == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 2 && a[0] == "setup") return setup(a[1]);
  if (a.size() >= 6 && a[0] == "load") {
    std::vector<std::int64_t> tasks;
    for (std::size_t i = 5; i < a.size(); ++i) tasks.push_back(std::stoll(a[i]));
    if (tasks.size() != std::size_t(clients)) return std::fprintf(stderr, "load needs %d task ids\n", clients), 2;
    return load(std::uint16_t(std::stoi(a[1])), a[2], tasks, a[3], std::stoi(a[4]));
  }
  if (a.size() == 4 && a[0] == "verify") return verify(std::uint16_t(std::stoi(a[1])), a[2], a[3]);
  std::fprintf(stderr,
               "usage: annot_durability_driver setup DATA_DIR\n"
               "       annot_durability_driver load PORT TOKEN ACKED_FILE SECONDS TASK_ID x32\n"
               "       annot_durability_driver verify PORT TOKEN ACKED_FILE\n");
  return 2;
}
