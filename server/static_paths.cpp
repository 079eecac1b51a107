#include "server/static_paths.h"

#include <sys/stat.h>

#include <cctype>
#include <cstdlib>
#include <memory>
#include <regex>

namespace attrkit::server {
namespace {

std::string real_path(const std::string& p) {
  std::unique_ptr<char, decltype(&std::free)> r(::realpath(p.c_str(), nullptr), &std::free);
  return r ? std::string(r.get()) : std::string();
}

bool safe_relative(const std::string& rel) {
  if (rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos) return false;
  std::size_t start = 0;
  while (start <= rel.size()) {
    std::size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string seg = rel.substr(start, end - start);
    bool last = end == rel.size();
    // An empty segment is only fine as the very end ("dir/") or for the root ("").
    if (seg.empty() && !(last && (start == rel.size()))) return false;
    if (!seg.empty() && seg[0] == '.') return false;  // "..", ".", ".git", ".env"
    start = end + 1;
  }
  return true;
}

}  // namespace

StaticTarget resolve_static(const std::string& root_dir, const std::string& rel) {
  if (root_dir.empty() || !safe_relative(rel)) return {};
  std::string root = real_path(root_dir);
  if (root.empty()) return {};
  std::string candidate = root + "/" + rel;
  if (rel.empty() || rel.back() == '/') candidate += "index.html";

  std::string real = real_path(candidate);
  // Symlinks are followed, but the target must still be inside the root.
  if (real.empty() || real.compare(0, root.size() + 1, root + "/") != 0) return {};
  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) return {};
  if (S_ISDIR(st.st_mode)) return {StaticTarget::directory, real};
  if (!S_ISREG(st.st_mode)) return {};
  return {StaticTarget::file, real};
}

const char* mime_type_for(const std::string& path) {
  struct Entry {
    const char* ext;
    const char* type;
  };
  static const Entry kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".wasm", "application/wasm"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".ts", "text/plain; charset=utf-8"},
  };
  std::size_t slash = path.rfind('/');
  std::size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const Entry& e : kTypes) {
    if (ext == e.ext) return e.type;
  }
  return "application/octet-stream";
}

bool is_versioned_name(const std::string& file_name) {
  static const std::regex kVersion(R"((^|[-@_.])v?\d+\.\d+\.\d+([-+.]|$))");
  if (std::regex_search(file_name, kVersion)) return true;
  // A hash: a segment (between - @ _ .) of 8+ lowercase hex digits, at least one a digit.
  std::size_t start = 0;
  while (start < file_name.size()) {
    std::size_t end = file_name.find_first_of("-@_.", start);
    if (end == std::string::npos) end = file_name.size();
    bool hex = end - start >= 8, digit = false;
    for (std::size_t i = start; hex && i < end; ++i) {
      char c = file_name[i];
      if (c >= '0' && c <= '9') digit = true;
      else if (c < 'a' || c > 'f') hex = false;
    }
    if (hex && digit) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace attrkit::server
