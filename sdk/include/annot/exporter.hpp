/* Exporters: what an exporter plugin registers, and the host cursor and sink an export runs on.
 *
 * An exporter plugin registers one exporter_spec per plugin id (registrar::add_exporter). A spec
 * offers one or more Label Studio `exportType` names (coco offers COCO and COCO_WITH_IMAGES), a
 * table of options, and a factory. For each export the host:
 *   1. asks the factory whether a format applies to the project's config (export_config) — the
 *      formats listing marks the others disabled with the reason;
 *   2. creates an exporter for the requested format and calls run() once, handing it a task_cursor
 *      (the project's tasks, one at a time, as Label Studio's export JSON) and an export_sink (a
 *      single file, or named entries of a zip or a directory), plus an export_log for warnings and
 *      skipped items.
 * An exporter may hand the cursor a task_preparer: the per-task part of its work, which the host then
 * runs on other threads ahead of run() (SDK 1.5).
 * Memory must not grow with the number of tasks: read a task, write what it gives, drop it.
 *
 * Structured data crosses as JSON text (tasks, the parsed config, option values), never as a JSON
 * library's types. No exception crosses the boundary: run() and the factory functions are noexcept
 * and report failure as an annot::status.
 *
 * Threading: the factory is shared, const and called from any thread, several at once. One
 * exporter object serves one export on one thread; the cursor, sink and log it is given are used
 * only from that thread, only during run(). The one exception is a task_preparer's prepare(), which
 * the host calls on its own threads too.
 * Since: SDK 1.2
 */
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "annot/fields.hpp"
#include "annot/status.hpp"

namespace annot {

/** The project's labeling config, as exporters see it.
 *  Lifetime: the views are owned by the host and valid only during the call that received them
 *  (applies_to, run); copy what must outlive it. Since: SDK 1.2 */
struct export_config {
  /** The labeling config XML as the project stores it; may be empty (a project without config). */
  std::string_view label_config;
  /** Label Studio's parsed config (the `parsed_label_config` of the project API, the "schema" its
   *  converter receives) as JSON text: {control_name: {"type", "to_name", "inputs": [{"type",
   *  "value"[, "valueType"]}], "labels", "labels_attrs": {label: {xml attributes}}, ["regex"],
   *  ["conditionals"]}} in document order. "{}" when there is no config. Repeater-expanded names
   *  carry a "regex" as in Label Studio. */
  std::string_view parsed_config;
};

/** How a format's output is packaged when it is downloaded (spec §1.1). Since: SDK 1.2 */
enum class export_layout {
  /** Exactly one file (JSON, CSV, CONLL2003...): served as that file, named by export_format::file_name. */
  single_file,
  /** Several files and folders (COCO, YOLO, VOC...): served as a zip, written as a folder. */
  archive
};

/** What of each task a format reads, so the host reads and writes no more than that.
 *  Since: SDK 1.4 */
enum class export_task_content {
  /** Label Studio's whole export JSON of the task (see task_cursor). */
  full,
  /** What Label Studio's converter builds its items from (spec §1.4): the task's "id", "data" and
   *  "annotations", each annotation with "id", "completed_by", "result", "was_cancelled",
   *  "ground_truth", "created_at", "updated_at" and "lead_time"; no drafts, predictions, file
   *  upload, meta or counters. A cursor may still give more (a stored export converted later
   *  gives whole tasks), so read keys by name, never by position. */
  items
};

/** One Label Studio `exportType` offered by an exporter. Plain data, copied by the host.
 *  Since: SDK 1.2 */
struct export_format {
  /** The exportType as clients send it: "COCO", "YOLO_WITH_IMAGES". Unique across all plugins. */
  std::string name;
  /** Label Studio's title ("COCO", "JSON-MIN"), description and documentation link, as listed by
   *  GET /api/projects/{id}/export/formats. */
  std::string title;
  std::string description;
  std::string link;
  /** Tags shown next to the title (Label Studio lists e.g. "image segmentation", "object detection"). */
  std::vector<std::string> tags;
  export_layout layout = export_layout::single_file;
  /** single_file: the file the exporter writes, e.g. "result.json"; its extension names the
   *  download ("project-1-at-...-1a2b3c4d.json"). Ignored for archive. */
  std::string file_name;
  /** What the exporter reads of each task; `items` spares the host reading and serialising the
   *  rest (drafts and predictions are often as large as the annotations). Since: SDK 1.4 */
  export_task_content task_content = export_task_content::full;
};

/** Everything an export is asked to do, besides its tasks.
 *  Lifetime: the views are owned by the host and valid for the duration of run(). Since: SDK 1.2 */
struct export_request {
  /** The exportType requested; one of the spec's export_format names. */
  std::string_view format;
  export_config config;
  /** The option values as a JSON object text ({"key": value}), keys from exporter_spec::options;
   *  the host has checked their types. Absent options take the documented default. "{}" if none. */
  std::string_view options;
  /** Absolute folder of the host's uploaded files: "/data/upload/<P>/<F>" in task data resolves to
   *  <upload_dir>/<P>/<F> (spec §1.6). Empty when the host has none. */
  std::string_view upload_dir;
  /** The one folder besides upload_dir whose files an export may read: "/data/local-files/?d=REL"
   *  resolves to <root>/REL, and a value that is itself a path names a file, only inside it (symbolic
   *  links resolved). Empty: nothing outside upload_dir is read, whatever a task's data names (the
   *  host's server never sets it; `annot export --local-files-root` does). "/" is Label Studio's
   *  default. Changed in SDK 1.6.1: empty used to mean "/". */
  std::string_view local_files_root;
  /** When the output goes to a folder on disk: its absolute path (COCO's upload file names are
   *  relative to it, spec §1.6). Empty when streaming to a zip or an HTTP body. */
  std::string_view output_dir;
  /** Copy local resources (uploaded images, audio) into the output (Label Studio's
   *  download_resources flag). Never fetches from the network. */
  bool download_resources = false;
  /** The project's id, for names and messages; 0 outside a project (tests, files). */
  std::int64_t project_id = 0;
};

/** The part of an export that depends on one task alone: the host may run it ahead of the exporter,
 *  on its own threads, so that parsing and formatting tasks uses more than one core while run()
 *  keeps the parts that need order or state (category ids, totals, the writes).
 *  An exporter hands it to task_cursor::prepare_with(); next() then gives each task as prepare()
 *  turned it. What the bytes hold is the exporter's own business (the host only stores them and
 *  hands them back), so anything a task's run() step needs must be in them, including what to log:
 *  prepare() has no export_log.
 *  Ownership: owned by the exporter. Lifetime: must stay valid until the cursor lets it go, when
 *  task_cursor::prepare_with(nullptr) or rewind() returns; let it go before run() returns.
 *  Threading: prepare() is called from host threads other than run()'s and from run()'s own thread
 *  (inside next()), for several tasks at once, in no particular order: it may read only state that
 *  does not change while the pass runs (the parsed config, the options) and must keep its scratch
 *  space per call or per thread. Since: SDK 1.5 */
class task_preparer {
 public:
  /** Appends what run() needs of one task to `prepared`; `task_json` is the task's text as next()
   *  would give it without a preparer. `prepared` may already hold other tasks' bytes: append only.
   *  An error status ends the pass at this task: next() returns it when run() reaches the task, after
   *  the tasks before it. Must not throw. */
  virtual status prepare(std::string_view task_json, std::string& prepared) const noexcept = 0;

