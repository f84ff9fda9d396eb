// The rle-pack codec: round trips of data encoded here, malformed streams, and the brush masks of
// Label Studio's fixtures (read in place, never copied: decoded to width x height x 4 bytes, and
// re-encoded to the very same bytes).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "rle_pack.hpp"

namespace {

using annot::plugins::image::rle_decode;
using annot::plugins::image::rle_encode;
using annot::plugins::image::rle_reader;
using bytes = std::vector<std::uint8_t>;

bytes round_trip(const bytes& in, unsigned word = 8) {
  bytes packed = rle_encode(in, word);
  bytes out;
  auto r = rle_decode(packed, &out);
  EXPECT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.words, in.size());
  return out;
}

TEST(RlePack, HeaderLayout) {
  bytes packed = rle_encode(bytes(18, 7));
  // 32-bit count (18), 5 bits word size - 1 (7), 4 x 4 bits run sizes - 1 (2, 3, 7, 15).
  ASSERT_GE(packed.size(), 7u);
  EXPECT_EQ(packed[0], 0);
  EXPECT_EQ(packed[3], 18);
  EXPECT_EQ(packed[4], 0b00111'001);  // word size 8 -> 00111, then the first bits of run size 3 -> 0010
  auto r = rle_decode(packed);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.header.count, 18u);
  EXPECT_EQ(r.header.word_size, 8u);
  EXPECT_EQ(r.header.run_sizes, (std::array<unsigned, 4>{3, 4, 8, 16}));
  EXPECT_EQ(r.chunks, 1u);  // one repeat chunk
}

