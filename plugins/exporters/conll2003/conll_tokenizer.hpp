// conll_tokenizer: Label Studio's CoNLL 2003 tokenisation (NLTK Treebank + the converter's punctuation patch) and IOB tagging.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace annot::plugins::conll2003 {

// One token: its text (UTF-8, a view into the text given to tokenize(): keep that text alive while using it) and
// its start in code points, as Python indexes strings.
struct token {
  std::string_view text;
  std::size_t start = 0;   // code-point offset of the first character
  std::size_t length = 0;  // in code points
};

// Why a text could not be tokenised the way Label Studio does (upstream raises and aborts the export there).
struct tokenize_result {
  std::vector<token> tokens;
  std::string error;  // empty on success
};

// TreebankWordTokenizer().span_tokenize(text) with the converter's replacement PUNCTUATION rules: the regex
// pipeline reproduced pass by pass on code points, with Python's Unicode \s, \d and \w classes (\w approximated
// outside Latin/Greek/Cyrillic punctuation blocks, see README). Text that is not valid UTF-8 is an error.
// One pass over the text: a whitespace-separated chunk of ASCII letters, digits and '_' (not a contraction such as
// "gonna") is a token as it stands; only runs of other chunks go through the pipeline, each with the one
// whitespace character either side and a stand-in word beyond it, which is all the context a rule reads.
tokenize_result tokenize(std::string_view text);

// tokenize() with buffers kept from one text to the next (one per export run; one thread at a time). The result is
// valid until the next call; its tokens view the text given.
class tokenizer {
 public:
  const tokenize_result& operator()(std::string_view text);

 private:
  struct chunk {
    std::size_t begin, end;  // bytes
    bool plain;
  };
  tokenize_result result_;
  std::vector<chunk> chunks_;
  std::vector<std::string_view> raw_;
  std::deque<std::string> owned_;
};
// The pipeline over the whole text at once (the definition tokenize() must agree with; for tests).
tokenize_result tokenize_reference(std::string_view text);

// One labelled span of a Labels result; start/end are code-point offsets (end exclusive) as Label Studio stores them.
struct span {
  std::optional<double> start;
  std::optional<double> end;
  std::vector<std::string> labels;
};

// create_tokens_and_tags(): one tag per token ("O", "B-X", "I-X"), Label Studio's walk (spec §2.4) including its
// quirks (partial overlap tags the whole token, overlapping spans restart with B-). Without spans, or when any span
// lacks start or end, every token is "O".
std::vector<std::string> tag_tokens(const std::vector<token>& tokens, std::vector<span> spans);
// One token's tag, not spelled out: 'O', or 'B'/'I' and the span's first label (a pointer into the spans given
// to tag_tokens: valid while they are unchanged). Its text is kind, then "-" and the label when there is one.
struct iob_tag {
  char kind = 'O';
  const std::string* label = nullptr;
  std::size_t size() const noexcept { return label ? 2 + label->size() : 1; }
};
// The same into `tags` (replaced), sorting `spans` in place: no string is built (an export tags every token).
void tag_tokens(const std::vector<token>& tokens, std::vector<span>& spans, std::vector<iob_tag>& tags);

}  // namespace annot::plugins::conll2003
