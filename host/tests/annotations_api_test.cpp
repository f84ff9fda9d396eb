// POST/PATCH of annotations as Label Studio's AnnotationsListAPI and AnnotationAPI behave, over real
// HTTP: a draft is consumed only by its owner and a draft already gone does not stop the annotation;
// a skip sent in the query (?was_cancelled=1, as the data manager sends it) is a skip; a task keeps
// one ground truth (Task.ensure_unique_groundtruth), counters included; the task's annotation list
// leaves skips out.
#include <gtest/gtest.h>

#include "test_host.hpp"

namespace annot::host::testing {
namespace {

const char* const config =
    "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"A\"/>"
    "</Choices></View>";
const json choice = json::array(
    {{{"from_name", "c"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", {"A"}}}}}});

class AnnotationsApi : public ::testing::Test {
 protected:
  void SetUp() override {
    host.start();
    alice = host.make_user("alice@example.com");
    bob = host.make_user("bob@example.com");
    pid = host.make_project(config);
    auto t = host.call("POST", "/api/tasks", alice.auth, {{"project", pid}, {"data", {{"text", "x"}}}});
    ASSERT_EQ(t.status, 201) << t.body;
    task = "/api/tasks/" + std::to_string(api_host::body(t)["id"].get<std::int64_t>());
  }
  json project() {
    return api_host::body(host.call("GET", "/api/projects/" + std::to_string(pid), alice.auth));
  }
  api_host host;
  api_host::user_token alice, bob;
  std::int64_t pid = 0;
  std::string task;
};

TEST_F(AnnotationsApi, ADraftIsConsumedOnlyByItsOwnerAndAGoneOneDoesNotStopTheAnnotation) {
  auto bobs = host.call("POST", task + "/drafts", bob.auth, {{"result", choice}});
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  const std::int64_t bobs_draft = api_host::body(bobs)["id"].get<std::int64_t>();

  // Alice naming Bob's draft: 403, Bob's draft stays, nothing is saved.
  auto taken =
      host.call("POST", task + "/annotations", alice.auth, {{"result", choice}, {"draft_id", bobs_draft}});
  EXPECT_EQ(taken.status, 403) << taken.body;
  EXPECT_EQ(host.call("GET", "/api/drafts/" + std::to_string(bobs_draft), bob.auth).status, 200);
  EXPECT_EQ(api_host::body(host.call("GET", task, alice.auth))["annotations"].size(), 0u);

  // A draft already gone (submitted from another tab): the annotation is saved all the same.
  auto gone =
      host.call("POST", task + "/annotations", alice.auth, {{"result", choice}, {"draft_id", 999999}});
  EXPECT_EQ(gone.status, 201) << gone.body;

  // Bob's own submit consumes it and keeps when the work began.
  const json draft = api_host::body(host.call("GET", "/api/drafts/" + std::to_string(bobs_draft), bob.auth));
  auto own =
      host.call("POST", task + "/annotations", bob.auth, {{"result", choice}, {"draft_id", bobs_draft}});
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(api_host::body(own)["draft_created_at"], draft["created_at"]);
  EXPECT_EQ(host.call("GET", "/api/drafts/" + std::to_string(bobs_draft), bob.auth).status, 404);
}

TEST_F(AnnotationsApi, ASkipSentInTheQueryIsASkip) {
  auto r = host.call("POST", task + "/annotations?was_cancelled=1", alice.auth, {{"result", json::array()}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(api_host::body(r)["was_cancelled"], true);
  const json t = api_host::body(host.call("GET", task, alice.auth));
  EXPECT_EQ(t["cancelled_annotations"], 1);
  EXPECT_EQ(t["total_annotations"], 0);
  auto bad =
      host.call("POST", task + "/annotations?was_cancelled=maybe", alice.auth, {{"result", json::array()}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("was_cancelled"), std::string::npos) << bad.body;

  // The task's annotation list leaves skips out; the task itself has them.
  ASSERT_EQ(host.call("POST", task + "/annotations", alice.auth, {{"result", choice}}).status, 201);
  const json listed = api_host::body(host.call("GET", task + "/annotations", alice.auth));
  ASSERT_EQ(listed.size(), 1u) << listed.dump();
  EXPECT_EQ(listed[0]["was_cancelled"], false);
  EXPECT_EQ(api_host::body(host.call("GET", task, alice.auth))["annotations"].size(), 2u);
}

TEST_F(AnnotationsApi, ATaskKeepsOneGroundTruth) {
  auto first =
      host.call("POST", task + "/annotations", alice.auth, {{"result", choice}, {"ground_truth", true}});
  auto second =
      host.call("POST", task + "/annotations", bob.auth, {{"result", choice}, {"ground_truth", true}});
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(second.status, 201);
  const std::string a1 =
      "/api/annotations/" + std::to_string(api_host::body(first)["id"].get<std::int64_t>());
  const std::string a2 =
      "/api/annotations/" + std::to_string(api_host::body(second)["id"].get<std::int64_t>());
  EXPECT_EQ(api_host::body(host.call("GET", a1, alice.auth))["ground_truth"], false);
  EXPECT_EQ(api_host::body(host.call("GET", a2, alice.auth))["ground_truth"], true);
  EXPECT_EQ(project()["ground_truth_number"], 1);
  EXPECT_EQ(project()["useful_annotation_number"], 1);

  // Making the first one ground truth again takes it from the second.
  ASSERT_EQ(host.call("PATCH", a1, alice.auth, {{"ground_truth", true}}).status, 200);
  EXPECT_EQ(api_host::body(host.call("GET", a1, alice.auth))["ground_truth"], true);
  EXPECT_EQ(api_host::body(host.call("GET", a2, alice.auth))["ground_truth"], false);
  EXPECT_EQ(project()["ground_truth_number"], 1);
  EXPECT_EQ(project()["useful_annotation_number"], 1);
}

}  // namespace
}  // namespace annot::host::testing
