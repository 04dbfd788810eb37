// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QKeySequence>
#include <QLabel>
#include <QMenuBar>
#include <QStatusBar>
#include <QVBoxLayout>

#include "ui/about_dialog.h"

namespace mt::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("MedTraverse"));
    setObjectName(QStringLiteral("MainWindow"));
    resize(1200, 780);
    buildPanels();
    buildMenus();
    m_statusModel = new QLabel(this);
    statusBar()->addPermanentWidget(m_statusModel);
    const QString def = defaultModelFolder();
    if (!def.isEmpty())
        setModelFolder(def);
    else
        m_statusModel->setText(tr("No model loaded"));
    statusBar()->showMessage(tr("Ready"));
}

QString MainWindow::defaultModelFolder()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates = {
        appDir + QStringLiteral("/../share/medtraverse/models/default"),
        appDir + QStringLiteral("/../resources/models/default"),
        appDir + QStringLiteral("/../../resources/models/default"),
        QStringLiteral(MT_SOURCE_DIR "/resources/models/default"),
    };
    for (const QString& c : candidates)
        if (QFileInfo::exists(c + QStringLiteral("/model_index.json")))
            return QDir(c).canonicalPath();
    return {};
}

bool MainWindow::setModelFolder(const QString& folder)
{
    if (!QFileInfo::exists(folder + QStringLiteral("/model_index.json"))) {
        statusBar()->showMessage(tr("'%1' is not a diffusers model folder (no model_index.json)").arg(folder), 10000);
        return false;
    }
    m_modelFolder = QDir(folder).canonicalPath();
    m_modelLabel->setText(QDir::toNativeSeparators(m_modelFolder));
    m_statusModel->setText(tr("Model: %1").arg(QFileInfo(m_modelFolder).fileName()));
    return true;
}

void MainWindow::openModelFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Model Folder"), m_modelFolder);
    if (!dir.isEmpty()) setModelFolder(dir);
}

void MainWindow::showAbout()
{
    AboutDialog dialog(this);
    dialog.exec();
}

void MainWindow::buildPanels()
{
    m_imageArea = new QLabel(this);
    m_imageArea->setObjectName(QStringLiteral("imageArea"));
    m_imageArea->setAlignment(Qt::AlignCenter);
    m_imageArea->setMinimumSize(512, 512);
    m_imageArea->setText(tr("No image yet.\nGenerate an image or open a DICOM file to begin."));
    m_imageArea->setStyleSheet(QStringLiteral("QLabel#imageArea { background: #101418; color: #9aa7b4; font-size: 15px; }"));
    setCentralWidget(m_imageArea);

    auto* controls = new QWidget(this);
    auto* form = new QFormLayout(controls);
    m_modelLabel = new QLabel(tr("(none)"), controls);
    m_modelLabel->setWordWrap(true);
    m_modelLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(tr("Model:"), m_modelLabel);
    m_controlsDock = new QDockWidget(tr("Model and Prompt"), this);
    m_controlsDock->setObjectName(QStringLiteral("controlsDock"));
    m_controlsDock->setWidget(controls);
    m_controlsDock->setMinimumWidth(280);
    addDockWidget(Qt::LeftDockWidgetArea, m_controlsDock);

    auto* attributes = new QWidget(this);
    auto* attrLayout = new QVBoxLayout(attributes);
    auto* hint = new QLabel(tr("Attribute sliders appear here once a model is loaded."), attributes);
    hint->setWordWrap(true);
    attrLayout->addWidget(hint);
    attrLayout->addStretch(1);
    m_attributesDock = new QDockWidget(tr("Attributes"), this);
    m_attributesDock->setObjectName(QStringLiteral("attributesDock"));
    m_attributesDock->setWidget(attributes);
    m_attributesDock->setMinimumWidth(260);
    addDockWidget(Qt::RightDockWidgetArea, m_attributesDock);
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* openModel = file->addAction(tr("Open &Model Folder..."), this, &MainWindow::openModelFolder);
    openModel->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_controlsDock->toggleViewAction());
    view->addAction(m_attributesDock->toggleViewAction());

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MedTraverse"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

}  // namespace mt::ui
