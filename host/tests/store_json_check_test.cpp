// The store's JSON checks: object_keys lists a task's data keys once each, in first-seen order, past the
// first 16 too (where it switches from a scan of the keys seen to a set of them).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/json_check.hpp"

namespace annot::host::store {
namespace {

// Keys short enough to sit inside std::string itself (so they move when the list of keys grows), each
// repeated later; the set of keys seen must not point into that list. (Caught by ThreadSanitizer as a
// use after free before the fix; AddressSanitizer reports it too.)
TEST(StoreJsonCheck, ObjectKeysAreListedOnceInFirstSeenOrderPastTheFirstSixteen) {
  for (int n : {15, 16, 17, 40, 200}) {
    std::string text = "{";
    std::vector<std::string> expected;
    for (int i = 0; i < n; ++i) {
      const std::string key = "k" + std::to_string(i);
      expected.push_back(key);
      text += "\"" + key + "\":" + std::to_string(i) + ",";
      if (i % 3 == 2) text += "\"k" + std::to_string(i / 2) + "\":0,";  // a repeat of an earlier key
    }
    text += "\"k0\":1}";
    std::vector<std::string> keys{"left over from before"};
    std::string why;
    ASSERT_TRUE(json::object_keys(text, keys, &why)) << why;
    EXPECT_EQ(keys, expected) << n << " keys";
  }
}

TEST(StoreJsonCheck, ObjectKeysRefuseWhatIsNotAnObject) {
  std::vector<std::string> keys;
  std::string why;
  EXPECT_FALSE(json::object_keys("[1, 2]", keys, &why));
  EXPECT_NE(why.find("must be a JSON object"), std::string::npos) << why;
}

}  // namespace
}  // namespace annot::host::store
