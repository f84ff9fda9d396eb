// The html plugin's starter configs: entities and classification on an inline HTML page.
#include <annot/registrar.hpp>

namespace annot::plugins::html {

annot::status register_html_starters(annot::registrar& reg) {
  // Inline HTML: the preview needs no file and no network.
  const std::string sample = R"({"html": "<article><h1>Harbour market reopens</h1><p>The <b>Portside Market</b> in <i>Aberdeen</i> reopens on <time>12 May</time> after repairs paid for by the <b>Coastal Trust</b>.</p><p>Stalls sell fish, bread and flowers.</p></article>"})";
  const annot::starter_config starters[] = {
      {.title = "Entities in a web page",
       .group = "Structured Data Parsing",
       .config = R"(<View>
  <HyperTextLabels name="entity" toName="page">
    <Label value="Organisation" background="#1971c2"/>
    <Label value="Place" background="#2f9e44"/>
    <Label value="Date" background="#9c36b5"/>
  </HyperTextLabels>
  <HyperText name="page" value="$html"/>
</View>)",
       .sample_data = sample,
       .description = "Mark spans inside formatted HTML."},
      {.title = "Web page classification",
       .group = "Structured Data Parsing",
       .config = R"(<View>
  <HyperText name="page" value="$html"/>
  <Choices name="type" toName="page" choice="single">
    <Choice value="News"/>
    <Choice value="Advert"/>
    <Choice value="Opinion"/>
  </Choices>
</View>)",
       .sample_data = sample,
       .description = "One class per page."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::html
