// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QString>

class QApplication;

namespace mt::ui {

// Picks the UI language: an explicit code ("fr", "en") wins; otherwise the system locale.
// Installs our catalogue (embedded :/i18n/medtraverse_<lang>.qm) and Qt's own when present.
// Returns the language actually in use ("en" when no catalogue matched).
QString installTranslations(QApplication& app, const QString& requested);

}  // namespace mt::ui
