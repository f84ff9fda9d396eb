// POST/PATCH of annotations as Label Studio's AnnotationsListAPI and AnnotationAPI behave, over real
// HTTP: a draft is consumed only by its owner and a draft already gone does not stop the annotation;
// the caller is updated_by of what it creates; a prediction or a draft needs a result; a task's
// draft list has every user's drafts;
// a skip sent in the query (?was_cancelled=1, as the data manager sends it) is a skip; a task keeps
// one ground truth (Task.ensure_unique_groundtruth), counters included; the task's annotation list
// leaves skips out; an annotation converts to its caller's draft; values are read with Django REST
// framework's coercions; an update naming an older version in If-Match is a 412; a result checked against a
// config that changed before its write is checked again; a large result is kept and answered whole, with its
// item count.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <thread>

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

// AnnotationsListAPI.perform_create: updated_by is who sent the result, not whom completed_by names;
// with no result sent it stays empty.
TEST_F(AnnotationsApi, TheCallerUpdatedTheAnnotationItCreatesForAnother) {
  auto made =
      host.call("POST", task + "/annotations", bob.auth, {{"result", choice}, {"completed_by", alice.id}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json a = api_host::body(made);
  EXPECT_EQ(a["completed_by"], alice.id);
  EXPECT_EQ(a["updated_by"], bob.id);
  const std::string one = "/api/annotations/" + std::to_string(a["id"].get<std::int64_t>());
  EXPECT_EQ(api_host::body(host.call("GET", one, alice.auth))["updated_by"], bob.id);

  auto own = host.call("POST", task + "/annotations", alice.auth, {{"result", choice}});
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(api_host::body(own)["updated_by"], alice.id);

  auto bare = host.call("POST", task + "/annotations", bob.auth, json::object());
  ASSERT_EQ(bare.status, 201) << bare.body;
  EXPECT_EQ(api_host::body(bare)["completed_by"], bob.id);
  EXPECT_TRUE(api_host::body(bare)["updated_by"].is_null()) << bare.body;
}

// Two tabs on one annotation: an update that names the updated_at it loaded (If-Match) is refused with a 412
// once another update came first, and nothing of it is saved; without the header (Label Studio's clients) the
// last update wins as before; "*" and a weak or unquoted tag are read too.
TEST_F(AnnotationsApi, AnUpdateNamingAnOlderVersionIsRefusedAndLosesNothing) {
  auto made = host.call("POST", task + "/annotations", alice.auth, {{"result", choice}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json a = api_host::body(made);
  const std::string one = "/api/annotations/" + std::to_string(a["id"].get<std::int64_t>());
  const std::string loaded = a["updated_at"];
  auto with = [&](const std::string& tag) {
    test::header_list h = alice.auth;
    h.emplace_back("If-Match", tag);
    return h;
  };
  const json first = json::array({{{"from_name", "c"},
                                   {"to_name", "text"},
                                   {"type", "choices"},
                                   {"value", {{"choices", {"A"}}}},
                                   {"id", "first"}}});
  const json second = json::array({{{"from_name", "c"},
                                    {"to_name", "text"},
                                    {"type", "choices"},
                                    {"value", {{"choices", {"A"}}}},
                                    {"id", "second"}}});
  // Tab 1 saves against what it loaded: accepted.
  auto saved = host.call("PATCH", one, with("\"" + loaded + "\""), {{"result", first}});
  ASSERT_EQ(saved.status, 200) << saved.body;
  const std::string now = api_host::body(saved)["updated_at"];
  ASSERT_NE(now, loaded);
  // Tab 2 saves against the same, now older, version: 412 naming both times; the first update stays.
  auto refused = host.call("PATCH", one, with("\"" + loaded + "\""), {{"result", second}});
  EXPECT_EQ(refused.status, 412) << refused.body;
  EXPECT_NE(refused.body.find(now), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("detail"), std::string::npos) << refused.body;
  json kept = api_host::body(host.call("GET", one, alice.auth));
  EXPECT_EQ(kept["result"][0]["id"], "first");
  EXPECT_EQ(kept["updated_at"], now);
  // The current version, as a weak tag or bare, and "*": accepted.
  auto weak = host.call("PATCH", one, with("W/\"" + now + "\""), {{"lead_time", 3}});
  ASSERT_EQ(weak.status, 200) << weak.body;
  const std::string later = api_host::body(weak)["updated_at"];
  EXPECT_EQ(host.call("PATCH", one, with(later), {{"lead_time", 4}}).status, 200);
  EXPECT_EQ(host.call("PATCH", one, with("*"), {{"lead_time", 5}}).status, 200);
  // Without If-Match the update replaces whatever is there, as Label Studio's does.
  auto plain = host.call("PATCH", one, alice.auth, {{"result", second}});
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(api_host::body(host.call("GET", one, alice.auth))["result"][0]["id"], "second");
  // An annotation that is gone is a 404 with or without the header.
  EXPECT_EQ(host.call("PATCH", "/api/annotations/999999", with(loaded), {{"lead_time", 1}}).status, 404);
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

TEST_F(AnnotationsApi, AnAnnotationConvertedToADraftBecomesTheCallersDraftAndIsGone) {
  auto made = host.call("POST", task + "/annotations", alice.auth, {{"result", choice}, {"lead_time", 4.5}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string annotation =
      "/api/annotations/" + std::to_string(api_host::body(made)["id"].get<std::int64_t>());
  EXPECT_EQ(project()["total_annotations_number"], 1);

  // Bob converts it: the draft is his, holds the result and lead time, and is bound to no annotation.
  auto converted = host.call("POST", annotation + "/convert-to-draft", bob.auth);
  ASSERT_EQ(converted.status, 201) << converted.body;
  const json draft = api_host::body(converted);
  EXPECT_EQ(draft["result"], choice);
  EXPECT_EQ(draft["lead_time"], 4.5);
  // As AnnotationDraftSerializer writes it: user is str(user), the email.
  EXPECT_EQ(draft["user"], "bob@example.com");
  EXPECT_EQ(draft["created_username"], "bob@example.com, " + std::to_string(bob.id));
  EXPECT_EQ(draft["created_ago"], "0\u00a0minutes");
  EXPECT_TRUE(draft["annotation"].is_null());
  EXPECT_EQ(draft["task"], api_host::body(host.call("GET", task, alice.auth))["id"]);

  EXPECT_EQ(host.call("GET", annotation, alice.auth).status, 404);
  const json t = api_host::body(host.call("GET", task, bob.auth));
  EXPECT_EQ(t["total_annotations"], 0);
  ASSERT_EQ(t["drafts"].size(), 1u) << t.dump();
  EXPECT_EQ(t["drafts"][0]["id"], draft["id"]);
  EXPECT_EQ(t["drafts"][0]["user"], "bob@example.com");
  // Every route gives the draft's user alike, whoever asks.
  const std::string one = "/api/drafts/" + std::to_string(draft["id"].get<std::int64_t>());
  EXPECT_EQ(api_host::body(host.call("GET", one, alice.auth))["user"], "bob@example.com");
  EXPECT_EQ(api_host::body(host.call("PATCH", one, alice.auth, {{"lead_time", 1}}))["user"],
            "bob@example.com");
  EXPECT_EQ(api_host::body(host.call("GET", task + "/drafts", bob.auth))[0]["user"], "bob@example.com");
  EXPECT_EQ(project()["total_annotations_number"], 0);

  // Again, or on an annotation that never was: 404, and no second draft.
  EXPECT_EQ(host.call("POST", annotation + "/convert-to-draft", bob.auth).status, 404);
  EXPECT_EQ(host.call("POST", "/api/annotations/999999/convert-to-draft", bob.auth).status, 404);
  EXPECT_EQ(api_host::body(host.call("GET", task + "/drafts", bob.auth)).size(), 1u);
}

// PredictionSerializer and AnnotationDraftSerializer require a result (not null) on create; a partial
// update (PATCH) requires nothing. Several missing fields are named in one answer, as DRF does.
TEST_F(AnnotationsApi, APredictionOrADraftIsNotCreatedWithoutAResult) {
  const json task_id = api_host::body(host.call("GET", task, alice.auth))["id"];
  auto errors_of = [](const auto& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    const json b = api_host::body(r);
    EXPECT_EQ(b["detail"], "Validation error") << r.body;
    return b.value("validation_errors", json::object());
  };
  EXPECT_EQ(errors_of(host.call("POST", "/api/predictions", alice.auth, {{"task", task_id}})),
            json({{"result", {"This field is required."}}}));
  EXPECT_EQ(
      errors_of(host.call("POST", "/api/predictions", alice.auth, {{"task", task_id}, {"result", nullptr}})),
      json({{"result", {"This field may not be null."}}}));
  EXPECT_EQ(errors_of(host.call("POST", "/api/predictions", alice.auth, json::object())),
            json({{"task", {"This field is required."}}, {"result", {"This field is required."}}}));
  EXPECT_EQ(errors_of(host.call("POST", task + "/drafts", alice.auth, {{"lead_time", 1}})),
            json({{"result", {"This field is required."}}}));
  EXPECT_EQ(errors_of(host.call("POST", task + "/drafts", alice.auth, {{"result", nullptr}})),
            json({{"result", {"This field may not be null."}}}));
  const json t = api_host::body(host.call("GET", task, alice.auth));
  EXPECT_EQ(t["predictions"].size(), 0u) << t.dump();
  EXPECT_EQ(t["drafts"].size(), 0u) << t.dump();

  auto p = host.call("POST", "/api/predictions", alice.auth, {{"task", task_id}, {"result", choice}});
  ASSERT_EQ(p.status, 201) << p.body;
  auto d = host.call("POST", task + "/drafts", alice.auth, {{"result", choice}});
  ASSERT_EQ(d.status, 201) << d.body;
  auto patched_p =
      host.call("PATCH", "/api/predictions/" + std::to_string(api_host::body(p)["id"].get<std::int64_t>()),
                alice.auth, {{"score", 0.5}});
  ASSERT_EQ(patched_p.status, 200) << patched_p.body;
  EXPECT_EQ(api_host::body(patched_p)["result"], choice);
  auto patched_d =
      host.call("PATCH", "/api/drafts/" + std::to_string(api_host::body(d)["id"].get<std::int64_t>()),
                alice.auth, {{"lead_time", 2}});
  ASSERT_EQ(patched_d.status, 200) << patched_d.body;
  EXPECT_EQ(api_host::body(patched_d)["result"], choice);
}

// AnnotationDraftListAPI filters by the task alone: every user's drafts of it, on the annotation route
// as well; the task itself shows the caller's own.
TEST_F(AnnotationsApi, TheTaskDraftListHasEveryUsersDrafts) {
  auto made = host.call("POST", task + "/annotations", alice.auth, {{"result", choice}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string annotation = std::to_string(api_host::body(made)["id"].get<std::int64_t>());
  auto alices = host.call("POST", task + "/drafts", alice.auth, {{"result", choice}});
  auto bobs =
      host.call("POST", task + "/annotations/" + annotation + "/drafts", bob.auth, {{"result", choice}});
  ASSERT_EQ(alices.status, 201) << alices.body;
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  // A draft of another task is not listed.
  auto other = host.call("POST", "/api/tasks", alice.auth, {{"project", pid}, {"data", {{"text", "y"}}}});
  ASSERT_EQ(other.status, 201) << other.body;
  const std::string other_task =
      "/api/tasks/" + std::to_string(api_host::body(other)["id"].get<std::int64_t>());
  ASSERT_EQ(host.call("POST", other_task + "/drafts", alice.auth, {{"result", choice}}).status, 201);

  for (const std::string& route : {task + "/drafts", task + "/annotations/" + annotation + "/drafts"}) {
    const json listed = api_host::body(host.call("GET", route, alice.auth));
    ASSERT_EQ(listed.size(), 2u) << route << ": " << listed.dump();
    EXPECT_EQ(listed[0]["id"], api_host::body(alices)["id"]) << route;
    EXPECT_EQ(listed[0]["user"], "alice@example.com") << route;
    EXPECT_EQ(listed[1]["id"], api_host::body(bobs)["id"]) << route;
    EXPECT_EQ(listed[1]["user"], "bob@example.com") << route;
    EXPECT_EQ(listed[1]["created_username"], "bob@example.com, " + std::to_string(bob.id)) << route;
  }
  const json own = api_host::body(host.call("GET", task, alice.auth))["drafts"];
  ASSERT_EQ(own.size(), 1u) << own.dump();
  EXPECT_EQ(own[0]["id"], api_host::body(alices)["id"]);
}

// Django REST framework converts what its fields can read, so scripts and form posts that Label Studio
// accepts ("2.5", "true", "12") are accepted; what DRF refuses is a 400 naming the field.
TEST_F(AnnotationsApi, FieldsAreReadAsDjangoRestFrameworkReadsThem) {
  auto made = host.call("POST", task + "/annotations", alice.auth,
                        {{"result", choice},
                         {"lead_time", " 2.5 "},
                         {"ground_truth", "True"},
                         {"was_cancelled", "no"},
                         {"completed_by", std::to_string(bob.id)},
                         {"last_action", "submitted"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const json a = api_host::body(made);
  EXPECT_EQ(a["lead_time"], 2.5);
  EXPECT_EQ(a["ground_truth"], true);
  EXPECT_EQ(a["was_cancelled"], false);
  EXPECT_EQ(a["completed_by"], bob.id);
  EXPECT_EQ(a["last_action"], "submitted");
  const std::string annotation = "/api/annotations/" + std::to_string(a["id"].get<std::int64_t>());
  auto patched = host.call("PATCH", annotation, alice.auth,
                           {{"lead_time", 3}, {"ground_truth", 0}, {"last_action", "updated"}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(api_host::body(patched)["ground_truth"], false);
  EXPECT_EQ(api_host::body(patched)["last_action"], "updated");
  auto bad_action = host.call("PATCH", annotation, alice.auth, {{"last_action", "approved"}});
  EXPECT_EQ(bad_action.status, 400) << bad_action.body;
  EXPECT_EQ(api_host::body(host.call("GET", annotation, alice.auth))["last_action"], "updated");

  struct refused {
    const char* field;
    json value;
    const char* message;
  };
  for (const refused& r :
       {refused{"lead_time", "2.5s", "A valid number is required."},
        refused{"lead_time", "nan", "A valid number is required."},
        refused{"lead_time", true, "A valid number is required."},
        refused{"ground_truth", "maybe", "Must be a valid boolean."},
        refused{"ground_truth", 2, "Must be a valid boolean."},
        refused{"completed_by", true, "Incorrect type. Expected pk value, received bool."},
        refused{"completed_by", "1.5", "Incorrect type. Expected pk value, received str."},
        refused{"completed_by", json::array(), "Incorrect type. Expected pk value, received list."},
        refused{"last_action", 7, "\"7\" is not a valid choice."},
        refused{"last_action", "done", "\"done\" is not a valid choice."},
        refused{"last_action", true, "\"True\" is not a valid choice."}}) {
    auto bad = host.call("POST", task + "/annotations", alice.auth, {{"result", choice}, {r.field, r.value}});
    EXPECT_EQ(bad.status, 400) << r.field << " " << r.value.dump() << ": " << bad.body;
    const json body = api_host::body(bad);
    ASSERT_TRUE(body.contains("validation_errors")) << bad.body;
    EXPECT_EQ(body["validation_errors"][r.field], json::array({r.message})) << bad.body;
  }
  // Nothing refused was stored.
  EXPECT_EQ(api_host::body(host.call("GET", task, alice.auth))["annotations"].size(), 1u);

  // The same readings on drafts, tasks and predictions.
  auto draft = host.call("POST", task + "/drafts", alice.auth,
                         {{"result", choice}, {"lead_time", "1e1"}, {"was_postponed", "on"}});
  ASSERT_EQ(draft.status, 201) << draft.body;
  EXPECT_EQ(api_host::body(draft)["lead_time"], 10.0);
  EXPECT_EQ(api_host::body(draft)["was_postponed"], true);
  auto t = host.call("POST", "/api/tasks", alice.auth,
                     {{"project", std::to_string(pid)}, {"data", {{"text", "y"}}}, {"allow_skip", "false"}});
  ASSERT_EQ(t.status, 201) << t.body;
  EXPECT_EQ(api_host::body(t)["allow_skip"], false);
  auto p = host.call("POST", "/api/predictions", alice.auth,
                     {{"task", std::to_string(api_host::body(t)["id"].get<std::int64_t>())},
                      {"result", choice},
                      {"score", "0.75"}});
  ASSERT_EQ(p.status, 201) << p.body;
  EXPECT_EQ(api_host::body(p)["score"], 0.75);
  EXPECT_EQ(api_host::body(p)["model_version"], "");  // Prediction.model_version's default
  auto bad_score = host.call("POST", "/api/predictions", alice.auth,
                             {{"task", api_host::body(t)["id"]}, {"result", choice}, {"score", "high"}});
  EXPECT_EQ(bad_score.status, 400) << bad_score.body;
}

// A config change racing a write of results: the result is checked against the config before the change, the
// change (which checks the stored annotations and drafts in its own write unit) commits, and only then does
// the result's unit run. The writer is held so that the two land in that order every time. The unit sees that
// the config it was checked against is gone and the request is checked again, against the new config: a
// result for the removed control is refused (POST and PATCH of annotations, POST of drafts) and none is
// stored; one that the new config takes is saved.
TEST_F(AnnotationsApi, AResultCheckedAgainstAConfigChangedBeforeItsWriteIsCheckedAgain) {
  const std::string with_c =
      "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"c\" toName=\"text\"><Choice value=\"A\"/>"
      "</Choices><Choices name=\"e\" toName=\"text\"><Choice value=\"E\"/></Choices></View>";
  const std::string without_c =
      "<View><Text name=\"text\" value=\"$text\"/><Choices name=\"e\" toName=\"text\"><Choice value=\"E\"/>"
      "</Choices></View>";
  const json on_e = json::array(
      {{{"from_name", "e"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"choices", {"E"}}}}}});
  const std::string project_path = "/api/projects/" + std::to_string(pid);
  auto set_config = [&](const std::string& c) {
    auto r = host.call("PATCH", project_path, alice.auth, {{"label_config", c}});
    ASSERT_EQ(r.status, 200) << r.body;
  };
  set_config(with_c);
  auto made = host.call("POST", task + "/annotations", alice.auth, {{"result", on_e}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string annotation =
      "/api/annotations/" + std::to_string(api_host::body(made)["id"].get<std::int64_t>());

  store::store& db = host.db();
  auto wait_for_queue = [&](std::uint64_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (db.stats().submitted < n) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  };
  // The config change's answer and the write's.
  auto race = [&](const std::string& config, std::function<test::http_response()> write) {
    std::promise<void> go;
    std::shared_future<void> released = go.get_future().share();
    const std::uint64_t base = db.stats().submitted;
    db.submit(
        [released](store::write_context&) {
          released.wait();
          return status::success();
        },
        [](const status&) {});
    auto change = std::async(std::launch::async, [&] {
      return host.call("PATCH", project_path, alice.auth, {{"label_config", config}});
    });
    const bool change_queued = wait_for_queue(base + 2);  // the change is checked in its unit, queued now
    auto written = std::async(std::launch::async, write);
    const bool write_queued = change_queued && wait_for_queue(base + 3);  // checked against the old config
    go.set_value();
    EXPECT_TRUE(change_queued && write_queued) << "the requests never reached the store's queue";
    return std::pair(change.get(), written.get());
  };

  auto [change, created] = race(without_c, [&] {
    return host.call("POST", task + "/annotations", alice.auth, {{"result", choice}});
  });
  EXPECT_EQ(change.status, 200) << change.body;
  EXPECT_EQ(created.status, 400) << created.body;
  EXPECT_NE(created.body.find("c"), std::string::npos) << created.body;

  set_config(with_c);
  auto [change2, patched] = race(without_c, [&] {
    return host.call("PATCH", annotation, alice.auth, {{"result", choice}});
  });
  EXPECT_EQ(change2.status, 200) << change2.body;
  EXPECT_EQ(patched.status, 400) << patched.body;

  // A draft may break the config's rules (work in progress) but not be malformed for it: c turns from a text
  // area into choices while a draft is on its way whose item says "choices" but carries a text area's
  // payload, a rule break (the wrong type) for the text area and malformed (no choices) for the choices.
  const std::string c_as_text =
      "<View><Text name=\"text\" value=\"$text\"/><TextArea name=\"c\" toName=\"text\"/>"
      "<Choices name=\"e\" toName=\"text\"><Choice value=\"E\"/></Choices></View>";
  const json text_on_c = json::array(
      {{{"from_name", "c"}, {"to_name", "text"}, {"type", "choices"}, {"value", {{"text", {"typed"}}}}}});
  set_config(c_as_text);
  auto [change3, drafted] = race(with_c, [&] {
    return host.call("POST", task + "/drafts", alice.auth, {{"result", text_on_c}});
  });
  EXPECT_EQ(change3.status, 200) << change3.body;
  EXPECT_EQ(drafted.status, 400) << drafted.body;
  EXPECT_NE(drafted.body.find("value.choices"), std::string::npos) << drafted.body;

  // A result the new config takes is saved after the second check.
  set_config(with_c);
  auto [change4, kept] = race(without_c, [&] {
    return host.call("POST", task + "/annotations", alice.auth, {{"result", on_e}});
  });
  EXPECT_EQ(change4.status, 200) << change4.body;
  EXPECT_EQ(kept.status, 201) << kept.body;

  // Nothing stored names the removed control; so the config without it stays accepted.
  const json annotations = api_host::body(host.call("GET", task + "/annotations", alice.auth));
  ASSERT_EQ(annotations.size(), 2u) << annotations.dump();
  for (const auto& a : annotations) EXPECT_EQ(a["result"][0]["from_name"], "e") << a.dump();
  EXPECT_EQ(api_host::body(host.call("GET", task + "/drafts", alice.auth)).size(), 0u);
  EXPECT_EQ(host.call("PATCH", project_path, alice.auth, {{"label_config", without_c}}).status, 200);
}

// Results above the thread parsers' keep limit and the server's large-body size (8 MiB) take the write path
// that binds the text without a copy, counts the items off SQLite, answers from the written text and builds
// the answer after the commit: what is sent is what is answered, read back and exported.
TEST_F(AnnotationsApi, ALargeResultIsKeptAndAnsweredWhole) {
  const std::int64_t notes = host.make_project(
      "<View><Text name=\"text\" value=\"$text\"/><TextArea name=\"notes\" toName=\"text\"/></View>");
  auto t = host.call("POST", "/api/tasks", alice.auth, {{"project", notes}, {"data", {{"text", "x"}}}});
  ASSERT_EQ(t.status, 201) << t.body;
  const std::string big_task = "/api/tasks/" + std::to_string(api_host::body(t)["id"].get<std::int64_t>());
  // 9 MiB of text with escapes and multi-byte characters in it, in `items` TextArea items.
  auto result = [](char seed, int items) {
    std::string text;
    const std::string piece = std::string("caf\u00e9 \"quoted\" line\n") + seed;
    while (text.size() < (std::size_t(9) << 20) / std::size_t(items)) text += piece + std::to_string(text.size());
    json r = json::array();
    for (int i = 0; i < items; ++i)
      r.push_back({{"id", "n" + std::to_string(i)}, {"from_name", "notes"}, {"to_name", "text"}, {"type", "textarea"},
                   {"value", {{"text", {text}}}}});
    return r;
  };
  const json first = result('a', 3), second = result('b', 1);
  const auto result_count = [&](std::int64_t annotation) {
    const json all = api_host::body(
        host.call("GET", "/api/projects/" + std::to_string(notes) + "/export?exportType=JSON", alice.auth));
    for (const auto& task : all)
      for (const auto& a : task["annotations"])
        if (a["id"] == annotation) return a["result_count"];
    return json();
  };

  auto made = host.call("POST", big_task + "/annotations", alice.auth, {{"result", first}});
  ASSERT_EQ(made.status, 201) << made.body.substr(0, 300);
  const json a = api_host::body(made);
  EXPECT_EQ(a["result"], first);
  const std::int64_t id = a["id"].get<std::int64_t>();
  const std::string one = "/api/annotations/" + std::to_string(id);
  const json stored = api_host::body(host.call("GET", one, alice.auth));
  EXPECT_EQ(stored["result"], first);
  EXPECT_NE(a["created_username"].get<std::string>().find("alice@example.com"), std::string::npos) << a["created_username"];
  EXPECT_EQ(a["created_username"], stored["created_username"]);
  EXPECT_EQ(result_count(id), 3);

  auto patched = host.call("PATCH", one, bob.auth, {{"result", second}});
  ASSERT_EQ(patched.status, 200) << patched.body.substr(0, 300);
  EXPECT_EQ(api_host::body(patched)["result"], second);
  EXPECT_EQ(api_host::body(patched)["updated_by"], bob.id);
  const json read = api_host::body(host.call("GET", one, alice.auth));
  EXPECT_EQ(read["result"], second);
  EXPECT_EQ(read["updated_at"], api_host::body(patched)["updated_at"]);
  EXPECT_EQ(result_count(id), 1);

  auto drafted = host.call("POST", big_task + "/drafts", alice.auth, {{"result", second}});
  ASSERT_EQ(drafted.status, 201) << drafted.body.substr(0, 300);
  const json d = api_host::body(drafted);
  EXPECT_EQ(d["result"], second);
  const std::string draft = "/api/drafts/" + std::to_string(d["id"].get<std::int64_t>());
  auto redrafted = host.call("PATCH", draft, alice.auth, {{"result", first}});
  ASSERT_EQ(redrafted.status, 200) << redrafted.body.substr(0, 300);
  EXPECT_EQ(api_host::body(redrafted)["result"], first);
  const json draft_read = api_host::body(host.call("GET", draft, alice.auth));
  EXPECT_EQ(draft_read["result"], first);
  EXPECT_EQ(draft_read["updated_at"], api_host::body(redrafted)["updated_at"]);
  EXPECT_EQ(draft_read["created_at"], d["created_at"]);
}


// PUT is Django REST framework's full update: what a create requires must be there (a prediction's task
// and result, a draft's result, a task's data), and a 400 changes nothing; the fields left out keep their
// values. PATCH requires nothing. A prediction given another task moves there, both tasks' counters with
// it, but only with a result that fits the new task's config.
TEST_F(AnnotationsApi, PutIsAFullUpdateAndAPredictionMovesToTheTaskItNames) {
  const std::int64_t task_id = api_host::body(host.call("GET", task, alice.auth))["id"].get<std::int64_t>();
  auto other = host.call("POST", "/api/tasks", alice.auth, {{"project", pid}, {"data", {{"text", "y"}}}});
  ASSERT_EQ(other.status, 201) << other.body;
  const std::int64_t other_id = api_host::body(other)["id"].get<std::int64_t>();
  auto errors_of = [](const auto& r) {
    EXPECT_EQ(r.status, 400) << r.body;
    return api_host::body(r).value("validation_errors", json::object());
  };

  auto made = host.call("POST", "/api/predictions", alice.auth,
                        {{"task", task_id}, {"result", choice}, {"score", 0.25}, {"model_version", "v1"}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string pred = "/api/predictions/" + std::to_string(api_host::body(made)["id"].get<std::int64_t>());
  const json before = api_host::body(host.call("GET", pred, alice.auth));
  EXPECT_EQ(errors_of(host.call("PUT", pred, alice.auth, {{"score", 0.5}})),
            json({{"task", {"This field is required."}}, {"result", {"This field is required."}}}));
  EXPECT_EQ(errors_of(host.call("PUT", pred, alice.auth, {{"task", task_id}, {"result", nullptr}})),
            json({{"result", {"This field may not be null."}}}));
  EXPECT_EQ(errors_of(host.call("PUT", pred, alice.auth, {{"task", 999999}, {"result", choice}})),
            json({{"task", {"Invalid pk \"999999\" - object does not exist."}}}));
  EXPECT_EQ(api_host::body(host.call("GET", pred, alice.auth)), before);
  auto put = host.call("PUT", pred, alice.auth, {{"task", task_id}, {"result", json::array()}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(api_host::body(put)["result"], json::array());
  EXPECT_EQ(api_host::body(put)["score"], 0.25);  // left out: kept
  EXPECT_EQ(api_host::body(put)["model_version"], "v1");
  ASSERT_EQ(host.call("PATCH", pred, alice.auth, {{"result", choice}}).status, 200);

  // Moved to the other task of the project: the counters follow.
  auto moved = host.call("PATCH", pred, alice.auth, {{"task", other_id}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(api_host::body(moved)["task"], other_id);
  EXPECT_EQ(api_host::body(moved)["result"], choice);
  EXPECT_EQ(api_host::body(host.call("GET", task, alice.auth))["total_predictions"], 0);
  EXPECT_EQ(api_host::body(host.call("GET", "/api/tasks/" + std::to_string(other_id), alice.auth))["total_predictions"],
            1);
  // To a task of a project whose config has no "c": refused, nothing moves; with a result that fits, it moves.
  const std::int64_t notes = host.make_project(
      "<View><Text name=\"text\" value=\"$text\"/><TextArea name=\"note\" toName=\"text\"/></View>");
  auto far = host.call("POST", "/api/tasks", alice.auth, {{"project", notes}, {"data", {{"text", "z"}}}});
  ASSERT_EQ(far.status, 201) << far.body;
  const std::int64_t far_id = api_host::body(far)["id"].get<std::int64_t>();
  EXPECT_EQ(host.call("PATCH", pred, alice.auth, {{"task", far_id}}).status, 400);
  EXPECT_EQ(api_host::body(host.call("GET", pred, alice.auth))["task"], other_id);
  const json note = json::array({{{"from_name", "note"}, {"to_name", "text"}, {"type", "textarea"},
                                  {"value", {{"text", {"n"}}}}}});
  auto far_moved = host.call("PUT", pred, alice.auth, {{"task", far_id}, {"result", note}});
  ASSERT_EQ(far_moved.status, 200) << far_moved.body;
  EXPECT_EQ(api_host::body(far_moved)["project"], notes);
  EXPECT_EQ(api_host::body(host.call("GET", "/api/tasks/" + std::to_string(other_id), alice.auth))["total_predictions"],
            0);
  EXPECT_EQ(api_host::body(host.call("GET", "/api/tasks/" + std::to_string(far_id), alice.auth))["total_predictions"],
            1);
  EXPECT_EQ(api_host::body(host.call("GET", "/api/predictions?project=" + std::to_string(notes), alice.auth)).size(),
            1u);
  EXPECT_EQ(api_host::body(host.call("GET", "/api/predictions?project=" + std::to_string(pid), alice.auth)).size(),
            0u);

  // A draft: PUT needs its result, keeps its lead_time.
  auto d = host.call("POST", task + "/drafts", alice.auth, {{"result", choice}, {"lead_time", 3}});
  ASSERT_EQ(d.status, 201) << d.body;
  const std::string draft = "/api/drafts/" + std::to_string(api_host::body(d)["id"].get<std::int64_t>());
  EXPECT_EQ(errors_of(host.call("PUT", draft, alice.auth, {{"lead_time", 5}})),
            json({{"result", {"This field is required."}}}));
  EXPECT_EQ(api_host::body(host.call("GET", draft, alice.auth))["lead_time"], 3);
  auto dput = host.call("PUT", draft, alice.auth, {{"result", json::array()}});
  ASSERT_EQ(dput.status, 200) << dput.body;
  EXPECT_EQ(api_host::body(dput)["result"], json::array());
  EXPECT_EQ(api_host::body(dput)["lead_time"], 3);

  // A task: PUT needs its data, keeps its meta.
  ASSERT_EQ(host.call("PATCH", task, alice.auth, {{"meta", {{"m", 1}}}}).status, 200);
  EXPECT_EQ(errors_of(host.call("PUT", task, alice.auth, {{"meta", {{"m", 2}}}})),
            json({{"data", {"This field is required."}}}));
  EXPECT_EQ(api_host::body(host.call("GET", task, alice.auth))["meta"], json({{"m", 1}}));
  auto tput = host.call("PUT", task, alice.auth, {{"data", {{"text", "x2"}}}});
  ASSERT_EQ(tput.status, 200) << tput.body;
  EXPECT_EQ(api_host::body(tput)["data"], json({{"text", "x2"}}));
  EXPECT_EQ(api_host::body(tput)["meta"], json({{"m", 1}}));
}
}  // namespace
}  // namespace annot::host::testing
