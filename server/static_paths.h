// Static file rules without HTTP (unit-tested in tests/cpp/server): where a URL path may lead
// inside a served folder, what MIME type a file gets, and which names are versioned.
#pragma once
#include <string>

namespace attrkit::server {

struct StaticTarget {
  enum Kind { none, file, directory } kind = none;
  std::string path;  // the real path of the file, when kind == file
};

// `rel` is the already percent-decoded URL path below the mount point ("", "app.js", "a/b.css",
// "docs/"). Refused (kind none): "..", "." or empty segments, names starting with '.', a
// backslash or NUL, anything whose real path (symlinks resolved) is not inside `root_dir`, and
// anything that is not a regular file or directory. "" and "x/" mean the folder's index.html.
StaticTarget resolve_static(const std::string& root_dir, const std::string& rel);

// "text/html; charset=utf-8", "application/wasm", ...; application/octet-stream if unknown.
const char* mime_type_for(const std::string& path);

// True when the file name carries a version ("attrkit-1.2.0.js", "attrkit@1.2.0-beta.1.js") or a
// content hash of 8+ hex digits ("attrkit.3f9a1c2b.wasm"): such files never change, so they are
// served with immutable caching.
bool is_versioned_name(const std::string& file_name);

}  // namespace attrkit::server
