// SPDX-License-Identifier: GPL-3.0-or-later
// medtraverse: the desktop application. Wiring only; the window lives in ui/.
#include <QApplication>
#include <QMessageBox>
#include <cstdio>
#include <exception>

#include "ui/application.h"

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    try {
        return mt::ui::runApplication(app);
    } catch (const std::exception& e) {
        // Last-chance catch: report instead of vanishing.
        std::fprintf(stderr, "medtraverse: fatal error: %s\n", e.what());
        QMessageBox::critical(nullptr, QStringLiteral("MedTraverse"), QString::fromUtf8(e.what()));
        return 1;
    }
}
