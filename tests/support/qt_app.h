// SPDX-License-Identifier: GPL-3.0-or-later
// What every offscreen GUI test file needs: the one QApplication of the test process, where to save
// screenshots, and a not-blank check for them.
#pragma once
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QImage>
#include <QSet>
#include <QSettings>
#include <QStandardPaths>
#include <QString>

#include "support/test_paths.h"

namespace mt::test {

// The test process's QApplication, made by whichever test runs first. Deliberately never destroyed:
// destroying a QApplication during static destruction (after Catch's main returned and the platform
// plugin is gone) crashes. QSettings go to a throw-away location.
inline QApplication& qtApp()
{
    if (auto* existing = qobject_cast<QApplication*>(QCoreApplication::instance())) return *existing;
    static int argc = 1;
    static char name[] = "mt_ui_tests";
    static char* argv[] = {name, nullptr};
    static QApplication* instance = [] {
        QStandardPaths::setTestModeEnabled(true);
        auto* a = new QApplication(argc, argv);
        QApplication::setOrganizationName(QStringLiteral("MedTraverseTests"));
        QApplication::setApplicationName(QStringLiteral("mt_ui_tests"));
        return a;
    }();
    return *instance;
}

// outDir()/name, for screenshots a person can look at after the run.
inline QString outFile(const char* name)
{
    return QString::fromStdString(outDir() + "/" + name);
}

// Where the hidden docs-screenshot cases write: $MT_DOCS_SHOTS (e.g. docs/screenshots), else outDir()/docs;
// created, with the QApplication made.
inline QString docsShotDir()
{
    qtApp();
    const QString dir = qEnvironmentVariable("MT_DOCS_SHOTS", outFile("docs"));
    QDir().mkpath(dir);
    return dir;
}

// QSettings of one test only: a throw-away organisation, cleared when it starts and when it ends, and the
// previous organisation back afterwards. Windows made inside the scope read and write only these
// settings, so a test sees the defaults a first start sees, and leaves nothing behind for others.
class ScopedSettings {
public:
    explicit ScopedSettings(const QString& organisation) : m_previous(QCoreApplication::organizationName())
    {
        QCoreApplication::setOrganizationName(organisation);
        QSettings().clear();
    }
    ~ScopedSettings()
    {
        QSettings().clear();
        QCoreApplication::setOrganizationName(m_previous);
    }
    ScopedSettings(const ScopedSettings&) = delete;
    ScopedSettings& operator=(const ScopedSettings&) = delete;

private:
    QString m_previous;
};

// Distinct colours on a coarse grid: a blank or single-colour grab has one or two.
inline int distinctColours(const QImage& img, int stride = 3)
{
    QSet<QRgb> colours;
    for (int y = 0; y < img.height(); y += stride)
        for (int x = 0; x < img.width(); x += stride) colours.insert(img.pixel(x, y));
    return colours.size();
}

}  // namespace mt::test
