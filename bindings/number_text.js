// core/number_text.cpp's number_to_text in the Wasm build (ATTRKIT_HOST_NUMBER_TEXT, set by
// cmake/wasm.cmake): the browser's own String(x), which is what the native code reproduces.
// Writes the ASCII text at `out` (at most 25 bytes: "-1.2345678901234567e-308") and returns its
// length.
mergeInto(LibraryManager.library, {
  attrkit_host_number_text: function (x, out) {
    var s = String(x), i = 0;
    for (; i < s.length; i++) HEAPU8[out + i] = s.charCodeAt(i);
    return i;
  },
});
