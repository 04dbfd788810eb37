// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/application.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTimer>

#include "core/common/version.h"
#include "ui/main_window.h"
#include "ui/study/reading_session_window.h"
#include "ui/translation.h"

namespace mt::ui {

int runApplication(QApplication& app)
{
    QApplication::setOrganizationName(QStringLiteral("MedTraverse"));
    QApplication::setOrganizationDomain(QStringLiteral("medtraverse.invalid"));
    QApplication::setApplicationName(QStringLiteral("MedTraverse"));
    QApplication::setApplicationVersion(QString::fromLatin1(mt::kVersion));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/medtraverse.png")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("MedTraverse desktop application"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption langOpt(QStringLiteral("lang"), QStringLiteral("User interface language (en, fr)."),
                               QStringLiteral("code"));
    QCommandLineOption modelOpt(QStringLiteral("model"), QStringLiteral("Diffusers model folder to open."),
                                QStringLiteral("dir"));
    QCommandLineOption shotOpt(QStringLiteral("screenshot"),
                               QStringLiteral("Save a screenshot of the main window to this PNG and quit."),
                               QStringLiteral("file"));
    QCommandLineOption studyOpt(QStringLiteral("study"),
                                QStringLiteral("Open a reading session of this reader-study folder (no main window)."),
                                QStringLiteral("dir"));
    parser.addOptions({langOpt, modelOpt, shotOpt, studyOpt});
    parser.process(app);

    installTranslations(app, parser.value(langOpt));

    if (parser.isSet(studyOpt)) {
        ReadingSessionWindow session(parser.value(studyOpt));
        session.show();
        return QApplication::exec();
    }

    MainWindow window;
    if (parser.isSet(modelOpt)) window.setModelFolder(parser.value(modelOpt));
    window.show();
    if (parser.isSet(shotOpt)) {
        const QString file = parser.value(shotOpt);
        QTimer::singleShot(300, &window, [&window, file]() {
            const bool ok = window.grab().save(file);
            QApplication::exit(ok ? 0 : 1);
        });
    }
    return QApplication::exec();
}

}  // namespace mt::ui
