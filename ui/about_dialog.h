// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QDialog>

namespace mt::ui {

// Responsibility: the About box: version, purpose, the synthetic-image caveat, licences.
// Ownership: Qt parent. Thread: GUI only.
class AboutDialog : public QDialog {
    Q_OBJECT
public:
    explicit AboutDialog(QWidget* parent = nullptr);
};

}  // namespace mt::ui
