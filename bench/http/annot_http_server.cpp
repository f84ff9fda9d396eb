// Our HTTP layer alone (no plugins, no store) answering GET /health, for bench/http/run.sh:
//   bench_annot_http PORT [IO_THREADS]
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>

#include "http/server.hpp"

int main(int argc, char** argv) {
  namespace http = annot::host::http;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s PORT [IO_THREADS]\n", argv[0]);
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);  // no access log line per request
  http::router routes;
  routes.add(http::method::get, "/health", http::simple_handler([](http::request&) {
               return http::response::json(200, R"({"status":"UP"})");
             }));
  http::server_options options;
  options.address = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  if (argc > 2) options.io_threads = static_cast<unsigned>(std::atoi(argv[2]));
  http::server server(options, routes);
  server.run_until_signal();
  return 0;
}