 protected:
  ~task_preparer() = default;
};

/** The project's tasks, one at a time, in id order, as Label Studio's export JSON (spec §1.1 and
 *  the converter fixture inputs): {"id", "data", "annotations": [{"id", "completed_by", "result",
 *  "was_cancelled", "ground_truth", "created_at", "updated_at", "lead_time", "history", ...}],
 *  "predictions", "drafts", "meta", "created_at", "updated_at", ...}; for a format declaring
 *  export_task_content::items, at least the keys that value lists. Keys keep Label Studio's
 *  order; numbers are written as stored (integers without fraction).
 *  Implemented by the host (and by the support library's test harness).
 *  Lifetime: valid only during exporter::run(). Threading: from the run() thread only.
 *  Since: SDK 1.2 */
class task_cursor {
 public:
  /** Advances to the next task. On success `task_json` views the task's JSON text (or, after
   *  prepare_with(), what the preparer made of it), valid until the
   *  next call to next() or rewind(); it is set to empty at the end (then the call returns false).
   *  An error status (errc::cancelled when the export was cancelled, errc::io_error) ends the run:
   *  return it from run(). */
  virtual result<bool> next(std::string_view& task_json) = 0;
  /** Starts again from the first task, for formats that need a second pass (CSV's column
   *  discovery). The same tasks come back in the same order. */
  virtual status rewind() = 0;
  /** The number of tasks the export covers, for progress; -1 when unknown. */
  virtual std::int64_t size_hint() const noexcept = 0;
  /** From now on, next() gives each task as `preparer` turned it (see task_preparer) instead of its
   *  JSON text. A preparer is set at the start of a pass (before its first next(): at the start of
   *  run() or right after rewind()); later in a pass it is errc::failed_precondition. A preparer
   *  serves one pass: rewind() drops it.
   *  nullptr may be given at any time: the cursor stops calling the preparer before this returns
   *  (waiting for calls in flight on its threads), and the tasks not handed out yet come as JSON text.
   *  Do so before the preparer is destroyed (an exporter leaving its loop early, on an error).
   *  A cursor runs prepare() ahead on its own threads where it can, else inside next(): the tasks and
   *  their order are the same either way. Since: SDK 1.5 */
  virtual status prepare_with(const task_preparer* preparer) = 0;
  /** How many bytes after each task's JSON text may be read though they are not part of it (their
   *  values are unspecified): after the text next() gives without a preparer, and after the text the
   *  cursor hands to task_preparer::prepare(). A parser reading past the end with wide loads
   *  (simdjson: 64 bytes) can then parse the text where it lies instead of copying each task into a
   *  padded buffer. The default, 0, promises nothing. Since: SDK 1.6 */
  virtual std::size_t text_padding() const noexcept { return 0; }