// The streaming reader gives the words rle_decode gives, however the reads are sized (across chunk
// boundaries, runs split over reads, literal stretches of every word size), and stops at the declared count.
TEST(RlePack, ReaderGivesTheDecodedWordsInReadsOfAnySize) {
  std::mt19937 gen(11);
  for (unsigned word = 1; word <= 8; ++word) {
    bytes m(70'000);
    for (std::size_t i = 0; i < m.size(); ++i)
      m[i] = static_cast<std::uint8_t>(((i / 97) % 3 == 0 ? gen() : (i / 5000)) & ((1u << word) - 1));
    const bytes packed = rle_encode(m, word);
    for (std::size_t max_read : {1u, 3u, 64u, 4096u, 100'000u}) {
      rle_reader reader(packed);
      bytes got, part(max_read);
      for (;;) {
        const std::size_t want = 1 + gen() % max_read;
        const std::size_t n = reader.read(std::span(part.data(), want));
        got.insert(got.end(), part.begin(), part.begin() + static_cast<std::ptrdiff_t>(n));
        if (n < want) break;
      }
      EXPECT_EQ(got, m) << "word size " << word << ", reads of up to " << max_read;
      EXPECT_EQ(reader.read(part), 0u);
    }
  }
  // A stream too short for its header, or of words wider than a byte, reads nothing.
  bytes out(8);
  EXPECT_EQ(rle_reader(bytes{0, 0, 0}).read(out), 0u);
  bytes wide = rle_encode(bytes(10, 1));
  wide[4] = static_cast<std::uint8_t>((wide[4] & 0x07) | (15u << 3));  // word size 16
  EXPECT_EQ(rle_reader(wide).read(out), 0u);
}

TEST(RlePack, RoundTrips) {
  EXPECT_EQ(round_trip({}), bytes{});
  EXPECT_EQ(round_trip({42}), bytes{42});
  bytes mixed = {1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 4, 4, 4, 4, 4, 4, 4, 4};
  EXPECT_EQ(round_trip(mixed), mixed);
  // Runs longer than the longest run field (2^16) are split.
  bytes long_run(200'000, 255);
  long_run[100'000] = 0;
  EXPECT_EQ(round_trip(long_run), long_run);
  // Literal stretches longer than 2^16 too.
  bytes noise(150'000);
  for (std::size_t i = 0; i < noise.size(); ++i) noise[i] = static_cast<std::uint8_t>(i * 7 + (i >> 8));
  EXPECT_EQ(round_trip(noise), noise);
  // Random masks of every word size.
  std::mt19937 gen(7);
  for (unsigned word = 1; word <= 8; ++word) {
    bytes m(5000);
    for (auto& b : m) b = static_cast<std::uint8_t>((gen() % 5 == 0 ? gen() : 0) & ((1u << word) - 1));
    EXPECT_EQ(round_trip(m, word), m) << "word size " << word;
  }
}

TEST(RlePack, RepeatsAreCheaperThanLiterals) {
  EXPECT_LT(rle_encode(bytes(10'000, 9)).size(), 16u);
  bytes rgba;
  for (int i = 0; i < 1000; ++i) rgba.insert(rgba.end(), {255, 255, 255, 255, 0, 0, 0, 0});
  EXPECT_LT(rle_encode(rgba).size(), rgba.size() / 2);
}

TEST(RlePack, MalformedStreamsAreRefusedNotOverrun) {
  bytes good = rle_encode(bytes{1, 1, 1, 2, 3, 4, 4, 4, 4});
  bytes out;
  // Every truncation of a valid stream fails cleanly (the last byte is partly padding: its loss
  // may or may not matter).
  for (std::size_t n = 0; n + 1 < good.size(); ++n) {
    auto r = rle_decode(std::span(good.data(), n), &out);
    EXPECT_FALSE(r.ok) << n;
    EXPECT_FALSE(r.error.empty());
  }
  // A count larger than the chunks provide: the stream ends early.
  bytes more = good;
  more[3] = static_cast<std::uint8_t>(more[3] + 5);
  auto r = rle_decode(more);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("ends"), std::string::npos) << r.error;
  // A count smaller than the first run: the run goes past the end.
  bytes fewer = rle_encode(bytes(9, 5));
  fewer[3] = 4;
  r = rle_decode(fewer);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("goes past the 4 words"), std::string::npos) << r.error;
  // Words wider than a byte cannot be written out as bytes (but can be walked).
  bytes wide = {0, 0, 0, 1, 0b11111'001, 0b0001'1000, 0b0111'1111, 0, 0, 0, 0};
  EXPECT_FALSE(rle_decode(wide, &out).ok);
  EXPECT_EQ(rle_decode(wide).header.word_size, 32u);
}

TEST(RlePack, EncoderRefusesWhatItCannotWrite) {
  EXPECT_THROW(rle_encode(bytes{1}, 9), std::invalid_argument);
  EXPECT_THROW(rle_encode(bytes{1}, 0), std::invalid_argument);
  EXPECT_THROW(rle_encode(bytes{16}, 4), std::invalid_argument);
  EXPECT_THROW(rle_encode(bytes{1}, 8, {4, 3, 8, 16}), std::invalid_argument);
}

// ---- Label Studio's masks -----------------------------------------------------------------------

std::filesystem::path shared_dir() { return ANNOT_SHARED_DIR; }

nlohmann::json read_json(const std::filesystem::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// Every result value holding an "rle" list, with the item's original size when it has one.
void collect_masks(const nlohmann::json& j, std::vector<const nlohmann::json*>& items) {
  if (j.is_object()) {
    if (auto v = j.find("value"); v != j.end() && v->is_object() && v->contains("rle")) items.push_back(&j);
    for (const auto& [k, x] : j.items()) collect_masks(x, items);
  } else if (j.is_array()) {
    for (const auto& x : j) collect_masks(x, items);
  }
}

TEST(RlePackFixtures, EditorAndConverterMasksDecodeToTheirImageSizeAndReencodeIdentically) {
  const std::vector<std::filesystem::path> files = {
      "fixtures/ls-editor-examples/image_tools/annotations/1.json",
      "fixtures/ls-editor-examples/image_segmentation/annotations/1.json",
      "fixtures/ls-editor-examples/image_magic_wand/annotations/1.json",
      "fixtures/converter/synthetic/brush/tasks.json"};
  if (!std::filesystem::exists(shared_dir() / files[0]))
    GTEST_SKIP() << "Label Studio's fixtures are not at " << shared_dir() << " (the shared reference folder)";
  std::size_t masks = 0, sized = 0;
  for (const auto& f : files) {
    auto doc = read_json(shared_dir() / f);
    std::vector<const nlohmann::json*> items;
    collect_masks(doc, items);
    EXPECT_FALSE(items.empty()) << f;
    for (const auto* it : items) {
      bytes packed = (*it)["value"]["rle"].get<bytes>();
      bytes mask;
      auto r = rle_decode(packed, &mask);
      ASSERT_TRUE(r.ok) << f << ": " << r.error;
      EXPECT_EQ(r.header.word_size, 8u);
      if (it->contains("original_width") && it->contains("original_height")) {
        EXPECT_EQ(mask.size(), (*it)["original_width"].get<std::size_t>() * (*it)["original_height"].get<std::size_t>() * 4)
            << f;
        ++sized;
      }
      // thi.ng's encoder wrote the editor's masks; ours writes the same bytes. (The converter's
      // synthetic masks come from another encoder, with an extra padding byte in some.)
      if (f.string().find("ls-editor-examples") != std::string::npos) {
        EXPECT_EQ(rle_encode(mask), packed) << f;
      } else {
        bytes again;
        ASSERT_TRUE(rle_decode(rle_encode(mask), &again).ok);
        EXPECT_EQ(again, mask) << f;
      }
      ++masks;
    }
  }
  EXPECT_GE(masks, 6u);
  EXPECT_GE(sized, 4u);
}

TEST(RlePackFixtures, LabelStudioSdkEncoderOutputDecodes) {
  // label-studio-sdk encodes single values as one-word literal chunks: a different but valid
  // stream of the same words.
  auto p = shared_dir() / "fixtures/converter/inline/test_brush.json";
  if (!std::filesystem::exists(p)) GTEST_SKIP() << "no " << p;
  auto t = read_json(p)["tests"]["test_rle_encoding"];
  bytes want = t["test_arr"].get<bytes>();
  bytes packed = t["_asserted_equal"][0]["rhs"].get<bytes>();
  bytes out;
  auto r = rle_decode(packed, &out);
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(out, want);
  EXPECT_EQ(round_trip(want), want);
}

}  // namespace
