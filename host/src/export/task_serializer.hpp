// Store rows -> Label Studio's export JSON of one task (label-studio-formats §2.5), the text every
// exporter plugin reads from the cursor. Payloads (data, meta, results) are spliced unparsed.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/model.hpp"

namespace annot::host::exporting {

struct serialize_options {
  // completed_by as {id, email, first_name, last_name} instead of the user id (stored exports with
  // annotations__completed_by.only_id = false).
  bool expand_completed_by = false;
  // Predictions as full objects instead of their ids (stored exports, predictions.only_id = false).
  bool full_predictions = false;
  // Drafts as full objects (the easy export does), or their ids.
  bool full_drafts = true;
  // Stored exports' annotation_filter_options: the annotations written are those matching any of
  // the set kinds (usual = neither ground truth nor cancelled); none set, or no filter, writes all.
  // The task's counters (total_annotations, ...) are not changed by the filter, as in Label Studio.
  struct annotation_filter {
    bool usual = true, ground_truth = false, skipped = false;
  };
  std::optional<annotation_filter> annotations;
  // serialization_options.interpolate_key_frames: every annotation's videorectangle keyframes are
  // expanded into one entry per frame (interpolate_key_frames() below).
  bool interpolate_key_frames = false;
  // Only what a format declaring annot::export_task_content::items reads: the task's id,
  // annotations (id, completed_by, result, was_cancelled, ground_truth, created_at, updated_at,
  // lead_time) and data, in that order. No drafts, predictions, file upload, meta or counters.
  bool items_only = false;
  // The config's first data key: a task's "$undefined$" data key (a file imported before the project
  // had a config) is written under it. Empty: written as stored.
  std::string undefined_data_key;
};

// What the serializer needs besides the rows: users by id (for expanded completed_by) and file
// upload names. Each returns nullptr / nullopt when unknown.
struct serialize_lookups {
  std::function<const store::user*(std::int64_t)> user;
  std::function<std::optional<std::string>(std::int64_t)> file_upload_name;
  // Told, with the task id, where the text written departs from what the options ask (a region
  // whose keyframes were not interpolated); may be empty.
  std::function<void(std::string_view)> warn;
};

// Appends the task's export JSON to `out`. `annotations`, `drafts` and `predictions` are the task's
// own rows, in id order.
void append_task_json(std::string& out, const store::task& t, std::span<const store::annotation> annotations,
                      std::span<const store::draft> drafts, std::span<const store::prediction> predictions,
                      const serialize_options& options, const serialize_lookups& lookups);

// Whether an annotation is written under `filter` (nullopt: every annotation).
bool keeps_annotation(const std::optional<serialize_options::annotation_filter>& filter, const store::annotation& a);

// Whether a task JSON written by append_task_json has at least one annotation (the written ones,
// after the annotation filter): Label Studio's only_with_annotations test.
bool has_annotations(std::string_view task_json);

// Label Studio's extract_key_frames (label_studio_sdk ... postprocessing/video.py) over a result
// list: each videorectangle result keeps its keyframes and gains an entry for every frame between
// an enabled keyframe and the next one (x, y, width, height, rotation linear in the frame, time
// linear rounded to 2 decimals, "auto": true), and after the last enabled keyframe up to framesCount
// (a copy of it, time spread to `duration` when known); the sequence is then ordered by frame. A
// disabled keyframe ends a span. A videorectangle with an empty sequence is dropped; other results
// are unchanged. Missing numeric fields count as 0 (Label Studio fails on them). Text that is not a
// JSON list is returned unchanged. The frame numbers are the client's (1e15 loops Label Studio until
// its memory runs out): a region that would gain more frames than `*frames_left` (a million when
// null) keeps its keyframes as stored, and `warn` (when set) is told which; the frames made are taken
// from `*frames_left`, which append_task_json shares among a task's annotations.
std::string interpolate_key_frames(std::string_view result_json,
                                   const std::function<void(std::string_view)>& warn = {},
                                   double* frames_left = nullptr);

}  // namespace annot::host::exporting
