// The JS half of bindings/convert.cpp (an Emscripten JS library, linked by cmake/wasm.cmake).
//
// A JS value crosses into the core as ONE byte stream written here, and a Json comes back as one
// stream read here: one call each way instead of an Embind call per property, so the glue needs
// none of Embind's val methods (typeof, property get/set, method callers, std::string types).
// The format and the conversion rules are in bindings/convert.cpp; both halves change together.
//
//   value  = tag payload
//   tag      0 null | 1 true | 2 false | 3 unrepresentable | 4 function
//            5 number: 8 bytes, IEEE double, little-endian
//            6 string: text
//            7 array:  u32 count, count values
//            8 object: u32 count, count x (text key, value)
//   text   = u32 byte length, WTF-8 bytes (a lone surrogate is kept as its 3-byte form)
//   u32    = 4 bytes little-endian; nothing is aligned
mergeInto(LibraryManager.library, {
  // What the calls reuse instead of allocating each time (every push crosses twice): a number's
  // bytes, and the encoder's buffer while no call is using it.
  $attrkitScratch: {},

  // The encoder's state for one call: its buffer, how much of it is written, the limits. The
  // helpers below are plain functions over it, so a call allocates no closures.
  $attrkitRoom: function (e, k) {
    if (e.n + k > e.buf.length) {
      var bigger = new Uint8Array(2 * (e.n + k));
      bigger.set(e.buf);
      e.buf = bigger;
    }
  },
  $attrkitU32At: function (buf, at, x) {
    buf[at] = x;
    buf[at + 1] = x >> 8;
    buf[at + 2] = x >> 16;
    buf[at + 3] = x >> 24;
  },
  $attrkitText__deps: ["$attrkitRoom", "$attrkitU32At"],
  $attrkitText: function (e, s) {
    var i = 0, c, d, k, buf, n;
    attrkitRoom(e, 4 + 3 * s.length); // a UTF-16 unit is at most 3 WTF-8 bytes (a pair: 4 for 2)
    buf = e.buf;
    n = e.n + 4;
    for (; i < s.length; i++) {
      c = s.charCodeAt(i);
      if ((c & 0xfc00) == 0xd800 && ((d = s.charCodeAt(i + 1)) & 0xfc00) == 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + d - 0xdc00;
        i++;
      }
      if (c < 0x80) {
        buf[n++] = c;
      } else {
        k = c < 0x800 ? 1 : c < 0x10000 ? 2 : 3;
        buf[n++] = (0xf0 << (3 - k)) | (c >> (6 * k)); // lead byte; the store keeps the low 8 bits
        while (k--) buf[n++] = 0x80 | ((c >> (6 * k)) & 0x3f);
      }
    }
    attrkitU32At(buf, e.n, n - e.n - 4);
    e.n = n;
  },
  // The rules of convert.cpp's header comment, test for test in the order they are read.
  $attrkitValue__deps: ["$attrkitRoom", "$attrkitU32At", "$attrkitText", "$attrkitScratch"],
  $attrkitValue: function (e, v, depth) {
    var t = typeof v, i, k, keys;
    attrkitRoom(e, 9); // a tag and what fits beside it: a number or a count
    if (t == "string") {
      e.buf[e.n++] = 6;
      attrkitText(e, v);
    } else if (t == "number") {
      e.buf[e.n++] = 5;
      attrkitScratch.f64[0] = v;
      e.buf.set(attrkitScratch.f64Bytes, e.n);
      e.n += 8;
    } else if (v === true) {
      e.buf[e.n++] = 1;
    } else if (v === false) {
      e.buf[e.n++] = 2;
    } else if (v === null || v === undefined) {
      e.buf[e.n++] = 0;
    } else if (t == "function") {
      e.buf[e.n++] = 4;
    } else if (t != "object" || depth >= e.maxDepth) {
      e.buf[e.n++] = 3; // symbol, bigint, or nested deeper than kMaxDepth (so any cycle)
    } else if (Array.isArray(v)) {
      k = v.length >>> 0;
      if (k > e.maxArrayLength >>> 0) {
        e.buf[e.n++] = 3; // a sparse a[1e9] must not allocate
      } else {
        e.buf[e.n++] = 7;
        attrkitU32At(e.buf, e.n, k);
        e.n += 4;
        // A hole reads as null, never as an inherited Object.prototype[i].
        for (i = 0; i < k; i++) attrkitValue(e, attrkitScratch.own.call(v, i) ? v[i] : null, depth + 1);
      }
    } else {
      keys = Object.keys(v);
      k = keys.length;
      e.buf[e.n++] = 8;
      attrkitU32At(e.buf, e.n, k);
      e.n += 4;
      for (i = 0; i < k; i++) {
        attrkitText(e, keys[i]);
        attrkitValue(e, v[keys[i]], depth + 1);
      }
    }
  },

  // JS value -> a malloc'd u32 byte length and the stream (the caller frees it). A throwing
  // getter or Proxy trap propagates from here, before the core sees anything.
  attrkit_js_encode__deps: ["$Emval", "malloc", "$attrkitScratch", "$attrkitValue", "$attrkitU32At"],
  attrkit_js_encode: function (handle, maxDepth, maxArrayLength) {
    var scratch = attrkitScratch, i, p, n;
    var f64 = scratch.f64 || (scratch.f64 = new Float64Array(1));
    scratch.f64Bytes = scratch.f64Bytes || new Uint8Array(f64.buffer);
    scratch.own = scratch.own || Object.prototype.hasOwnProperty;
    // Taken, not shared: a getter that pushes again while this value is read gets its own state.
    var e = scratch.encoder || { buf: new Uint8Array(256), n: 0, maxDepth: 0, maxArrayLength: 0 };
    scratch.encoder = null;
    e.n = 0;
    e.maxDepth = maxDepth;
    e.maxArrayLength = maxArrayLength;
    attrkitValue(e, Emval.toValue(handle), 0);
    n = e.n;
    p = _malloc(n + 4);
    // After _malloc (a memory growth replaces HEAPU8); byte by byte, as a push's command is a
    // few dozen bytes and a subarray would be one more object.
    attrkitU32At(HEAPU8, p, n);
    for (i = 0; i < n; i++) HEAPU8[p + 4 + i] = e.buf[i];
    if (e.buf.length <= 4096) scratch.encoder = e; // a huge value's buffer is not kept
    return p;
  },

  // A stream written by convert.cpp at p -> a new JS value (a handle the caller owns).
  attrkit_js_decode__deps: ["$Emval", "$attrkitScratch"],
  attrkit_js_decode: function (p) {
    var scratch = attrkitScratch;
    var f64 = scratch.f64 || (scratch.f64 = new Float64Array(1));
    var f64Bytes = scratch.f64Bytes || (scratch.f64Bytes = new Uint8Array(f64.buffer));
    function count() {
      var x = HEAPU8[p] | (HEAPU8[p + 1] << 8) | (HEAPU8[p + 2] << 16) | (HEAPU8[p + 3] << 24);
      p += 4;
      return x >>> 0;
    }
    // WTF-8 -> the same UTF-16 code units that went in (TextDecoder would turn a lone surrogate
    // into U+FFFD). The core only writes WTF-8, and a malformed byte never yields an invalid code
    // point or a read past the end.
    function text() {
      var e = count(), s = "", c, k;
      e += p;
      while (p < e) {
        c = HEAPU8[p++];
        k = c < 0xc0 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
        if (k) c &= 0x3f >> k;
        for (; k && p < e; k--) c = (c << 6) | (HEAPU8[p++] & 0x3f);
        s += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
      }
      return s;
    }
    function value() {
      var t = HEAPU8[p++], n, k, o;
      if (t == 5) {
        for (k = 0; k < 8; k++) f64Bytes[k] = HEAPU8[p++]; // unaligned: byte by byte, no subarray
        return f64[0];
      }
      if (t == 6) return text();
      if (t == 7) {
        for (o = [], n = count(); n--; ) o.push(value());
        return o;
      }
      if (t == 8) {
        for (o = {}, n = count(); n--; ) {
          k = text();
          // Assignment would call the inherited __proto__ setter and change the prototype.
          if (k == "__proto__") {
            // A prototype-free descriptor: an inherited Object.prototype.get would make it invalid.
            var d = Object.create(null);
            d["value"] = value();
            d["enumerable"] = d["writable"] = d["configurable"] = true;
            Object.defineProperty(o, k, d);
          } else {
            o[k] = value();
          }
        }
        return o;
      }
      return t == 1 ? true : t == 2 ? false : null;
    }
    return Emval.toHandle(value());
  },
});