 protected:
  ~task_cursor() = default;
};

/** An open output file: bytes are appended in order.
 *  Lifetime: owned by the sink; valid until the next call to export_sink::open(), add_directory(),
 *  add_file() or the end of run(), whichever comes first (the sink then closes it).
 *  Threading: from the run() thread only. Since: SDK 1.2 */
class output_stream {
 public:
  /** Appends bytes. An error (errc::io_error: disk full, client gone; errc::cancelled) ends the
   *  run: return it from run(). */
  virtual status write(std::string_view bytes) = 0;

 protected:
  ~output_stream() = default;
};

/** Where an export writes: named entries (paths relative to the output root, '/'-separated, no
 *  "." or ".." segments, no leading '/'). The host maps them onto a folder, the entries of a zip,
 *  or — for a single_file format — the body of one download.
 *  Opening a path that was written before replaces its content (Label Studio's YOLO/VOC files are
 *  overwritten by later annotations of the same task; a zip lists only the last copy).
 *  Implemented by the host. Lifetime: valid only during exporter::run().
 *  Threading: from the run() thread only. Since: SDK 1.2 */
class export_sink {
 public:
  /** Opens entry `path` for writing and closes the previous one. Parent folders are created as
   *  needed (and listed in a zip). The stream is owned by the sink; see output_stream. */
  virtual result<output_stream*> open(std::string_view path) = 0;
  /** Creates folder `path` ("images"), listed even when nothing is written into it (Label Studio
   *  always creates images/ for COCO). Creating an existing folder is not an error. */
  virtual status add_directory(std::string_view path) = 0;
  /** Copies the local file `source` (an absolute path the exporter resolved) into entry `path`
   *  (COCO_WITH_IMAGES images, ASR audio). errc::not_found when `source` cannot be read. */
  virtual status add_file(std::string_view path, std::string_view source) = 0;

 protected:
  ~export_sink() = default;
};

/** What an export reports besides its output: warnings and skipped items, shown in the export
 *  result (stored export, CLI summary, log). The host keeps the counts exactly and the first
 *  messages (a few hundred); calling it often is cheap.
 *  Implemented by the host. Lifetime: valid only during exporter::run().
 *  Threading: from the run() thread only. Since: SDK 1.2 */
class export_log {
 public:
  /** Something the user should know that did not cost output ("label 'Bicycle' is not in the
   *  config; appended as category 4"). */
  virtual void warn(std::string_view message) noexcept = 0;
  /** Something that was not written where Label Studio would abort the export or drop it silently
   *  (spec §4): a task, annotation or region. `task_id` is the task's id (0 when unknown). */
  virtual void skipped(std::int64_t task_id, std::string_view reason) noexcept = 0;

 protected:
  ~export_log() = default;
};

/** One export run. Created by exporter_factory::create for one request.
 *  Ownership: the host owns it (std::unique_ptr) and destroys it after run() returns; the plugin's
 *  code stays loaded for the life of the process.
 *  Threading: run() is called once, on one thread. Since: SDK 1.2 */
class exporter {
 public:
  virtual ~exporter() = default;
  /** Reads every task from `tasks` and writes the format to `sink`. Returns success when the output
   *  is complete (with whatever it skipped reported to `log`), or the first error that stopped it
   *  (the cursor's or sink's error as returned, errc::invalid_argument for a bad option value).
   *  Must not throw. */
  virtual status run(const export_request& request, task_cursor& tasks, export_sink& sink,
                     export_log& log) noexcept = 0;
};

/** Decides where an exporter applies and creates its runs.
 *  Ownership: held by the exporter_spec; owned by the host after registration, for the life of the
 *  process. Threading: const; called from any thread, several at once; never throws.
 *  Since: SDK 1.2 */
class exporter_factory {
 public:
  virtual ~exporter_factory() = default;
  /** Whether `format` (one of the spec's names) applies to `config`: success, or a status whose
   *  message is the reason shown to users next to the disabled format ("needs an Image with
   *  RectangleLabels, PolygonLabels or KeyPointLabels"). */
  virtual status applies_to(std::string_view format, const export_config& config) const noexcept = 0;
  /** A new run for `format`; an error status when it cannot be created. */
  virtual result<std::unique_ptr<exporter>> create(std::string_view format) const noexcept = 0;
};

/** What an exporter plugin registers (registrar::add_exporter). Aggregate; moved into the host.
 *  Since: SDK 1.2 */
struct exporter_spec {
  /** The exporter's id, usually the plugin's name ("coco"); [a-z0-9_]+, unique across plugins. */
  std::string id;
  /** The exportType names it offers, in Label Studio's listing order; at least one. */
  std::vector<export_format> formats;
  /** Options the user may set (declarative; see fields.hpp), e.g. {"interpolate_key_frames",
   *  boolean}. The host checks option values against it before run(). */
  field_table options;
  /** Required. */
  std::unique_ptr<exporter_factory> factory;
};

}  // namespace annot
