// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <QDialog>
#include <QString>
#include <atomic>
#include <memory>
#include <thread>

#include "core/common/cancel.h"
#include "core/study/study_maker.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace mt::ui {

// Responsibility: the study designer: collects model, findings, starts (seeds and imported images),
// conditions (swap k, Bezier tau), steps and the study folder into a core StudyRecipe, and runs
// study::makeStudy() on a worker thread with progress and Cancel (the same function as
// `medtraverse-cli study make`). Ownership: owns its widgets and the worker thread (joined on
// destruction after cancelling). Thread: GUI only; the worker only posts queued updates.
class StudyDesignerDialog : public QDialog {
    Q_OBJECT
public:
    explicit StudyDesignerDialog(QWidget* parent = nullptr, const QString& modelFolder = {});
    ~StudyDesignerDialog() override;

    // The form as a recipe; throws mt::Error(InvalidArgument) naming the field.
    study::StudyRecipe recipe() const;
    bool isRunning() const { return m_running; }

public slots:
    void startGeneration();
    void cancelGeneration();

signals:
    void studyCreated(const QString& folder);
    void generationFinished(bool ok, const QString& message);

protected:
    void reject() override;

private:
    void updateCount();
    void finishGeneration(bool ok, bool cancelled, const QString& message, const QString& folder);

    QLineEdit* m_model = nullptr;
    QLineEdit* m_title = nullptr;
    QLineEdit* m_findings = nullptr;
    QLineEdit* m_neutral = nullptr;
    QLineEdit* m_template = nullptr;
    QLineEdit* m_seeds = nullptr;
    QListWidget* m_images = nullptr;
    QLineEdit* m_swaps = nullptr;
    QLineEdit* m_bezier = nullptr;
    QSpinBox* m_steps = nullptr;
    QDoubleSpinBox* m_guidance = nullptr;
    QSpinBox* m_orderSeed = nullptr;
    QLineEdit* m_out = nullptr;
    QLabel* m_count = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_generate = nullptr;
    QPushButton* m_cancel = nullptr;
    std::thread m_worker;
    CancelToken m_token;
    bool m_running = false;
};

}  // namespace mt::ui
