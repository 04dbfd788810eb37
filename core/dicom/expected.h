// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <utility>
#include <variant>

#include "core/common/error.h"

namespace mt::dicom {

// Responsibility: a value or the mt::Error that prevented it, for per-item failures that are a normal
// outcome (house style 4.5: scanning 500 files where 3 are unreadable). A C++20 stand-in for
// std::expected<T, mt::Error>; it keeps only what the importer needs.
// Ownership: value type. Thread: any.
template <typename T>
class Expected {
public:
    Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool hasValue() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return hasValue(); }

    // Throws the stored error when there is no value (a caller that wants exceptions back).
    const T& value() const&
    {
        if (!hasValue()) throw std::get<1>(m_state);
        return std::get<0>(m_state);
    }
    T&& value() &&
    {
        if (!hasValue()) throw std::get<1>(m_state);
        return std::get<0>(std::move(m_state));
    }
    const Error& error() const { return std::get<1>(m_state); }

private:
    std::variant<T, Error> m_state;
};

}  // namespace mt::dicom
