// SPDX-License-Identifier: GPL-3.0-or-later
// Numbers as the user reads them: in the UI's locale (a decimal comma in French, next to the spin
// boxes that Qt already localises), never in printf's or QString::arg(double)'s C locale. Group
// separators are left out, as before: "W 1024", not "W 1 024" or "W 1,024".
// Not for text a program reads back (CLI lines, JSON, CSV): those stay in the C locale.
#pragma once
#include <QLocale>
#include <QString>

namespace mt::ui {

// `value` with QLocale::toString's format ('f', 'g', ...) and precision.
inline QString numberText(double value, char format, int precision, QLocale locale = QLocale())
{
    locale.setNumberOptions(locale.numberOptions() | QLocale::OmitGroupSeparator);
    return locale.toString(value, format, precision);
}

// A slider value with its sign, "+1,20" / "-0,50" (the locale's own signs); 0 reads "+0,00".
inline QString signedNumberText(double value, int decimals, const QLocale& locale = QLocale())
{
    const QString text = numberText(value, 'f', decimals, locale);
    return text.startsWith(locale.negativeSign()) ? text : locale.positiveSign() + text;
}

}  // namespace mt::ui
