#include "export/one_file_or_zip_sink.hpp"

#include <fstream>

namespace annot::host::exporting {

// The stream of the held entry: bytes go to memory until the packaging is decided, then to the zip's
// stream of that entry.
class one_file_or_zip_sink::held_stream final : public annot::output_stream {
 public:
  explicit held_stream(one_file_or_zip_sink& sink) : sink_(sink) {}
  void forward_to(annot::output_stream* s) { forward_ = s; }

  annot::status write(std::string_view bytes) override {
    if (forward_) return forward_->write(bytes);
    sink_.held_bytes_.append(bytes);
    if (sink_.held_bytes_.size() > kHoldLimit) return sink_.to_zip();  // too large to hold: a zip after all
    return {};
  }

 private:
  one_file_or_zip_sink& sink_;
  annot::output_stream* forward_ = nullptr;
};

one_file_or_zip_sink::one_file_or_zip_sink(starter start)
    : start_(std::move(start)), stream_(std::make_unique<held_stream>(*this)) {}

one_file_or_zip_sink::~one_file_or_zip_sink() = default;

annot::status one_file_or_zip_sink::to_zip() {
  started_ = true;
  annot::result<byte_writer*> out = start_(".zip");
  if (!out.ok()) return out.error();
  zip_ = std::make_unique<zip_sink>(**out);
  if (!held_) return {};
  held_ = false;
  if (!held_source_.empty()) return zip_->add_file(held_path_, held_source_);
  annot::result<annot::output_stream*> s = zip_->open(held_path_);
  if (!s.ok()) return s.error();
  stream_->forward_to(*s);  // later writes to the held stream continue the entry
  annot::status st = (*s)->write(held_bytes_);
  std::string().swap(held_bytes_);
  return st;
}

annot::result<annot::output_stream*> one_file_or_zip_sink::open(std::string_view path) {
  // A second entry, or a file in a folder (the folder is an entry of its own): a zip. The held entry
  // opened again is replaced (a later mask of the same name), and stays one file.
  if (!zip_ && ((held_ && path != held_path_) || path.find('/') != std::string_view::npos))
    if (annot::status st = to_zip(); !st.ok()) return st;
  if (zip_) return zip_->open(path);
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  held_ = true;
  held_path_.assign(path);
  held_source_.clear();
  held_bytes_.clear();
  stream_->forward_to(nullptr);
  return stream_.get();
}

annot::status one_file_or_zip_sink::add_directory(std::string_view path) {
  if (!zip_)
    if (annot::status st = to_zip(); !st.ok()) return st;
  return zip_->add_directory(path);
}

annot::status one_file_or_zip_sink::add_file(std::string_view path, std::string_view source) {
  if (!zip_ && ((held_ && path != held_path_) || path.find('/') != std::string_view::npos))
    if (annot::status st = to_zip(); !st.ok()) return st;
  if (zip_) return zip_->add_file(path, source);
  if (annot::status st = check_entry_path(path); !st.ok()) return st;
  std::ifstream probe{std::string(source), std::ios::binary};
  if (!probe) return annot::status(annot::errc::not_found, "cannot read " + std::string(source));
  held_ = true;
  held_path_.assign(path);
  held_source_.assign(source);
  held_bytes_.clear();
  return {};
}

annot::status one_file_or_zip_sink::finish() {
  if (!zip_ && !held_)
    if (annot::status st = to_zip(); !st.ok()) return st;  // nothing written: an empty zip, as upstream
  if (zip_) return zip_->finish();
  // One file: downloaded as it is, named with its own extension (Python's splitext: a leading dot is none).
  const std::size_t slash = held_path_.rfind('/');
  const std::string name = held_path_.substr(slash == std::string::npos ? 0 : slash + 1);
  const std::size_t first = name.find_first_not_of('.');
  const std::size_t dot = name.rfind('.');
  const std::string extension = dot == std::string::npos || first == std::string::npos || dot < first
                                    ? std::string()
                                    : name.substr(dot);
  started_ = true;
  annot::result<byte_writer*> out = start_(extension);
  if (!out.ok()) return out.error();
  if (held_source_.empty()) return (*out)->write(held_bytes_);
  std::ifstream in(held_source_, std::ios::binary);
  if (!in) return annot::status(annot::errc::not_found, "cannot read " + held_source_);
  std::string buffer(1 << 18, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in.gcount() > 0)
      if (annot::status st =
              (*out)->write(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
          !st.ok())
        return st;
  }
  if (in.bad()) return annot::status(annot::errc::io_error, "cannot read " + held_source_);
  return {};
}

}  // namespace annot::host::exporting
