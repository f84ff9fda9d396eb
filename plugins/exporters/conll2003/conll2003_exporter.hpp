// conll2003_exporter: the CONLL2003 exporter run, declared for the plugin's tests.
#pragma once

#include <annot/exporter.hpp>
#include <annot/registrar.hpp>
#include <string>

#include "conll_tokenizer.hpp"
#include "export_support/item_view.hpp"

namespace annot::plugins::conll2003 {

// Appends items' blocks: "{token} -X- _ {tag}\n" per token, then an empty line. A text that is missing or not a
// string is written as an empty block with a warning (upstream aborts the export, spec §4 row 4). Keeps its buffers
// (tokenizer, spans, tags) from one item to the next; one per export run.
class item_writer {
 public:
  void write(std::string& out, const export_support::item_view& it, const std::string& data_key,
             annot::export_log& log);

 private:
  tokenizer tokenizer_;
  std::vector<span> spans_;
  std::vector<iob_tag> tags_;
};

// One CONLL2003 export: result.conll, "-DOCSTART- -X- O" then one block per item (spec §1.4, §2.4).
class conll_exporter final : public annot::exporter {
 public:
  explicit conll_exporter(std::string format) : format_(std::move(format)) {}
  annot::status run(const annot::export_request& request, annot::task_cursor& tasks, annot::export_sink& sink,
                    annot::export_log& log) noexcept override;

 private:
  std::string format_;
};

annot::status register_conll2003(annot::registrar& reg);

}  // namespace annot::plugins::conll2003
