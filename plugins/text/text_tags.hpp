// The text plugin's register functions, one per tag family (each in its own file).
#pragma once

#include <annot/registrar.hpp>

namespace annot::plugins::text {

status register_text_tag(registrar& reg);        // Text (+ Labels and per-region results on it)
status register_paragraphs_tags(registrar& reg);  // Paragraphs, ParagraphLabels
status register_table_tag(registrar& reg);       // Table
status register_chat_tag(registrar& reg);        // Chat

}  // namespace annot::plugins::text
