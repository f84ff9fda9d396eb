// jsonl: a minimal exporter plugin. It offers the JSONL format: the project's tasks as JSON Lines,
// one task's Label Studio JSON a line, which streaming readers take a task at a time
// (pandas.read_json(lines=True), Hugging Face `datasets`).
#include <annot/plugin.h>

#include <memory>
#include <new>
#include <string>
#include <string_view>

namespace annot::plugins::jsonl {

class jsonl_exporter final : public exporter {
 public:
  status run(const export_request&, task_cursor& tasks, export_sink& sink, export_log&) noexcept override {
    try {
      result<output_stream*> out = sink.open("result.jsonl");
      if (!out) return out.error();
      // Bytes go to the host in large writes: a write per task would cost a queue hand-over each.
      std::string buffer;
      std::string_view task;
      for (;;) {
        result<bool> more = tasks.next(task);  // the cursor's error (cancelled, I/O) ends the run
        if (!more) return more.error();
        if (!*more) break;
        const std::size_t at = buffer.size();
        buffer.append(task);
        // A payload is spliced as it was stored and may hold line breaks between its tokens; JSON
        // has none inside strings (they are escaped there), so each becomes a space.
        for (std::size_t i = at; i < buffer.size(); ++i)
          if (buffer[i] == '\n' || buffer[i] == '\r') buffer[i] = ' ';
        buffer.push_back('\n');
        if (buffer.size() >= (1 << 18)) {
          if (status st = (*out)->write(buffer); !st) return st;
          buffer.clear();
        }
      }
      return buffer.empty() ? status::success() : (*out)->write(buffer);
    } catch (const std::bad_alloc&) {  // nothing may cross the boundary
      return status(errc::internal, "the JSONL exporter ran out of memory");
    }
  }
};

// Every project can be exported as JSONL: applies_to never says no.
class jsonl_factory final : public exporter_factory {
 public:
  status applies_to(std::string_view, const export_config&) const noexcept override {
    return status::success();
  }
  result<std::unique_ptr<exporter>> create(std::string_view) const noexcept override {
    try {
      return std::unique_ptr<exporter>(std::make_unique<jsonl_exporter>());
    } catch (const std::bad_alloc&) {
      return status(errc::internal, "the JSONL exporter ran out of memory");
    }
  }
};

status register_jsonl(registrar& reg) {
  exporter_spec spec;
  spec.id = "jsonl";
  spec.formats.push_back({.name = "JSONL",
                          .title = "JSON Lines",
                          .description =
                              "One task a line, each as the JSON export writes it. For readers that "
                              "stream a dataset a record at a time.",
                          .link = "https://jsonlines.org/",
                          .tags = {},
                          .layout = export_layout::single_file,
                          .file_name = "result.jsonl"});
  spec.factory = std::make_unique<jsonl_factory>();
  return reg.add_exporter(std::move(spec));
}

}  // namespace annot::plugins::jsonl

ANNOT_PLUGIN(jsonl, exporter, "1.0.0", "JSON Lines export: a task a line",
             annot::plugins::jsonl::register_jsonl)
