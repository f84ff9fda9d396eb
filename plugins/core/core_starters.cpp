// The core plugin's starter configs: generic classification, rating and comparison over text.
#include <annot/registrar.hpp>

namespace annot::plugins::core {

annot::status register_core_starters(annot::registrar& reg) {
  const annot::starter_config starters[] = {
      {.title = "Yes or no question",
       .group = "Generic",
       .config = R"(<View>
  <Header value="Does the message ask for a refund?"/>
  <Text name="message" value="$message"/>
  <Choices name="answer" toName="message" choice="single-radio" showInline="true" required="true">
    <Choice value="Yes" hotkey="y"/>
    <Choice value="No" hotkey="n"/>
    <Choice value="Unclear" hotkey="u"/>
  </Choices>
</View>)",
       .sample_data = R"({"message": "Hello, the kettle I ordered last week arrived with a cracked lid. Could you send the money back to my card? Thanks, Ada"})",
       .description = "One question, three answers, one hotkey each."},
      {.title = "Rate and comment",
       .group = "Generic",
       .config = R"(<View>
  <Header value="How useful is this answer?"/>
  <Text name="answer" value="$answer"/>
  <Rating name="score" toName="answer" maxRating="5" icon="star"/>
  <TextArea name="comment" toName="answer" placeholder="What would make it better?" rows="3" maxSubmissions="1"/>
</View>)",
       .sample_data = R"({"answer": "To reset the router, hold the small button on its back for ten seconds until the lights blink, then wait two minutes for it to start again."})",
       .description = "A star rating with a free-text comment."},
      {.title = "Pick the better answer",
       .group = "Ranking and Scoring",
       .config = R"(<View>
  <Header value="$question"/>
  <Text name="left" value="$left"/>
  <Text name="right" value="$right"/>
  <Pairwise name="better" toName="left,right"/>
</View>)",
       .sample_data = R"({"question": "Which explanation of a leap year is clearer?", "left": "A year with 366 days: every fourth year, except centuries not divisible by 400.", "right": "Leap years are when February is longer, sometimes."})",
       .description = "Side-by-side comparison of two texts."},
      {.title = "Topic taxonomy",
       .group = "Generic",
       .config = R"(<View>
  <Text name="article" value="$article"/>
  <Taxonomy name="topic" toName="article">
    <Choice value="Science">
      <Choice value="Physics"/>
      <Choice value="Biology"/>
    </Choice>
    <Choice value="Sport">
      <Choice value="Football"/>
      <Choice value="Tennis"/>
    </Choice>
    <Choice value="Economy"/>
  </Taxonomy>
</View>)",
       .sample_data = R"({"article": "Researchers measured how quickly tennis balls lose pressure at altitude, and found the effect large enough to change how a match is played."})",
       .description = "Nested categories picked from a tree."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::core
