// Result<T>: a value or an error code, so the core builds with -fno-exceptions (simdjson style).
// T must be default-constructible and movable.
#pragma once
#include <utility>

#include "error.h"

namespace attrkit {

template <class T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : error_(error) {}         // NOLINT: implicit by design

  bool ok() const { return error_ == Error::ok; }
  Error error() const { return error_; }
  // Only meaningful when ok().
  const T& value() const& { return value_; }
  T& value() & { return value_; }
  T&& value() && { return std::move(value_); }

 private:
  T value_{};
  Error error_ = Error::ok;
};

}  // namespace attrkit
