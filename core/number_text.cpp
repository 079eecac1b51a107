// number_to_text is Burger & Dybvig's free-format algorithm on exact big integers: it yields the
// shortest digits that read back to the same double and, among those, the closest (ties to an
// even last digit), which is exactly what ECMAScript's Number::toString asks for. Grisu-style
// fast paths are not exact in every case, and numbers are rare enough in attribute writes that
// a few microseconds of bignum arithmetic cost nothing.
//
// parse_number_text reads with the same big integers instead of strtod: musl's strtod works in
// 128-bit long double, which Wasm emulates in software, and costs 6.5 KB brotli of the module
// (bench/README.md). The reader is Clinger's: an exact one-operation fast path, otherwise a
// double-arithmetic guess corrected ulp by ulp with exact comparisons (AlgorithmR), so every
// result is the correctly rounded (half-even) double, bit for bit what glibc's strtod gives.
#include "number_text.h"

#include <cmath>
#include <cstdint>
#include <cstring>

#include "text_chars.h"

namespace attrkit {
namespace {

// Unsigned big integer, little-endian 32-bit limbs. number_to_text builds at most 2^1130 (a
// denormal scaled by 10^324); the reader at most about 2^2600 (769 digits against 2^55 x 5^1093,
// see read_digits), so 96 limbs (3072 bits) are ample.
struct Big {
  static constexpr int kLimbs = 96;
  std::uint32_t d[kLimbs];  // d[n..] are never read, so never cleared (a measurable saving)
  int n = 0;                // limbs in use; no leading zero limb

  explicit Big(std::uint64_t v = 0) {
    while (v != 0) {
      d[n++] = static_cast<std::uint32_t>(v);
      v >>= 32;
    }
  }
  Big(const Big& b) : n(b.n) { std::memcpy(d, b.d, sizeof d[0] * static_cast<unsigned>(n)); }
  Big& operator=(const Big& b) {
    n = b.n;
    std::memcpy(d, b.d, sizeof d[0] * static_cast<unsigned>(n));
    return *this;
  }

  void trim() {
    while (n > 0 && d[n - 1] == 0) --n;
  }

  // *this = *this * m + a, for m != 0.
  void mul_add_small(std::uint32_t m, std::uint32_t a) {
    std::uint64_t carry = a;
    for (int k = 0; k < n; ++k) {
      const std::uint64_t p = static_cast<std::uint64_t>(d[k]) * m + carry;
      d[k] = static_cast<std::uint32_t>(p);
      carry = p >> 32;
    }
    if (carry != 0 && n < kLimbs) d[n++] = static_cast<std::uint32_t>(carry);
  }

  void mul_small(std::uint32_t m) { mul_add_small(m, 0); }

  void mul_pow5(int e) {
    for (; e >= 13; e -= 13) mul_small(1220703125u);  // 5^13, the largest power below 2^32
    std::uint32_t p = 1;
    for (; e > 0; --e) p *= 5;
    mul_small(p);
  }

  void mul_pow10(int e) {
    for (; e >= 9; e -= 9) mul_small(1000000000u);
    static constexpr std::uint32_t kSmall[] = {1,      10,      100,      1000,     10000,
                                               100000, 1000000, 10000000, 100000000};
    if (e > 0) mul_small(kSmall[e]);
  }

  void shift_left(int bits) {
    if (n == 0 || bits == 0) return;
    const int limbs = bits / 32;
    const int rest = bits % 32;
    int top = n + limbs + 1;
    if (top > kLimbs) top = kLimbs;
    for (int k = top - 1; k >= 0; --k) {
      const int src = k - limbs;
      std::uint64_t v = 0;
      if (src >= 0 && src < n) v = static_cast<std::uint64_t>(d[src]) << rest;
      if (rest != 0 && src - 1 >= 0 && src - 1 < n) v |= d[src - 1] >> (32 - rest);
      d[k] = static_cast<std::uint32_t>(v);
    }
    n = top;
    trim();
  }

  void sub(const Big& b) {  // requires *this >= b
    std::int64_t borrow = 0;
    for (int k = 0; k < n; ++k) {
      std::int64_t v = static_cast<std::int64_t>(d[k]) - borrow - (k < b.n ? b.d[k] : 0);
      borrow = v < 0 ? 1 : 0;
      if (v < 0) v += (static_cast<std::int64_t>(1) << 32);
      d[k] = static_cast<std::uint32_t>(v);
    }
    trim();
  }

