// The text plugin's starter configs: entities, relations, classification and dialogue intents.
#include <annot/registrar.hpp>

namespace annot::plugins::text {

annot::status register_text_starters(annot::registrar& reg) {
  const annot::starter_config starters[] = {
      {.title = "Named entities",
       .group = "Natural Language Processing",
       .config = R"(<View>
  <Labels name="entity" toName="text">
    <Label value="Person" background="#e8590c"/>
    <Label value="Organisation" background="#1971c2"/>
    <Label value="Place" background="#2f9e44"/>
    <Label value="Date" background="#9c36b5"/>
  </Labels>
  <Text name="text" value="$text" granularity="word"/>
</View>)",
       .sample_data = R"({"text": "On 3 March 2025 Grace Okafor left the Lagos office of Brightwater Energy to open its first branch in Lisbon."})",
       .description = "Mark people, organisations, places and dates in a text."},
      {.title = "Entities and relations",
       .group = "Natural Language Processing",
       .config = R"(<View>
  <Relations>
    <Relation value="works for"/>
    <Relation value="located in"/>
  </Relations>
  <Labels name="entity" toName="text">
    <Label value="Person" background="#e8590c"/>
    <Label value="Organisation" background="#1971c2"/>
    <Label value="Place" background="#2f9e44"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>)",
       .sample_data = R"({"text": "Tomas Lind joined Northwind Robotics, a start-up based in Gothenburg, as its second engineer."})",
       .description = "Spans, then relations drawn between them."},
      {.title = "Sentiment and topic",
       .group = "Natural Language Processing",
       .config = R"(<View>
  <Text name="review" value="$review"/>
  <Choices name="sentiment" toName="review" choice="single" showInline="true">
    <Choice value="Positive"/>
    <Choice value="Neutral"/>
    <Choice value="Negative"/>
  </Choices>
  <Choices name="topics" toName="review" choice="multiple">
    <Choice value="Delivery"/>
    <Choice value="Price"/>
    <Choice value="Quality"/>
    <Choice value="Support"/>
  </Choices>
</View>)",
       .sample_data = R"({"review": "The blender is strong and quiet, but it took three weeks to arrive and nobody answered my emails."})",
       .description = "One sentiment and any number of topics per text."},
      {.title = "Dialogue intents",
       .group = "Conversational AI",
       .config = R"(<View>
  <ParagraphLabels name="intent" toName="dialogue">
    <Label value="Greeting"/>
    <Label value="Request"/>
    <Label value="Confirmation"/>
  </ParagraphLabels>
  <Paragraphs name="dialogue" value="$dialogue" layout="dialogue" nameKey="author" textKey="text"/>
</View>)",
       .sample_data = R"({"dialogue": [{"author": "Customer", "text": "Hi there!"}, {"author": "Customer", "text": "Can I move my booking to Friday?"}, {"author": "Agent", "text": "Of course, it is now on Friday at 10:00."}, {"author": "Customer", "text": "Perfect, thank you."}]})",
       .description = "Label the intent of each turn of a conversation."},
  };
  for (const annot::starter_config& s : starters)
    if (annot::status st = reg.add_starter_config(s); !st.ok()) return st;
  return {};
}

}  // namespace annot::plugins::text
