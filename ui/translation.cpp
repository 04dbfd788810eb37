// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/translation.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace mt::ui {

QString installTranslations(QApplication& app, const QString& requested)
{
    const QLocale locale = requested.isEmpty() ? QLocale::system() : QLocale(requested);
    const QString lang = locale.name().section(QLatin1Char('_'), 0, 0);
    if (lang == QLatin1String("en") || lang == QLatin1String("C"))
        return QStringLiteral("en");
    auto* ours = new QTranslator(&app);
    if (!ours->load(QStringLiteral(":/i18n/medtraverse_%1.qm").arg(lang))) {
        delete ours;
        return QStringLiteral("en");
    }
    app.installTranslator(ours);
    auto* qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_%1").arg(lang), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        app.installTranslator(qt);
    else
        delete qt;
    QLocale::setDefault(QLocale(lang));
    return lang;
}

}  // namespace mt::ui
