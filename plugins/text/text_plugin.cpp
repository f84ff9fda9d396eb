// The text plugin: Text, Paragraphs/ParagraphLabels, Table and Chat, with span geometry and checks.
#include <annot/plugin.h>

#include "text_tags.hpp"

namespace annot::plugins::text {

status register_text_starters(registrar& reg);  // text_starters.cpp

status register_text(registrar& reg) {
  for (auto fn : {&register_text_tag, &register_paragraphs_tags, &register_table_tag, &register_chat_tag, &register_text_starters})
    if (auto st = fn(reg); !st) return st;
  return reg.add_ui_bundle(annot::ui_bundle{.module = "index.js", .styles = {"text.css"}});
}

}  // namespace annot::plugins::text

ANNOT_PLUGIN(text, data_type, "1.0.0", "Text, Paragraphs, Table and Chat objects with span checks",
             annot::plugins::text::register_text)
