// Static file resolution (server/static_paths.h): traversal, symlinks, MIME types, versioned names.
#include "server/static_paths.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace attrkit::server {
namespace {

namespace fs = std::filesystem;

class StaticTree : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() /
            ("attrkit-static-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base_);
    fs::create_directories(base_ / "root" / "sub");
    write(base_ / "root" / "index.html", "<h1>home</h1>");
    write(base_ / "root" / "app.js", "1");
    write(base_ / "root" / "sub" / "index.html", "sub");
    write(base_ / "root" / ".env", "SECRET=1");
    write(base_ / "secret.txt", "outside");
    fs::create_symlink(base_ / "secret.txt", base_ / "root" / "escape.txt");
    fs::create_symlink(base_ / "root" / "app.js", base_ / "root" / "alias.js");
    root_ = (base_ / "root").string();
  }
  void TearDown() override { fs::remove_all(base_); }

  static void write(const fs::path& p, const char* text) { std::ofstream(p) << text; }

  fs::path base_;
  std::string root_;
};

TEST_F(StaticTree, ServesFilesAndIndexes) {
  EXPECT_EQ(resolve_static(root_, "app.js").kind, StaticTarget::file);
  StaticTarget index = resolve_static(root_, "");
  ASSERT_EQ(index.kind, StaticTarget::file);
  EXPECT_EQ(fs::path(index.path).filename(), "index.html");
  EXPECT_EQ(resolve_static(root_, "sub/").kind, StaticTarget::file);
  EXPECT_EQ(resolve_static(root_, "sub").kind, StaticTarget::directory);
  EXPECT_EQ(resolve_static(root_, "missing.js").kind, StaticTarget::none);
}

TEST_F(StaticTree, RefusesTraversalAndOddPaths) {
  for (const char* rel :
       {"../secret.txt", "sub/../../secret.txt", "sub/../app.js", "./app.js", "/etc/passwd",
        "//etc/passwd", "sub//index.html", "..", "...", "sub\\..\\app.js", ".env", "sub/.hidden"}) {
    EXPECT_EQ(resolve_static(root_, rel).kind, StaticTarget::none) << rel;
  }
  EXPECT_EQ(resolve_static(root_, std::string("app.js\0x", 8)).kind, StaticTarget::none);
}

TEST_F(StaticTree, SymlinksMustStayInsideTheRoot) {
  EXPECT_EQ(resolve_static(root_, "escape.txt").kind, StaticTarget::none);
  EXPECT_EQ(resolve_static(root_, "alias.js").kind, StaticTarget::file);
}

TEST_F(StaticTree, AMissingRootServesNothing) {
  EXPECT_EQ(resolve_static((base_ / "nope").string(), "app.js").kind, StaticTarget::none);
  EXPECT_EQ(resolve_static("", "app.js").kind, StaticTarget::none);
}

TEST(MimeType, KnownExtensions) {
  EXPECT_STREQ(mime_type_for("/x/attrkit.wasm"), "application/wasm");
  EXPECT_STREQ(mime_type_for("/x/attrkit.js"), "text/javascript; charset=utf-8");
  EXPECT_STREQ(mime_type_for("/x/attrkit.MJS"), "text/javascript; charset=utf-8");
  EXPECT_STREQ(mime_type_for("/x/index.html"), "text/html; charset=utf-8");
  EXPECT_STREQ(mime_type_for("/x/style.css"), "text/css; charset=utf-8");
  EXPECT_STREQ(mime_type_for("/x/data.json"), "application/json; charset=utf-8");
  EXPECT_STREQ(mime_type_for("/x.d/README"), "application/octet-stream");
  EXPECT_STREQ(mime_type_for("/x/blob.bin"), "application/octet-stream");
}

TEST(VersionedName, VersionsAndHashes) {
  for (const char* name : {"attrkit-1.2.0.js", "attrkit@1.2.0.min.js", "attrkit.1.0.0.wasm",
                           "attrkit-v2.0.1-beta.1.js", "attrkit.3f9a1c2b.js", "chunk-0123abcd.wasm",
                           "attrkit.3f9a1c2b0d.min.js"}) {
    EXPECT_TRUE(is_versioned_name(name)) << name;
  }
  for (const char* name : {"attrkit.js", "attrkit.wasm", "index.html", "attrkit-core.wasm",
                           "deadbeefcafe.js", "abc123.js", "attrkit-1.2.js", "ABCDEF12.js"}) {
    EXPECT_FALSE(is_versioned_name(name)) << name;
  }
}

}  // namespace
}  // namespace attrkit::server
