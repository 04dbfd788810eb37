// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QMainWindow>

class QLabel;
class QLineEdit;
class QDockWidget;

namespace mt::ui {

// Responsibility: the clinician's main window: menus, status bar, the model panel, the image area
// and the attribute panel. Ownership: owns its widgets (Qt parent tree). Thread: GUI only.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    // Points the window at a diffusers model folder; returns false (and says why in the status bar)
    // when the folder has no model_index.json.
    bool setModelFolder(const QString& folder);
    QString modelFolder() const { return m_modelFolder; }

    // The bundled default model (resources/models/default next to the executable or in the source
    // tree), or an empty string when it is not installed.
    static QString defaultModelFolder();

public slots:
    void openModelFolder();
    void showAbout();

private:
    void buildMenus();
    void buildPanels();

    QString m_modelFolder;
    QLabel* m_modelLabel = nullptr;
    QLabel* m_imageArea = nullptr;
    QLabel* m_statusModel = nullptr;
    QDockWidget* m_controlsDock = nullptr;
    QDockWidget* m_attributesDock = nullptr;
};

}  // namespace mt::ui
