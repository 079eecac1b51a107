// malloc/free for the Wasm module (cmake/wasm.cmake links with -sMALLOC=none). Wasm-only, so it
// lives with the bindings; the native build uses the system allocator.
//
// Power-of-two size classes with one free list each, carved from the top of the heap and never
// merged or returned (Wasm memory cannot shrink anyway). It is ~600 bytes brotli smaller than
// emmalloc (bench/README.md), at the price of up to 2x per block and no reuse across classes:
// the module holds a config, a bounded outbox and one call's documents, so peak memory stays
// small either way. -sMALLOC=emmalloc (and deleting this file) is the fallback.
//
// Only malloc and free: nothing in the module or the glue calls realloc, calloc or an aligned
// allocation (the link would fail if something started to).
#include <emscripten/heap.h>

#include <cstddef>
#include <cstdint>

extern "C" unsigned char __heap_base;  // wasm-ld: the first byte after data and stack

namespace {

// Holds the block's class; every block starts 8-byte aligned, so what malloc returns is too.
constexpr std::size_t kHeader = 8;
static_assert(alignof(std::max_align_t) <= kHeader, "malloc must return max_align_t alignment");
constexpr unsigned kSmallestClass = 4;  // 16-byte blocks: 8 usable
constexpr unsigned kClasses = 32;       // the largest block is 2 GB, Wasm32's whole memory

void* g_free[kClasses];  // class -> first free block; a free block's first word links the next
std::uintptr_t g_top;    // first byte never handed out

// n bytes from the top of the heap, growing memory through Emscripten (so the glue's views of
// the memory follow); null when memory cannot grow.
char* carve(std::size_t n) {
  if (g_top == 0) g_top = (reinterpret_cast<std::uintptr_t>(&__heap_base) + 7) & ~std::uintptr_t{7};
  const std::uintptr_t end = g_top + n;
  if (end < g_top) return nullptr;
  if (end > emscripten_get_heap_size() && !emscripten_resize_heap(end)) return nullptr;
  char* block = reinterpret_cast<char*>(g_top);
  g_top = end;
  return block;
}

}  // namespace

extern "C" {

void* malloc(std::size_t n) {
  unsigned c = kSmallestClass;
  while ((std::size_t{1} << c) - kHeader < n) {
    if (++c == kClasses) return nullptr;
  }
  char* block = static_cast<char*>(g_free[c]);
  if (block != nullptr) {
    g_free[c] = *reinterpret_cast<void**>(block);
  } else if ((block = carve(std::size_t{1} << c)) == nullptr) {
    return nullptr;
  }
  *reinterpret_cast<std::size_t*>(block) = c;
  return block + kHeader;
}

void free(void* p) {
  if (p == nullptr) return;
  char* block = static_cast<char*>(p) - kHeader;
  const std::size_t c = *reinterpret_cast<std::size_t*>(block);
  *reinterpret_cast<void**>(block) = g_free[c];
  g_free[c] = block;
}

}  // extern "C"
