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
  // bytes, and the encoder's buffer while no call is using it. Made once with the module ("=" is
  // Emscripten's form for a library value written as code), so no call checks for it.
  $attrkitScratch:
    "=(function () { var f64 = new Float64Array(1);" +
    " return { f64: f64, f64Bytes: new Uint8Array(f64.buffer), own: Object.prototype.hasOwnProperty, encoder: null }; })()",

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
    var scratch = attrkitScratch, p, n;
    // Taken, not shared: a getter that pushes again while this value is read gets its own state.
    var e = scratch.encoder || { buf: new Uint8Array(256), n: 0, maxDepth: 0, maxArrayLength: 0 };
    scratch.encoder = null;
    e.n = 0;
    e.maxDepth = maxDepth;
    e.maxArrayLength = maxArrayLength;
    attrkitValue(e, Emval.toValue(handle), 0);
    n = e.n;
    p = _malloc(n + 4);
    // After _malloc (a memory growth replaces HEAPU8). One native copy: a loop over the bytes
    // costs more in the code a page's first calls run (not yet optimised by V8).
    attrkitU32At(HEAPU8, p, n);
    HEAPU8.set(e.buf.subarray(0, n), p + 4);
    if (e.buf.length <= 4096) scratch.encoder = e; // a huge value's buffer is not kept
    return p;
  },

  // The decoder: plain functions over a reader ({p}: where it is in HEAPU8), as the encoder's,
  // so a call allocates one small object rather than a closure per helper.
  $attrkitCount: function (r) {
    var p = r.p;
    r.p = p + 4;
    return (HEAPU8[p] | (HEAPU8[p + 1] << 8) | (HEAPU8[p + 2] << 16) | (HEAPU8[p + 3] << 24)) >>> 0;
  },
  // WTF-8 -> the same UTF-16 code units that went in (TextDecoder would turn a lone surrogate
  // into U+FFFD). The core only writes WTF-8, and a malformed byte never yields an invalid code
  // point or a read past the end.
  $attrkitDecodeText__deps: ["$attrkitCount"],
  $attrkitDecodeText: function (r) {
    var e = attrkitCount(r), p = r.p, s = "", c, k;
    e += p;
    while (p < e) {
      c = HEAPU8[p++];
      if (c < 0x80) {
        s += String.fromCharCode(c); // most text is ASCII: keys, codes, ids
        continue;
      }
      k = c < 0xc0 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
      if (k) c &= 0x3f >> k;
      for (; k && p < e; k--) c = (c << 6) | (HEAPU8[p++] & 0x3f);
      s += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
    }
    r.p = p;
    return s;
  },
  $attrkitDecodeValue__deps: ["$attrkitScratch", "$attrkitCount", "$attrkitDecodeText"],
  $attrkitDecodeValue: function (r) {
    var t = HEAPU8[r.p++], n, k, o, d;
    if (t == 5) {
      for (k = 0; k < 8; k++) attrkitScratch.f64Bytes[k] = HEAPU8[r.p++]; // unaligned: byte by byte
      return attrkitScratch.f64[0];
    }
    if (t == 6) return attrkitDecodeText(r);
    if (t == 7) {
      for (o = [], n = attrkitCount(r); n--; ) o.push(attrkitDecodeValue(r));
      return o;
    }
    if (t == 8) {
      for (o = {}, n = attrkitCount(r); n--; ) {
        k = attrkitDecodeText(r);
        // Assignment would call the inherited __proto__ setter and change the prototype.
        if (k == "__proto__") {
          // A prototype-free descriptor: an inherited Object.prototype.get would make it invalid.
          d = Object.create(null);
          d["value"] = attrkitDecodeValue(r);
          d["enumerable"] = d["writable"] = d["configurable"] = true;
          Object.defineProperty(o, k, d);
        } else {
          o[k] = attrkitDecodeValue(r);
        }
      }
      return o;
    }
    return t == 1 ? true : t == 2 ? false : null;
  },

  // A stream written by convert.cpp at p -> a new JS value (a handle the caller owns).
  attrkit_js_decode__deps: ["$Emval", "$attrkitDecodeValue"],
  attrkit_js_decode: function (p) {
    return Emval.toHandle(attrkitDecodeValue({ p: p }));
  },
});