  static Big add(const Big& a, const Big& b) {
    Big r;
    const int m = a.n > b.n ? a.n : b.n;
    std::uint64_t carry = 0;
    for (int k = 0; k < m; ++k) {
      const std::uint64_t v = carry + (k < a.n ? a.d[k] : 0) + (k < b.n ? b.d[k] : 0);
      r.d[k] = static_cast<std::uint32_t>(v);
      carry = v >> 32;
    }
    r.n = m;
    if (carry != 0 && m < kLimbs) r.d[r.n++] = static_cast<std::uint32_t>(carry);
    return r;
  }

  static int compare(const Big& a, const Big& b) {
    if (a.n != b.n) return a.n < b.n ? -1 : 1;
    for (int k = a.n - 1; k >= 0; --k) {
      if (a.d[k] != b.d[k]) return a.d[k] < b.d[k] ? -1 : 1;
    }
    return 0;
  }
};

#ifndef ATTRKIT_HOST_NUMBER_TEXT
// Writes the shortest round-trip digits of the positive finite `v` into `digits` (no leading or
// trailing zero) and returns ES's exponent n: v ~= 0.d1d2... x 10^n.
int shortest_digits(double v, std::string& digits) {
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const int biased = static_cast<int>((bits >> 52) & 0x7FF);
  std::uint64_t f = bits & ((static_cast<std::uint64_t>(1) << 52) - 1);
  int e;
  if (biased == 0) {
    e = -1074;
  } else {
    f |= static_cast<std::uint64_t>(1) << 52;
    e = biased - 1075;
  }
  // Round-to-nearest-even reading: when f is even, a decimal exactly on a boundary reads back
  // as v, so both boundaries are inclusive.
  const bool inclusive = (f & 1) == 0;
  // At a power of two the gap below v is half the gap above it.
  const bool unequal_gaps = f == (static_cast<std::uint64_t>(1) << 52) && biased > 1;

  // v = r / s; the rounding interval is (r - m_minus, r + m_plus) / s.
  Big r(f), s(1), m_plus(1), m_minus(1);
  if (e >= 0) {
    r.shift_left(e + (unequal_gaps ? 2 : 1));
    s = Big(unequal_gaps ? 4 : 2);
    m_plus.shift_left(unequal_gaps ? e + 1 : e);
    m_minus.shift_left(e);
  } else {
    r.shift_left(unequal_gaps ? 2 : 1);
    s.shift_left(unequal_gaps ? 2 - e : 1 - e);
    m_plus = Big(unequal_gaps ? 2 : 1);
  }

  // Estimate n = ceil(log10(high)), then correct it exactly in either direction.
  int n = static_cast<int>(std::ceil(std::log10(v) - 1e-10));
  if (n >= 0) {
    s.mul_pow10(n);
  } else {
    r.mul_pow10(-n);
    m_plus.mul_pow10(-n);
    m_minus.mul_pow10(-n);
  }
  auto too_high = [&](const Big& rr, const Big& mp, const Big& ss) {
    const int c = Big::compare(Big::add(rr, mp), ss);
    return inclusive ? c >= 0 : c > 0;
  };
  while (too_high(r, m_plus, s)) {
    s.mul_small(10);
    ++n;
  }
  for (;;) {
    Big r10 = r, mp10 = m_plus;
    r10.mul_small(10);
    mp10.mul_small(10);
    if (too_high(r10, mp10, s)) break;
    r = r10;
    m_plus = mp10;
    m_minus.mul_small(10);
    --n;
  }

  digits.clear();
  for (;;) {
    r.mul_small(10);
    m_plus.mul_small(10);
    m_minus.mul_small(10);
    int d = 0;
    while (Big::compare(r, s) >= 0) {
      r.sub(s);
      ++d;
    }
    const int low_cmp = Big::compare(r, m_minus);
    const bool low = inclusive ? low_cmp <= 0 : low_cmp < 0;
    const bool high = too_high(r, m_plus, s);
    if (!low && !high) {
      digits += static_cast<char>('0' + d);
      continue;
    }
    if (low && high) {
      Big r2 = r;
      r2.mul_small(2);
      const int c = Big::compare(r2, s);
      if (c > 0 || (c == 0 && (d & 1) != 0)) ++d;  // closest; an exact tie takes the even digit
    } else if (high) {
      ++d;
    }
    digits += static_cast<char>('0' + d);
    break;
  }
  // A final digit of 0 only comes from rounding that is already covered by a shorter string.
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return n;
}

void append_int(std::string& out, int v) {
  char buf[12];
  int len = 0;
  do {
    buf[len++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (len > 0) out += buf[--len];
}

#endif  // ATTRKIT_HOST_NUMBER_TEXT

// ---- reading ----

// A decimal lies exactly halfway between two doubles with at most 767 significant digits, so
// beyond 768 digits only "are the rest zero?" matters: parse_number_text keeps 768 and turns any
// nonzero rest into one more digit, '1'.
constexpr int kMaxDigits = 768;
// Exponents are clamped here: with at most 769 digits, anything near it is 0 or infinite, and
// the sum with a long fraction's digit count stays far from overflow.
constexpr long long kExponentCap = 1000000000000000LL;

constexpr double kExactPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                  1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                  1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
// 10^(22k), each within half an ulp: with them a guess takes at most four roundings.
constexpr double kPow10Step[] = {1e0,   1e22,  1e44,  1e66,  1e88,  1e110, 1e132, 1e154,
                                 1e176, 1e198, 1e220, 1e242, 1e264, 1e286, 1e308};

double from_bits(std::uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// Sign of digits x 10^e10 - m x 2^e2, exactly. `scaled` is digits x 5^e10 when e10 >= 0, else
// the digits themselves with `pow5` = 5^-e10; the powers of two of 10^e10 and of 2^e2 meet as
// one shift of whichever side needs it.
int compare_exact(const Big& scaled, const Big& pow5, int e10, std::uint64_t m, int e2) {
  Big rhs(m);
  if (e10 < 0) {  // rhs = m x 5^-e10; m < 2^55 is odd, so its low half is never 0
    rhs = pow5;
    rhs.mul_small(static_cast<std::uint32_t>(m));
    if (m >> 32 != 0) {
      Big high = pow5;
      high.mul_small(static_cast<std::uint32_t>(m >> 32));
      high.shift_left(32);
      rhs = Big::add(rhs, high);
    }
  }
  const int shift = e10 - e2;
  if (shift < 0) {
    rhs.shift_left(-shift);
    return Big::compare(scaled, rhs);
  }
  Big lhs = scaled;
  lhs.shift_left(shift);
  return Big::compare(lhs, rhs);
}

// The double nearest digits[0..nd) x 10^e10 (ties to even); false when that is infinite.
// `digits` has no leading or trailing zero and nd <= kMaxDigits + 1.
bool read_digits(const char* digits, int nd, long long e10, double* out) {
  if (nd == 0 || nd + e10 < -324) {  // below 10^-325, under half the smallest denormal
    *out = 0;
    return true;
  }
  if (nd + e10 > 310) return false;  // at least 10^309

  std::uint64_t head = 0;  // the first 19 digits at most: exact in 64 bits
  const int head_digits = nd < 19 ? nd : 19;
  for (int k = 0; k < head_digits; ++k) {
    head = head * 10 + static_cast<std::uint64_t>(digits[k] - '0');
  }
  int scale = static_cast<int>(e10) + (nd - head_digits);
  double x = static_cast<double>(head);
  // Exact operands and one rounding: the correctly rounded result (Clinger's fast path).
  if (nd <= 15 && scale >= -22 && scale <= 22) {
    *out = scale >= 0 ? x * kExactPow10[scale] : x / kExactPow10[-scale];
    return true;
  }
  // Otherwise a guess within a couple of ulps, then exact corrections. scale is in -344..310.
  if (scale < -308) {  // keeps 10^-scale finite
    x /= 1e22;
    scale += 22;
  }
  const int step = (scale < 0 ? -scale : scale) / 22;
  const int rest = (scale < 0 ? -scale : scale) % 22;
  x = scale >= 0 ? x * kPow10Step[step] * kExactPow10[rest]
                 : x / kPow10Step[step] / kExactPow10[rest];
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if (bits == 0) bits = 1;                                          // the smallest denormal
  if (bits >= 0x7FF0000000000000ULL) bits = 0x7FEFFFFFFFFFFFFFULL;  // the largest double

  const int e = static_cast<int>(e10);
  Big scaled, pow5(1);
  for (int k = 0; k < nd; k += 9) {  // digits as an integer, 9 at a time
    std::uint32_t chunk = 0, mul = 1;
    for (int j = k; j < nd && j < k + 9; ++j) {
      chunk = chunk * 10 + static_cast<std::uint32_t>(digits[j] - '0');
      mul *= 10;
    }
    scaled.mul_add_small(mul, chunk);
  }
  if (e >= 0) {
    scaled.mul_pow5(e);
  } else {
    pow5.mul_pow5(-e);
  }
  for (;;) {
    const int biased = static_cast<int>(bits >> 52);
    std::uint64_t m = bits & ((static_cast<std::uint64_t>(1) << 52) - 1);
    int e2 = -1074;
    if (biased != 0) {
      m |= static_cast<std::uint64_t>(1) << 52;
      e2 = biased - 1075;
    }
    const bool odd = (m & 1) != 0;  // on an exact tie, the even neighbour wins
    // Above the midpoint with the next double up?
    int c = compare_exact(scaled, pow5, e, 2 * m + 1, e2 - 1);
    if (c > 0 || (c == 0 && odd)) {
      if (++bits == 0x7FF0000000000000ULL) return false;
      continue;
    }
    // Below the midpoint with the next double down? At a power of two that gap is half as wide.
    const bool narrow_below = m == (static_cast<std::uint64_t>(1) << 52) && biased > 1;
    c = narrow_below ? compare_exact(scaled, pow5, e, 4 * m - 1, e2 - 2)
                     : compare_exact(scaled, pow5, e, 2 * m - 1, e2 - 1);
    if (c < 0 || (c == 0 && odd)) {
      if (--bits == 0) break;
      continue;
    }
    break;
  }
  *out = from_bits(bits);
  return true;
}

}  // namespace

#ifdef ATTRKIT_HOST_NUMBER_TEXT
// The Wasm build (cmake/wasm.cmake) asks the host: String(x) in bindings/number_text.js. What
// this file computes natively is, by definition, what the browser's String(x) gives, so the
// browser's own answer is that answer, without ~1 KB brotli of shortest-digits code.
extern "C" int attrkit_host_number_text(double x, char* out);  // writes at most 25 ASCII bytes

std::string number_to_text(double x) {
  char text[32];
  return std::string(text, static_cast<std::size_t>(attrkit_host_number_text(x, text)));
}
#else
std::string number_to_text(double x) {
  if (x == 0) return "0";  // also -0, as String(-0) gives
  if (!std::isfinite(x)) return x != x ? "NaN" : (x > 0 ? "Infinity" : "-Infinity");
  std::string out;
  if (x < 0) {
    out += '-';
    x = -x;
  }
  std::string digits;
  const int n = shortest_digits(x, digits);
  const int k = static_cast<int>(digits.size());
  // ECMAScript Number::toString(10), steps 6-10.
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<std::size_t>(n));
    out += '.';
    out.append(digits, static_cast<std::size_t>(n), std::string::npos);
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1, std::string::npos);
    }
    out += 'e';
    const int exp = n - 1;
    out += exp < 0 ? '-' : '+';
    append_int(out, exp < 0 ? -exp : exp);
  }
  return out;
}
#endif  // ATTRKIT_HOST_NUMBER_TEXT

