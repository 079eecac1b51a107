// number_to_text is Burger & Dybvig's free-format algorithm on exact big integers: it yields the
// shortest digits that read back to the same double and, among those, the closest (ties to an
// even last digit), which is exactly what ECMAScript's Number::toString asks for. Grisu-style
// fast paths are not exact in every case, and numbers are rare enough in attribute writes that
// a few microseconds of bignum arithmetic cost nothing.
#include "number_text.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "text_chars.h"

namespace attrkit {
namespace {

// Unsigned big integer, little-endian 32-bit limbs. 2^1130 (a denormal scaled by 10^324) is the
// largest value the algorithm builds, so 48 limbs (1536 bits) are ample.
struct Big {
  static constexpr int kLimbs = 48;
  std::uint32_t d[kLimbs] = {};
  int n = 0;  // limbs in use; no leading zero limb

  explicit Big(std::uint64_t v = 0) {
    while (v != 0) {
      d[n++] = static_cast<std::uint32_t>(v);
      v >>= 32;
    }
  }

  void trim() {
    while (n > 0 && d[n - 1] == 0) --n;
  }

  void mul_small(std::uint32_t m) {
    std::uint64_t carry = 0;
    for (int k = 0; k < n; ++k) {
      const std::uint64_t p = static_cast<std::uint64_t>(d[k]) * m + carry;
      d[k] = static_cast<std::uint32_t>(p);
      carry = p >> 32;
    }
    if (carry != 0 && n < kLimbs) d[n++] = static_cast<std::uint32_t>(carry);
  }

  void mul_pow10(int e) {
    for (; e >= 9; e -= 9) mul_small(1000000000u);
    static constexpr std::uint32_t kSmall[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000,
                                               100000000};
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

}  // namespace

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

bool parse_number_text(std::string_view s, double* out) {
  std::size_t i = 0;
  const std::size_t len = s.size();
  if (i < len && s[i] == '-') ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < len && is_ascii_digit(s[i])) ++i, ++int_digits;
  if (i < len && s[i] == '.') {
    ++i;
    while (i < len && is_ascii_digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < len && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < len && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < len && is_ascii_digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  if (i != len) return false;
  // The grammar above is a subset of strtod's, so strtod (correctly rounded in glibc and musl)
  // reads exactly the checked text. It needs a terminated copy.
  const std::string text(s);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return false;
  *out = v == 0 ? 0.0 : v;  // "-0" is the number 0, as everywhere else in attrkit
  return true;
}

}  // namespace attrkit
