// The html plugin's entry: declares the plugin and registers the HyperText tag family.
#include <annot/plugin.h>

#include "hypertext.hpp"

namespace annot::plugins::html {

annot::status register_html_starters(annot::registrar& reg);  // html_starters.cpp

annot::status register_html(annot::registrar& reg) {
  if (auto st = register_hypertext(reg); !st) return st;
  return register_html_starters(reg);
}

}  // namespace annot::plugins::html

ANNOT_PLUGIN(html, data_type, "1.0.0", "HyperText and HyperTextLabels: labels on HTML documents (XPath spans)",
             annot::plugins::html::register_html)