bool parse_number_text(std::string_view s, double* out) {
  std::size_t i = 0;
  const std::size_t len = s.size();
  const bool negative = i < len && s[i] == '-';
  if (negative) ++i;
  // Significant digits (leading zeros skipped) and the power of ten of the last one kept.
  char digits[kMaxDigits + 1];
  int nd = 0;
  long long exp10 = 0;
  bool dropped_nonzero = false;
  std::size_t mantissa_digits = 0;
  bool in_fraction = false;
  for (; i < len; ++i) {
    const char c = s[i];
    if (c == '.' && !in_fraction) {
      in_fraction = true;
      continue;
    }
    if (!is_ascii_digit(c)) break;
    ++mantissa_digits;
    if (in_fraction) --exp10;
    if (nd == 0 && c == '0') continue;
    if (nd < kMaxDigits) {
      digits[nd++] = c;
    } else {
      ++exp10;
      dropped_nonzero |= c != '0';
    }
  }
  if (mantissa_digits == 0) return false;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    const bool exp_negative = i < len && s[i] == '-';
    if (i < len && (s[i] == '+' || s[i] == '-')) ++i;
    long long e = 0;
    std::size_t exp_digits = 0;
    for (; i < len && is_ascii_digit(s[i]); ++i, ++exp_digits) {
      if (e < kExponentCap) e = e * 10 + (s[i] - '0');  // beyond the cap the answer is 0 or inf
    }
    if (exp_digits == 0) return false;
    exp10 += exp_negative ? -e : e;
  }
  if (i != len) return false;
  if (dropped_nonzero) {
    // A digit past the 768th only tells whether the value is a little above the kept ones.
    digits[nd++] = '1';
    --exp10;
  }
  while (nd > 0 && digits[nd - 1] == '0') {
    --nd;
    ++exp10;
  }
  double v = 0;
  if (!read_digits(digits, nd, exp10, &v)) return false;
  *out = negative && v != 0 ? -v : v;  // "-0" is the number 0, as everywhere else in attrkit
  return true;
}

std::string integer_text(std::int64_t n) {
  char text[20];  // a sign and 19 digits (2^63)
  char* const end = text + sizeof text;
  char* p = end;
  std::uint64_t u = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
  do {
    *--p = static_cast<char>('0' + u % 10);
    u /= 10;
  } while (u != 0);
  if (n < 0) *--p = '-';
  return std::string(p, static_cast<std::size_t>(end - p));
}

}  // namespace attrkit
